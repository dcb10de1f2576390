//! Any bytes as a submission body: the parser and the rules never panic, and an accepted form's
//! normalised values parse again to the same request.
#![no_main]

use contact_shared::ContactRequestForm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_json::from_slice::<ContactRequestForm>(data) else {
        return;
    };
    let _ = form.errors();
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
        };
        assert_eq!(again.parse(), Ok(request));
    }
});
