//! Writing a group commit's submissions: the work of one batch inside its one transaction.
//!
//! The fast path decides every submission first (new record, an answer its idempotency key already got,
//! or a refusal: its proof of work was spent, its callback slot is full or its phone number holds enough
//! bookings, counting what earlier rows of the batch take), then writes all new records, their keys and
//! their spent challenges with a few multi-row statements per table. One statement per row
//! would pay SQLite's per-statement costs for every row (not compiling, as statements are cached, but
//! opening a statement journal, copying each touched page into it and running the triggers' programs). If
//! a statement fails, the caller rolls the batch back and writes it again row by row ([`write_each`]),
//! each row in its own savepoint, so one bad row fails alone.

use std::collections::HashMap;

use contact_shared::{ContactRequestCreated, Status};
use rusqlite::{Connection, OptionalExtension, ToSql};

use super::idempotency::{self, IdempotencyKey, Inserted};
use super::multirow::{MultiRowInsert, bind};
use super::{SpentChallenge, StoreError, Submission, contact_requests};
use super::{experience_events, outbox, slots};
use crate::ids;

/// The contact requests a batch creates.
static CONTACT_REQUESTS: MultiRowInsert = MultiRowInsert::new(
    "INSERT INTO contact_requests
        (seq, id, request_reason, preferred_channel, preferred_phone, request_description, visitor_name,
         visitor_email, is_callback, source_origin, site_key, visitor_sub, owner_id, call_center_id,
         scheduled_routing_at, visitor_time_zone, visitor_locale,
         status, created_by_id, last_modified_by_id, created_at, updated_at, system_modstamp)
        VALUES",
    3,
    17,
    ", ?1, ?2, ?2, ?3, ?3, ?3",
);

/// The sent-request events of a batch's new requests (those that have one).
static SENT_EVENTS: MultiRowInsert =
    MultiRowInsert::new(experience_events::SENT_EVENT_COLUMNS, 0, 8, "");

/// What one submission of a batch comes to.
enum Planned<'a> {
    /// A new record: its index among the rows to write.
    New(usize),
    /// Its key was used before this batch, or its callback slot is full: the answer, and nothing to write.
    Answered(Inserted),
    /// Its key came earlier in this batch, with the submission at this index (and this key).
    SameKeyAs(usize, &'a IdempotencyKey, &'a IdempotencyKey),
}

/// A new record about to be written.
struct Row<'a> {
    seq: i64,
    id: String,
    owner_id: String,
    call_center_id: Option<String>,
    submission: &'a Submission,
}

