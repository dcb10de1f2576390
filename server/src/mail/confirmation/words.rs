//! The confirmation's words in each locale, kept as data: the server's own sentences in
//! `server/locales/<tag>.json`, and what the widget already says (the thank-you sentence per channel,
//! the reasons' labels) read from the widget's own `frontend/locales/<tag>.json`, so the email and the
//! form the visitor just saw say the same thing. Both are built in; a missing string fails the tests.

use std::collections::HashMap;
use std::sync::LazyLock;

use contact_shared::{Locale, PreferredChannel, RequestReason};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

/// The server's sentences for one locale; `{…}` are filled in by [`fill`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// `{number}`.
    pub subject: String,
    /// `{name}`.
    pub greeting: String,
    pub greeting_anonymous: String,
    /// The label of the callback time.
    pub callback: String,
    /// `{weekday} {day} {month} {year} {time} {zone}`.
    pub callback_at: String,
    /// Monday first.
    pub weekdays: [String; 7],
    pub months: [String; 12],
    /// `{number}`.
    pub quote: String,
    /// `{site}`.
    pub why: String,
    /// The widget's strings of the same locale.
    #[serde(skip)]
    widget: HashMap<String, String>,
}

fn load(server: &str, widget: &str) -> Words {
    // Both are files of this repository, checked by the tests below: a parse failure is a build bug.
    let mut words: Words = serde_json::from_str(server).expect("server/locales is valid");
    words.widget = serde_json::from_str(widget).expect("frontend/locales is valid");
    words
}

static EN: LazyLock<Words> = LazyLock::new(|| {
    load(
        include_str!("../../../locales/en.json"),
        include_str!("../../../../frontend/locales/en.json"),
    )
});
static FR: LazyLock<Words> = LazyLock::new(|| {
    load(
        include_str!("../../../locales/fr.json"),
        include_str!("../../../../frontend/locales/fr.json"),
    )
});

impl Words {
    /// The words of `locale`.
    pub fn of(locale: Locale) -> &'static Words {
        match locale {
            Locale::En => &EN,
            Locale::Fr => &FR,
        }
    }

    /// The widget's string for `key`; the key itself if the locale lacks it, as in the widget.
    fn widget(&self, key: &str) -> String {
        self.widget
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// The widget's label for the reason field (`Reason`).
    pub fn reason(&self) -> String {
        self.widget("reason")
    }

    /// The widget's label for `reason` (`Facturation`), when the locale has one: the reference's values
    /// have, an organisation's own do not.
    pub fn reason_label(&self, reason: &RequestReason) -> Option<String> {
        self.widget
            .get(&format!("reason_{}", reason.as_str()))
            .cloned()
    }

    /// The widget's thank-you sentence for `channel`, with the request's `number`.
    pub fn thanks(&self, channel: PreferredChannel, number: &str) -> String {
        fill(
            &self.widget(&format!("done_{}", channel.as_str())),
            &[("number", number)],
        )
    }

    /// `at` as a visitor in `zone` (named `zone_name`) reads it, in these words.
    pub fn when(&self, at: Timestamp, zone: &TimeZone, zone_name: &str) -> String {
        let local = at.to_zoned(zone.clone());
        let weekday = local.weekday().to_monday_zero_offset() as usize;
        let month = local.month() as usize - 1;
        fill(
            &self.callback_at,
            &[
                ("weekday", &self.weekdays[weekday]),
                ("day", &local.day().to_string()),
                ("month", &self.months[month]),
                ("year", &local.year().to_string()),
                ("time", &local.strftime("%H:%M").to_string()),
                ("zone", zone_name),
            ],
        )
    }
}

/// `template` with each `{key}` replaced by its value, in one pass: a value (which may be what a
/// visitor typed) is never read as a placeholder itself. An unknown `{…}` is left as it is.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let found = after.find('}').and_then(|close| {
            let key = &after[..close];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (close, *v))
        });
        match found {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_callback_time_is_written_in_the_visitor_s_zone_and_language() {
        let paris = crate::instant::time_zone("Europe/Paris").unwrap();
        let winter = at("2026-12-01T10:00:00Z");
        assert_eq!(
            Words::of(Locale::Fr).when(winter, &paris, "Europe/Paris"),
            "mardi 1 décembre 2026 à 11:00 (heure de Europe/Paris)"
        );
        assert_eq!(
            Words::of(Locale::En).when(winter, &paris, "Europe/Paris"),
            "Tuesday 1 December 2026 at 11:00 (Europe/Paris time)"
        );
        // Summer time: two hours ahead of UTC, and past midnight the day and month turn with it.
        assert_eq!(
            Words::of(Locale::Fr).when(at("2026-07-31T22:30:00Z"), &paris, "Europe/Paris"),
            "samedi 1 août 2026 à 00:30 (heure de Europe/Paris)"
        );
        let tokyo = crate::instant::time_zone("Asia/Tokyo").unwrap();
        assert_eq!(
            Words::of(Locale::En).when(winter, &tokyo, "Asia/Tokyo"),
            "Tuesday 1 December 2026 at 19:00 (Asia/Tokyo time)"
        );
        assert_eq!(
            Words::of(Locale::En).when(winter, &TimeZone::UTC, "UTC"),
            "Tuesday 1 December 2026 at 10:00 (UTC time)"
        );
    }

    #[test]
    fn a_filled_value_is_never_read_as_a_placeholder() {
        assert_eq!(
            fill(
                "Hello {name}, {number}",
                &[("name", "{number}"), ("number", "CR-1")]
            ),
            "Hello {number}, CR-1"
        );
        assert_eq!(fill("{unknown} {", &[("name", "x")]), "{unknown} {");
        assert_eq!(fill("{name}", &[("name", "é{")]), "é{");
    }

    #[test]
    fn every_locale_has_the_server_s_words_and_the_widget_s_labels() {
        for locale in Locale::ALL {
            let words = Words::of(*locale);
            for reason in RequestReason::DEFAULTS {
                let key = format!("reason_{reason}");
                assert!(words.widget.contains_key(&key), "{locale}: {key}");
            }
            for channel in PreferredChannel::ALL {
                let thanks = words.thanks(*channel, "CR-000042");
                assert!(thanks.contains("CR-000042"), "{locale}: {thanks}");
            }
            assert!(words.widget.contains_key("reason"), "{locale}");
            assert!(words.subject.contains("{number}"), "{locale}");
        }
        let reason = |value| RequestReason::parse(value).unwrap();
        assert_eq!(
            Words::of(Locale::Fr)
                .reason_label(&reason("Billing"))
                .as_deref(),
            Some("Facturation")
        );
        assert_eq!(
            Words::of(Locale::Fr).reason_label(&reason("Warranty")),
            None
        );
    }

    #[test]
    fn every_locale_the_widget_ships_has_the_server_s_words() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/locales");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let tag = name.strip_suffix(".json").unwrap();
            assert_eq!(
                Locale::parse(tag).as_str(),
                tag,
                "the widget ships {name}: add its Locale and server/locales/{name}"
            );
            let server = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
            assert!(
                std::path::Path::new(server).join(&name).exists(),
                "server/locales/{name}"
            );
        }
    }
}
