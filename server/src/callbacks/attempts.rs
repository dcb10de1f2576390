//! Logging a call attempt (a Task whose WhatId is a ContactRequest and whose CallResult__c says what
//! happened) moves the request through the status machine, schedules its retry, and on contact records
//! the EngagementInteraction — all in the transaction that stores the Task.

use rusqlite::{OptionalExtension, Transaction, params};
use time::{Duration, OffsetDateTime};

use super::status::{self, Outcome, RetryPolicy};
use crate::ids;
use crate::salesforce::SfError;
use crate::salesforce::rows::{now, stored};

type Hooked = rusqlite::Result<Result<(), SfError>>;
/// A Task's WhatId, CallResult__c, CallDurationInSeconds and CallObject.
type LoggedCall = (Option<String>, Option<String>, Option<i64>, Option<String>);

/// The hook of Task (see `SObject::after_write`): applies the attempt once, when it is first stored.
pub fn after_task_write(tx: &Transaction<'_>, task_id: &str, user: &str) -> Hooked {
    let task: Option<LoggedCall> = tx
        .query_row(
            "SELECT what_id, call_result, call_duration_in_seconds, call_object FROM tasks
              WHERE id = ?1 AND result_applied = 0",
            [task_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((Some(what_id), Some(result), seconds, call_object)) = task else {
        return Ok(Ok(()));
    };
    if !what_id.starts_with(ids::CONTACT_REQUEST_PREFIX) {
        return Ok(Ok(()));
    }
    let Some(outcome) = Outcome::parse(&result) else {
        return Ok(Ok(()));
    };
    tx.execute(
        "UPDATE tasks SET result_applied = 1 WHERE id = ?1",
        [task_id],
    )?;
    apply(tx, &what_id, outcome, seconds, call_object, user)
}

/// The request a call attempt is about.
struct Request {
    name: String,
    status: String,
    attempts: i64,
    policy: RetryPolicy,
    phone: Option<String>,
    reason: Option<String>,
    voice_call_id: Option<String>,
}

fn load(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<Option<Request>> {
    tx.query_row(
        "SELECT r.name, r.status, r.call_attempts, c.retry_delay_seconds, c.max_attempts,
                r.preferred_phone, r.request_reason, r.voice_call_id
           FROM contact_requests r LEFT JOIN call_centers c ON c.id = r.call_center_id
          WHERE r.id = ?1 AND r.is_deleted = 0",
        [id],
        |r| {
            let default = RetryPolicy::default();
            Ok(Request {
                name: r.get(0)?,
                status: r.get(1)?,
                attempts: r.get(2)?,
                policy: RetryPolicy {
                    delay_seconds: r.get::<_, Option<i64>>(3)?.unwrap_or(default.delay_seconds),
                    max_attempts: r.get::<_, Option<i64>>(4)?.unwrap_or(default.max_attempts),
                },
                phone: r.get(5)?,
                reason: r.get(6)?,
                voice_call_id: r.get(7)?,
            })
        },
    )
    .optional()
}

fn apply(
    tx: &Transaction<'_>,
    request_id: &str,
    outcome: Outcome,
    seconds: Option<i64>,
    call_object: Option<String>,
    user: &str,
) -> Hooked {
    let Some(request) = load(tx, request_id)? else {
        return Ok(Err(SfError::bad_request(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("Related To ID: invalid cross reference id: {request_id}"),
        )
        .on(["WhatId"])));
    };
    if !status::is_open(&request.status) {
        return Ok(Err(SfError::bad_request(
            "FIELD_INTEGRITY_EXCEPTION",
            format!(
                "Contact request {} is already {}; log call attempts only on New or Attempted requests",
                request.name, request.status
            ),
        )
        .on(["WhatId"])));
    }
    let attempt = request.attempts + 1;
    let transition = status::next(outcome, attempt, request.policy);
    let moment = OffsetDateTime::now_utc();
    let at = stored(moment);
    let retry_at = transition
        .retry_in_seconds
        .map(|s| stored(moment + Duration::seconds(s)));
    tx.execute(
        "UPDATE contact_requests
            SET status = ?1, call_attempts = ?2,
                scheduled_routing_at = CASE WHEN ?3 IS NULL THEN scheduled_routing_at ELSE ?3 END,
                updated_at = ?4, system_modstamp = ?4, last_modified_by_id = ?5
          WHERE id = ?6",
        params![transition.status, attempt, retry_at, at, user, request_id],
    )?;
    if outcome == Outcome::Reached {
        let start = stored(moment - Duration::seconds(seconds.unwrap_or(0).max(0)));
        record_interaction(tx, request_id, &request, &start, &at, call_object, user)?;
    }
    Ok(Ok(()))
}

/// The EngagementInteraction of a completed callback: an outbound voice call by the representative.
fn record_interaction(
    tx: &Transaction<'_>,
    request_id: &str,
    request: &Request,
    start: &str,
    end: &str,
    call_object: Option<String>,
    user: &str,
) -> rusqlite::Result<()> {
    let id = ids::new_id(ids::ENGAGEMENT_INTERACTION_PREFIX);
    let at = now();
    // The request's own voice call identifies the interaction to the telephony system, else the call
    // object the representative logged.
    let external = request.voice_call_id.clone().or(call_object);
    tx.execute(
        "INSERT INTO engagement_interactions
            (id, communication_channel, type, start_date_time, end_date_time, status,
             is_attendee_authenticated, phone_number, reason, external_identifier, contact_request_id,
             owner_id, created_at, updated_at, system_modstamp, created_by_id, last_modified_by_id)
         VALUES (?1, 'Voice Call', 'Outbound', ?2, ?3, 'Completed',
                 -- Authenticated when the request came from a visitor whose site verified them.
                 (SELECT visitor_sub IS NOT NULL FROM contact_requests WHERE id = ?7),
                 ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, ?8, ?8)",
        params![
            id,
            start,
            end,
            request.phone,
            request.reason,
            external,
            request_id,
            user,
            at
        ],
    )?;
    // Derive Duration and MappedState the same way an API write would.
    super::engagement::after_write(tx, &id, user)?
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(format!("{e:?}").into()))
}
