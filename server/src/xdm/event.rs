//! The Contact Request Details events the product records, in XDM's JSON-LD form: the measures and the
//! event type that records each, the events the browser may send (parsed once, personal data refused),
//! and the event the server writes itself for a sent request.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::schema;
use crate::store::{NewEvent, SentEvent};

/// The prefix of every field of the schemas' JSON-LD form.
const FEEDBACK: &str = "xdm:customerFeedback";
const SESSION: &str = "xdm:chatSessionID";
/// The longest `@id` and session id taken from a browser.
const MAX_ID_LEN: usize = 100;
/// How far from the server's clock a browser's `xdm:timestamp` may be: a beacon is sent within the page
/// view, and a clock a little ahead is not a reason to lose it.
const MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 7);
const MAX_AHEAD: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

pub use contact_shared::Measure;

/// The field of `xdm:customerFeedback` that holds `measure`.
fn field(measure: Measure) -> String {
    format!("xdm:{}", measure.name())
}

/// One place an event is refused at: the JSON Pointer of the field (`""` for the event itself), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub pointer: String,
    pub message: String,
}

impl Refused {
    fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// An event a browser sent, checked against the schemas and the product's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserEvent {
    id: String,
    at: Timestamp,
    measure: Measure,
    session_id: String,
}

impl BrowserEvent {
    /// Parses one event of a batch: valid against the schemas, produced by `self`, one of the browser's
    /// event types, counting exactly its own measure once, with a session id, within a week of `now`, and
    /// nothing else: no personal data (`xdm:callBackNumber`, `xdm:replyToEmailAddress`) and no identity
    /// (the browser cannot prove one), which only the server writes.
    pub fn parse(event: &Value, now: Timestamp) -> Result<Self, Vec<Refused>> {
        schema::check(event).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| Refused::at(e.pointer, e.message))
                .collect::<Vec<_>>()
        })?;
        let Some(object) = event.as_object() else {
            return Err(vec![Refused::at("", "An event is a JSON object.")]);
        };
        let mut refused = Vec::new();
        for key in object.keys() {
            let known = [
                "@id",
                "xdm:timestamp",
                "xdm:eventType",
                "xdm:producedBy",
                FEEDBACK,
            ];
            if !known.contains(&key.as_str()) {
                refused.push(Refused::at(
                    format!("/{key}"),
                    "Not taken from a browser: send only @id, xdm:timestamp, xdm:eventType, \
                     xdm:producedBy and xdm:customerFeedback.",
                ));
            }
        }
        let id = text(object, "@id", &mut refused);
        let at = text(object, "xdm:timestamp", &mut refused).and_then(|at| {
            let parsed = at.parse::<Timestamp>().ok();
            let within = parsed.filter(|t| {
                let age = now.duration_since(*t);
                age <= MAX_AGE && -age <= MAX_AHEAD
            });
            if within.is_none() {
                refused.push(Refused::at(
                    "/xdm:timestamp",
                    "Must be an RFC 3339 instant within the last 7 days.",
                ));
            }
            within
        });
        if object.get("xdm:producedBy").and_then(Value::as_str) != Some("self") {
            refused.push(Refused::at("/xdm:producedBy", "Must be \"self\"."));
        }
        let measure = text(object, "xdm:eventType", &mut refused).and_then(|kind| {
            let measure = Measure::ALL
                .into_iter()
                .find(|m| m.browser_may_send() && m.event_type() == kind);
            if measure.is_none() {
                let types: Vec<_> = Measure::ALL
                    .into_iter()
                    .filter(|m| m.browser_may_send())
                    .map(Measure::event_type)
                    .collect();
                refused.push(Refused::at(
                    "/xdm:eventType",
                    format!("Must be one of: {}.", types.join(", ")),
                ));
            }
            measure
        });
        let feedback = object.get(FEEDBACK).and_then(Value::as_object);
        let session_id = match feedback {
            None => {
                refused.push(Refused::at(
                    format!("/{FEEDBACK}"),
                    "Required: the session id and the measure the event counts.",
                ));
                None
            }
            Some(feedback) => {
                check_feedback(feedback, measure, &mut refused);
                feedback
                    .get(SESSION)
                    .and_then(Value::as_str)
                    .filter(|s| is_id(s))
                    .map(str::to_owned)
                    .or_else(|| {
                        refused.push(Refused::at(
                            format!("/{FEEDBACK}/{SESSION}"),
                            format!(
                                "Required: the widget's session id, 1 to {MAX_ID_LEN} characters, none a control character."
                            ),
                        ));
                        None
                    })
            }
        };
        match (id, at, measure, session_id) {
            (Some(id), Some(at), Some(measure), Some(session_id)) if refused.is_empty() => {
                Ok(Self {
                    id: id.to_owned(),
                    at,
                    measure,
                    session_id,
                })
            }
            _ => Err(refused),
        }
    }

    pub fn measure(&self) -> Measure {
        self.measure
    }

    /// The UTC day it occurred on (`YYYY-MM-DD`), which is all an aggregate-only count keeps.
    pub fn day(&self) -> String {
        crate::instant::stored(self.at)[..10].to_owned()
    }

    /// The event as stored and exported: only the fields it was parsed from, in their JSON-LD form.
    pub fn stored(&self) -> NewEvent {
        let mut feedback = Map::new();
        feedback.insert(SESSION.to_owned(), json!(self.session_id));
        feedback.insert(field(self.measure), json!(1));
        let at = crate::instant::stored(self.at);
        let body = json!({
            "@id": self.id,
            "xdm:timestamp": at,
            "xdm:eventType": self.measure.event_type(),
            "xdm:producedBy": "self",
            FEEDBACK: feedback,
        });
        NewEvent {
            id: self.id.clone(),
            at,
            event_type: self.measure.event_type().to_owned(),
            measure: self.measure.name(),
            session_id: Some(self.session_id.clone()),
            body: body.to_string(),
        }
    }
}

