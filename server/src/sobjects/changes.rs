//! getUpdated and getDeleted: the ids of records changed or deleted in a time window, for replication.

use axum::extract::{Query, State};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiState, ApiVersion, SfError, stored_object};
use crate::access::{Caller, Visibility};
use crate::instant::{self, now, stored, wire as wire_datetime};
use crate::salesforce::SfPath as Path;

#[derive(Debug, Deserialize)]
pub struct Window {
    start: Option<String>,
    end: Option<String>,
}

fn moment(name: &str, value: Option<&str>) -> Result<Timestamp, SfError> {
    let value = value.ok_or_else(|| {
        SfError::bad_request(
            "MISSING_ARGUMENT",
            format!("{name} is required, as 2024-05-01T00:00:00+00:00"),
        )
    })?;
    instant::parse(value).ok_or_else(|| {
        SfError::bad_request(
            "INVALID_REPLICATION_DATE",
            format!(
                "{name} must be a date and time such as 2024-05-01T00:00:00+00:00, not {value:?}"
            ),
        )
    })
}

/// The window as stored moments; the end is capped at now, which is what the answer says it covered.
fn window(query: &Window) -> Result<(String, String), SfError> {
    let start = moment("start", query.start.as_deref())?;
    let end = moment("end", query.end.as_deref())?;
    if end <= start {
        return Err(SfError::bad_request(
            "INVALID_REPLICATION_DATE",
            "end must be later than start",
        ));
    }
    let end = stored(end).min(now());
    Ok((stored(start), end))
}

/// `GET sobjects/{object}/updated/?start=&end=`: ids of live records changed in the window.
pub async fn updated(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<Window>,
) -> Result<axum::Json<Value>, SfError> {
    let object = stored_object(&name, &version)?;
    let (start, end) = window(&query)?;
    let latest = end.clone();
    let ids = state
        .store
        .read(move |db| {
            let visible = Visibility::of(db, &caller)?.filter(object);
            db.updated_ids(object.storage(), &start, &end, visible.as_ref())
        })
        .await?;
    Ok(axum::Json(json!({
        "ids": ids,
        "latestDateCovered": wire_datetime(&latest),
    })))
}

/// `GET sobjects/{object}/deleted/?start=&end=`: records moved to the recycle bin in the window.
pub async fn deleted(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<Window>,
) -> Result<axum::Json<Value>, SfError> {
    let object = stored_object(&name, &version)?;
    let (start, end) = window(&query)?;
    let latest = end.clone();
    let (records, earliest) = state
        .store
        .read(move |db| {
            let visible = Visibility::of(db, &caller)?.filter(object);
            let records = db.deleted_records(object.storage(), &start, &end, visible.as_ref())?;
            // Nothing is purged from the recycle bin, so deletions are known from the first record on.
            Ok((records, db.first_created(object.storage())?))
        })
        .await?;
    let records: Vec<Value> = records
        .into_iter()
        .map(|r| json!({ "id": r.id, "deletedDate": wire_datetime(&r.deleted_at) }))
        .collect();
    Ok(axum::Json(json!({
        "deletedRecords": records,
        "earliestDateAvailable": wire_datetime(&earliest.unwrap_or_else(now)),
        "latestDateCovered": wire_datetime(&latest),
    })))
}
