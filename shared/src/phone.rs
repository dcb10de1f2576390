//! `PreferredPhone`: a phone number in E.164 form.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The fewest and most digits an international number can have (E.164 allows at most 15).
const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;

/// A phone number normalised to E.164: `+` and 8 to 15 digits, the first not 0.
///
/// Built only by [`PreferredPhone::parse`], which accepts what people type: spaces, dashes, dots and
/// parentheses between digits, and the `00` international prefix in place of `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PreferredPhone(String);

/// Why a phone number was refused; each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    InvalidCharacter(char),
    MisplacedPlus,
    MissingCountryCode,
    CountryCodeStartsWithZero,
    TooShort(usize),
    TooLong(usize),
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter a phone number."),
            Self::InvalidCharacter(c) => write!(
                f,
                "Remove \u{201c}{c}\u{201d}: a phone number can hold only digits, spaces, dashes, dots, \
                 parentheses and a leading +."
            ),
            Self::MisplacedPlus => f.write_str("A + can only come first, before the country code."),
            Self::MissingCountryCode => {
                f.write_str("Start with + and the country code, for example +44 20 7946 0958.")
            }
            Self::CountryCodeStartsWithZero => {
                f.write_str("A country code never starts with 0: check the digits after the +.")
            }
            Self::TooShort(n) => write!(
                f,
                "This number has {n} digits; a full international number has {MIN_DIGITS} to {MAX_DIGITS}."
            ),
            Self::TooLong(n) => write!(
                f,
                "This number has {n} digits; an international number has at most {MAX_DIGITS}."
            ),
        }
    }
}

impl std::error::Error for PhoneError {}

impl PreferredPhone {
    /// Parses what a visitor typed into an E.164 number; the number must carry its country code.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        Self::parse_with_country(input, None)
    }

    /// Parses what a visitor typed, reading a number without `+` or `00` as a national number of the
    /// country whose calling code is `country_code` (digits, such as `44`): its trunk prefix is dropped
    /// (see [`trunk_prefix`]).
    pub fn parse_with_country(input: &str, country_code: Option<&str>) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (rest, had_prefix) = if let Some(rest) = trimmed.strip_prefix('+') {
            (rest, true)
        } else if let Some(rest) = trimmed.strip_prefix("00") {
            (rest, true)
        } else {
            (trimmed, false)
        };

        let mut body = String::with_capacity(MAX_DIGITS);
        for c in rest.chars() {
            match c {
                '0'..='9' => body.push(c),
                '-' | '.' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                '+' => return Err(PhoneError::MisplacedPlus),
                c => return Err(PhoneError::InvalidCharacter(c)),
            }
            if body.len() > MAX_DIGITS {
                // Keep counting without growing the buffer, so a hostile input costs nothing.
                let extra = rest.chars().filter(char::is_ascii_digit).count();
                return Err(PhoneError::TooLong(extra));
            }
        }

        let digits = if had_prefix {
            format!("+{body}")
        } else {
            let code = country_code.ok_or(PhoneError::MissingCountryCode)?;
            let national = body.strip_prefix(trunk_prefix(code)).unwrap_or(&body);
            format!("+{code}{national}")
        };
        let count = digits.len() - 1;
        if count < MIN_DIGITS {
            return Err(PhoneError::TooShort(count));
        }
        if count > MAX_DIGITS {
            return Err(PhoneError::TooLong(count));
        }
        if digits.as_bytes()[1] == b'0' {
            return Err(PhoneError::CountryCodeStartsWithZero);
        }
        Ok(Self(digits))
    }

    /// The number in E.164 form, such as `+442079460958`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The trunk prefix a national number is dialled with inside its country and which E.164 leaves out:
/// `1` in the North American plan (`1-408-888-8888`, as the XDM reference writes a number; no area code
/// there starts with 1), `0` elsewhere. (A char, not a table of countries: the rule is in the widget,
/// whose every byte is budgeted.)
fn trunk_prefix(country_code: &str) -> char {
    if country_code == "1" { '1' } else { '0' }
}

/// A country calling code as configuration writes it (`"44"` or `"+44"`): its digits, or a message
/// saying what a code looks like.
pub fn parse_country_code(input: &str) -> Result<String, &'static str> {
    let digits = input.trim().trim_start_matches('+');
    let valid = (1..=3).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(digits.to_owned())
    } else {
        Err("a country calling code has 1 to 3 digits and does not start with 0, such as \"44\"")
    }
}

