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

#[cfg(test)]
mod tests {
    use super::*;

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
