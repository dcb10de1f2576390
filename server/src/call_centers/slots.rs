//! Callback slots: the times a call center offers visitors to be called back at, from its business hours
//! in its own time zone, a minimum lead time, and how many callbacks one slot may hold.
//!
//! Slots are computed, never stored: the starts follow from the configuration and the clock, and how
//! full each is from the open callbacks scheduled in it. Times are instants ([`Timestamp`]) throughout,
//! so a slot on either side of a daylight-saving change is the right UTC moment.

use contact_shared::{CallbackSlot, CallbackSlots, CallbackTime};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Span, Timestamp};

use super::CallCenter;
use crate::instant::stored;
use crate::store::Booking;

/// How the slots of a call center are cut, from its configuration (defaults in [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotPolicy {
    /// How long each slot lasts, from the opening time on.
    pub minutes: u32,
    /// How far ahead of now a slot must start to be offered.
    pub lead_minutes: u32,
    /// How many open callbacks one slot may hold.
    pub capacity: u32,
    /// How many days with business hours (and a slot still ahead) are offered.
    pub days: u32,
}

impl Default for SlotPolicy {
    fn default() -> Self {
        Self {
            minutes: 30,
            lead_minutes: 60,
            capacity: 3,
            days: 5,
        }
    }
}

/// How many calendar days are looked through for open days: enough for a center open once a week.
const MAX_SCAN_DAYS: u32 = 7 * 8;

impl SlotPolicy {
    fn length(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.minutes))
    }

    fn lead(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.lead_minutes))
    }
}

/// The starts of the slots `center` offers at `now`, earliest first, full or not: every slot of its
/// business hours that starts at least the lead time from now, over its next open days.
pub fn starts(center: &CallCenter, now: Timestamp) -> Vec<Timestamp> {
    let policy = center.slots;
    let earliest = now.saturating_add(policy.lead()).unwrap_or(now);
    let mut date = center.time_zone.to_datetime(now).date();
    let (mut open_days, mut found) = (0, Vec::new());
    for _ in 0..MAX_SCAN_DAYS.max(policy.days * 7) {
        if open_days >= policy.days {
            break;
        }
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        if let Some((open, close)) = center.business_hours.days[weekday] {
            let ahead: Vec<Timestamp> = day_starts(center, date, open, close)
                .into_iter()
                .filter(|start| *start >= earliest)
                .collect();
            if !ahead.is_empty() {
                open_days += 1;
                found.extend(ahead);
            }
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    found
}

/// The slot starts of one day: from the opening instant, one slot length apart, each ending by the
/// closing instant. Steps are in real time, so a day of 23 or 25 hours has fewer or more slots; a local
/// opening time that does not exist (a spring-forward gap) opens at the first one that does.
fn day_starts(center: &CallCenter, date: Date, open: u16, close: u16) -> Vec<Timestamp> {
    let instant = |minutes: u16| {
        let local = date
            .to_datetime(Time::midnight())
            .checked_add(Span::new().minutes(i64::from(minutes)))
            .ok()?;
        center.time_zone.to_ambiguous_zoned(local).compatible().ok()
    };
    let (Some(open), Some(close)) = (instant(open), instant(close)) else {
        return Vec::new();
    };
    let (close, length) = (close.timestamp(), center.slots.length());
    let mut starts = Vec::new();
    let mut start = open.timestamp();
    while let Ok(end) = start.checked_add(length) {
        if end > close {
            break;
        }
        starts.push(start);
        start = end;
    }
    starts
}

/// Why a requested callback time cannot be booked; each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("This site does not offer callback times: ask us to call you as soon as possible.")]
    NoCallCenter,
    #[error("That time has passed: choose a time from the list.")]
    Past,
    #[error("That time is too soon: choose a time at least {0} from now.")]
    TooSoon(String),
    #[error(
        "We do not call back at that time: choose a time from the list, which follows our business hours."
    )]
    NotOffered,
    #[error("That time has just been fully booked: choose another time from the list.")]
    Full,
    #[error(
        "This phone number already has a callback time booked: we will call you then. To talk sooner, ask us to call you as soon as possible."
    )]
    PhoneBooked,
    #[error("Sign in to choose a callback time, or ask us to call you as soon as possible.")]
    SignInToChoose,
}

