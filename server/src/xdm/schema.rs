//! The official XDM JSON Schemas an event is checked against, built into one validator once.
//!
//! The files in `server/xdm/` are Adobe's draft-06 schemas from the public `adobe/xdm` repository
//! (commit 4a4fc5f8dd175cd81f2419b85130a6fc25053890), copied unchanged; `server/xdm/README.md` lists
//! them. Each is registered under its own `$id`, so every `$ref` between them resolves from memory: the
//! validator never reaches the network or the disk.

use std::sync::LazyLock;

use jsonschema::{Registry, Validator};
use serde_json::{Value, json};

/// Every schema file, as built into the binary.
const FILES: [&str; 8] = [
    include_str!("../../xdm/experienceevent.schema.json"),
    include_str!("../../xdm/time-series.schema.json"),
    include_str!("../../xdm/identitymap.schema.json"),
    include_str!("../../xdm/identityitem.schema.json"),
    include_str!("../../xdm/extensible.schema.json"),
    include_str!("../../xdm/experienceevent-contact-request-details.schema.json"),
    include_str!("../../xdm/phonenumber.schema.json"),
    include_str!("../../xdm/emailaddress.schema.json"),
];

/// The class every event is an instance of.
pub const EXPERIENCE_EVENT: &str = "https://ns.adobe.com/xdm/context/experienceevent";
/// The field group whose `xdm:customerFeedback` holds the measures.
pub const CONTACT_REQUEST_DETAILS: &str =
    "https://ns.adobe.com/xdm/mixins/experienceevent-contact-request-details";

/// One place where an event breaks the schemas: the JSON Pointer of the value, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

/// An ExperienceEvent with the Contact Request Details field group, as one schema.
static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    build().unwrap_or_else(|error| {
        panic!("the XDM schemas built into the server do not load: {error}")
    })
});

fn build() -> Result<Validator, String> {
    let mut documents = Vec::with_capacity(FILES.len());
    for text in FILES {
        let document: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let id = document["$id"]
            .as_str()
            .ok_or("a schema file has no $id")?
            .to_owned();
        documents.push((id, document));
    }
    let registry = Registry::new()
        .extend(documents)
        .and_then(|builder| builder.prepare())
        .map_err(|e| e.to_string())?;
    let event = json!({
        "$schema": "http://json-schema.org/draft-06/schema#",
        "allOf": [{ "$ref": EXPERIENCE_EVENT }, { "$ref": CONTACT_REQUEST_DETAILS }]
    });
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&event)
        .map_err(|e| e.to_string())
}

/// Loads the schemas now, so that a server whose built-in schemas were broken stops at start rather
/// than at its first event.
pub fn load() {
    LazyLock::force(&VALIDATOR);
}

/// Checks `event` against the schemas; every place it breaks them, in document order.
pub fn check(event: &Value) -> Result<(), Vec<SchemaError>> {
    let errors: Vec<SchemaError> = VALIDATOR
        .iter_errors(event)
        .map(|error| SchemaError {
            pointer: error.instance_path().to_string(),
            message: error.to_string(),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_groups_own_example_validates() {
        let example: Value = serde_json::from_str(include_str!(
            "../../xdm/experienceevent-contact-request-details.example.1.json"
        ))
        .unwrap();
        let mut event = json!({ "@id": "e-1", "xdm:timestamp": "2026-02-26T15:40:52.123Z" });
        event["xdm:customerFeedback"] = example["xdm:customerFeedback"].clone();
        assert_eq!(check(&event), Ok(()));
    }

    #[test]
    fn a_malformed_event_is_refused_at_the_field_that_is_wrong() {
        let table = [
            (
                json!({ "@id": "e", "xdm:timestamp": "yesterday" }),
                "/xdm:timestamp",
                "a timestamp that is not a date-time",
            ),
            (
                json!({ "@id": "e", "xdm:timestamp": "2026-02-26T15:40:52Z",
                        "xdm:customerFeedback": { "xdm:chatStart": "1" } }),
                "/xdm:customerFeedback/xdm:chatStart",
                "a measure that is not an integer",
            ),
            (
                json!({ "@id": "e", "xdm:timestamp": "2026-02-26T15:40:52Z",
                        "xdm:customerFeedback": { "xdm:replyToEmailAddress": { "xdm:address": "nope" } } }),
                "/xdm:customerFeedback/xdm:replyToEmailAddress/xdm:address",
                "an email address that is not one",
            ),
        ];
        for (event, pointer, why) in table {
            let errors = check(&event).expect_err(why);
            assert!(
                errors.iter().any(|e| e.pointer == pointer),
                "{why}: {errors:?}"
            );
        }
        let errors = check(&json!({ "xdm:timestamp": "2026-02-26T15:40:52Z" })).unwrap_err();
        assert!(
            errors.iter().any(|e| e.message.contains("@id")),
            "an event without @id: {errors:?}"
        );
    }
}
