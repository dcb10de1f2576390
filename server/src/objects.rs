//! The one list of the objects the Salesforce-compatible API serves: each feature declares its own
//! objects beside its behaviour, and this assembly point names them all. The generic engine
//! (`sobjects`, `soql`) looks objects up here.

use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::salesforce::schema::SObject;

/// Every object, by API name without regard to case.
pub fn object(name: &str) -> Option<&'static SObject> {
    OBJECTS
        .iter()
        .copied()
        .find(|o| o.name.eq_ignore_ascii_case(name))
}

pub static OBJECTS: &[&SObject] = &[
    &CONTACT_REQUEST,
    &crate::call_centers::objects::CALL_CENTER,
    &crate::callbacks::objects::TASK,
    &crate::callbacks::objects::ENGAGEMENT_INTERACTION,
    &crate::access::objects::USER,
];
