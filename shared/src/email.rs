//! `VisitorEmail`: where to reply when the visitor prefers email.
//!
//! The rule is written here rather than taken from `validator::ValidateEmail`, whose regex and IDNA tables
//! would add well over 100 KB to the widget for the same practical answer.

use std::fmt;

use serde::Serialize;

const MAX_CHARS: usize = 254;
const MAX_LOCAL: usize = 64;
const MAX_LABEL: usize = 63;
/// Bytes, all ASCII, rather than a `&str`: `str::contains(char)` searches for a non-ASCII character as a
/// substring, and that search costs the widget 2 KB.
const LOCAL_SPECIALS: &[u8] = b"!#$%&'*+/=?^_`{|}~.-";

/// An email address of the common `local@domain.tld` form, trimmed, with its domain lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VisitorEmail(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong(usize),
    Malformed,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter an email address."),
            Self::TooLong(n) => write!(
                f,
                "An email address has at most {MAX_CHARS} characters (this one has {n})."
            ),
            Self::Malformed => f.write_str("Enter an email address like name@example.com."),
        }
    }
}

impl std::error::Error for EmailError {}

impl VisitorEmail {
    /// Parses an email address: trimmed, its domain lower-cased.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let (local, domain) = Self::check(input)?;
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// Checks an email address without keeping it, answering its trimmed local part and domain. The
    /// widget calls only this, so Unicode case mapping (`to_lowercase`) is not linked into it.
    pub fn check(input: &str) -> Result<(&str, &str), EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let count = trimmed.chars().count();
        if count > MAX_CHARS {
            return Err(EmailError::TooLong(count));
        }
        // The last `@`, found byte by byte (it is ASCII, so the split is on a character boundary):
        // `rsplit_once` links a reverse character searcher and `memrchr` that the widget uses nowhere else.
        let at = trimmed
            .bytes()
            .rposition(|b| b == b'@')
            .ok_or(EmailError::Malformed)?;
        let (local, domain) = (&trimmed[..at], &trimmed[at + 1..]);
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok((local, domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL
        && !local.starts_with('.')
        && !local.ends_with('.')
        // Pairs of bytes rather than `contains("..")`, whose substring search costs the widget 2 KB.
        && !local.as_bytes().windows(2).any(|pair| pair == b"..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || u8::try_from(c).is_ok_and(|b| LOCAL_SPECIALS.contains(&b)))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = crate::split_ascii(domain, b'.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= MAX_LABEL
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let table = [
            ("ada@example.com", "ada@example.com"),
            (
                "  Ada.Lovelace+crw@Example.CO.uk ",
                "Ada.Lovelace+crw@example.co.uk",
            ),
            ("o'brien@mail.example.ie", "o'brien@mail.example.ie"),
            ("josé@münchen.de", "josé@münchen.de"),
        ];
        for (input, expected) in table {
            assert_eq!(
                VisitorEmail::parse(input).map(|e| e.0),
                Ok(expected.to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn rejects_what_cannot_receive_mail() {
        let long = format!("{}@example.com", "a".repeat(250));
        let table = [
            ("", EmailError::Empty),
            ("ada", EmailError::Malformed),
            ("ada@", EmailError::Malformed),
            ("@example.com", EmailError::Malformed),
            ("ada@localhost", EmailError::Malformed),
            ("ada@@example.com", EmailError::Malformed),
            ("ada lovelace@example.com", EmailError::Malformed),
            (".ada@example.com", EmailError::Malformed),
            ("ada..l@example.com", EmailError::Malformed),
            ("ada@-example.com", EmailError::Malformed),
            ("ada@example..com", EmailError::Malformed),
            ("ada@127.0.0.1", EmailError::Malformed),
            ("<script>@example.com", EmailError::Malformed),
            (long.as_str(), EmailError::TooLong(262)),
        ];
        for (input, expected) in table {
            assert_eq!(VisitorEmail::parse(input), Err(expected), "{input:?}");
        }
    }
}
