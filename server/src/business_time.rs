//! Business-time arithmetic: how much of a stretch of time falls within a call center's opening hours,
//! in its own time zone, and the instant a number of open seconds after another. Pure functions over
//! instants ([`Timestamp`]), so a stretch across a closing time, a weekend or a daylight-saving change
//! counts the open time that really passed; the service levels and the reports both count with it.
//!
//! A week with no opening hours at all (a call center whose file sets none) counts as always open: every
//! second is business time.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

/// Opening hours per weekday (Monday first), as minutes since local midnight, start before end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessHours {
    pub days: [Option<(u16, u16)>; 7],
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The longest stretch looked through, in local days: ten years, past any service level.
const MAX_DAYS: i64 = 3660;

impl BusinessHours {
    /// Open every hour of every day.
    pub fn always() -> Self {
        Self {
            days: [Some((0, 24 * 60)); 7],
        }
    }

    /// The hours as JSON, `{"mon": "09:00-17:00", ...}`, for the CallCenter record.
    pub fn to_json(&self) -> String {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        let map: serde_json::Map<String, serde_json::Value> = DAY_NAMES
            .iter()
            .zip(self.days.iter())
            .filter_map(|(day, range)| {
                range.map(|(s, e)| ((*day).to_owned(), format!("{}-{}", hm(s), hm(e)).into()))
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The hours [`Self::to_json`] wrote; anything unreadable in it is a closed day.
    pub fn from_json(text: &str) -> Self {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).unwrap_or_default();
        let mut hours = Self::default();
        for (index, day) in DAY_NAMES.iter().enumerate() {
            hours.days[index] = map.get(*day).and_then(|v| v.as_str()).and_then(range);
        }
        hours
    }

    fn is_never_open(&self) -> bool {
        self.days.iter().all(Option::is_none)
    }
}

/// `HH:MM-HH:MM` as minutes since midnight, the start before the end (`24:00` ends a day).
pub fn range(text: &str) -> Option<(u16, u16)> {
    let (start, end) = text.split_once('-')?;
    let minutes = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (start, end) = (minutes(start)?, minutes(end)?);
    (start < end).then_some((start, end))
}

/// A call center's calendar: its hours in its zone.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub hours: BusinessHours,
    pub zone: TimeZone,
}

impl Calendar {
    pub fn new(hours: BusinessHours, zone: TimeZone) -> Self {
        let hours = if hours.is_never_open() {
            BusinessHours::always()
        } else {
            hours
        };
        Self { hours, zone }
    }

    /// Always open, in UTC: for a request of no call center.
    pub fn always_open() -> Self {
        Self::new(BusinessHours::always(), TimeZone::UTC)
    }

    /// The open stretch of the local day `date`, as instants; a local time that does not exist (a
    /// spring-forward gap) is the first one after it that does.
    fn open_on(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        let (open, close) = self.hours.days[weekday]?;
        let instant = |minutes: u16| {
            let local = date
                .to_datetime(Time::midnight())
                .checked_add(Span::new().minutes(i64::from(minutes)))
                .ok()?;
            self.zone
                .to_ambiguous_zoned(local)
                .compatible()
                .ok()
                .map(|z| z.timestamp())
        };
        let (open, close) = (instant(open)?, instant(close)?);
        (open < close).then_some((open, close))
    }

    /// The local days from the one `from` falls on, at most [`MAX_DAYS`] of them.
    fn days_from(&self, from: Timestamp) -> impl Iterator<Item = Date> {
        // The day before too: an opening that runs past midnight in UTC terms is found either way.
        let first = self.zone.to_datetime(from).date().yesterday().ok();
        std::iter::successors(first, |d| d.tomorrow().ok()).take(MAX_DAYS as usize)
    }

    /// The business time between `from` and `to`; none when `to` is not after `from`.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        let mut total = SignedDuration::ZERO;
        if to <= from {
            return total;
        }
        for date in self.days_from(from) {
            let Some((open, close)) = self.open_on(date) else {
                if self.zone.to_datetime(to).date() < date {
                    break;
                }
                continue;
            };
            if open >= to {
                break;
            }
            let (start, end) = (open.max(from), close.min(to));
            if end > start {
                total += end.duration_since(start);
            }
        }
        total
    }

