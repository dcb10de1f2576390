//! `VisitorTimeZone`: the visitor's own time zone, an IANA name such as `Europe/Paris`, as the browser
//! reports it (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
//!
//! Whether a name is a real zone is the time-zone database's to say, and this crate has none (the widget
//! could not carry one): the side that parses brings its own through [`TimeZoneDatabase`], as the proof of
//! work lets each side bring its own hash.

use std::fmt;

use serde::{Serialize, Serializer};

/// The longest name accepted: the longest IANA name is about 32 bytes, so anything much longer is not one,
/// and is refused before the database is asked.
const LONGEST: usize = 64;

/// A time-zone database that says whether a name is one of its zones.
pub trait TimeZoneDatabase {
    /// The zone's name as the database spells it, or `None` when it has no such zone.
    fn iana_name(&self, name: &str) -> Option<String>;
}

/// A zone the database knows, named as the database spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorTimeZone(String);

/// Why a time zone was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneError;

impl fmt::Display for TimeZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "Send an IANA time zone name, such as Europe/Paris, or leave the time zone out.",
        )
    }
}

impl std::error::Error for TimeZoneError {}

impl VisitorTimeZone {
    /// Reads a zone name that `zones` knows; surrounding space is ignored.
    pub fn parse(input: &str, zones: &impl TimeZoneDatabase) -> Result<Self, TimeZoneError> {
        let name = input.trim();
        if name.is_empty() || name.len() > LONGEST {
            return Err(TimeZoneError);
        }
        zones.iana_name(name).map(Self).ok_or(TimeZoneError)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VisitorTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for VisitorTimeZone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A database that knows no zone, for parsing where none is at hand: any time zone is then refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTimeZones;

impl TimeZoneDatabase for NoTimeZones {
    fn iana_name(&self, _: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two zones, matched regardless of case as the server's database does.
    struct TwoZones;

    impl TimeZoneDatabase for TwoZones {
        fn iana_name(&self, name: &str) -> Option<String> {
            ["Europe/Paris", "America/New_York"]
                .into_iter()
                .find(|zone| zone.eq_ignore_ascii_case(name))
                .map(str::to_owned)
        }
    }

    #[test]
    fn a_known_zone_is_kept_as_the_database_spells_it() {
        for (input, expected) in [
            ("Europe/Paris", "Europe/Paris"),
            (" America/New_York ", "America/New_York"),
            ("europe/paris", "Europe/Paris"),
        ] {
            let zone = VisitorTimeZone::parse(input, &TwoZones).unwrap();
            assert_eq!(zone.as_str(), expected, "{input:?}");
        }
    }

    #[test]
    fn a_name_the_database_does_not_know_is_refused() {
        for (input, why) in [
            ("", "empty"),
            ("   ", "blank"),
            ("Europe/Atlantis", "no such zone"),
            ("+02:00", "an offset is not a zone"),
            (&"Europe/Paris".repeat(6), "far longer than any zone name"),
        ] {
            assert_eq!(
                VisitorTimeZone::parse(input, &TwoZones),
                Err(TimeZoneError),
                "{why}"
            );
        }
        assert_eq!(
            VisitorTimeZone::parse("Europe/Paris", &NoTimeZones),
            Err(TimeZoneError),
            "a database with no zones knows none"
        );
    }
}
