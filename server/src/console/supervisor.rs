//! The supervisor view (supervisors and admins): `GET /console/api/supervisor`, who is Available, Busy
//! or Offline, what each holds and what waits in each queue; and `POST /console/api/supervisor/take-back`,
//! an item taken back to its queue, to be offered again (see `callbacks::offers`).

use axum::extract::State;
use contact_shared::console::supervisor::{
    Floor, Held, Holding, Oldest, OnFloor, QueueFloor, TakenBack, nobody_available,
};
use jiff::Timestamp;
use serde_json::{Map, Value};

use super::{ConsoleError, Signed, text};
use crate::callbacks::offers::{SEEN_WITHIN_MS, presence_now};
use crate::error::{AppError, Json};
use crate::instant::{parse, plus_seconds, stored, wire};
use crate::store::Store;

const ONLY: &str = "Only supervisors and admins see the supervisor view and take items back.";

/// Whole seconds from `since` (stored format) to `now`, none below zero.
fn seconds_since(since: &str, now: Timestamp) -> u64 {
    parse(since).map_or(0, |since| {
        u64::try_from(now.as_second() - since.as_second()).unwrap_or(0)
    })
}

/// `GET /console/api/supervisor`: the floor at this moment, read in one transaction.
pub async fn floor(
    State(store): State<Store>,
    signed: Signed,
) -> Result<axum::Json<Floor>, AppError> {
    signed.supervises(ONLY)?;
    let now = Timestamp::now();
    let floor = store
        .read(move |db| {
            let (at, now_ms) = (stored(now), now.as_millisecond());
            let holds = db.floor_holds()?;
            let people = db
                .floor_people(crate::ids::SITE_GUEST_USER_ID)?
                .into_iter()
                .map(|person| OnFloor {
                    holds: holds
                        .iter()
                        .filter(|h| h.user_id == person.id)
                        .map(|h| Held {
                            offer_id: h.offer_id,
                            request_id: h.request_id.clone(),
                            name: h.name.clone(),
                            queue_id: h.queue_id.clone(),
                            queue_name: h.queue_name.clone(),
                            holding: if h.accepted {
                                Holding::Accepted
                            } else {
                                Holding::Offered
                            },
                            since: wire(h.answered_at.as_deref().unwrap_or(&h.offered_at)),
                            seconds_left: (!h.accepted).then(|| {
                                u32::try_from(((h.expires_at_ms - now_ms).max(0) + 999) / 1_000)
                                    .unwrap_or(0)
                            }),
                        })
                        .collect(),
                    presence: presence_now(person.state, person.seen_at_ms, now_ms),
                    id: person.id,
                    name: person.name,
                    username: person.username,
                    role: person.role,
                    capacity: person.capacity,
                })
                .collect();
            let mut queues = Vec::new();
            for queue in db.floor_queues(&at)? {
                let oldest = match queue.waiting {
                    0 => None,
                    _ => db.oldest_waiting(&queue.id, &at)?,
                };
                let cooled_since = stored(plus_seconds(now, -queue.cooldown_seconds));
                let takers = db.takers(
                    &queue.id,
                    oldest.as_ref().map(|o| o.request_id.as_str()),
                    now_ms - SEEN_WITHIN_MS,
                    &cooled_since,
                )?;
                queues.push(QueueFloor {
                    nobody_available: nobody_available(queue.waiting, takers),
                    id: queue.id,
                    name: queue.name,
                    waiting: queue.waiting,
                    oldest: oldest.map(|o| Oldest {
                        wait_seconds: seconds_since(&o.due_at, now),
                        request_id: o.request_id,
                        name: o.name,
                    }),
                    offered: queue.offered,
                    takers,
                });
            }
            Ok(Floor { people, queues })
        })
        .await?;
    Ok(axum::Json(floor))
}

/// `POST /console/api/supervisor/take-back` with `{"offerId", "held"?: "offered" | "accepted"}`: an
/// open offer is withdrawn, an accepted request still open is returned to the queue it came from (its
/// owner change written as every owner change is); either way its representative is not offered it
/// again for the queue's cool-down. 200 with the request; 409 when the item is no longer held (or no
/// longer held as `held` says, such as an offer accepted meanwhile); 404 for no such offer.
pub async fn take_back(
    State(store): State<Store>,
    signed: Signed,
    Json(body): Json<Map<String, Value>>,
) -> Result<axum::Json<TakenBack>, AppError> {
    let by = signed.supervises(ONLY)?.user_id.as_str().to_owned();
    let offer_id = match body.get("offerId") {
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    }
    .ok_or_else(|| {
        ConsoleError::Field(
            "offerId",
            "offerId must be the number of an offer, as the supervisor view lists it".into(),
        )
    })?;
    let seen = match text(&body, "held")? {
        None => None,
        Some(name) => Some(Holding::parse(&name).ok_or_else(|| {
            ConsoleError::Field("held", "held must be offered or accepted".into())
        })?),
    };
    let at = stored(Timestamp::now());
    let taken = store
        .write(move |tx| {
            let no_such = || AppError::from(ConsoleError::NoSuch(format!("There is no offer {offer_id}.")));
            let offer = tx.offer(offer_id)?.ok_or_else(no_such)?;
            // The request's lock first, as an accept and a claim take it: what follows reads what the
            // one before committed, so an accept and a take-back at once have one winner.
            let request = tx.claimed(&offer.request_id)?.ok_or_else(no_such)?;
            let offer = tx.offer(offer_id)?.ok_or_else(no_such)?;
            let holding = match offer.state.as_str() {
                "open" => Some(Holding::Offered),
                "accepted"
                    if request.owner_id == offer.user_id
                        && !request.is_deleted
                        && crate::callbacks::status::is_open(&request.status) =>
                {
                    Some(Holding::Accepted)
                }
                _ => None,
            };
            let moved = |now: Option<Holding>| {
                let said = match now {
                    Some(Holding::Accepted) => format!(
                        "{} was accepted meanwhile: it is its representative's now. Take it back again to return it to its queue.",
                        request.name
                    ),
                    _ => format!(
                        "{} is no longer held there: its offer ended or the request moved on meanwhile.",
                        request.name
                    ),
                };
                AppError::from(ConsoleError::Conflict(said))
            };
            let held = match holding {
                Some(now) if seen.is_none_or(|seen| seen == now) => now,
                now => return Err(moved(now)),
            };
            match held {
                Holding::Offered => {
                    if !tx.take_back_offer(offer_id, &by, &at)? {
                        return Err(moved(None));
                    }
                }
                Holding::Accepted => {
                    tx.return_to_queue(&offer.request_id, &offer.queue_id, &by, &at)?;
                    tx.record_owner_moved(&offer.request_id, &by, &offer.user_id)?;
                    tx.mark_taken_back(offer_id, &by, &at)?;
                }
            }
            Ok(TakenBack {
                request_id: offer.request_id,
                name: request.name.clone(),
                queue_id: offer.queue_id,
                from: offer.user_id,
                held,
            })
        })
        .await?;
    Ok(axum::Json(taken))
}
