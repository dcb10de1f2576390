//! `Origin`: the origin of a web page (`https://www.example.com`, `http://127.0.0.1:3001`), as sites allow
//! them and as a submission records where it came from. Only [`Origin::parse`] makes one, so an origin past
//! the configuration or the intake is always scheme, host and optional port, and never over
//! [`MAX_ORIGIN_LEN`].

use std::fmt;

use serde::Serialize;

/// The longest origin kept: a host is at most 253 characters.
pub const MAX_ORIGIN_LEN: usize = 255;

/// A checked origin: `http` or `https`, a host, an optional port, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Origin(String);

impl Origin {
    /// Checks that `value` is an origin; the error says what an origin must look like.
    pub fn parse(value: &str) -> Result<Self, String> {
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| {
                format!("allowed origin {value:?} must start with http:// or https://")
            })?;
        let valid_host = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !valid_host || value.len() > MAX_ORIGIN_LEN {
            return Err(format!(
                "allowed origin {value:?} must be scheme://host[:port] with no path, at most {MAX_ORIGIN_LEN} characters, such as https://www.example.com"
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
            assert_eq!(Origin::parse(ok).map(|o| o.to_string()), Ok(ok.to_owned()));
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
            let err = Origin::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
