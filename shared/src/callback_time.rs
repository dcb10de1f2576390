//! `CallbackTime`: when a visitor asks to be called back, a UTC instant written as RFC 3339 with `Z`
//! (`2026-03-02T14:30:00Z`), and the times a site's call center offers (`GET
//! /api/v1/sites/{key}/callback-slots`).
//!
//! No date library: the widget's size budget has no room for one, and the form only reads and writes one
//! instant. Which instants may be chosen (the call center's slots) is the server's to say.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

/// A moment in UTC, to the second, from a visitor's chosen slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallbackTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    seconds: i64,
}

/// Why a callback time was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTimeError;

impl fmt::Display for CallbackTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "Choose a time from the list, or ask us to call as soon as possible \
             (a time is sent in UTC, such as 2026-03-02T14:30:00Z).",
        )
    }
}

impl std::error::Error for CallbackTimeError {}

impl CallbackTime {
    /// Reads `YYYY-MM-DDTHH:MM:SSZ`, with optional fractions of a second (which must be zero: slots
    /// start on whole seconds). Anything else, offsets included, is refused: the form speaks UTC only.
    /// Written byte by byte, as the widget runs it on every keystroke and has no room for number parsing.
    pub fn parse(input: &str) -> Result<Self, CallbackTimeError> {
        const SHAPE: &[u8; 19] = b"0000-00-00T00:00:00";
        let text = input.trim().as_bytes();
        let (head, tail) = text.split_at(text.len().min(19));
        let shaped = head.len() == 19
            && head.iter().zip(SHAPE).all(|(&b, &s)| {
                if s == b'0' {
                    b.is_ascii_digit()
                } else {
                    b == s
                }
            });
        // After the seconds: `Z`, or a point, zeros and `Z`.
        let zone = match tail {
            [b'Z'] => true,
            [b'.', zeros @ .., b'Z'] => !zeros.is_empty() && zeros.iter().all(|&b| b == b'0'),
            _ => false,
        };
        if !(shaped && zone) {
            return Err(CallbackTimeError);
        }
        let number = |from: usize, to: usize| {
            head[from..to]
                .iter()
                .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'))
        };
        let (year, month, day) = (number(0, 4), number(5, 7), number(8, 10));
        let (hour, minute, second) = (number(11, 13), number(14, 16), number(17, 19));
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(CallbackTimeError);
        }
        let seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
        Ok(Self { seconds })
    }

    /// The instant `seconds` after 1970-01-01T00:00:00Z.
    pub fn from_unix_seconds(seconds: i64) -> Self {
        Self { seconds }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }
}

/// `2026-03-02T14:30:00Z`.
impl fmt::Display for CallbackTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, in_day) = (
            self.seconds.div_euclid(86_400),
            self.seconds.rem_euclid(86_400),
        );
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            in_day / 3_600,
            in_day % 3_600 / 60,
            in_day % 60
        )
    }
}

impl Serialize for CallbackTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// One time a call center offers, as `GET /api/v1/sites/{key}/callback-slots` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackSlot {
    /// When the slot starts, in UTC (`2026-03-02T14:30:00Z`): the value to send as `callback_time`.
    pub start: String,
    /// How many more callbacks the slot takes; a full slot is not listed.
    pub remaining: u32,
}

/// The times a site's call center offers, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackSlots {
    /// The call center's IANA time zone, in which its business hours are set.
    pub time_zone: String,
    /// How long each slot lasts.
    pub slot_minutes: u32,
    pub slots: Vec<CallbackSlot>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_instants_round_trip_through_their_text() {
        let table = [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-03-02T14:30:00Z", 1_772_461_800),
            ("2024-02-29T23:59:59Z", 1_709_251_199),
            ("1969-12-31T23:59:59Z", -1),
        ];
        for (text, seconds) in table {
            let time = CallbackTime::parse(text).unwrap();
            assert_eq!(time.unix_seconds(), seconds, "{text}");
            assert_eq!(time.to_string(), text);
            assert_eq!(CallbackTime::from_unix_seconds(seconds), time);
        }
        assert_eq!(
            CallbackTime::parse(" 2026-03-02T14:30:00.000Z ")
                .unwrap()
                .to_string(),
            "2026-03-02T14:30:00Z",
            "zero fractions and surrounding spaces are fine"
        );
    }

    #[test]
    fn anything_but_a_utc_instant_is_refused() {
        let table = [
            ("", "empty"),
            ("2026-03-02", "a date alone"),
            ("2026-03-02T14:30:00", "no zone"),
            ("2026-03-02T14:30:00+01:00", "an offset"),
            ("2026-03-02 14:30:00Z", "a space for T"),
            ("2026-03-02T14:30Z", "no seconds"),
            ("2026-03-02T14:30:00.5Z", "a fraction of a second"),
            ("2026-03-02T14:30:00.Z", "an empty fraction"),
            ("2026-02-29T14:30:00Z", "29 February of a common year"),
            ("2026-13-01T00:00:00Z", "month 13"),
            ("2026-03-02T24:00:00Z", "hour 24"),
            ("2026-03-02T14:60:00Z", "minute 60"),
            ("+026-03-02T14:30:00Z", "a sign in the year"),
            ("2026-03-02T14:30:00Zjunk", "trailing text"),
            ("tomorrow at ten, please", "words"),
            ("２０２６-03-02T14:30:00Z", "non-ASCII digits"),
        ];
        for (text, why) in table {
            assert_eq!(CallbackTime::parse(text), Err(CallbackTimeError), "{why}");
        }
    }

    #[test]
    fn it_serialises_as_its_text() {
        let time = CallbackTime::parse("2026-10-25T01:30:00Z").unwrap();
        assert_eq!(
            serde_json::to_value(time).unwrap(),
            serde_json::json!("2026-10-25T01:30:00Z")
        );
    }
}