/// Checks that `time` is the start of a slot `center` offers at `now`, and answers the booking the store
/// checks the slot's capacity with, in the transaction that stores the request.
pub fn book(
    center: Option<&CallCenter>,
    time: CallbackTime,
    now: Timestamp,
) -> Result<Booking, SlotError> {
    let center = center.ok_or(SlotError::NoCallCenter)?;
    let start = Timestamp::from_second(time.unix_seconds()).map_err(|_| SlotError::NotOffered)?;
    if start <= now {
        return Err(SlotError::Past);
    }
    let policy = center.slots;
    if start < now.saturating_add(policy.lead()).unwrap_or(now) {
        return Err(SlotError::TooSoon(lead_text(policy.lead_minutes)));
    }
    if !starts(center, now).contains(&start) {
        return Err(SlotError::NotOffered);
    }
    let end = start.checked_add(policy.length()).unwrap_or(start);
    Ok(Booking {
        call_center: center.internal_name.clone(),
        start: stored(start),
        end: stored(end),
        capacity: policy.capacity,
        per_phone: None,
    })
}

/// "1 hour", "90 minutes", "2 hours".
fn lead_text(minutes: u32) -> String {
    match minutes {
        60 => "1 hour".to_owned(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        1 => "1 minute".to_owned(),
        m => format!("{m} minutes"),
    }
}

/// The slots `center` offers at `now` with the room left in each, given the scheduled times of its open
/// callbacks; full slots are left out.
pub fn offer(center: &CallCenter, now: Timestamp, scheduled: &[String]) -> CallbackSlots {
    let length = center.slots.length();
    let starts = starts(center, now);
    let mut counts = vec![0u32; starts.len()];
    for time in scheduled.iter().filter_map(|t| t.parse::<Timestamp>().ok()) {
        // The slot holding `time`: the last one starting at or before it, if `time` is before its end.
        let index = starts.partition_point(|s| *s <= time);
        if let Some(slot) = index.checked_sub(1)
            && starts[slot].checked_add(length).is_ok_and(|end| time < end)
        {
            counts[slot] += 1;
        }
    }
    let capacity = center.slots.capacity;
    CallbackSlots {
        time_zone: center.time_zone_name.clone(),
        slot_minutes: center.slots.minutes,
        slots: starts
            .iter()
            .zip(counts)
            .filter(|(_, taken)| *taken < capacity)
            .map(|(start, taken)| CallbackSlot {
                start: CallbackTime::from_unix_seconds(start.as_second()).to_string(),
                remaining: capacity - taken,
            })
            .collect(),
    }
}

/// The window `[first start, last end)` of `center`'s slots at `now`, in stored form, to count what is
/// taken in it; `None` when nothing is offered.
pub fn window(center: &CallCenter, now: Timestamp) -> Option<(String, String)> {
    let starts = starts(center, now);
    let (first, last) = (starts.first()?, starts.last()?);
    let end = last.checked_add(center.slots.length()).ok()?;
    Some((stored(*first), stored(end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call_centers::BusinessHours;

    /// A center in `zone` open `hours` (Monday first, minutes since midnight).
    fn center(zone: &str, hours: [Option<(u16, u16)>; 7], slots: SlotPolicy) -> CallCenter {
        CallCenter {
            internal_name: "main".into(),
            name: "Main".into(),
            unified_routing: true,
            time_zone_name: zone.into(),
            time_zone: jiff::tz::TimeZone::get(zone).unwrap(),
            business_hours: BusinessHours { days: hours },
            additional_numbers: Vec::new(),
            retry_delay_seconds: 900,
            max_attempts: 3,
            issuer: String::new(),
            audience: String::new(),
            leeway_seconds: 30,
            keys: Vec::new(),
            slots,
            softphone_layout: Default::default(),
            softphone_url: None,
            queue: None,
            default_country_code: None,
        }
    }

    const NINE_TO_FIVE: Option<(u16, u16)> = Some((9 * 60, 17 * 60));
    const WEEKDAYS: [Option<(u16, u16)>; 7] = [
        NINE_TO_FIVE,
        NINE_TO_FIVE,
        NINE_TO_FIVE,
        NINE_TO_FIVE,
        NINE_TO_FIVE,
        None,
        None,
    ];

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn texts(starts: &[Timestamp]) -> Vec<String> {
        starts.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn slots_follow_business_hours_in_the_center_s_zone_over_its_next_open_days() {
        let london = center(
            "Europe/London",
            WEEKDAYS,
            SlotPolicy {
                days: 2,
                ..SlotPolicy::default()
            },
        );
        // Friday 2026-01-09, 15:10 in London (GMT): the lead time leaves 16:30 today, then Monday.
        let offered = starts(&london, at("2026-01-09T15:10:00Z"));
        let written = texts(&offered);
        assert_eq!(written[0], "2026-01-09T16:30:00Z", "{written:?}");
        assert_eq!(
            written[1], "2026-01-12T09:00:00Z",
            "the weekend is closed: Monday follows"
        );
        assert_eq!(written.last().unwrap(), "2026-01-12T16:30:00Z");
        assert_eq!(
            offered.len(),
            1 + 16,
            "16 half-hour slots from 09:00 to 17:00"
        );

        let new_york = center("America/New_York", WEEKDAYS, SlotPolicy::default());
        let offered = starts(&new_york, at("2026-01-12T00:00:00Z"));
        assert_eq!(
            offered[0].to_string(),
            "2026-01-12T14:00:00Z",
            "09:00 in New York is 14:00 UTC in winter"
        );
        assert_eq!(offered.len(), 5 * 16, "five open days");
    }

    #[test]
    fn a_daylight_saving_change_moves_the_utc_times_of_the_same_local_hours() {
        let london = center("Europe/London", WEEKDAYS, SlotPolicy::default());
        // Friday 27 March 2026 is on GMT; British Summer Time starts on Sunday 29 March.
        let offered = texts(&starts(&london, at("2026-03-27T06:00:00Z")));
        let day = |date: &str| -> Vec<&String> {
            offered.iter().filter(|s| s.starts_with(date)).collect()
        };
        let (friday, monday) = (day("2026-03-27"), day("2026-03-30"));
        assert_eq!(
            (friday[0].as_str(), friday[15].as_str()),
            ("2026-03-27T09:00:00Z", "2026-03-27T16:30:00Z"),
            "09:00 to 17:00 GMT"
        );
        assert_eq!(
            (monday[0].as_str(), monday[15].as_str()),
            ("2026-03-30T08:00:00Z", "2026-03-30T15:30:00Z"),
            "09:00 to 17:00 BST is an hour earlier in UTC"
        );
        assert_eq!(offered.last().unwrap(), "2026-04-02T15:30:00Z");

        // A center open around the clock: the spring-forward Sunday has 23 hours, the autumn one 25.
        let all_day = Some((0, 24 * 60));
        let always = center(
            "Europe/London",
            [all_day; 7],
            SlotPolicy {
                days: 1,
                lead_minutes: 0,
                ..SlotPolicy::default()
            },
        );
        let spring = starts(&always, at("2026-03-29T00:00:00Z"));
        assert_eq!(spring.len(), 46);
        assert!(
            texts(&spring).contains(&"2026-03-29T01:00:00Z".to_owned()),
            "02:00 BST follows 00:30 GMT"
        );
        let autumn = starts(&always, at("2026-10-24T23:00:00Z"));
        assert_eq!(autumn.len(), 50);
        assert_eq!(autumn[0].to_string(), "2026-10-24T23:00:00Z");
    }

    #[test]
    fn the_lead_time_keeps_slots_that_start_too_soon_off_the_list() {
        let london = center(
            "Europe/London",
            WEEKDAYS,
            SlotPolicy {
                lead_minutes: 120,
                ..SlotPolicy::default()
            },
        );
        let offered = starts(&london, at("2026-01-12T09:00:00Z"));
        assert_eq!(offered[0].to_string(), "2026-01-12T11:00:00Z");
        let late = starts(&london, at("2026-01-12T16:00:00Z"));
        assert_eq!(
            late[0].to_string(),
            "2026-01-13T09:00:00Z",
            "nothing is left today"
        );
    }

    #[test]
    fn capacity_counts_the_open_callbacks_scheduled_in_each_slot() {
        let london = center(
            "Europe/London",
            WEEKDAYS,
            SlotPolicy {
                capacity: 2,
                days: 1,
                ..SlotPolicy::default()
            },
        );
        let now = at("2026-01-12T07:00:00Z");
        let scheduled = [
            "2026-01-12T09:00:00.000Z",
            "2026-01-12T09:29:59.000Z",
            "2026-01-12T09:30:00.000Z",
            "2026-01-12T17:00:00.000Z",
            "not a time",
        ]
        .map(String::from);
        let offered = offer(&london, now, &scheduled);
        assert_eq!(offered.time_zone, "Europe/London");
        assert_eq!(offered.slot_minutes, 30);
        assert_eq!(
            offered.slots[0].start, "2026-01-12T09:30:00Z",
            "09:00 is full"
        );
        assert_eq!(offered.slots[0].remaining, 1);
        assert_eq!(offered.slots[1].remaining, 2);
        assert_eq!(offered.slots.len(), 15);
        assert_eq!(
            window(&london, now),
            Some((
                "2026-01-12T09:00:00.000Z".to_owned(),
                "2026-01-12T17:00:00.000Z".to_owned()
            ))
        );
    }

    #[test]
    fn a_requested_time_must_be_an_offered_slot_start_beyond_the_lead_time() {
        let london = center("Europe/London", WEEKDAYS, SlotPolicy::default());
        let now = at("2026-01-12T10:10:00Z");
        let time = |text: &str| CallbackTime::parse(text).unwrap();
        let booking = book(Some(&london), time("2026-01-12T11:30:00Z"), now).unwrap();
        assert_eq!(booking.start, "2026-01-12T11:30:00.000Z");
        assert_eq!(booking.end, "2026-01-12T12:00:00.000Z");
        assert_eq!(booking.capacity, 3);
        let table = [
            ("2026-01-12T10:00:00Z", SlotError::Past, "already started"),
            (
                "2026-01-12T11:00:00Z",
                SlotError::TooSoon("1 hour".into()),
                "within the lead time",
            ),
            (
                "2026-01-12T11:45:00Z",
                SlotError::NotOffered,
                "between slots",
            ),
            (
                "2026-01-12T17:00:00Z",
                SlotError::NotOffered,
                "at closing time",
            ),
            (
                "2026-01-17T10:00:00Z",
                SlotError::NotOffered,
                "on a Saturday",
            ),
            (
                "2026-03-02T10:00:00Z",
                SlotError::NotOffered,
                "beyond the days offered",
            ),
        ];
        for (text, expected, why) in table {
            assert_eq!(book(Some(&london), time(text), now), Err(expected), "{why}");
        }
        assert_eq!(
            book(None, time("2026-01-12T11:30:00Z"), now),
            Err(SlotError::NoCallCenter)
        );
        assert_eq!(lead_text(90), "90 minutes");
        assert_eq!(lead_text(180), "3 hours");
    }
}
