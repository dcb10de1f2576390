//! `Locale`: the language the widget was shown in (`en`, `fr`), sent with the form so that what the
//! server writes back to the visitor (the confirmation email) is in the same language.
//!
//! The tags are the widget's locale files' (`frontend/locales/<tag>.json`). A tag this build does not know
//! is read as the default rather than refused: a visitor never sees an error for the language the page
//! happens to be in.

use std::fmt;

use serde::{Serialize, Serializer};

/// A language the widget ships, by its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    /// Every locale, the default first.
    pub const ALL: &'static [Locale] = &[Locale::En, Locale::Fr];

    /// Reads a language tag as the widget resolves one: case and surrounding space ignored, and a
    /// region (`fr-CA`, `fr_BE`) read as its language; anything else is the default.
    pub fn parse(tag: &str) -> Self {
        let tag = tag.trim();
        let language = tag.split(['-', '_']).next().unwrap_or(tag);
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.as_str().eq_ignore_ascii_case(language))
            .unwrap_or_default()
    }

    /// The tag, as the widget's locale file is named.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_tag_is_read_whatever_its_case_or_region() {
        for (tag, expected) in [
            ("en", Locale::En),
            ("fr", Locale::Fr),
            ("FR", Locale::Fr),
            (" fr ", Locale::Fr),
            ("fr-CA", Locale::Fr),
            ("fr_BE", Locale::Fr),
            ("en-GB", Locale::En),
        ] {
            assert_eq!(Locale::parse(tag), expected, "{tag:?}");
        }
    }

    #[test]
    fn an_unknown_tag_falls_back_to_the_default_rather_than_failing() {
        for tag in ["de", "", "-", "français", "f", "frr", "<script>"] {
            assert_eq!(Locale::parse(tag), Locale::En, "{tag:?}");
        }
    }

    #[test]
    fn each_locale_round_trips_through_its_tag() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.as_str()), *locale);
            assert_eq!(
                serde_json::to_string(locale).unwrap(),
                format!("\"{locale}\"")
            );
        }
    }
}
