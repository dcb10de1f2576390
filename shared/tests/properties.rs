//! Properties of normalisation, over generated input: parsing never panics, normalising twice changes
//! nothing, and what people type round-trips to the same stored value.

use contact_shared::{
    CallbackTime, ContactRequestForm, PreferredPhone, RequestDescription, VisitorEmail, VisitorName,
};
use proptest::prelude::*;

/// An E.164 number: `+`, a non-zero digit, then 7 to 14 digits.
fn e164() -> impl Strategy<Value = String> {
    "[1-9][0-9]{7,14}".prop_map(|digits| format!("+{digits}"))
}

/// The same digits as people type them: separators between digits, spaces around, or `00` for `+`.
fn as_typed(number: &str, separators: &[u8], double_zero: bool) -> String {
    let mut typed = String::from(if double_zero { "00" } else { "+" });
    for (i, digit) in number[1..].chars().enumerate() {
        typed.push(digit);
        match separators.get(i).copied().unwrap_or(0) % 6 {
            1 => typed.push(' '),
            2 => typed.push('-'),
            3 => typed.push('.'),
            4 => typed.push_str(") ("),
            _ => {}
        }
    }
    format!("  {typed} ")
}

proptest! {
    #[test]
    fn phone_parsing_never_panics_and_only_yields_e164(input in any::<String>()) {
        if let Ok(phone) = PreferredPhone::parse(&input) {
            let digits = &phone.as_str()[1..];
            prop_assert!(phone.as_str().starts_with('+'));
            prop_assert!((8..=15).contains(&digits.len()));
            prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0'));
        }
    }

    #[test]
    fn phone_normalisation_is_idempotent(input in "[+0-9 ().-]{0,30}") {
        if let Ok(once) = PreferredPhone::parse(&input) {
            prop_assert_eq!(PreferredPhone::parse(once.as_str()), Ok(once));
        }
    }

    #[test]
    fn a_number_as_typed_round_trips_to_its_e164_form(
        number in e164(),
        separators in proptest::collection::vec(any::<u8>(), 15),
        double_zero in any::<bool>(),
    ) {
        let typed = as_typed(&number, &separators, double_zero);
        prop_assert_eq!(PreferredPhone::parse(&typed).map(|p| p.as_str().to_owned()), Ok(number));
    }

    #[test]
    fn text_fields_never_panic_and_normalise_idempotently(input in any::<String>()) {
        if let Ok(Some(name)) = VisitorName::parse(&input) {
            prop_assert_eq!(VisitorName::parse(name.as_str()), Ok(Some(name.clone())));
        }
        if let Ok(Some(description)) = RequestDescription::parse(&input) {
            prop_assert_eq!(RequestDescription::parse(description.as_str()), Ok(Some(description.clone())));
        }
        if let Ok(email) = VisitorEmail::parse(&input) {
            prop_assert_eq!(VisitorEmail::parse(email.as_str()), Ok(email.clone()));
        }
    }

    #[test]
    fn a_callback_time_reads_back_as_the_instant_it_was_written_from(
        // Years 0000 to 9999, the span four-digit years can write.
        seconds in -62_167_219_200i64..253_402_300_800,
    ) {
        let time = CallbackTime::from_unix_seconds(seconds);
        prop_assert_eq!(CallbackTime::parse(&time.to_string()), Ok(time));
    }

    #[test]
    fn a_parsed_form_sent_again_parses_to_the_same_request(
        reason in prop::sample::select(vec!["Account", "Billing", "Case", "General", "Order", "Other", "Product"]),
        channel in prop::sample::select(vec!["", "Phone", "Email", "Text"]),
        phone in e164(),
        name in any::<String>(),
        description in any::<String>(),
        is_callback in any::<bool>(),
        callback_seconds in prop::option::of(0i64..8_000_000_000),
    ) {
        let form = ContactRequestForm {
            request_reason: Some(reason.into()),
            preferred_channel: Some(channel.into()),
            preferred_phone: Some(phone),
            name: Some(name),
            email: Some("ada@example.com".into()),
            request_description: Some(description),
            is_callback,
            callback_time: callback_seconds.map(|s| CallbackTime::from_unix_seconds(s).to_string()),
            time_zone: None,
            locale: Some("fr".into()),
        };
        if let Ok(request) = form.parse() {
            let again = ContactRequestForm {
                request_reason: Some(request.request_reason().as_str().into()),
                preferred_channel: Some(request.preferred_channel().as_str().into()),
                preferred_phone: request.preferred_phone().map(|p| p.as_str().into()),
                name: request.name().map(|n| n.as_str().into()),
                email: request.email().map(|e| e.as_str().into()),
                request_description: request.request_description().map(|d| d.as_str().into()),
                is_callback: request.is_callback(),
                callback_time: request.callback_time().map(|t| t.to_string()),
                time_zone: request.time_zone().map(|z| z.as_str().into()),
                locale: request.locale().map(|l| l.as_str().into()),
            };
            prop_assert_eq!(again.parse(), Ok(request));
        }
    }
}
