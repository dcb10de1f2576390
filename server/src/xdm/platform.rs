//! The two forms of one ExperienceEvent, and the one conversion between them.
//!
//! The product stores and exports events in the JSON-LD form of the official schemas (`server/xdm/`):
//! `@id`, and every field named with its `xdm:` prefix. Adobe Experience Platform ingests the form its
//! schema registry serves for a tenant's dataset: `_id`, and every standard field named without the
//! prefix (`timestamp`, `customerFeedback.chatStart`, …). The keys of an `identityMap` are identity
//! namespaces, not fields, and stay as they are in both forms.
//!
//! The conversion is lossless for every event the product emits: a field that one form could not give
//! back (a key without the `xdm:` prefix in JSON-LD, a tenant `_…` field or an `xdm:` key in the platform
//! form) is refused, naming its JSON Pointer, rather than dropped or renamed.

use serde_json::{Map, Value};

/// The JSON-LD prefix of the standard XDM fields.
const PREFIX: &str = "xdm:";
/// The field holding identities by namespace, in each form.
const IDENTITY_MAP: (&str, &str) = ("xdm:identityMap", "identityMap");

/// A field that has no counterpart in the other form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct Unconvertible {
    /// The JSON Pointer of the field, in the form converted from.
    pub pointer: String,
    pub message: String,
}

/// The platform form of a JSON-LD event.
pub fn to_platform(event: &Value) -> Result<Value, Unconvertible> {
    convert(event, "", Direction::ToPlatform)
}

/// The JSON-LD form of a platform event.
pub fn from_platform(event: &Value) -> Result<Value, Unconvertible> {
    convert(event, "", Direction::FromPlatform)
}

#[derive(Clone, Copy)]
enum Direction {
    ToPlatform,
    FromPlatform,
}

impl Direction {
    /// The name `key` takes in the other form, or why it has none.
    fn rename(self, key: &str) -> Result<String, String> {
        match self {
            Self::ToPlatform if key == "@id" => Ok("_id".to_owned()),
            Self::ToPlatform => key
                .strip_prefix(PREFIX)
                .filter(|name| !name.is_empty() && !name.starts_with('_'))
                .map(str::to_owned)
                .ok_or_else(|| {
                    "not a field of the XDM schemas: only @id and xdm:-prefixed fields are sent to the platform"
                        .to_owned()
                }),
            Self::FromPlatform if key == "_id" => Ok("@id".to_owned()),
            Self::FromPlatform if key.starts_with('_') || key.contains(':') || key.is_empty() => {
                Err("not a standard XDM field: tenant (_…) and prefixed fields have no JSON-LD form here"
                    .to_owned())
            }
            Self::FromPlatform => Ok(format!("{PREFIX}{key}")),
        }
    }

    fn identity_map(self) -> &'static str {
        match self {
            Self::ToPlatform => IDENTITY_MAP.0,
            Self::FromPlatform => IDENTITY_MAP.1,
        }
    }
}

fn convert(value: &Value, at: &str, direction: Direction) -> Result<Value, Unconvertible> {
    match value {
        Value::Object(fields) => {
            let mut converted = Map::with_capacity(fields.len());
            for (key, inner) in fields {
                let pointer = format!("{at}/{}", escape(key));
                let name = direction.rename(key).map_err(|message| Unconvertible {
                    pointer: pointer.clone(),
                    message,
                })?;
                let inner = match key == direction.identity_map() {
                    true => identity_map(inner, &pointer, direction)?,
                    false => convert(inner, &pointer, direction)?,
                };
                converted.insert(name, inner);
            }
            Ok(Value::Object(converted))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| convert(item, &format!("{at}/{i}"), direction))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        scalar => Ok(scalar.clone()),
    }
}

/// An identity map: its keys (namespaces) kept, its items converted.
fn identity_map(value: &Value, at: &str, direction: Direction) -> Result<Value, Unconvertible> {
    let Value::Object(namespaces) = value else {
        return convert(value, at, direction);
    };
    namespaces
        .iter()
        .map(|(namespace, items)| {
            let pointer = format!("{at}/{}", escape(namespace));
            Ok((namespace.clone(), convert(items, &pointer, direction)?))
        })
        .collect::<Result<Map<_, _>, _>>()
        .map(Value::Object)
}

