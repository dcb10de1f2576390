//! The one text form every stored instant has (`2026-03-02T14:30:00.123Z`): UTC, milliseconds, a `Z`,
//! so that stored instants sort as text in time order. Every instant the server makes or reads goes
//! through here, on one time crate (`jiff`).

use jiff::{SignedDuration, Timestamp};

/// An instant in the store's format.
pub fn stored(moment: Timestamp) -> String {
    moment.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Now, in the store's format.
pub fn now() -> String {
    stored(Timestamp::now())
}

/// `seconds` from `moment` (before it when negative), saturating at the ends of time.
pub fn plus_seconds(moment: Timestamp, seconds: i64) -> Timestamp {
    moment
        .checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(if seconds < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// An ISO 8601 / RFC 3339 date and time with an offset (`Z`, `+01:00` or Salesforce's `+0000`).
pub fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// A stored instant as Salesforce writes datetimes: `2024-05-01T09:30:00.000+0000`.
pub fn wire(stored: &str) -> String {
    match stored.strip_suffix('Z') {
        Some(head) => format!("{head}+0000"),
        None => stored.to_owned(),
    }
}

/// The server's time-zone database (the system's zoneinfo, through `jiff`), for parsing a visitor's
/// time zone as the call centers' zones are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeZones;

impl contact_shared::TimeZoneDatabase for TimeZones {
    fn iana_name(&self, name: &str) -> Option<String> {
        let zone = time_zone(name)?;
        zone.iana_name().map(str::to_owned)
    }
}

/// The zone `name` of the server's time-zone database, as [`TimeZones`] checks a visitor's.
pub fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_instants_keep_milliseconds_in_utc_and_sort_as_text() {
        let moment: Timestamp = "2024-05-01T11:30:00.123456+02:00".parse().unwrap();
        assert_eq!(stored(moment), "2024-05-01T09:30:00.123Z");
        let whole: Timestamp = "2024-05-01T09:30:00Z".parse().unwrap();
        assert_eq!(stored(whole), "2024-05-01T09:30:00.000Z");
        assert!(stored(whole) < stored(moment));
    }

    #[test]
    fn every_offset_form_salesforce_clients_send_parses() {
        for text in [
            "2024-05-01T09:30:00Z",
            "2024-05-01T09:30:00.000Z",
            "2024-05-01T09:30:00+00:00",
            "2024-05-01T09:30:00.000+0000",
            "2024-05-01T10:30:00+01:00",
        ] {
            assert_eq!(
                parse(text).map(stored).as_deref(),
                Some("2024-05-01T09:30:00.000Z"),
                "{text}"
            );
        }
        for text in ["2024-05-01", "2024-05-01T09:30:00", "yesterday", ""] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn the_wire_form_is_salesforces() {
        assert_eq!(
            wire("2024-05-01T09:30:00.000Z"),
            "2024-05-01T09:30:00.000+0000"
        );
    }

    #[test]
    fn a_visitors_time_zone_is_one_the_system_database_knows() {
        use contact_shared::VisitorTimeZone;
        for (input, expected) in [
            ("Europe/Paris", "Europe/Paris"),
            ("America/New_York", "America/New_York"),
            (
                "America/Argentina/Buenos_Aires",
                "America/Argentina/Buenos_Aires",
            ),
            ("Asia/Kolkata", "Asia/Kolkata"),
            ("UTC", "UTC"),
            ("Etc/GMT+5", "Etc/GMT+5"),
        ] {
            let zone = VisitorTimeZone::parse(input, &TimeZones);
            assert_eq!(
                zone.as_ref().map(VisitorTimeZone::as_str),
                Ok(expected),
                "{input:?}"
            );
        }
        for (input, why) in [
            ("Europe/Atlantis", "no such zone"),
            ("Paris", "a city is not a zone"),
            ("+02:00", "an offset is not a zone"),
            ("", "empty"),
            ("../../../etc/passwd", "a path outside the database"),
            ("/usr/share/zoneinfo/Europe/Paris", "an absolute path"),
            ("Europe/Paris\0", "a name with a control character"),
        ] {
            assert!(
                VisitorTimeZone::parse(input, &TimeZones).is_err(),
                "{why}: {input:?}"
            );
        }
    }
}
