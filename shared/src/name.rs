//! `VisitorName`: how the visitor wants to be addressed.

use std::fmt;

use serde::Serialize;

/// The most characters a name may hold (Salesforce's Contact name is 121 at most).
pub const MAX_CHARS: usize = 120;

/// A trimmed, single-line name of at most 120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VisitorName(String);

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    TooLong(usize),
    ControlCharacter,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong(n) => {
                write!(
                    f,
                    "Shorten the name to {MAX_CHARS} characters or fewer (it has {n})."
                )
            }
            Self::ControlCharacter => {
                f.write_str("Write the name on one line, without control characters.")
            }
        }
    }
}

impl std::error::Error for NameError {}

impl VisitorName {
    /// Parses a name; an empty or blank one is `None`, as the field is optional.
    pub fn parse(input: &str) -> Result<Option<Self>, NameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let count = trimmed.chars().count();
        if count > MAX_CHARS {
            return Err(NameError::TooLong(count));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_any_script() {
        for (input, expected) in [
            ("  Ada Lovelace ", "Ada Lovelace"),
            ("李小龙", "李小龙"),
            ("O'Brien-Núñez", "O'Brien-Núñez"),
        ] {
            assert_eq!(
                VisitorName::parse(input).unwrap().map(|n| n.0),
                Some(expected.to_owned())
            );
        }
        assert_eq!(VisitorName::parse("   "), Ok(None));
    }

    #[test]
    fn rejects_multi_line_and_overlong_names() {
        let long = "a".repeat(MAX_CHARS + 1);
        let table = [
            ("Ada\nLovelace", NameError::ControlCharacter, "a line break"),
            ("Ada\u{0}", NameError::ControlCharacter, "a NUL"),
            (long.as_str(), NameError::TooLong(MAX_CHARS + 1), "too long"),
        ];
        for (input, expected, why) in table {
            assert_eq!(VisitorName::parse(input), Err(expected), "{why}");
        }
    }
}
