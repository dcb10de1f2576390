//! The form's static markup, written as escaped HTML text for the browser to parse in one go.
//!
//! The widget's size budget is why: every element and attribute of a `view!` is a distinct type that
//! `tachys` monomorphises, which made the form's views the largest part of the WebAssembly. Here the
//! static structure is a string, and the reactive parts are kept in step by one effect (see
//! [`super::contact_form`]). Everything from outside (the locale, the site's labels, the server's
//! messages) goes through [`escape`], so none of it can become markup.

/// HTML being written.
#[derive(Debug, Default)]
pub struct Html(String);

impl Html {
    /// Opens `<tag>` with `attributes`, in order; an attribute whose value is `None` is left out, one
    /// whose value is empty is written bare (a boolean attribute).
    pub fn open(&mut self, tag: &str, attributes: &[(&str, Option<&str>)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attributes {
            let Some(value) = value else { continue };
            self.0.push(' ');
            self.0.push_str(name);
            if !value.is_empty() {
                self.0.push_str("=\"");
                escape(&mut self.0, value);
                self.0.push('"');
            }
        }
        self.0.push('>');
        self
    }

    /// Writes `text`, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape(&mut self.0, text);
        self
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// `<tag attributes>text</tag>`.
    pub fn element(
        &mut self,
        tag: &str,
        attributes: &[(&str, Option<&str>)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attributes).text(text).close(tag)
    }

    /// The HTML written so far.
    pub fn finish(self) -> String {
        self.0
    }
}

/// Appends `text`, safe inside an element or a double-quoted attribute.
pub fn escape(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}

/// `text` around the first `placeholder` in it (an ASCII one such as `{number}`), if it has one. The bytes
/// are compared pair by pair rather than through `str::split_once(&str)`, whose two-way substring search
/// would cost the wasm 2 KB for a few short locale strings.
pub fn split_placeholder<'a>(text: &'a str, placeholder: &str) -> Option<(&'a str, &'a str)> {
    let at = text
        .as_bytes()
        .windows(placeholder.len())
        .position(|window| window == placeholder.as_bytes())?;
    Some((&text[..at], &text[at + placeholder.len()..]))
}

/// `text` with every `placeholder` in it replaced by `value`, as `str::replace` does (see
/// [`split_placeholder`] for why not with it).
pub fn fill(text: &str, placeholder: &str, value: &str) -> String {
    let (mut filled, mut rest) = (String::new(), text);
    while let Some((before, after)) = split_placeholder(rest, placeholder) {
        filled.push_str(before);
        filled.push_str(value);
        rest = after;
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled_as_str_s_own_methods_would() {
        let table = [
            "Sign in to {site} to ask us.",
            "{site}",
            "{site} and {site}",
            "no placeholder",
            "{sit",
            "é{site}📞",
            "",
        ];
        for text in table {
            assert_eq!(
                split_placeholder(text, "{site}"),
                text.split_once("{site}"),
                "{text}"
            );
            assert_eq!(
                fill(text, "{site}", "Northwind"),
                text.replace("{site}", "Northwind"),
                "{text}"
            );
        }
    }

    #[test]
    fn attributes_are_escaped_left_out_or_bare() {
        let mut html = Html::default();
        html.element(
            "p",
            &[
                ("class", Some("crw-error")),
                ("id", Some("x\"><script>")),
                ("hidden", None),
                ("novalidate", Some("")),
            ],
            "<b>Fish & chips</b>",
        );
        assert_eq!(
            html.finish(),
            "<p class=\"crw-error\" id=\"x&quot;>&lt;script>\" novalidate>&lt;b>Fish &amp; chips&lt;/b></p>"
        );
    }
}
