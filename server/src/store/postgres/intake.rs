//! The widget's intake on PostgreSQL: one transaction per submission, committed with
//! `synchronous_commit = on` before its answer is given, so a `201` is never sent for what is not on the
//! database's disk.
//!
//! What SQLite's one writer decides by being alone is decided in the database, whichever process
//! writes: the request number by the identity column; a key's first answer by its primary key (a
//! second writer of the same key waits on the first's insert, and then replays what it committed);
//! a proof of work spent once by the nonce's primary key; a slot's last place and a phone number's
//! bookings by advisory locks on the slot and on the number, held to the commit, so that two processes
//! never both count the same free place.

use contact_shared::{ContactRequestCreated, Status};
use deadpool_postgres::Transaction;
use tokio_postgres::types::Type;

use super::Statements;

use super::super::idempotency::{IdempotencyKey, Inserted, replay};
use super::super::sql::{Dialect, to_postgres};
use super::super::{StoreError, Submission, contact_requests, experience_events, outbox};
use crate::ids;

/// Stores `submission` unless its key was used or a refusal applies; see [`super::super::Store::insert_once`].
pub(super) async fn insert(
    client: &mut deadpool_postgres::Client,
    statements: Statements,
    submission: &Submission,
    key: Option<&IdempotencyKey>,
) -> Result<Inserted, StoreError> {
    let tx = client.transaction().await?;
    tx.batch_execute("SET LOCAL synchronous_commit TO on")
        .await?;
    let answer = decide_and_write(&tx, statements, submission, key).await?;
    match answer {
        Written::Created(created) => {
            tx.commit().await?;
            Ok(Inserted::Created(created))
        }
        // Nothing of this submission is kept: dropping the transaction rolls it back.
        Written::Answered(answer) => Ok(answer),
        Written::KeyTaken(key) => {
            // Another writer committed this key while we wrote: its answer, read after our rollback.
            tx.rollback().await?;
            let found = find_key(client, statements, key).await?.ok_or_else(|| {
                StoreError::BatchFailed("a key taken by another writer is not stored".into())
            })?;
            Ok(replay(key, found))
        }
    }
}

/// What a submission's transaction came to before its commit.
enum Written<'k> {
    /// A new record, to be committed.
    Created(ContactRequestCreated),
    /// An answer that writes nothing (a replay, a conflict, a refusal).
    Answered(Inserted),
    /// Another writer stored this key first.
    KeyTaken(&'k IdempotencyKey),
}