/// The event the loader's beacon stands for (`POST /api/v1/events?site=KEY&offered=SESSION&at=MS`): the
/// offer of `session` at `at`, as the browser would have written it, its `@id` `SESSION-o`. It is parsed
/// like any other ([`BrowserEvent::parse`]), so a bad session id or time is refused the same way.
pub fn offered(session: &str, at: Timestamp) -> Value {
    json!({
        "@id": format!("{session}-o"),
        "xdm:timestamp": at.to_string(),
        "xdm:eventType": Measure::ChatOffered.event_type(),
        "xdm:producedBy": "self",
        FEEDBACK: { SESSION: session, field(Measure::ChatOffered): 1 },
    })
}

/// The text at `key`, or a refusal naming it.
/// An id a browser may give (an event's, a session's): 1 to [`MAX_ID_LEN`] bytes of text with no control
/// character (a NUL, which PostgreSQL's text cannot hold, among them).
pub fn is_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_ID_LEN && !text.chars().any(char::is_control)
}

fn text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    refused: &mut Vec<Refused>,
) -> Option<&'a str> {
    let found = object.get(key).and_then(Value::as_str).filter(|s| is_id(s));
    if found.is_none() {
        refused.push(Refused::at(
            format!("/{key}"),
            format!("Required: text of 1 to {MAX_ID_LEN} characters, none a control character."),
        ));
    }
    found
}

/// `xdm:customerFeedback` from a browser holds its session id and the one measure its type counts, as 1.
fn check_feedback(
    feedback: &Map<String, Value>,
    measure: Option<Measure>,
    refused: &mut Vec<Refused>,
) {
    for (key, value) in feedback {
        let at = format!("/{FEEDBACK}/{key}");
        if key == SESSION {
            continue;
        }
        if key == "xdm:callBackNumber" || key == "xdm:replyToEmailAddress" {
            refused.push(Refused::at(
                at,
                "Personal data is not taken from a browser: the server records it with the request.",
            ));
        } else if measure.is_some_and(|m| field(m) == *key) {
            if value != &json!(1) {
                refused.push(Refused::at(
                    at,
                    "Must be 1: an event records one occurrence.",
                ));
            }
        } else {
            refused.push(Refused::at(
                at,
                match measure {
                    Some(m) => {
                        format!("Not counted by {}: send only {}.", m.event_type(), field(m))
                    }
                    None => "Not counted by this event type.".to_owned(),
                },
            ));
        }
    }
    if let Some(m) = measure
        && !feedback.contains_key(&field(m))
    {
        refused.push(Refused::at(
            format!("/{FEEDBACK}/{}", field(m)),
            format!("Required by {}: 1.", m.event_type()),
        ));
    }
}

