//! Any text as a phone number: the normaliser never panics, yields only E.164, and is idempotent.
#![no_main]

use contact_shared::PreferredPhone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(phone) = PreferredPhone::parse(input) {
        let digits = &phone.as_str()[1..];
        assert!(phone.as_str().starts_with('+'));
        assert!((8..=15).contains(&digits.len()), "{phone}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0'));
        assert_eq!(PreferredPhone::parse(phone.as_str()), Ok(phone));
    }
});