async fn decide_and_write<'k>(
    tx: &Transaction<'_>,
    statements: Statements,
    submission: &Submission,
    key: Option<&'k IdempotencyKey>,
) -> Result<Written<'k>, StoreError> {
    // A key's earlier answer comes first: a retry of a stored submission spent its proof on it.
    if let Some(key) = key
        && let Some(found) = find_key(tx, statements, key).await?
    {
        return Ok(Written::Answered(replay(key, found)));
    }
    if let Some(spent) = &submission.spent_challenge {
        let expires = i64::try_from(spent.expires_ms).unwrap_or(i64::MAX);
        let recorded = statements
            .execute(
                tx,
                "INSERT INTO spent_challenges (nonce, expires_ms, idempotency_key) VALUES ($1, $2, $3)
                 ON CONFLICT (nonce) DO NOTHING",
                &[
                    (&spent.nonce, Type::TEXT),
                    (&expires, Type::INT8),
                    (&key.map(IdempotencyKey::as_str), Type::TEXT),
                ],
            )
            .await?;
        if recorded == 0 {
            // A retry of this submission through another process spent it, committing meanwhile (our
            // insert waited for that): its key's answer is this one's too.
            if let Some(key) = key
                && let Some(found) = find_key(tx, statements, key).await?
            {
                return Ok(Written::Answered(replay(key, found)));
            }
            let spent_with: Option<String> = statements
                .query_opt(
                    tx,
                    "SELECT idempotency_key FROM spent_challenges WHERE nonce = $1",
                    &[(&spent.nonce, Type::TEXT)],
                )
                .await?
                .and_then(|row| row.get(0));
            return Ok(Written::Answered(Inserted::ProofSpent { spent_with }));
        }
    }
    let now = crate::instant::now();
    if let Some(booking) = &submission.booking {
        // Always the slot's lock before the number's, so two writers never wait on each other in a ring.
        lock(
            tx,
            statements,
            &["slot", &booking.call_center, &booking.start],
        )
        .await?;
        let taken: i64 = statements
            .query_one(
                tx,
                &format!(
                    "SELECT count(*)
                       FROM contact_requests r JOIN call_centers c ON c.id = r.call_center_id
                      WHERE c.internal_name = $1 AND r.is_deleted = 0 AND r.status IN ({})
                        AND r.scheduled_routing_at >= $2 AND r.scheduled_routing_at < $3",
                    super::super::columns::open_statuses()
                ),
                &[
                    (&booking.call_center, Type::TEXT),
                    (&booking.start, Type::TEXT),
                    (&booking.end, Type::TEXT),
                ],
            )
            .await?
            .get(0);
        if taken >= i64::from(booking.capacity) {
            return Ok(Written::Answered(Inserted::SlotFull));
        }
        let phone = submission.request.preferred_phone().map(|p| p.as_str());
        if let (Some(limit), Some(phone)) = (booking.per_phone, phone) {
            lock(tx, statements, &["phone", phone]).await?;
            let open: i64 = statements
                .query_one(
                    tx,
                    &format!(
                        "SELECT count(*) FROM contact_requests
                          WHERE preferred_phone = $1 AND is_deleted = 0 AND scheduled_routing_at IS NOT NULL
                            AND scheduled_routing_at > $2 AND status IN ({})",
                        super::super::columns::open_statuses()
                    ),
                    &[(&phone, Type::TEXT), (&now, Type::TEXT)],
                )
                .await?
                .get(0);
            if open >= i64::from(limit) {
                return Ok(Written::Answered(Inserted::PhoneBooked));
            }
        }
    }
    let owner_id: String = statements
        .query_one(
            tx,
            "SELECT coalesce((SELECT id FROM queues WHERE name = $1),
                             (SELECT id FROM queues WHERE is_default = 1),
                             $2)",
            &[
                (&submission.owner_queue, Type::TEXT),
                (&ids::DEFAULT_QUEUE_ID, Type::TEXT),
            ],
        )
        .await?
        .get(0);
    let call_center_id: Option<String> = match &submission.call_center {
        None => None,
        Some(name) => statements
            .query_opt(
                tx,
                "SELECT id FROM call_centers WHERE internal_name = $1 AND is_deleted = 0",
                &[(name, Type::TEXT)],
            )
            .await?
            .map(|row| row.get(0)),
    };
    let id = ids::new_id(ids::CONTACT_REQUEST_PREFIX);
    let request = &submission.request;
    let name: String = statements
        .query_one(
            tx,
            "INSERT INTO contact_requests
                (id, request_reason, preferred_channel, preferred_phone, request_description, visitor_name,
                 visitor_email, is_callback, source_origin, site_key, visitor_sub, owner_id, call_center_id,
                 scheduled_routing_at, status, created_by_id, last_modified_by_id, created_at, updated_at,
                 system_modstamp, visitor_time_zone, visitor_locale)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $17, $17,
                     $18, $19)
             RETURNING name",
            &[
                (&id, Type::TEXT),
                (&request.request_reason().as_str(), Type::TEXT),
                (&request.preferred_channel().as_str(), Type::TEXT),
                (&request.preferred_phone().map(|p| p.as_str()), Type::TEXT),
                (&request.request_description().map(|d| d.as_str()), Type::TEXT),
                (&request.name().map(|n| n.as_str()), Type::TEXT),
                (&request.email().map(|e| e.as_str()), Type::TEXT),
                (&i64::from(request.is_callback()), Type::INT8),
                (&submission.source_origin.as_ref().map(|o| o.as_str()), Type::TEXT),
                (&submission.site_key, Type::TEXT),
                (&submission.visitor_sub, Type::TEXT),
                (&owner_id, Type::TEXT),
                (&call_center_id, Type::TEXT),
                (&submission.booking.as_ref().map(|b| b.start.as_str()), Type::TEXT),
                (&contact_requests::INITIAL_STATUS.as_str(), Type::TEXT),
                (&contact_requests::ANONYMOUS_CREATOR, Type::TEXT),
                (&now, Type::TEXT),
                (&request.time_zone().map(|z| z.as_str()), Type::TEXT),
                (&request.locale().map(|l| l.as_str()), Type::TEXT),
            ],
        )
        .await?
        .get(0);
    // Its `contact_request.created`, committed with it; the statement's text is built once.
    static CREATED_EVENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let created_event =
        CREATED_EVENT.get_or_init(|| to_postgres(&outbox::created_statement(Dialect::Postgres)));
    // Off only in the benchmark's build that measures the intake without events (`bench-no-events`).
    if !cfg!(feature = "bench-no-events") {
        statements
            .execute(
                tx,
                created_event,
                &[
                    (&outbox::CREATED, Type::TEXT),
                    (&now, Type::TEXT),
                    (&id, Type::TEXT),
                ],
            )
            .await?;
    }
    if let Some(event) = &submission.sent_event {
        static SENT_EVENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sent_event = SENT_EVENT.get_or_init(|| {
            format!(
                "{} ($1, $2, $3, $4, $5, $6, $7, $8)",
                experience_events::SENT_EVENT_COLUMNS
            )
        });
        statements
            .execute(
                tx,
                sent_event,
                &[
                    (&submission.site_key, Type::TEXT),
                    (&event.id, Type::TEXT),
                    (&event.at, Type::TEXT),
                    (&event.event_type, Type::TEXT),
                    (&event.measure, Type::TEXT),
                    (&event.body, Type::TEXT),
                    (&id, Type::TEXT),
                    (&event.session_id, Type::TEXT),
                ],
            )
            .await?;
    }
    if let Some(key) = key {
        let (site, visitor, key_text) = key.scoped();
        // Waits for another writer of the same key, if any, to commit or roll back.
        let recorded = statements
            .execute(
                tx,
                "INSERT INTO idempotency_keys
                    (site_key, visitor_sub, key, fingerprint, contact_request_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (site_key, visitor_sub, key) DO NOTHING",
                &[
                    (&site, Type::TEXT),
                    (&visitor, Type::TEXT),
                    (&key_text, Type::TEXT),
                    (&key.fingerprint(), Type::TEXT),
                    (&id, Type::TEXT),
                    (&now, Type::TEXT),
                ],
            )
            .await?;
        if recorded == 0 {
            return Ok(Written::KeyTaken(key));
        }
    }
    Ok(Written::Created(ContactRequestCreated {
        id,
        name,
        status: Status::New,
    }))
}

