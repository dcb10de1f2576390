//! Releasing junk bookings in bulk: a representative closes open bookings (a chosen callback time still
//! ahead) as Abandoned, which frees their places in the call center's slots at once. The same selection
//! serves the API route (`POST /services/apexrest/callbacks/release`) and the `callbacks release`
//! subcommand.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::access::Caller;
use crate::instant::now;
use crate::salesforce::{SfError, json_body, record_id};
use crate::store::{Bookings, Store, StoreError};

/// The most requests one call releases by id, as the routing view's largest page.
pub const MAX_IDS: usize = 200;

/// Which open bookings to release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These contact requests (18-character ids), 1 to [`MAX_IDS`] of them.
    Ids(Vec<String>),
    /// Every booking a visitor made through the intake at or after this instant (stored format): what a
    /// flood of junk bookings leaves behind.
    BookedSince(String),
}

impl Selection {
    /// The requests with these ids (15 or 18 characters).
    pub fn ids(raw: &[String]) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > MAX_IDS {
            return Err(format!("name 1 to {MAX_IDS} contact request ids"));
        }
        raw.iter()
            .map(|id| {
                record_id::of_object(id, crate::ids::CONTACT_REQUEST_PREFIX)
                    .map(crate::ids::RecordId::into_string)
                    .ok_or_else(|| format!("{id:?} is not a contact request id"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Ids)
    }

    /// The bookings made at or after `text`, an ISO 8601 date and time with a zone.
    pub fn booked_since(text: &str) -> Result<Self, String> {
        crate::salesforce::values::parse_datetime(text)
            .map(Self::BookedSince)
            .ok_or_else(|| {
                format!(
                    "{text:?} is not an ISO 8601 date and time with a zone, such as 2026-02-26T15:40:52Z"
                )
            })
    }
}

/// Closes the selected open bookings as Abandoned (modified by `by`, when a user is known) and answers
/// their ids. Requests that are not open bookings (closed, deleted, or without a time ahead) are left as
/// they are.
pub async fn release(
    store: &Store,
    selection: Selection,
    by: Option<String>,
) -> Result<Vec<String>, StoreError> {
    store
        .write(move |tx| {
            let bookings = match &selection {
                Selection::Ids(ids) => Bookings::Ids(ids),
                // Only the intake's bookings: a provider's scheduled callbacks are not visitors' junk.
                Selection::BookedSince(since) => Bookings::IntakeSince(since),
            };
            tx.release_bookings(bookings, by.as_deref(), &now())
        })
        .await
}

/// `POST /services/apexrest/callbacks/release` with `{"ids": [...]}` or `{"bookedSince": "…Z"}`: closes
/// those open bookings as Abandoned and answers `{"released": n, "ids": [...]}`. Supervisors and admins
/// only: it reaches requests whoever owns them.
pub async fn release_route(
    State(store): State<Store>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, SfError> {
    if !caller.role.sees_everything() {
        return Err(SfError::new(
            axum::http::StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "only supervisors and admins release bookings in bulk",
        ));
    }
    let body = json_body(&headers, &body)?;
    let selection =
        selection(&body).map_err(|message| SfError::bad_request("INVALID_FIELD", message))?;
    let ids = release(&store, selection, Some(caller.user_id.as_str().to_owned())).await?;
    Ok(axum::Json(json!({ "released": ids.len(), "ids": ids })))
}

/// The selection a body names: exactly one of `ids` (strings) and `bookedSince` (a string).
fn selection(body: &Value) -> Result<Selection, String> {
    const SAY: &str =
        "send {\"ids\": [\"a0C…\", …]} or {\"bookedSince\": \"2026-02-26T15:40:52Z\"}";
    let Value::Object(map) = body else {
        return Err(format!("the body must be a JSON object: {SAY}"));
    };
    match (map.get("ids"), map.get("bookedSince")) {
        (Some(Value::Array(ids)), None) => {
            let ids = ids
                .iter()
                .map(|id| id.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| "ids must be strings".to_owned())?;
            Selection::ids(&ids)
        }
        (None, Some(Value::String(since))) => Selection::booked_since(since),
        _ => Err(format!("name the bookings to release: {SAY}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_selection_is_ids_or_a_time_and_each_mistake_says_what_to_send() {
        let id = crate::ids::new_id(crate::ids::CONTACT_REQUEST_PREFIX);
        assert_eq!(
            selection(&json!({"ids": [id.clone()]})),
            Ok(Selection::Ids(vec![id.clone()]))
        );
        assert_eq!(
            selection(&json!({"bookedSince": "2026-02-26T15:40:52Z"})),
            Ok(Selection::BookedSince("2026-02-26T15:40:52.000Z".into()))
        );
        let too_many: Vec<String> = (0..=MAX_IDS).map(|_| id.clone()).collect();
        let table = [
            (json!([]), "the body must be a JSON object", "not an object"),
            (json!({}), "name the bookings to release", "nothing named"),
            (
                json!({"ids": [id.clone()], "bookedSince": "2026-02-26T15:40:52Z"}),
                "name the bookings to release",
                "both",
            ),
            (json!({"ids": []}), "name 1 to 200", "no ids"),
            (json!({"ids": too_many}), "name 1 to 200", "too many ids"),
            (json!({"ids": [7]}), "ids must be strings", "a number"),
            (
                json!({"ids": ["005000000000001AAA"]}),
                "is not a contact request id",
                "a user's id",
            ),
            (
                json!({"bookedSince": "yesterday"}),
                "is not an ISO 8601 date and time",
                "not a time",
            ),
        ];
        for (body, says, why) in table {
            let error = selection(&body).unwrap_err();
            assert!(error.contains(says), "{why}: {error}");
        }
    }
}