impl fmt::Display for PreferredPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PreferredPhone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_people_type_and_normalises_to_e164() {
        let table = [
            ("+44 20 7946 0958", "+442079460958"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("+33.1.23.45.67.89", "+33123456789"),
            ("0049 30 1234567", "+49301234567"),
            ("  +61 2 9876 5432  ", "+61298765432"),
            ("+1\u{a0}415\u{a0}555\u{a0}0100", "+14155550100"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
        ];
        for (input, expected) in table {
            assert_eq!(
                PreferredPhone::parse(input).map(|p| p.0),
                Ok(expected.to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn rejects_impossible_numbers_with_a_reason() {
        let table = [
            ("", PhoneError::Empty, "empty"),
            ("   ", PhoneError::Empty, "only spaces"),
            (
                "+44 20 7946 095x",
                PhoneError::InvalidCharacter('x'),
                "a letter",
            ),
            (
                "+1 800 FLOWERS",
                PhoneError::InvalidCharacter('F'),
                "a vanity number",
            ),
            ("+44/20/7946", PhoneError::InvalidCharacter('/'), "a slash"),
            (
                "+44 20 7946 0958 ext 12",
                PhoneError::InvalidCharacter('e'),
                "an extension",
            ),
            ("+44+2079460958", PhoneError::MisplacedPlus, "a second plus"),
            (
                "020 7946 0958",
                PhoneError::MissingCountryCode,
                "a national number",
            ),
            (
                "+0 20 7946 0958",
                PhoneError::CountryCodeStartsWithZero,
                "country code 0",
            ),
            ("+1234567", PhoneError::TooShort(7), "seven digits"),
            ("+", PhoneError::TooShort(0), "a lone plus"),
            (
                "+1234567890123456",
                PhoneError::TooLong(16),
                "sixteen digits",
            ),
        ];
        for (input, expected, why) in table {
            assert_eq!(
                PreferredPhone::parse(input),
                Err(expected),
                "{why}: {input:?}"
            );
        }
    }

    #[test]
    fn a_national_number_takes_the_default_country_code_and_drops_its_trunk_zero() {
        let table = [
            ("020 7946 0958", Some("44"), Ok("+442079460958")),
            ("(415) 555-0100", Some("1"), Ok("+14155550100")),
            // The North American trunk 1, as the XDM reference writes a number.
            ("1-408-888-8888", Some("1"), Ok("+14088888888")),
            ("408-888-8888", Some("1"), Ok("+14088888888")),
            ("+33 1 23 45 67 89", Some("44"), Ok("+33123456789")),
            ("0033 1 23 45 67 89", Some("44"), Ok("+33123456789")),
            ("020 7946 0958", None, Err(PhoneError::MissingCountryCode)),
            ("0123", Some("44"), Err(PhoneError::TooShort(5))),
            (
                "0 1234 5678 9012 34",
                Some("44"),
                Err(PhoneError::TooLong(16)),
            ),
        ];
        for (input, country, expected) in table {
            let got = PreferredPhone::parse_with_country(input, country);
            assert_eq!(
                got.as_ref().map(PreferredPhone::as_str),
                expected.as_ref().map(|s| *s),
                "{input:?} in {country:?}"
            );
        }
    }

    #[test]
    fn country_codes_are_one_to_three_digits_not_starting_with_zero() {
        assert_eq!(parse_country_code("+44").as_deref(), Ok("44"));
        assert_eq!(parse_country_code(" 1 ").as_deref(), Ok("1"));
        for bad in ["", "+", "0044", "44a", "1234", "+0"] {
            assert!(parse_country_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_huge_input_is_refused_without_reading_it_into_the_number() {
        let input = format!("+{}", "9".repeat(100_000));
        assert_eq!(
            PreferredPhone::parse(&input),
            Err(PhoneError::TooLong(100_000))
        );
    }

    #[test]
    fn normalising_twice_gives_the_same_number() {
        let once = PreferredPhone::parse("+1 (415) 555-0100").unwrap();
        assert_eq!(PreferredPhone::parse(once.as_str()), Ok(once));
    }

    #[test]
    fn every_error_message_says_what_to_fix() {
        assert_eq!(
            PhoneError::MissingCountryCode.to_string(),
            "Start with + and the country code, for example +44 20 7946 0958."
        );
        assert_eq!(
            PhoneError::TooShort(7).to_string(),
            "This number has 7 digits; a full international number has 8 to 15."
        );
    }
}
