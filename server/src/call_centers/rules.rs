//! The rules a call center's settings follow, each once: the configuration file (`file.rs`) and the
//! API's writes of CallCenter (`objects.rs`) both check with them, and only word the place differently
//! (a file's key and line, an API field). Each answers why a value is refused, without naming where it
//! was given: the caller puts its own name in front.

use std::ops::RangeInclusive;

use super::BusinessHours;

/// The days of the business hours, Monday first, as the file and the CallCenter record name them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The wait between two call attempts, in seconds: a minute to a week.
pub const RETRY_DELAY_SECONDS: RangeInclusive<i64> = 60..=7 * 24 * 60 * 60;

/// How many times a callback is tried before it is abandoned.
pub const MAX_ATTEMPTS: RangeInclusive<i64> = 1..=20;

/// The wait between call attempts before a center sets its own: 15 minutes.
pub const DEFAULT_RETRY_DELAY_SECONDS: i64 = 15 * 60;

/// The call attempts before a center sets its own.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 3;

/// A name or internal name: something besides spaces.
pub fn name(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    Ok(())
}

/// An IANA time zone, such as `Europe/London`.
pub fn time_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(text)
        .map_err(|_| format!("{text:?} is not an IANA time zone such as \"Europe/London\""))
}

/// One day's opening hours, `HH:MM-HH:MM`, set into `hours`.
pub fn business_day(hours: &mut BusinessHours, day: &str, range: &str) -> Result<(), String> {
    let Some(index) = DAYS.iter().position(|d| *d == day) else {
        return Err(format!("day {day:?} must be one of {}", DAYS.join(", ")));
    };
    hours.days[index] = Some(crate::business_time::range(range).ok_or_else(|| {
        format!(
            "{range:?} must be HH:MM-HH:MM with the start before the end, such as \"09:00-17:30\""
        )
    })?);
    Ok(())
}

/// A whole number within `range`.
pub fn within(value: i64, range: &RangeInclusive<i64>) -> Result<i64, String> {
    if range.contains(&value) {
        return Ok(value);
    }
    Err(format!(
        "must be between {} and {}",
        range.start(),
        range.end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_refused_outside_its_rule() {
        assert!(name("Main").is_ok());
        assert_eq!(name("  ").unwrap_err(), "must not be empty");
        assert!(time_zone("Europe/London").is_ok());
        assert!(
            time_zone("Mars/Base")
                .unwrap_err()
                .contains("not an IANA time zone")
        );
        let mut hours = BusinessHours::default();
        business_day(&mut hours, "tue", "09:00-17:30").unwrap();
        assert_eq!(hours.days[1], Some((540, 1050)));
        for (day, range, says) in [
            ("funday", "09:00-17:00", "must be one of mon, tue"),
            ("mon", "17:00-09:00", "start before the end"),
            ("mon", "9 to 5", "must be HH:MM-HH:MM"),
        ] {
            let refused = business_day(&mut hours, day, range).unwrap_err();
            assert!(refused.contains(says), "{day} {range}: {refused}");
        }
        assert_eq!(within(60, &RETRY_DELAY_SECONDS), Ok(60));
        assert_eq!(
            within(59, &RETRY_DELAY_SECONDS).unwrap_err(),
            "must be between 60 and 604800"
        );
        assert_eq!(
            within(21, &MAX_ATTEMPTS).unwrap_err(),
            "must be between 1 and 20"
        );
    }
}
