//! Click-to-dial: the address the console follows to call a number. By default a `tel:` link, which the
//! operating system hands to whatever places calls; or a call center's softphone URL template (a CTI
//! tool such as a browser softphone), `{number}` replaced by the number and `{request}` by the
//! ContactRequest's id. The server checks a template once, when it reads the call-center file, with
//! [`check_template`]; the console fills it in with [`address`]. One rule for both.

/// The placeholder for the number to dial (E.164, percent-encoded: `+` is `%2B`).
pub const NUMBER: &str = "{number}";
/// The placeholder for the 18-character id of the ContactRequest the call is about.
pub const REQUEST: &str = "{request}";

/// Schemes a template may not use: they run code or read files rather than place a call.
const REFUSED_SCHEMES: [&str; 5] = ["javascript", "data", "vbscript", "file", "blob"];

/// Why a template is refused, in words that say what to write instead.
pub fn check_template(template: &str) -> Result<(), String> {
    let example = "such as \"https://softphone.example.com/dial?to={number}&ref={request}\"";
    let Some((scheme, rest)) = template.split_once(':') else {
        return Err(format!("softphone_url must be an absolute URL, {example}"));
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("softphone_url must be an absolute URL, {example}"));
    }
    if REFUSED_SCHEMES.contains(&scheme.as_str()) {
        return Err(format!(
            "softphone_url may not be a {scheme}: URL; give the softphone's https:// address, {example}"
        ));
    }
    if scheme == "http" {
        let host = rest
            .trim_start_matches("//")
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let name = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        if !matches!(name, "localhost" | "127.0.0.1" | "::1") {
            return Err(format!(
                "softphone_url must be https:// (plain http:// only for a softphone on this computer: localhost), {example}"
            ));
        }
    }
    if !template.contains(NUMBER) {
        return Err(format!(
            "softphone_url must hold {NUMBER} where the number goes, {example}"
        ));
    }
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            return Err(format!(
                "softphone_url has a {{ without its }}: write {NUMBER} or {REQUEST}"
            ));
        };
        let placeholder = &after[..=close];
        if placeholder != NUMBER && placeholder != REQUEST {
            return Err(format!(
                "softphone_url has {placeholder}, which is not {NUMBER} or {REQUEST}"
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Percent-encodes all but the URL's unreserved characters (RFC 3986).
fn encoded(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// The address to follow to dial `number` about the request `request`: the call center's softphone
/// template (checked by [`check_template`]) filled in, or a `tel:` link when it has none.
pub fn address(template: Option<&str>, number: &str, request: &str) -> String {
    match template {
        Some(template) => template
            .replace(NUMBER, &encoded(number))
            .replace(REQUEST, &encoded(request)),
        None => format!("tel:{number}"),
    }
}

/// Whether `address` is handed to a softphone (opened beside the console) rather than to the
/// operating system's `tel:` handler.
pub fn is_softphone(address: &str) -> bool {
    !address.starts_with("tel:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_template_the_number_is_a_tel_link() {
        assert_eq!(address(None, "+442079460555", "0SR1"), "tel:+442079460555");
        assert!(!is_softphone("tel:+442079460555"));
    }

    #[test]
    fn a_template_gets_the_number_and_the_request_percent_encoded() {
        let url = address(
            Some("https://phone.example.com/dial?to={number}&ref={request}&again={number}"),
            "+442079460555",
            "0SRxx0000000001AAA",
        );
        assert_eq!(
            url,
            "https://phone.example.com/dial?to=%2B442079460555&ref=0SRxx0000000001AAA&again=%2B442079460555"
        );
        assert!(is_softphone(&url));
        assert_eq!(
            address(Some("sip:{number}@pbx.example.com"), "+1 408", "x"),
            "sip:%2B1%20408@pbx.example.com"
        );
    }

    #[test]
    fn templates_that_cannot_dial_or_are_unsafe_are_refused_with_what_to_write() {
        for (template, says) in [
            ("softphone.example.com/dial?to={number}", "absolute URL"),
            ("https://softphone.example.com/dial", "{number}"),
            ("javascript:alert('{number}')", "javascript:"),
            ("data:text/html,{number}", "data:"),
            ("http://softphone.example.com/?to={number}", "https://"),
            ("http://localhost.example.com/?to={number}", "https://"),
            (
                "https://x.example.com/?to={number}&who={visitor}",
                "{visitor}",
            ),
            (
                "https://x.example.com/?to={number}&{request",
                "without its }",
            ),
            ("1tel:{number}", "absolute URL"),
        ] {
            let refused = check_template(template).expect_err(template);
            assert!(refused.contains(says), "{template}: {refused}");
        }
        for template in [
            "https://softphone.example.com/dial?to={number}&ref={request}",
            "http://localhost:8123/call/{number}",
            "http://127.0.0.1/call?n={number}",
            "http://[::1]:9000/call?n={number}",
            "sip:{number}@pbx.example.com",
            "callto:{number}",
        ] {
            assert_eq!(check_template(template), Ok(()), "{template}");
        }
    }
}
