//! getUpdated and getDeleted: the ids of records changed or deleted in a time window, for replication.

use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ApiState, SfError, object_named};
use crate::access::Caller;
use crate::salesforce::SfPath as Path;
use crate::salesforce::rows::{now, stored, wire_datetime};

#[derive(Debug, Deserialize)]
pub struct Window {
    start: Option<String>,
    end: Option<String>,
}

fn moment(name: &str, value: Option<&str>) -> Result<OffsetDateTime, SfError> {
    let value = value.ok_or_else(|| {
        SfError::bad_request(
            "MISSING_ARGUMENT",
            format!("{name} is required, as 2024-05-01T00:00:00+00:00"),
        )
    })?;
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
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
    _caller: Caller,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<Window>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name)?;
    let (start, end) = window(&query)?;
    let latest = end.clone();
    let ids = state
        .store
        .read_sql(move |conn| {
            let sql = format!(
                "SELECT id FROM {} WHERE is_deleted = 0 AND system_modstamp >= ?1 AND system_modstamp < ?2
                  ORDER BY system_modstamp, seq",
                object.table
            );
            let mut statement = conn.prepare(&sql)?;
            statement
                .query_map([start, end], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
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
    _caller: Caller,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<Window>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name)?;
    let (start, end) = window(&query)?;
    let latest = end.clone();
    let (records, earliest) = state
        .store
        .read_sql(move |conn| {
            let sql = format!(
                "SELECT id, deleted_at FROM {} WHERE is_deleted = 1 AND deleted_at >= ?1 AND deleted_at < ?2
                  ORDER BY deleted_at, seq",
                object.table
            );
            let mut statement = conn.prepare(&sql)?;
            let records = statement
                .query_map([start, end], |row| {
                    let deleted_at: String = row.get(1)?;
                    Ok(json!({ "id": row.get::<_, String>(0)?, "deletedDate": wire_datetime(&deleted_at) }))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            // Nothing is purged from the recycle bin, so deletions are known from the first record on.
            let earliest: Option<String> = conn.query_row(
                &format!("SELECT min(created_at) FROM {}", object.table),
                [],
                |row| row.get(0),
            )?;
            Ok((records, earliest))
        })
        .await?;
    Ok(axum::Json(json!({
        "deletedRecords": records,
        "earliestDateAvailable": wire_datetime(&earliest.unwrap_or_else(now)),
        "latestDateCovered": wire_datetime(&latest),
    })))
}
