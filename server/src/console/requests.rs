//! A request's notes and history: `POST /console/api/requests/{id}/notes` keeps a note (and tells the
//! live feed, in the same transaction), `GET /console/api/requests/{id}/history` answers the status
//! changes, owner changes and notes, newest first. Both only for a request the caller sees.

use axum::extract::State;
use axum::http::StatusCode;
use contact_shared::console::HistoryEntry;

use super::{ConsoleError, Signed, required};
use crate::access::{Caller, Visibility};
use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::error::{AppError, Json, Path};
use crate::ids;
use crate::instant::now;
use crate::salesforce::record_id;
use crate::store::{Db, Store, StoreError};

/// The longest note, in characters after trimming.
pub const MAX_NOTE: usize = 32_000;

/// The request `raw` names, if it exists and the caller sees it.
fn visible(db: &Db<'_>, caller: &Caller, raw: &str) -> Result<Option<String>, StoreError> {
    let Some(id) = record_id::of_object(raw, ids::CONTACT_REQUEST_PREFIX) else {
        return Ok(None);
    };
    let id = id.into_string();
    let exists = db.record_state(CONTACT_REQUEST.storage(), &id)?.is_some();
    let seen = exists && Visibility::of(db, caller)?.sees(db, &CONTACT_REQUEST, &id)?;
    Ok(seen.then_some(id))
}

/// `POST /console/api/requests/{id}/notes` with a `NewNote`: 201 with the note as the history shows it.
pub async fn add_note(
    State(store): State<Store>,
    signed: Signed,
    Path(raw): Path<String>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<(StatusCode, axum::Json<HistoryEntry>), AppError> {
    let note = required(&body, "body", MAX_NOTE)?;
    let caller = signed.0;
    let entry = store
        .write(move |tx| {
            let Some(id) = visible(tx, &caller, &raw)? else {
                return Err(AppError::from(ConsoleError::NotFound));
            };
            let by = caller.user_id.as_str();
            let entry = tx.insert_note(&id, &note, by, &now())?;
            tx.record_updated(&id, by, None)?;
            Ok(entry)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(entry)))
}

/// `GET /console/api/requests/{id}/history`: status changes, owner changes and notes, newest first.
pub async fn history(
    State(store): State<Store>,
    Signed(caller): Signed,
    Path(raw): Path<String>,
) -> Result<axum::Json<Vec<HistoryEntry>>, AppError> {
    let entries = store
        .read(move |db| match visible(db, &caller, &raw)? {
            Some(id) => db.history(&id).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok(axum::Json(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_between_one_and_32000_characters() {
        let table = [
            ("  Left a voicemail \n", Some("Left a voicemail"), "trimmed"),
            ("   ", None, "only spaces"),
            ("", None, "empty"),
        ];
        for (given, expected, why) in table {
            let body = serde_json::json!({ "body": given });
            let found = required(body.as_object().unwrap(), "body", MAX_NOTE).ok();
            assert_eq!(found.as_deref(), expected, "{why}");
        }
        let longest = "é".repeat(MAX_NOTE);
        let body = serde_json::json!({ "body": longest });
        assert!(required(body.as_object().unwrap(), "body", MAX_NOTE).is_ok());
        let body = serde_json::json!({ "body": format!("{longest}x") });
        assert!(required(body.as_object().unwrap(), "body", MAX_NOTE).is_err());
        let body = serde_json::json!({ "body": 5 });
        assert!(required(body.as_object().unwrap(), "body", MAX_NOTE).is_err());
    }
}
