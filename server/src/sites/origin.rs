//! What an allowed origin is: the check every configured origin passes, from the sites file or the flags.

use super::MAX_ORIGIN_LEN;

/// Checks that `value` is an origin: `http` or `https`, a host, an optional port, and nothing else.
pub fn parse_origin(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| format!("allowed origin {value:?} must start with http:// or https://"))?;
    let valid_host = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid_host || value.len() > MAX_ORIGIN_LEN {
        return Err(format!(
            "allowed origin {value:?} must be scheme://host[:port] with no path, at most {} characters, such as https://www.example.com",
            MAX_ORIGIN_LEN
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://www.example.com",
            "http://127.0.0.1:3001",
            "http://[::1]:8080",
        ] {
            assert_eq!(parse_origin(ok), Ok(ok.to_owned()));
        }
        let table = [
            ("www.example.com", "must start with http:// or https://"),
            (
                "https://www.example.com/",
                "must be scheme://host[:port] with no path",
            ),
            (
                "https://example.com/contact",
                "must be scheme://host[:port] with no path",
            ),
            ("https://", "must be scheme://host[:port] with no path"),
            ("*", "must start with http:// or https://"),
            (
                &format!("https://{}.example", "a".repeat(250)),
                "at most 255 characters",
            ),
        ];
        for (bad, why) in table {
            let err = parse_origin(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
