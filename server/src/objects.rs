//! The one list of the objects the Salesforce-compatible API serves: each feature declares its own
//! objects beside its behaviour, and this assembly point names them all. The generic engine
//! (`sobjects`, `soql`) looks objects up here.

use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::salesforce::schema::{Field, SObject};

/// Every object, by API name without regard to case.
pub fn object(name: &str) -> Option<&'static SObject> {
    OBJECTS
        .iter()
        .copied()
        .find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The object a reference to `name` finds its parent in: a served object, or a queue (`Group`);
/// `None` for the kinds of record this server does not keep (Account, Contact…), whose parents are
/// always empty.
pub fn parent(name: &str) -> Option<&'static SObject> {
    object(name).or_else(|| {
        let group = &crate::access::objects::QUEUE;
        (group.name == name).then_some(group)
    })
}

/// One child relationship of an object: the records of `child` whose reference `field` points to it.
#[derive(Debug, Clone, Copy)]
pub struct ChildRelationship {
    pub child: &'static SObject,
    pub field: &'static Field,
}

/// Every reference of every object that may point to `object`, as describe's `childRelationships`
/// lists them; those with a [`Field::children`] name are what relationship subqueries name.
pub fn child_relationships(object: &SObject) -> Vec<ChildRelationship> {
    OBJECTS
        .iter()
        .flat_map(|child| {
            child
                .fields
                .iter()
                .filter(|field| field.reference_to.contains(&object.name))
                .map(|field| ChildRelationship { child, field })
        })
        .collect()
}

/// The child relationship of `object` named `name` (without regard to case), if it has one.
pub fn child_relationship(object: &SObject, name: &str) -> Option<ChildRelationship> {
    child_relationships(object)
        .into_iter()
        .find(|relationship| {
            relationship
                .field
                .children
                .is_some_and(|children| children.eq_ignore_ascii_case(name))
        })
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
    &crate::callbacks::activities::OPEN_ACTIVITY,
    &crate::callbacks::activities::ACTIVITY_HISTORY,
    &crate::access::objects::USER,
    &crate::contact_requests::shares::CONTACT_REQUEST_SHARE,
    &crate::contact_requests::shares::OWNER_SHARING_RULE,
];