    /// The instant `amount` of business time after `from` (`from` itself for none): the moment a
    /// target counted in business time falls due.
    pub fn add(&self, from: Timestamp, amount: SignedDuration) -> Timestamp {
        let mut left = amount;
        if left <= SignedDuration::ZERO {
            return from;
        }
        for date in self.days_from(from) {
            let Some((open, close)) = self.open_on(date) else {
                continue;
            };
            let start = open.max(from);
            if close <= start {
                continue;
            }
            let here = close.duration_since(start);
            if here >= left {
                return start.checked_add(left).unwrap_or(close);
            }
            left -= here;
        }
        Timestamp::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// Weekdays 09:00-17:00 in New York.
    fn weekdays() -> Calendar {
        let mut hours = BusinessHours::default();
        for day in 0..5 {
            hours.days[day] = Some((9 * 60, 17 * 60));
        }
        Calendar::new(hours, TimeZone::get("America/New_York").unwrap())
    }

    fn minutes(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    #[test]
    fn time_within_one_opening_counts_as_it_passes() {
        let c = weekdays();
        // Tuesday 2026-03-03, 10:00 to 10:15 New York (UTC-5).
        let (from, to) = (at("2026-03-03T15:00:00Z"), at("2026-03-03T15:15:00Z"));
        assert_eq!(c.elapsed(from, to), minutes(15));
        assert_eq!(c.add(from, minutes(15)), to);
        assert_eq!(
            c.elapsed(to, from),
            SignedDuration::ZERO,
            "backwards is none"
        );
    }

    #[test]
    fn a_closing_time_stops_the_count_until_the_next_opening() {
        let c = weekdays();
        // Tuesday 16:50 New York; 15 business minutes end Wednesday 09:05.
        let from = at("2026-03-03T21:50:00Z");
        let due = c.add(from, minutes(15));
        assert_eq!(due, at("2026-03-04T14:05:00Z"));
        assert_eq!(c.elapsed(from, due), minutes(15));
        // Overnight counts nothing.
        assert_eq!(
            c.elapsed(at("2026-03-03T23:00:00Z"), at("2026-03-04T13:00:00Z")),
            SignedDuration::ZERO
        );
        // Before the opening, the count starts at it.
        assert_eq!(
            c.add(at("2026-03-04T12:00:00Z"), minutes(15)),
            at("2026-03-04T14:15:00Z")
        );
    }

    #[test]
    fn a_weekend_counts_nothing() {
        let c = weekdays();
        // Friday 2026-03-06 16:55 New York to Monday 09:10: 5 + 10 minutes.
        let (from, to) = (at("2026-03-06T21:55:00Z"), at("2026-03-09T13:10:00Z"));
        // Monday 2026-03-09 is after the spring-forward of Sunday 2026-03-08: New York is UTC-4.
        assert_eq!(c.elapsed(from, to), minutes(15));
        assert_eq!(c.add(from, minutes(15)), to);
        // Saturday through Sunday alone: none.
        assert_eq!(
            c.elapsed(at("2026-03-07T12:00:00Z"), at("2026-03-08T22:00:00Z")),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn a_daylight_saving_change_keeps_the_local_opening_hours() {
        // Open every day 00:00-24:00 on Sunday only, and 09:00-17:00 otherwise, in London.
        let mut hours = BusinessHours::default();
        for day in 0..7 {
            hours.days[day] = Some((9 * 60, 17 * 60));
        }
        hours.days[6] = Some((0, 24 * 60));
        let c = Calendar::new(hours, TimeZone::get("Europe/London").unwrap());
        // Sunday 2026-03-29 loses an hour at 01:00 GMT: the day is 23 hours long.
        let sunday = (at("2026-03-29T00:00:00Z"), at("2026-03-29T23:00:00Z"));
        assert_eq!(
            c.elapsed(sunday.0, sunday.1),
            SignedDuration::from_hours(23)
        );
        // Saturday 16:50 GMT plus 15 minutes: Sunday 00:05 local, which is still GMT.
        assert_eq!(
            c.add(at("2026-03-28T16:50:00Z"), minutes(15)),
            at("2026-03-29T00:05:00Z")
        );
        // Monday opens at 09:00 BST, 08:00 UTC.
        assert_eq!(
            c.add(at("2026-03-29T22:59:00Z"), minutes(2)),
            at("2026-03-30T08:01:00Z")
        );
        // In the autumn the Sunday has 25 hours.
        assert_eq!(
            c.elapsed(at("2026-10-24T23:00:00Z"), at("2026-10-26T00:00:00Z")),
            SignedDuration::from_hours(25)
        );
    }

    #[test]
    fn a_week_without_hours_is_always_open() {
        let c = Calendar::new(BusinessHours::default(), TimeZone::UTC);
        let from = at("2026-03-07T23:55:00Z");
        assert_eq!(c.add(from, minutes(15)), at("2026-03-08T00:10:00Z"));
        assert_eq!(
            c.elapsed(from, at("2026-03-09T23:55:00Z")),
            SignedDuration::from_hours(48)
        );
    }

    #[test]
    fn hours_read_back_as_written() {
        let mut hours = BusinessHours::default();
        hours.days[0] = Some((9 * 60, 17 * 60 + 30));
        hours.days[6] = Some((0, 24 * 60));
        assert_eq!(BusinessHours::from_json(&hours.to_json()), hours);
        assert_eq!(
            BusinessHours::from_json("not json"),
            BusinessHours::default()
        );
    }
}