/// What the server knows of a request it stored, for its `web.formFilledOut` event.
pub struct SentRequest<'a> {
    pub site_key: &'a str,
    /// The label the site shows for the request's reason.
    pub subject: &'a str,
    /// E.164.
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    /// The verified visitor's `sub`, under a namespace named after the site.
    pub visitor_sub: Option<&'a str>,
    /// The widget's analytics session that sent it (`xdm:chatSessionID`), if it named one.
    pub session_id: Option<&'a str>,
}

/// The event of a sent request, written by the server with the request: `clickToDirectMessage` 1, its
/// subject, and the visitor's contact details (never sent to a browser or an analytics tag).
pub fn sent_request(request: &SentRequest<'_>, now: Timestamp) -> SentEvent {
    let measure = Measure::ClickToDirectMessage;
    let id = hex::encode(rand::random::<[u8; 16]>());
    let at = crate::instant::stored(now);
    let mut feedback = Map::new();
    feedback.insert(field(measure), json!(1));
    feedback.insert("xdm:subject".to_owned(), json!(request.subject));
    if let Some(session) = request.session_id {
        feedback.insert(SESSION.to_owned(), json!(session));
    }
    if let Some(phone) = request.phone {
        feedback.insert(
            "xdm:callBackNumber".to_owned(),
            json!({ "xdm:number": phone, "xdm:primary": true, "xdm:status": "active" }),
        );
    }
    if let Some(email) = request.email {
        let mut address = json!({ "xdm:address": email, "xdm:primary": true });
        if let Some(name) = request.name {
            address["xdm:label"] = json!(name);
        }
        feedback.insert("xdm:replyToEmailAddress".to_owned(), address);
    }
    let mut body = json!({
        "@id": id,
        "xdm:timestamp": at,
        "xdm:eventType": measure.event_type(),
        "xdm:producedBy": "self",
        FEEDBACK: feedback,
    });
    if let Some(sub) = request.visitor_sub {
        body["xdm:identityMap"] = json!({
            request.site_key: [{ "xdm:id": sub, "xdm:authenticatedState": "authenticated", "xdm:primary": true }]
        });
    }
    SentEvent {
        id,
        at,
        event_type: measure.event_type(),
        measure: measure.name(),
        session_id: request.session_id.map(str::to_owned),
        body: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-02T10:00:00Z".parse().unwrap()
    }

    fn browser(measure: Measure) -> Value {
        json!({
            "@id": "b1c2",
            "xdm:timestamp": "2026-12-02T09:59:00.000Z",
            "xdm:eventType": measure.event_type(),
            "xdm:producedBy": "self",
            FEEDBACK: { SESSION: "s-1", field(measure): 1 },
        })
    }

    #[test]
    fn the_loaders_offer_beacon_is_the_offer_event_of_its_session() {
        let at: Timestamp = "2026-12-02T09:58:30.250Z".parse().unwrap();
        let parsed = BrowserEvent::parse(&offered("k3x9", at), now()).unwrap();
        assert_eq!(parsed.measure(), Measure::ChatOffered);
        let stored: Value = serde_json::from_str(&parsed.stored().body).unwrap();
        assert_eq!(schema::check(&stored), Ok(()));
        assert_eq!(stored["@id"], "k3x9-o");
        assert_eq!(stored["xdm:timestamp"], "2026-12-02T09:58:30.250Z");
        assert_eq!(stored[FEEDBACK][SESSION], "k3x9");
        assert_eq!(stored[FEEDBACK]["xdm:chatOffered"], 1);
        // An offer from before the window, or a session id with a control character, is refused.
        let old: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let refused = BrowserEvent::parse(&offered("k3x9", old), now()).unwrap_err();
        assert_eq!(refused[0].pointer, "/xdm:timestamp");
        assert!(BrowserEvent::parse(&offered("k3\u{0}x", at), now()).is_err());
    }

    #[test]
    fn every_event_the_product_emits_validates_against_the_schemas() {
        for measure in Measure::ALL.into_iter().filter(|m| m.browser_may_send()) {
            let parsed = BrowserEvent::parse(&browser(measure), now())
                .unwrap_or_else(|e| panic!("{measure:?}: {e:?}"));
            let stored: Value = serde_json::from_str(&parsed.stored().body).unwrap();
            assert_eq!(schema::check(&stored), Ok(()), "{measure:?}");
        }
        let full = SentRequest {
            site_key: "demo",
            subject: "Billing question",
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
            let event: Value = serde_json::from_str(&sent_request(request, now()).body).unwrap();
            assert_eq!(schema::check(&event), Ok(()), "{event}");
            assert_eq!(event[FEEDBACK]["xdm:clickToDirectMessage"], 1);
        }
    }

    #[test]
    fn a_browser_event_is_refused_naming_the_field_to_fix() {
        let with = |change: fn(&mut Value)| {
            let mut event = browser(Measure::ChatStart);
            change(&mut event);
            event
        };
        let table: [(Value, &str, &str); 12] = [
            (
                with(|e| e["@id"] = json!("evt\u{0}1")),
                "/@id",
                "an id holding NUL",
            ),
            (
                with(|e| e[FEEDBACK][SESSION] = json!("session\n1")),
                "/xdm:customerFeedback/xdm:chatSessionID",
                "a session id holding a line break",
            ),
            (
                with(|e| e["xdm:timestamp"] = json!("soon")),
                "/xdm:timestamp",
                "not a date-time",
            ),
            (
                with(|e| e["xdm:timestamp"] = json!("2026-10-01T00:00:00Z")),
                "/xdm:timestamp",
                "two months old",
            ),
            (
                with(|e| e["xdm:producedBy"] = json!("system")),
                "/xdm:producedBy",
                "not self",
            ),
            (
                with(|e| e["xdm:eventType"] = json!("web.formFilledOut")),
                "/xdm:eventType",
                "the server's own",
            ),
            (
                with(|e| e[FEEDBACK]["xdm:chatStart"] = json!(2)),
                "/xdm:customerFeedback/xdm:chatStart",
                "a count of 2",
            ),
            (
                with(|e| e[FEEDBACK]["xdm:chatStart"] = json!("1")),
                "/xdm:customerFeedback/xdm:chatStart",
                "not an integer",
            ),
            (
                with(|e| e[FEEDBACK]["xdm:clickToCall"] = json!(1)),
                "/xdm:customerFeedback/xdm:clickToCall",
                "another measure",
            ),
            (
                with(|e| {
                    e[FEEDBACK]["xdm:callBackNumber"] = json!({ "xdm:number": "+442079460958" })
                }),
                "/xdm:customerFeedback/xdm:callBackNumber",
                "a phone number",
            ),
            (
                with(|e| {
                    e[FEEDBACK]["xdm:replyToEmailAddress"] = json!({ "xdm:address": "a@b.example" })
                }),
                "/xdm:customerFeedback/xdm:replyToEmailAddress",
                "an email address",
            ),
            (
                with(|e| e["xdm:identityMap"] = json!({ "demo": [{ "xdm:id": "u" }] })),
                "/xdm:identityMap",
                "an identity the browser cannot prove",
            ),
        ];
        for (event, pointer, why) in table {
            let refused = BrowserEvent::parse(&event, now()).expect_err(why);
            assert!(
                refused.iter().any(|r| r.pointer == pointer),
                "{why}: {refused:?}"
            );
        }
        let refused = BrowserEvent::parse(
            &with(|e| e[FEEDBACK] = json!({ "xdm:chatStart": 1 })),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            refused[0].pointer,
            "/xdm:customerFeedback/xdm:chatSessionID"
        );
    }

    #[test]
    fn a_stored_browser_event_keeps_only_what_it_was_parsed_from() {
        let parsed = BrowserEvent::parse(&browser(Measure::ClickToCall), now()).unwrap();
        let stored = parsed.stored();
        assert_eq!(stored.measure, "clickToCall");
        assert_eq!(stored.at, "2026-12-02T09:59:00.000Z");
        assert_eq!(parsed.day(), "2026-12-02");
        assert_eq!(stored.session_id.as_deref(), Some("s-1"));
    }
}
