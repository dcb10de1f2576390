//! The routing view: the next routable callbacks of a queue or representative (due now, earliest
//! scheduled first, then oldest), and the claim that makes a representative the owner — atomically, on
//! the one writer, so two representatives can never both win the same request.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::access::{Caller, Visibility};
use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::ids;
use crate::instant::{now, wire as wire_datetime};
use crate::salesforce::SfPath as Path;
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
        None => caller.user_id.as_str().to_owned(),
        Some(raw) => record_id::to_18(raw)
            .filter(|id| id.starts_with(ids::QUEUE_PREFIX) || id.starts_with(ids::USER_PREFIX))
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
    let rows = store
        .read(move |db| {
            // A representative routes the owners whose every request they see: their own, their
            // queues', a sharing rule's (or all, by the organisation-wide default).
            if !Visibility::of(db, &caller)?.sees_owner(&owner) {
                return Ok(None);
            }
            db.routable(&owner, &now(), limit).map(Some)
        })
        .await?
        .ok_or_else(|| {
            SfError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_ACCESS_OR_READONLY",
                "a representative sees the routable requests of themselves and of their queues only",
            )
        })?;
    let records: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "Id": r.id,
                "Name": r.name,
                "Status": r.status,
                "PreferredPhone": r.preferred_phone,
                "IsCallback": r.is_callback,
                "ScheduledRoutingDateTime__c": r.scheduled_routing_at.as_deref().map(wire_datetime),
                "CreatedDate": wire_datetime(&r.created_at),
                "OwnerId": r.owner_id,
                "CallAttempts__c": r.call_attempts,
                "VoiceCallId__c": r.voice_call_id,
            })
        })
        .collect();
    Ok(axum::Json(
        json!({ "totalSize": records.len(), "records": records }),
    ))
}

/// Why a claim lost.
fn conflict(message: String) -> SfError {
    SfError::new(StatusCode::CONFLICT, "ENTITY_IS_LOCKED", message)
}

/// `POST /services/apexrest/callbacks/{id}/claim`: the caller becomes the owner of a due, open request
/// that a queue owns (or that the caller already owns). 200 with the request, 409 when someone else won;
/// 404 for a request the caller does not see (a representative: one of another queue or person).
pub async fn claim(
    State(store): State<Store>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, SfError> {
    let id = record_id::of_object(&raw, crate::ids::CONTACT_REQUEST_PREFIX)
        .ok_or_else(|| SfError::malformed_id("Contact Request ID", &raw))?;
    let user = caller.user_id.clone();
    let answer = store
        .write(move |tx| {
            let at = now();
            let seen = Visibility::of(tx, &caller)?;
            let Some(row) = tx.claimed(id.as_str())? else {
                return Err(SfError::not_found());
            };
            // Whoever may edit the request claims it: 404 when they do not see it, 403 when they
            // only read it.
            seen.check_edits(tx, &CONTACT_REQUEST, id.as_str())?;
            let (name, status, owner) = (row.name, row.status, row.owner_id);
            if row.is_deleted {
                return Err(SfError::new(
                    StatusCode::NOT_FOUND,
                    "ENTITY_IS_DELETED",
                    "entity is deleted",
                ));
            }
            if owner == user.as_str() {
                return Ok(json!({ "Id": id, "Name": name, "OwnerId": user, "Status": status }));
            }
            if !super::status::is_open(&status) {
                return Err(conflict(format!(
                    "{name} is {status}; only New and Attempted requests can be claimed"
                )));
            }
            if !owner.starts_with(ids::QUEUE_PREFIX) {
                return Err(conflict(format!("{name} was already claimed by {owner}")));
            }
            if let Some(due) = row.scheduled_routing_at.filter(|s| *s > at) {
                return Err(conflict(format!(
                    "{name} is not due until {}",
                    wire_datetime(&due)
                )));
            }
            tx.assign_owner(id.as_str(), user.as_str(), &at)?;
            tx.record_owner_moved(id.as_str(), user.as_str(), &owner)?;
            Ok(json!({ "Id": id, "Name": name, "OwnerId": user, "Status": status }))
        })
        .await?;
    Ok(axum::Json(answer))
}