/// Writes a batch on the fast path: one decision per submission, then a few statements for all of them.
/// Returns each submission's answer in order; any error means the caller must roll back.
pub(super) fn write_all(
    tx: &Connection,
    batch: &[(&Submission, Option<&IdempotencyKey>)],
) -> Result<Vec<Inserted>, StoreError> {
    // One time for the whole batch, in the stored format.
    let now = crate::instant::now();
    let mut next_seq = next_seq(tx)?;
    let mut owners: HashMap<Option<&str>, String> = HashMap::new();
    let mut centers: HashMap<&str, Option<String>> = HashMap::new();
    // Places this batch has taken so far in each booked slot, which the store cannot see yet.
    let mut booked: HashMap<(&str, &str), u32> = HashMap::new();
    // Open bookings this batch has made so far for each phone number.
    let mut phone_bookings: HashMap<&str, u32> = HashMap::new();
    let mut first_of_key: HashMap<(&str, &str, &str), (usize, &IdempotencyKey)> = HashMap::new();
    // Challenges spent earlier in this batch, with the key each was spent with.
    let mut nonces: HashMap<&str, Option<&str>> = HashMap::new();
    let mut rows = Vec::with_capacity(batch.len());
    let mut keys = Vec::new();
    let mut challenges = Vec::new();
    let mut planned = Vec::with_capacity(batch.len());
    for (index, &(submission, key)) in batch.iter().enumerate() {
        // A key's earlier answer comes first: a retry of a stored submission spent its proof on it.
        if let Some(key) = key {
            if let Some(&(first, first_key)) = first_of_key.get(&key.scoped()) {
                planned.push(Planned::SameKeyAs(first, key, first_key));
                continue;
            }
            if let Some(found) = idempotency::find(tx, key)? {
                planned.push(Planned::Answered(idempotency::replay(key, found)));
                continue;
            }
        }
        if let Some(spent) = &submission.spent_challenge {
            let spent_with = match nonces.get(spent.nonce.as_str()) {
                Some(key) => Some(key.map(str::to_owned)),
                None => challenge_spent(tx, &spent.nonce)?,
            };
            if let Some(spent_with) = spent_with {
                planned.push(Planned::Answered(Inserted::ProofSpent { spent_with }));
                continue;
            }
        }
        if let Some(booking) = &submission.booking {
            let slot = (booking.call_center.as_str(), booking.start.as_str());
            let earlier = booked.get(&slot).copied().unwrap_or(0);
            let taken = slots::taken(tx, &booking.call_center, &booking.start, &booking.end)?.len();
            if taken + earlier as usize >= booking.capacity as usize {
                planned.push(Planned::Answered(Inserted::SlotFull));
                continue;
            }
            let phone = submission.request.preferred_phone().map(|p| p.as_str());
            if let (Some(limit), Some(phone)) = (booking.per_phone, phone) {
                let in_batch = phone_bookings.get(phone).copied().unwrap_or(0);
                if open_bookings(tx, phone, &now)? + in_batch >= limit {
                    planned.push(Planned::Answered(Inserted::PhoneBooked));
                    continue;
                }
                phone_bookings.insert(phone, in_batch + 1);
            }
            booked.insert(slot, earlier + 1);
        }
        if let Some(key) = key {
            first_of_key.insert(key.scoped(), (index, key));
        }
        if let Some(spent) = &submission.spent_challenge {
            let key = key.map(IdempotencyKey::as_str);
            nonces.insert(spent.nonce.as_str(), key);
            challenges.push((spent, key));
        }
        let queue = submission.owner_queue.as_deref();
        let owner_id = match owners.get(&queue) {
            Some(owner) => owner.clone(),
            None => {
                let owner = contact_requests::owner(tx, queue)?;
                owners.insert(queue, owner.clone());
                owner
            }
        };
        let call_center_id = match submission.call_center.as_deref() {
            None => None,
            Some(name) => match centers.get(name) {
                Some(id) => id.clone(),
                None => {
                    let id = call_center_id(tx, name)?;
                    centers.insert(name, id.clone());
                    id
                }
            },
        };
        let id = ids::new_id(ids::CONTACT_REQUEST_PREFIX);
        if let Some(key) = key {
            keys.push((key, rows.len()));
        }
        planned.push(Planned::New(rows.len()));
        rows.push(Row {
            seq: next_seq,
            id,
            owner_id,
            call_center_id,
            submission,
        });
        next_seq += 1;
    }
    let names = insert_rows(tx, &now, &rows)?;
    let keys: Vec<(&IdempotencyKey, &str)> = keys
        .into_iter()
        .map(|(key, row)| (key, rows[row].id.as_str()))
        .collect();
    idempotency::record(tx, &now, &keys)?;
    record_challenges(tx, &challenges)?;

    let created = |row: usize| ContactRequestCreated {
        id: rows[row].id.clone(),
        name: names[row].clone(),
        status: Status::New,
    };
    let mut answers: Vec<Inserted> = Vec::with_capacity(batch.len());
    for plan in planned {
        let answer = match plan {
            Planned::New(row) => Inserted::Created(created(row)),
            Planned::Answered(answer) => answer,
            Planned::SameKeyAs(first, key, first_key) => {
                let Inserted::Created(first_answer) = &answers[first] else {
                    return Err(StoreError::BatchFailed(
                        "the first use of a key in a batch did not create a record".into(),
                    ));
                };
                idempotency::replay(
                    key,
                    (first_key.fingerprint().to_owned(), first_answer.clone()),
                )
            }
        };
        answers.push(answer);
    }
    Ok(answers)
}

/// Writes the batch one submission at a time, each in its own savepoint: the slow path after the fast one
/// failed, so a row that cannot be written fails alone and the others are still stored.
pub(super) fn write_each(
    tx: &mut rusqlite::Transaction<'_>,
    batch: &[(&Submission, Option<&IdempotencyKey>)],
) -> Vec<Result<Inserted, StoreError>> {
    batch
        .iter()
        .map(|&(submission, key)| {
            let savepoint = tx.savepoint()?;
            let mut answers = write_all(&savepoint, &[(submission, key)])?;
            savepoint.commit()?;
            answers.pop().ok_or_else(|| {
                StoreError::BatchFailed("a submission was written without an answer".into())
            })
        })
        .collect()
}

