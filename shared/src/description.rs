//! `RequestDescription`: what the visitor wants to talk about, in their own words.

use std::fmt;

use serde::Serialize;

/// The most characters a description may hold.
pub const MAX_CHARS: usize = 4_000;

/// Free text, trimmed, at most 4,000 characters, line breaks normalised to `\n` and no other control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RequestDescription(String);

/// Why a description was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescriptionError {
    TooLong(usize),
    ControlCharacter(char),
}

impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong(n) => write!(
                f,
                "Shorten the description to {MAX_CHARS} characters or fewer (it has {n})."
            ),
            Self::ControlCharacter(c) => write!(
                f,
                "Remove the invisible control character U+{:04X} from the description.",
                u32::from(*c)
            ),
        }
    }
}

impl std::error::Error for DescriptionError {}

impl RequestDescription {
    /// Parses a description; an empty or blank one is `None`, as the field is optional.
    pub fn parse(input: &str) -> Result<Option<Self>, DescriptionError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let count = trimmed.chars().count();
        if count > MAX_CHARS {
            return Err(DescriptionError::TooLong(count));
        }
        let normalised = normalise_line_breaks(trimmed);
        if let Some(c) = normalised.chars().find(|c| c.is_control() && *c != '\n') {
            return Err(DescriptionError::ControlCharacter(c));
        }
        Ok(Some(Self(normalised)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` with each `\r\n`, and each `\r` alone, written as `\n`. A loop over its characters rather
/// than `replace("\r\n", "\n")`: the widget runs this rule, and a substring search (`core`'s two-way
/// searcher) costs its wasm about 2 KB.
fn normalise_line_breaks(text: &str) -> String {
    let mut normalised = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            normalised.push('\n');
        } else {
            normalised.push(c);
        }
    }
    normalised
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_normalises_line_breaks() {
        let table = [
            ("  My order is late  ", "My order is late"),
            ("line one\r\nline two", "line one\nline two"),
            ("old mac\rbreaks", "old mac\nbreaks"),
            ("mixed\r\r\n\n\rbreaks", "mixed\n\n\n\nbreaks"),
            (
                "\n\nkeeps inner\n\nparagraphs\n",
                "keeps inner\n\nparagraphs",
            ),
            (
                "Ünïcödé and emoji 📞 are fine",
                "Ünïcödé and emoji 📞 are fine",
            ),
        ];
        for (input, expected) in table {
            assert_eq!(
                RequestDescription::parse(input).unwrap().map(|d| d.0),
                Some(expected.to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn line_breaks_are_normalised_exactly_as_replacing_crlf_then_cr_would() {
        for text in ["", "\r", "\n\r", "\r\r\n", "a\r\nb\rc\n\r\nd", "é\r\n📞\r"] {
            let replaced = text.replace("\r\n", "\n").replace('\r', "\n");
            assert_eq!(normalise_line_breaks(text), replaced, "{text:?}");
        }
    }

    #[test]
    fn blank_is_absent() {
        for input in ["", "   ", "\n\t\n"] {
            assert_eq!(RequestDescription::parse(input), Ok(None), "{input:?}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_stored() {
        let long = "é".repeat(MAX_CHARS + 1);
        let table = [
            (
                long.as_str(),
                DescriptionError::TooLong(MAX_CHARS + 1),
                "one character too many",
            ),
            (
                "bell\u{7}",
                DescriptionError::ControlCharacter('\u{7}'),
                "a bell",
            ),
            (
                "tab\there",
                DescriptionError::ControlCharacter('\t'),
                "a tab",
            ),
            (
                "nul\u{0}byte",
                DescriptionError::ControlCharacter('\u{0}'),
                "a NUL",
            ),
            (
                "esc\u{1b}[31m",
                DescriptionError::ControlCharacter('\u{1b}'),
                "an escape sequence",
            ),
        ];
        for (input, expected, why) in table {
            assert_eq!(RequestDescription::parse(input), Err(expected), "{why}");
        }
    }

    #[test]
    fn exactly_the_limit_is_accepted_counting_characters_not_bytes() {
        let at_limit = "é".repeat(MAX_CHARS);
        assert!(RequestDescription::parse(&at_limit).unwrap().is_some());
    }

    #[test]
    fn the_control_character_message_names_the_code_point() {
        assert_eq!(
            DescriptionError::ControlCharacter('\u{7}').to_string(),
            "Remove the invisible control character U+0007 from the description."
        );
    }
}
