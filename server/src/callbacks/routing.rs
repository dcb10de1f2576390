//! The routing view: the next routable callbacks of a queue or representative (due now, earliest
//! scheduled first, then oldest), and the claim that makes a representative the owner — atomically, on
//! the one writer, so two representatives can never both win the same request.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::access::Caller;
use crate::salesforce::SfPath as Path;
use crate::salesforce::rows::{now, wire_datetime};
use crate::salesforce::{SfError, record_id};
use crate::store::Store;

/// `?owner=` (a queue 00G… or a user 005…, the caller by default) and `?limit=` (1–200, 20).
#[derive(Debug, Deserialize)]
pub struct RoutableQuery {
    owner: Option<String>,
    limit: Option<u32>,
}

/// `GET /services/apexrest/callbacks/routable`.
pub async fn routable(
    State(store): State<Store>,
    caller: Caller,
    Query(query): Query<RoutableQuery>,
) -> Result<axum::Json<Value>, SfError> {
    let owner = match query.owner.as_deref() {
        None => caller.user_id,
        Some(raw) => record_id::to_18(raw)
            .filter(|id| id.starts_with("00G") || id.starts_with("005"))
            .ok_or_else(|| {
                SfError::bad_request(
                    "MALFORMED_ID",
                    format!("owner must be a queue (00G…) or user (005…) id, not {raw:?}"),
                )
            })?,
    };
    let limit = query.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(SfError::bad_request(
            "INVALID_QUERY_FILTER_OPERATOR",
            "limit must be between 1 and 200",
        ));
    }
    let records = store
        .read_sql(move |conn| {
            let mut statement = conn.prepare(
                "SELECT id, name, status, preferred_phone, is_callback, scheduled_routing_at,
                        created_at, owner_id, call_attempts, voice_call_id
                   FROM contact_requests
                  WHERE owner_id = ?1 AND is_deleted = 0 AND status IN ('New', 'Attempted')
                    AND coalesce(scheduled_routing_at, created_at) <= ?2
                  ORDER BY coalesce(scheduled_routing_at, created_at), created_at, seq
                  LIMIT ?3",
            )?;
            let rows = statement.query_map(params![owner, now(), limit], |r| {
                let scheduled: Option<String> = r.get(5)?;
                let created: String = r.get(6)?;
                Ok(json!({
                    "Id": r.get::<_, String>(0)?,
                    "Name": r.get::<_, String>(1)?,
                    "Status": r.get::<_, String>(2)?,
                    "PreferredPhone": r.get::<_, Option<String>>(3)?,
                    "IsCallback": r.get::<_, bool>(4)?,
                    "ScheduledRoutingDateTime__c": scheduled.as_deref().map(wire_datetime),
                    "CreatedDate": wire_datetime(&created),
                    "OwnerId": r.get::<_, String>(7)?,
                    "CallAttempts__c": r.get::<_, i64>(8)?,
                    "VoiceCallId__c": r.get::<_, Option<String>>(9)?,
                }))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
    Ok(axum::Json(
        json!({ "totalSize": records.len(), "records": records }),
    ))
}

/// Why a claim lost.
fn conflict(message: String) -> SfError {
    SfError::new(StatusCode::CONFLICT, "ENTITY_IS_LOCKED", message)
}

/// `POST /services/apexrest/callbacks/{id}/claim`: the caller becomes the owner of a due, open request
/// that a queue owns (or that the caller already owns). 200 with the request, 409 when someone else won.
pub async fn claim(
    State(store): State<Store>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, SfError> {
    let id = record_id::of_object(&raw, crate::ids::CONTACT_REQUEST_PREFIX)
        .ok_or_else(|| SfError::malformed_id("Contact Request ID", &raw))?;
    let user = caller.user_id;
    let answer = store
        .write_sql(move |tx| {
            let at = now();
            let row: Option<(String, String, String, bool, Option<String>)> = tx
                .query_row(
                    "SELECT name, status, owner_id, is_deleted, scheduled_routing_at
                       FROM contact_requests WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((name, status, owner, deleted, scheduled)) = row else {
                return Ok(Err(SfError::not_found()));
            };
            if deleted {
                return Ok(Err(SfError::new(
                    StatusCode::NOT_FOUND,
                    "ENTITY_IS_DELETED",
                    "entity is deleted",
                )));
            }
            if owner == user {
                return Ok(Ok(json!({ "Id": id, "Name": name, "OwnerId": user, "Status": status })));
            }
            if !super::status::is_open(&status) {
                return Ok(Err(conflict(format!("{name} is {status}; only New and Attempted requests can be claimed"))));
            }
            if !owner.starts_with("00G") {
                return Ok(Err(conflict(format!("{name} was already claimed by {owner}"))));
            }
            if let Some(due) = scheduled.filter(|s| *s > at) {
                return Ok(Err(conflict(format!("{name} is not due until {}", wire_datetime(&due)))));
            }
            tx.execute(
                "UPDATE contact_requests SET owner_id = ?1, last_modified_by_id = ?1, updated_at = ?2,
                        system_modstamp = ?2 WHERE id = ?3",
                params![user, at, id],
            )?;
            Ok(Ok(json!({ "Id": id, "Name": name, "OwnerId": user, "Status": status })))
        })
        .await??;
    Ok(axum::Json(answer))
}