/// A key as a JSON Pointer writes it (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use serde_json::json;

    use super::*;
    use crate::xdm::event::{BrowserEvent, Measure, SentRequest, sent_request};
    use crate::xdm::schema;

    fn now() -> Timestamp {
        "2026-12-02T10:00:00Z".parse().unwrap()
    }

    /// Every event the product emits, as stored: one of each browser type, and a sent request's, with
    /// and without contact details and identity.
    fn emitted() -> Vec<Value> {
        let mut events: Vec<Value> = Measure::ALL
            .into_iter()
            .filter(|m| *m != Measure::ClickToDirectMessage)
            .map(|measure| {
                let sent = json!({
                    "@id": format!("e-{}", measure.name()),
                    "xdm:timestamp": "2026-12-02T09:59:00.000Z",
                    "xdm:eventType": measure.event_type(),
                    "xdm:producedBy": "self",
                    "xdm:customerFeedback": {
                        "xdm:chatSessionID": "s-1",
                        (format!("xdm:{}", measure.name())): 1,
                    },
                });
                let parsed = BrowserEvent::parse(&sent, now()).unwrap();
                serde_json::from_str(&parsed.stored().body).unwrap()
            })
            .collect();
        let full = SentRequest {
            site_key: "shop",
            subject: "A billing question",
            phone: Some("+442079460958"),
            email: Some("ada@example.com"),
            name: Some("Ada Lovelace"),
            visitor_sub: Some("user-7"),
            session_id: Some("s-1"),
        };
        let guest = SentRequest {
            phone: None,
            email: None,
            name: None,
            visitor_sub: None,
            session_id: None,
            ..full
        };
        for request in [&full, &guest] {
            events.push(serde_json::from_str(&sent_request(request, now()).body).unwrap());
        }
        events
    }

    /// Every key of `value` at any depth, identity namespaces included.
    fn keys(value: &Value, into: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, inner) in fields {
                    into.push(key.clone());
                    keys(inner, into);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| keys(item, into)),
            _ => {}
        }
    }

    #[test]
    fn every_event_type_the_product_emits_survives_the_round_trip_unchanged() {
        for event in emitted() {
            let platform = to_platform(&event).unwrap();
            assert_eq!(from_platform(&platform).unwrap(), event, "{platform}");
            assert_eq!(schema::check(&from_platform(&platform).unwrap()), Ok(()));
        }
    }

    #[test]
    fn the_platform_form_has_underscore_id_timestamp_and_no_prefixed_field() {
        for event in emitted() {
            let platform = to_platform(&event).unwrap();
            assert_eq!(platform["_id"], event["@id"]);
            assert_eq!(platform["timestamp"], event["xdm:timestamp"]);
            assert_eq!(platform["eventType"], event["xdm:eventType"]);
            assert_eq!(
                platform["customerFeedback"].as_object().unwrap().len(),
                event["xdm:customerFeedback"].as_object().unwrap().len()
            );
            let mut all = Vec::new();
            keys(&platform, &mut all);
            assert!(
                all.iter().all(|k| !k.contains(':') && k != "@id"),
                "{all:?}"
            );
        }
    }

    #[test]
    fn a_sent_requests_contact_details_and_identity_take_the_platform_names() {
        let event = emitted().pop().unwrap();
        assert!(
            event.get("xdm:identityMap").is_none(),
            "the guest's has none"
        );
        let event = &emitted()[emitted().len() - 2];
        let platform = to_platform(event).unwrap();
        assert_eq!(
            platform["customerFeedback"]["callBackNumber"],
            json!({ "number": "+442079460958", "primary": true, "status": "active" })
        );
        assert_eq!(
            platform["customerFeedback"]["replyToEmailAddress"],
            json!({ "address": "ada@example.com", "primary": true, "label": "Ada Lovelace" })
        );
        assert_eq!(
            platform["identityMap"],
            json!({ "shop": [{ "id": "user-7", "authenticatedState": "authenticated", "primary": true }] })
        );
    }

    #[test]
    fn a_platform_event_converts_back_into_a_valid_json_ld_event() {
        let platform = json!({
            "_id": "p-1",
            "timestamp": "2026-12-02T09:00:00Z",
            "eventType": "contactRequest.started",
            "producedBy": "self",
            "customerFeedback": { "chatSessionID": "s-9", "chatStart": 1 },
            "identityMap": { "shop": [{ "id": "u", "primary": true }] },
        });
        let event = from_platform(&platform).unwrap();
        assert_eq!(event["@id"], "p-1");
        assert_eq!(event["xdm:customerFeedback"]["xdm:chatStart"], 1);
        assert_eq!(event["xdm:identityMap"]["shop"][0]["xdm:id"], "u");
        assert_eq!(schema::check(&event), Ok(()));
        assert_eq!(to_platform(&event).unwrap(), platform);
    }

    #[test]
    fn a_field_without_a_counterpart_is_refused_naming_it() {
        let table = [
            (
                to_platform(&json!({ "@id": "e", "schema:name": "x" })),
                "/schema:name",
                "a JSON-LD key of another vocabulary",
            ),
            (
                to_platform(&json!({ "@id": "e", "xdm:customerFeedback": { "chatStart": 1 } })),
                "/xdm:customerFeedback/chatStart",
                "an unprefixed JSON-LD field",
            ),
            (
                from_platform(&json!({ "_id": "e", "_tenant": { "x": 1 } })),
                "/_tenant",
                "a tenant field",
            ),
            (
                from_platform(&json!({ "_id": "e", "list": [{ "xdm:id": "u" }] })),
                "/list/0/xdm:id",
                "a prefixed key in the platform form",
            ),
        ];
        for (result, pointer, why) in table {
            assert_eq!(result.expect_err(why).pointer, pointer, "{why}");
        }
    }
}
