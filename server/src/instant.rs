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
}
