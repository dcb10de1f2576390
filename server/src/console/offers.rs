//! A representative's presence and the offers push routing makes them (see `callbacks::offers`):
//! `GET`/`PUT /console/api/presence`, `GET /console/api/offers`, `POST /console/api/offers/{id}/accept`
//! (the claim: they become the owner) and `.../decline`; and an admin's
//! `PUT /console/api/admin/users/{id}/capacity`.

use axum::extract::State;
use axum::http::StatusCode;
use contact_shared::console::{Offer, Presence, PresenceState};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{ConsoleError, Signed, text};
use crate::error::{AppError, Json, Path};
use crate::instant::{stored, wire};
use crate::store::{PresenceRow, Store};

type Body = Json<serde_json::Map<String, Value>>;

fn state_of(row: Option<PresenceRow>) -> PresenceState {
    let row = row.unwrap_or(PresenceRow {
        state: Presence::Offline,
        capacity: 1,
    });
    PresenceState {
        state: row.state,
        capacity: row.capacity,
    }
}

/// `GET /console/api/presence`: mine (Offline before it is first set).
pub async fn presence(
    State(store): State<Store>,
    Signed(caller): Signed,
) -> Result<axum::Json<PresenceState>, AppError> {
    let row = store
        .read(move |db| db.presence(caller.user_id.as_str()))
        .await?;
    Ok(axum::Json(state_of(row)))
}

/// `PUT /console/api/presence` with `{"state": "available" | "busy" | "offline"}`.
pub async fn set_presence(
    State(store): State<Store>,
    Signed(caller): Signed,
    Json(body): Body,
) -> Result<axum::Json<PresenceState>, AppError> {
    let state = text(&body, "state")?
        .and_then(|name| Presence::parse(&name))
        .ok_or_else(|| {
            ConsoleError::Field("state", "state must be available, busy or offline".into())
        })?;
    let now = Timestamp::now();
    let row = store
        .write(move |tx| {
            tx.set_presence(
                caller.user_id.as_str(),
                state,
                &stored(now),
                now.as_millisecond(),
            )
        })
        .await?;
    Ok(axum::Json(state_of(Some(row))))
}

/// `GET /console/api/offers`: my open offers, soonest to end first.
pub async fn offers(
    State(store): State<Store>,
    Signed(caller): Signed,
) -> Result<axum::Json<Vec<Offer>>, AppError> {
    let now_ms = Timestamp::now().as_millisecond();
    let rows = store
        .read(move |db| db.open_offers_of(caller.user_id.as_str(), now_ms))
        .await?;
    let offers = rows
        .into_iter()
        .map(|o| Offer {
            id: o.id,
            request_id: o.request_id,
            name: o.name,
            reason: o.reason,
            phone: o.phone,
            visitor_name: o.visitor_name,
            scheduled: o.scheduled.as_deref().map(wire),
            is_callback: o.is_callback,
            queue_name: o.queue_name,
            expires_at: Timestamp::from_millisecond(o.expires_at_ms)
                .map(|t| wire(&stored(t)))
                .unwrap_or_default(),
            seconds_left: u32::try_from(((o.expires_at_ms - now_ms).max(0) + 999) / 1_000)
                .unwrap_or(0),
        })
        .collect();
    Ok(axum::Json(offers))
}

fn ended() -> AppError {
    ConsoleError::Conflict(
        "This offer has ended: it ran out, or the request was taken or changed meanwhile.".into(),
    )
    .into()
}

/// `POST /console/api/offers/{id}/accept`: 200 `{"requestId", "isCallback", "phone", "callCenterId"}`
/// (the call center whose softphone URL dials it, or null), the caller now its
/// owner; 409 once the offer has ended; 404 for an offer that is not the caller's.
pub async fn accept(
    State(store): State<Store>,
    Signed(caller): Signed,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, AppError> {
    let id: i64 = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    let now = Timestamp::now();
    let answer = store
        .write(move |tx| {
            let user = caller.user_id.as_str();
            let at = stored(now);
            let Some(offer) = tx.offer(id)?.filter(|o| o.user_id == user) else {
                return Err(AppError::from(ConsoleError::NotFound));
            };
            if offer.state != "open" || offer.expires_at_ms <= now.as_millisecond() {
                return Err(ended());
            }
            let routable = tx.claimed(&offer.request_id)?.filter(|row| {
                !row.is_deleted
                    && crate::callbacks::status::is_open(&row.status)
                    && row.owner_id == offer.queue_id
                    && row
                        .scheduled_routing_at
                        .as_deref()
                        .is_none_or(|due| due <= at.as_str())
            });
            if routable.is_none() {
                tx.end_offer(id, "withdrawn", &at)?;
                return Err(ended());
            }
            // The offer's own row decides, after the request's lock: one ended meanwhile (run out, or
            // taken back by a supervisor) is not accepted, and this transaction changes nothing.
            if !tx.end_offer(id, "accepted", &at)? {
                return Err(ended());
            }
            tx.assign_owner(&offer.request_id, user, &at)?;
            tx.record_owner_moved(&offer.request_id, user, &offer.queue_id)?;
            let call = tx.offered_request(&offer.request_id)?.unwrap_or_default();
            Ok(json!({
                "requestId": offer.request_id, "isCallback": call.is_callback, "phone": call.phone,
                "callCenterId": call.call_center_id,
            }))
        })
        .await?;
    Ok(axum::Json(answer))
}

/// `POST /console/api/offers/{id}/decline`: 204; the offer passes to the next representative, and the
/// caller is not offered the request again for the queue's cool-down.
pub async fn decline(
    State(store): State<Store>,
    Signed(caller): Signed,
    Path(raw): Path<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    let now = stored(Timestamp::now());
    store
        .write(move |tx| {
            let Some(offer) = tx
                .offer(id)?
                .filter(|o| o.user_id == caller.user_id.as_str())
            else {
                return Err(AppError::from(ConsoleError::NotFound));
            };
            if !tx.end_offer(offer.id, "declined", &now)? {
                return Err(ended());
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /console/api/admin/users/{id}/capacity` with `{"capacity": 1..=20}` (admins): how many work items
/// the user holds at once.
pub async fn set_capacity(
    State(store): State<Store>,
    signed: Signed,
    Path(raw): Path<String>,
    Json(body): Body,
) -> Result<StatusCode, AppError> {
    let by = signed.admin()?.user_id.as_str().to_owned();
    let capacity = body
        .get("capacity")
        .and_then(Value::as_u64)
        .filter(|c| (1..=20).contains(c))
        .and_then(|c| u32::try_from(c).ok())
        .ok_or_else(|| {
            ConsoleError::Field(
                "capacity",
                "capacity must be a whole number from 1 to 20".into(),
            )
        })?;
    let at = stored(Timestamp::now());
    store
        .write(move |tx| {
            let Some(user) = tx
                .user_id(&raw)?
                .filter(|id| id != crate::ids::SITE_GUEST_USER_ID)
            else {
                return Err(AppError::from(ConsoleError::NotFound));
            };
            tx.set_capacity(&user, capacity, &by, &at)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