/// Takes the transaction-scoped advisory lock named by `parts` (a slot, a phone number), held until the
/// commit or rollback. The name is hashed to the lock's 64-bit key by the database.
async fn lock(
    tx: &Transaction<'_>,
    statements: Statements,
    parts: &[&str],
) -> Result<(), StoreError> {
    let name = parts.join("\u{1f}");
    statements
        .execute(
            tx,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[(&name, Type::TEXT)],
        )
        .await?;
    Ok(())
}

/// The answer recorded for `key` in its scope, if the key has been used: its fingerprint and the request
/// it created.
pub(super) async fn find_key<C>(
    client: &C,
    statements: Statements,
    key: &IdempotencyKey,
) -> Result<Option<(String, ContactRequestCreated)>, StoreError>
where
    C: super::statements::On,
{
    let (site, visitor, key) = key.scoped();
    let row = statements
        .query_opt(
            client,
            "SELECT k.fingerprint, r.id, r.name
               FROM idempotency_keys k JOIN contact_requests r ON r.id = k.contact_request_id
              WHERE k.site_key = $1 AND k.visitor_sub = $2 AND k.key = $3",
            &[
                (&site, Type::TEXT),
                (&visitor, Type::TEXT),
                (&key, Type::TEXT),
            ],
        )
        .await?;
    Ok(row.map(|row| {
        (
            row.get(0),
            ContactRequestCreated {
                id: row.get(1),
                name: row.get(2),
                // The first answer always said New, whatever the record's status is now.
                status: Status::New,
            },
        )
    }))
}
