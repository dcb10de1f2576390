//! The one list of the objects the API serves. Object descriptions depend on the schema's types; the
//! schema depends on none of them.

use super::schema::{CONTACT_REQUEST, SObject};

/// Every object, by API name without regard to case.
pub fn object(name: &str) -> Option<&'static SObject> {
    OBJECTS
        .iter()
        .copied()
        .find(|o| o.name.eq_ignore_ascii_case(name))
}

pub static OBJECTS: &[&SObject] = &[
    &CONTACT_REQUEST,
    &super::call_objects::CALL_CENTER,
    &super::call_objects::TASK,
    &super::call_objects::ENGAGEMENT_INTERACTION,
    &super::user::USER,
];