/// Inserts the rows with a few multi-row statements, their `contact_request.created` events with one
/// more and their sent-request experience events with a few more, and returns their request numbers,
/// in order. Every system field is set, so the intake-defaults trigger of migration 0002 has nothing to fill in.
fn insert_rows(tx: &Connection, now: &str, rows: &[Row<'_>]) -> Result<Vec<String>, StoreError> {
    let shared: [&dyn ToSql; 3] = [
        &contact_requests::INITIAL_STATUS.as_str(),
        &contact_requests::ANONYMOUS_CREATOR,
        &now,
    ];
    CONTACT_REQUESTS.run(tx, &shared, rows, |s, at, row| {
        let request = &row.submission.request;
        let values: [&dyn ToSql; 17] = [
            &row.seq,
            &row.id,
            &request.request_reason().as_str(),
            &request.preferred_channel().as_str(),
            &request.preferred_phone().map(|p| p.as_str()),
            &request.request_description().map(|d| d.as_str()),
            &request.name().map(|n| n.as_str()),
            &request.email().map(|e| e.as_str()),
            &request.is_callback(),
            &row.submission.source_origin.as_ref().map(|o| o.as_str()),
            &row.submission.site_key,
            &row.submission.visitor_sub,
            &row.owner_id,
            &row.call_center_id,
            &row.submission.booking.as_ref().map(|b| b.start.as_str()),
            &request.time_zone().map(|z| z.as_str()),
            &request.locale().map(|l| l.as_str()),
        ];
        bind(s, at, &values)
    })?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    // Off only in the benchmark's build that measures the intake without events (`bench-no-events`).
    if !cfg!(feature = "bench-no-events") {
        outbox::created_batch(tx, now, first.seq, last.seq)?;
    }
    let sent: Vec<(&Row<'_>, &super::SentEvent)> = rows
        .iter()
        .filter_map(|row| Some((row, row.submission.sent_event.as_ref()?)))
        .collect();
    SENT_EVENTS.run(tx, &[], &sent, |s, at, (row, event)| {
        bind(
            s,
            at,
            &[
                &row.submission.site_key,
                &event.id,
                &event.at,
                &event.event_type,
                &event.measure,
                &event.body,
                &row.id,
                &event.session_id,
            ],
        )
    })?;
    let names = tx
        .prepare_cached(
            "SELECT name FROM contact_requests WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        )?
        .query_map([first.seq, last.seq], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    if names.len() != rows.len() {
        return Err(StoreError::BatchFailed(format!(
            "wrote {} requests but found {}",
            rows.len(),
            names.len()
        )));
    }
    Ok(names)
}

/// The idempotency key the challenge with this nonce was spent with (`Some(None)`: without one), if it
/// was spent on a stored submission and not swept yet.
fn challenge_spent(tx: &Connection, nonce: &str) -> rusqlite::Result<Option<Option<String>>> {
    tx.prepare_cached("SELECT idempotency_key FROM spent_challenges WHERE nonce = ?1")?
        .query_row([nonce], |row| row.get(0))
        .optional()
}

/// Records the challenges the batch's new records spent, each with its submission's key, with a few
/// multi-row statements.
fn record_challenges(
    tx: &Connection,
    spent: &[(&SpentChallenge, Option<&str>)],
) -> rusqlite::Result<()> {
    static CHALLENGES: MultiRowInsert = MultiRowInsert::new(
        "INSERT INTO spent_challenges (nonce, expires_ms, idempotency_key) VALUES",
        0,
        3,
        "",
    );
    CHALLENGES.run(tx, &[], spent, |s, at, (spent, key)| {
        let expires = i64::try_from(spent.expires_ms).unwrap_or(i64::MAX);
        bind(s, at, &[&spent.nonce, &expires, key])
    })
}

/// Deletes the spent challenges that expired before `now_ms`; answers how many.
pub(super) fn sweep_challenges(tx: &Connection, now_ms: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM spent_challenges WHERE expires_ms < ?1")?
        .execute([now_ms])
}

/// How many open bookings `phone` holds: requests not deleted, New or Attempted, with a chosen time
/// still ahead of `now`.
fn open_bookings(tx: &Connection, phone: &str, now: &str) -> rusqlite::Result<u32> {
    tx.prepare_cached(&format!(
        "SELECT count(*) FROM contact_requests
          WHERE preferred_phone = ?1 AND is_deleted = 0 AND scheduled_routing_at IS NOT NULL
            AND scheduled_routing_at > ?2 AND status IN ({})",
        super::columns::open_statuses()
    ))?
    .query_row([phone, now], |row| row.get(0))
}

/// The `seq` the next request gets, which numbers it (`CR-000042`): one past the highest, as SQLite would
/// pick, but known before the insert so a batch needs no `RETURNING`.
fn next_seq(tx: &Connection) -> rusqlite::Result<i64> {
    tx.prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM contact_requests")?
        .query_row([], |row| row.get(0))
}

/// The id of the call center with this internal name, unless it was deleted.
fn call_center_id(tx: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    tx.prepare_cached("SELECT id FROM call_centers WHERE internal_name = ?1 AND is_deleted = 0")?
        .query_row([name], |row| row.get(0))
        .optional()
}
