//! `POST /api/v1/events`: a batch of the widget's ExperienceEvents, from a page of the site it names.
//!
//! Each event is parsed on its own ([`BrowserEvent::parse`]); a bad one is refused naming its index and
//! field, and the rest are kept. A browser that sends `Sec-GPC: 1` is counted in aggregate only: each of
//! its events adds one to its site's count for its day and measure, and neither its `@id` nor its session
//! id is written anywhere. No IP address and no user agent are stored with events.
//!
//! The loader, which must stay within 2 KB, reports an offer nobody opened as a beacon with no body:
//! `?site=KEY&offered=SESSION&at=MS` (the offer's time in Unix milliseconds), read as the one event
//! [`super::event::offered`] writes and checked as any other.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use contact_shared::{ErrorBody, FieldErrors};
use serde::Serialize;
use serde_json::Value;

use super::event::BrowserEvent;
use crate::AppState;
use crate::error::AppError;
use crate::sites::{KeyInHeaderOrQuery, PageSite};

/// The most events one batch may hold.
pub const MAX_EVENTS: usize = 50;
/// The largest batch body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Global Privacy Control's request header.
pub(super) const GPC: &str = "sec-gpc";

/// What was done with a batch: the indexes of the events kept (stored, or counted for a GPC browser; an
/// event sent before is kept once), and the intake's error shape for the refused ones, each field named
/// `events[i]` and the JSON Pointer of the field in that event.
#[derive(Debug, Serialize)]
struct Answer {
    accepted: Vec<usize>,
    #[serde(flatten)]
    refused: ErrorBody,
}

/// Takes a batch as `{"events": [...]}`, sent as JSON or, as `navigator.sendBeacon` sends a string, as
/// text. `202` when any event was kept, `422` when none was.
pub async fn post(
    State(state): State<AppState>,
    page: Result<PageSite<KeyInHeaderOrQuery>, AppError>,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::from(super::BatchTooLarge),
        _ => AppError::BadRequest(rejection.body_text()),
    })?;
    let events = match offer_beacon(&uri, &body)? {
        Some(offer) => vec![offer],
        None => batch(&body)?,
    };
    let PageSite { site, .. } = page?;
    let aggregate_only = headers
        .get(GPC)
        .is_some_and(|value| value.as_bytes().trim_ascii() == b"1");
    let now = jiff::Timestamp::now();
    let mut fields = FieldErrors::new();
    let mut kept = Vec::new();
    for (index, event) in events.iter().enumerate() {
        match BrowserEvent::parse(event, now) {
            Ok(event) => kept.push((index, event)),
            Err(refused) => {
                for refusal in refused {
                    let field = format!("events[{index}]{}", refusal.pointer);
                    let mut messages = fields.remove(&field).unwrap_or_default();
                    messages.push(refusal.message);
                    fields.insert(field, messages);
                }
            }
        }
    }
    let site_key = site.key.clone();
    let to_write: Vec<BrowserEvent> = kept.iter().map(|(_, e)| e.clone()).collect();
    if !to_write.is_empty() {
        state
            .store
            .write(move |tx| {
                for event in &to_write {
                    if aggregate_only {
                        tx.count_experience_event(&site_key, &event.day(), event.measure().name())?;
                    } else {
                        tx.insert_experience_event(&site_key, &event.stored())?;
                    }
                }
                Ok::<_, AppError>(())
            })
            .await?;
    }
    let accepted: Vec<usize> = kept.into_iter().map(|(index, _)| index).collect();
    let status = if accepted.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::ACCEPTED
    };
    let refused = if fields.is_empty() {
        ErrorBody::new(format!("{} events kept.", accepted.len()))
    } else {
        let mut body = ErrorBody::with_fields(fields);
        body.message = format!(
            "{} of {} events refused: fix the fields named and send those again.",
            events.len() - accepted.len(),
            events.len()
        );
        body
    };
    Ok((status, axum::Json(Answer { accepted, refused })).into_response())
}

/// The offer the loader's beacon reports (`offered=SESSION&at=MS` in the query, no body), if it is one.
fn offer_beacon(uri: &Uri, body: &[u8]) -> Result<Option<Value>, AppError> {
    #[derive(serde::Deserialize)]
    struct Beacon {
        offered: Option<String>,
        at: Option<String>,
    }
    let Ok(axum::extract::Query(Beacon { offered, at })) =
        axum::extract::Query::<Beacon>::try_from_uri(uri)
    else {
        return Ok(None);
    };
    let Some(session) = offered else {
        return Ok(None);
    };
    if !body.trim_ascii().is_empty() {
        return Err(AppError::BadRequest(
            "An offer beacon (?offered=SESSION&at=MS) has no body: send a batch without `offered`, or the beacon without a body."
                .to_owned(),
        ));
    }
    let token = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    if session.is_empty() || session.len() > 64 || !session.bytes().all(token) {
        let mut body = ErrorBody::new("The offer beacon's session id is not one the loader makes.");
        body.fields.insert(
            "offered".to_owned(),
            vec!["Required: the widget's session id, 1 to 64 letters, digits, - or _.".to_owned()],
        );
        return Err(AppError::Invalid(body));
    }
    let at = at
        .and_then(|at| at.parse::<i64>().ok())
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok());
    let Some(at) = at else {
        let mut body = ErrorBody::new("The offer beacon's time is missing or not a time.");
        body.fields.insert(
            "at".to_owned(),
            vec!["Required: the offer's time in Unix milliseconds (Date.now()).".to_owned()],
        );
        return Err(AppError::Invalid(body));
    };
    Ok(Some(super::event::offered(&session, at)))
}

/// The events of a batch body: a JSON object whose `events` is an array of 1 to [`MAX_EVENTS`].
fn batch(body: &[u8]) -> Result<Vec<Value>, AppError> {
    #[derive(serde::Deserialize)]
    struct Batch {
        events: Vec<Value>,
    }
    let Batch { events } = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("{e}; send {{\"events\": [...]}}")))?;
    if events.is_empty() || events.len() > MAX_EVENTS {
        let mut body = ErrorBody::new(format!("Send 1 to {MAX_EVENTS} events in a batch."));
        body.fields.insert(
            "events".to_owned(),
            vec![format!("Holds {}; send 1 to {MAX_EVENTS}.", events.len())],
        );
        return Err(AppError::Invalid(body));
    }
    Ok(events)
}
