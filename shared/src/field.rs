//! The wire names of the form's fields.
//!
//! They are the JSON keys of a submission, the keys of [`crate::FieldErrors`], and the `name` attributes of
//! the widget's inputs, so a test or a no-JS fallback form can address a field by one name everywhere.

pub const REQUEST_REASON: &str = "request_reason";
pub const PREFERRED_CHANNEL: &str = "preferred_channel";
pub const PREFERRED_PHONE: &str = "preferred_phone";
pub const REQUEST_DESCRIPTION: &str = "request_description";
pub const NAME: &str = "name";
pub const EMAIL: &str = "email";
pub const IS_CALLBACK: &str = "is_callback";
pub const CALLBACK_TIME: &str = "callback_time";
/// Not a field the visitor fills in: the widget sends the browser's time zone with the form.
pub const TIME_ZONE: &str = "time_zone";

/// Every field in the order the form shows them, which is also the order errors are reported and focused in.
pub const ORDER: [&str; 8] = [
    REQUEST_REASON,
    PREFERRED_CHANNEL,
    PREFERRED_PHONE,
    CALLBACK_TIME,
    NAME,
    EMAIL,
    REQUEST_DESCRIPTION,
    IS_CALLBACK,
];
