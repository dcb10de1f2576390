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

/// Whether SOSL searches `object` (describe's `searchable`): EngagementInteraction, as its reference
/// says, and ContactRequest, which the console searches. The others are found with SOQL.
pub fn searchable(object: &SObject) -> bool {
    SEARCHABLE.contains(&object.name)
}

const SEARCHABLE: &[&str] = &["ContactRequest", "EngagementInteraction"];

pub static OBJECTS: &[&SObject] = &[
    &CONTACT_REQUEST,
    &crate::call_centers::objects::CALL_CENTER,
    &crate::call_centers::objects::ADDITIONAL_NUMBER,
    &crate::callbacks::objects::TASK,
    &crate::callbacks::objects::ENGAGEMENT_INTERACTION,
    &crate::access::objects::USER,
    &crate::contact_requests::shares::CONTACT_REQUEST_SHARE,
    &crate::contact_requests::shares::OWNER_SHARING_RULE,
];
