//! A call center's softphone layout, after Salesforce's `describeSoftphoneLayout()`: for each call type
//! (Inbound, Outbound, Internal) the call's own information and, per related object, which of its fields
//! show and in what order. Set per call center in the call-center file; [`SoftphoneLayout::default`]
//! otherwise. The object and field names are checked when the file is read (see `file`).

use serde_json::{Value, json};

/// The call types of the reference, in its order.
pub const CALL_TYPES: [&str; 3] = ["Inbound", "Outbound", "Internal"];

/// The objects a section may show: the request the call is about, its call log and its interactions.
pub const OBJECTS: [&str; 3] = ["ContactRequest", "Task", "EngagementInteraction"];

/// The facts about the call itself a layout may show (the reference's infoFields), which come with the
/// call rather than from a record: the number, the queue it was routed through, the time asked for.
pub const INFO_FIELDS: [&str; 3] = ["PhoneNumber", "Queue", "ScheduledTime"];

/// The fields of one related object, in order (the reference's section with its items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub object: String,
    pub fields: Vec<String>,
}

/// What shows for one call type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTypeLayout {
    pub info_fields: Vec<String>,
    pub sections: Vec<Section>,
}

/// The layout of every call type, Inbound, Outbound and Internal in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftphoneLayout {
    pub call_types: [CallTypeLayout; 3],
}

fn section(object: &str, fields: &[&str]) -> Section {
    Section {
        object: object.to_owned(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

impl Default for SoftphoneLayout {
    /// A callback (Inbound when the visitor rings back, Outbound when the representative dials) shows
    /// who asked and why, then the last call's outcome; an Internal call (a transfer) the request only.
    fn default() -> Self {
        let request = section(
            "ContactRequest",
            &[
                "Name",
                "VisitorName__c",
                "PreferredPhone",
                "RequestReason",
                "RequestDescription",
                "IsCallback",
            ],
        );
        let calls = section(
            "Task",
            &[
                "CallType",
                "IsCallback__c",
                "CallResult__c",
                "CallDisposition",
            ],
        );
        let call = |info: &[&str], sections: Vec<Section>| CallTypeLayout {
            info_fields: strings(info),
            sections,
        };
        Self {
            call_types: [
                call(
                    &["PhoneNumber", "Queue"],
                    vec![request.clone(), calls.clone()],
                ),
                call(&INFO_FIELDS, vec![request.clone(), calls]),
                call(&["Queue"], vec![request]),
            ],
        }
    }
}

impl SoftphoneLayout {
    /// The reference's DescribeSoftphoneLayoutResult for the call center `id` named `name`.
    pub fn describe(&self, id: &str, name: &str) -> Value {
        let call_types: Vec<Value> = CALL_TYPES
            .iter()
            .zip(&self.call_types)
            .map(|(call_type, layout)| {
                json!({
                    "name": call_type,
                    "infoFields": layout.info_fields.iter().map(|f| json!({"name": f})).collect::<Vec<_>>(),
                    "sections": layout.sections.iter().map(|s| json!({
                        "entityApiName": s.object,
                        "items": s.fields.iter().map(|f| json!({"itemApiName": f})).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                    // The console opens the one request the call is about, in the window it is in.
                    "screenPopOptions": [{
                        "matchType": "Single",
                        "screenPopData": "ContactRequest",
                        "screenPopType": "PopToEntity",
                    }],
                    "screenPopsOpenWithin": "ExistingWindow",
                })
            })
            .collect();
        json!({ "id": id, "name": name, "callTypes": call_types })
    }
}
