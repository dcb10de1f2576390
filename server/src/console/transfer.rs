//! `POST /console/api/requests/{id}/transfer` with `{"to": QUEUE OR REPRESENTATIVE ID}`: the holder of a
//! callback (its owner, or a supervisor or admin) hands it on after reviewing it, and it is offered
//! there, as the references' preview callback allows ("transfer the call").
//! - **To a queue**: the queue becomes the owner; push routing offers it to that queue's members as any
//!   due request of the queue (`callbacks::offers`).
//! - **To a representative**: the request goes back to the queue it was taken from (the default queue
//!   when it came from none), and is offered to that representative at once, for the queue's offer
//!   timeout. Declined or left to run out, it is offered to the queue's members as usual. They must be
//!   Available, connected, and have room under their capacity; otherwise 409 says which.
//!
//! The representative who handed it on is not offered it again for the queue's cool-down, as after a
//! decline.
//!
//! A request not due yet is transferred to a queue only (an offer is for now). Someone who is neither
//! its holder nor a supervisor gets 403, or 404 when they do not see it at all.
//!
//! Either way the move is written as every owner change is (the owner history, `contact_request.assigned`,
//! the live feed), and the transfer is one transaction after the request's lock, so a transfer, an accept
//! and a take-back at once have one winner.

use axum::extract::State;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{ConsoleError, Signed, text};
use crate::access::Visibility;
use crate::callbacks::offers::presence_now;
use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::error::{AppError, Json, Path};
use crate::ids;
use crate::instant::stored;
use crate::salesforce::record_id;
use contact_shared::console::Presence;

/// What a transfer did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    pub request_id: String,
    /// The queue that owns the request now.
    pub queue_id: String,
    /// The representative it is offered to, for a transfer to one.
    pub offered_to: Option<String>,
    /// The direct offer's id.
    pub offer_id: Option<i64>,
}

fn field(message: impl Into<String>) -> AppError {
    ConsoleError::Field("to", message.into()).into()
}

pub async fn transfer(
    State(store): State<crate::store::Store>,
    Signed(caller): Signed,
    Path(raw): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Result<axum::Json<Transferred>, AppError> {
    let to = text(&body, "to")?.ok_or_else(|| {
        field("to must be the id of the queue or the representative to transfer the request to")
    })?;
    let id = record_id::of_object(&raw, ids::CONTACT_REQUEST_PREFIX)
        .ok_or(ConsoleError::NotFound)?
        .into_string();
    let now = Timestamp::now();
    let answer = store
        .write(move |tx| {
            let at = stored(now);
            let by = caller.user_id.as_str();
            // The request's lock first, as an accept, a claim and a take-back take it.
            let request = tx
                .claimed(&id)?
                .filter(|r| !r.is_deleted)
                .ok_or(ConsoleError::NotFound)?;
            let holder = request.owner_id == by;
            if !holder && !caller.role.sees_everything() {
                // Who does not see it is not told it exists.
                if !Visibility::of(tx, &caller)?.sees(tx, &CONTACT_REQUEST, &id)? {
                    return Err(AppError::from(ConsoleError::NotFound));
                }
                return Err(AppError::from(ConsoleError::Forbidden(format!(
                    "Only the representative who holds {} (or a supervisor) can transfer it.",
                    request.name
                ))));
            }
            if !crate::callbacks::status::is_open(&request.status) {
                return Err(ConsoleError::Conflict(format!(
                    "{} is {}: only an open request is transferred.",
                    request.name,
                    request.status.as_str()
                ))
                .into());
            }
            let queue = if to.starts_with(ids::QUEUE_PREFIX) {
                tx.queue_id(&to)?
                    .ok_or_else(|| field(format!("There is no queue {to}.")))?
            } else {
                match tx.queue_taken_from(&id, &request.owner_id)? {
                    Some(queue) => queue,
                    None if request.owner_id.starts_with(ids::QUEUE_PREFIX) => {
                        request.owner_id.clone()
                    }
                    None => tx.new_request_owner(None)?,
                }
            };
            let offered_to = if to.starts_with(ids::QUEUE_PREFIX) {
                None
            } else {
                let user = tx
                    .user(&to)?
                    .filter(|u| u.is_active && u.id != ids::SITE_GUEST_USER_ID)
                    .ok_or_else(|| field(format!("There is no active representative {to}.")))?;
                if user.id == request.owner_id {
                    return Err(field(format!("{} already holds {}.", user.name, request.name)));
                }
                // An offer is for now: routing would withdraw one of a request not yet due.
                if let Some(due) = request.scheduled_routing_at.as_deref().filter(|due| *due > at.as_str()) {
                    return Err(ConsoleError::Conflict(format!(
                        "{} is not due until {}: transfer it to a queue, where it is offered when it is due.",
                        request.name,
                        crate::instant::wire(due)
                    ))
                    .into());
                }
                let taker = tx.direct_taker(&user.id)?;
                let state = taker.map_or(Presence::Offline, |t| {
                    presence_now(t.set, t.seen_at_ms, now.as_millisecond())
                });
                let why = match state {
                    Presence::Available if taker.is_some_and(|t| t.room) => None,
                    Presence::Available => Some("holds as much as their capacity allows"),
                    Presence::Busy => Some("is Busy"),
                    Presence::Offline => Some("is Offline"),
                };
                if let Some(why) = why {
                    return Err(ConsoleError::Conflict(format!(
                        "{} {why}: transfer {} to a queue instead, or try again later.",
                        user.name, request.name
                    ))
                    .into());
                }
                Some(user.id)
            };
            if queue != request.owner_id {
                tx.return_to_queue(&id, &queue, by, &at)?;
                tx.record_owner_moved(&id, by, &request.owner_id)?;
                // Whoever handed it on is not offered it straight back.
                tx.mark_handed_on(&id, &request.owner_id, by, &at)?;
            }
            let offer_id = match &offered_to {
                Some(user) => {
                    let timeout = tx
                        .offer_settings(&queue)?
                        .map_or(contact_shared::console::OFFER_TIMEOUT.default, |s| {
                            s.timeout_seconds
                        });
                    let expires_at_ms = now.as_millisecond() + i64::from(timeout) * 1_000;
                    // Nobody holds an offer of it: it was its owner's, or a queue's with none open (a
                    // transfer of a request offered elsewhere is refused by the unique index, below).
                    Some(
                        tx.make_offer(&id, &queue, user, &at, expires_at_ms)?
                            .ok_or_else(|| {
                                AppError::from(ConsoleError::Conflict(format!(
                                    "{} is being offered to someone already: wait for their answer.",
                                    request.name
                                )))
                            })?,
                    )
                }
                None => None,
            };
            Ok(Transferred {
                request_id: id,
                queue_id: queue,
                offered_to,
                offer_id,
            })
        })
        .await?;
    Ok(axum::Json(answer))
}
