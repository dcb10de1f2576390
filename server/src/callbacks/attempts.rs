//! Logging a call attempt (a Task whose WhatId is a ContactRequest and whose CallResult__c says what
//! happened) moves the request through the status machine, schedules its retry (back in the queue it was
//! taken from), and on contact records
//! the EngagementInteraction — all in the transaction that stores the Task, with its `call.logged` and
//! `engagement.completed` events.

use jiff::Timestamp;

use super::status::{self, Outcome, RetryPolicy};
use crate::ids::{self, RecordId, UserId};
use crate::instant::{now, plus_seconds, stored};
use crate::salesforce::SfError;
use crate::salesforce::schema::Written;
use crate::store::{Attempt, AttemptedRequest, CompletedCall, LoggedCall, Tx};

/// The hook of Task (see `SObject::after_write`): a new Task with call fields writes `call.logged`, and
/// the attempt is applied once, when it is first stored.
pub fn after_task_write(
    tx: &Tx<'_>,
    written: &Written,
    task: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    let (task_id, user) = (task.as_str(), user.as_str());
    if matches!(written, Written::Created) {
        tx.record_call_logged(task_id)?;
    }
    let Some(LoggedCall {
        what_id: Some(what_id),
        result: Some(result),
        seconds,
        call_object,
    }) = tx.unapplied_call(task_id)?
    else {
        return Ok(());
    };
    if !what_id.starts_with(ids::CONTACT_REQUEST_PREFIX) {
        return Ok(());
    }
    let Some(outcome) = Outcome::parse(&result) else {
        return Ok(());
    };
    tx.mark_call_applied(task_id)?;
    apply(tx, &what_id, outcome, seconds, call_object, user)
}

fn apply(
    tx: &Tx<'_>,
    request_id: &str,
    outcome: Outcome,
    seconds: Option<i64>,
    call_object: Option<String>,
    user: &str,
) -> Result<(), SfError> {
    let Some(request) = tx.attempted_request(request_id)? else {
        return Err(SfError::bad_request(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("Related To ID: invalid cross reference id: {request_id}"),
        )
        .on(["WhatId"]));
    };
    if !super::status::is_open(&request.status) {
        return Err(SfError::bad_request(
            "FIELD_INTEGRITY_EXCEPTION",
            format!(
                "Contact request {} is already {}; log call attempts only on New or Attempted requests",
                request.name, request.status
            ),
        )
        .on(["WhatId"]));
    }
    let default = RetryPolicy::default();
    let policy = RetryPolicy {
        delay_seconds: request.retry_delay_seconds.unwrap_or(default.delay_seconds),
        max_attempts: request.max_attempts.unwrap_or(default.max_attempts),
    }
    .overridden(
        request.available_callback_attempts,
        request.delay_between_callback_attempts,
    );
    let attempt = request.attempts + 1;
    let transition = status::next(outcome, attempt, policy);
    let moment = Timestamp::now();
    let at = stored(moment);
    let retry_at = transition
        .retry_in_seconds
        .map(|s| stored(plus_seconds(moment, s)));
    tx.record_attempt(
        request_id,
        &Attempt {
            status: transition.status,
            attempts: attempt,
            retry_at: retry_at.as_deref(),
            at: &at,
            user,
        },
    )?;
    tx.record_status_changed(request_id, &request.status, user)?;
    // A miss to retry goes back to the queue its owner took it from, to be offered (or claimed) again
    // when the retry is due, by whoever is free then. A request that ends (Contacted, or Abandoned when
    // the attempts run out, as the reference's Status picklist has it) stays with who tried last.
    if transition.status == contact_shared::Status::Attempted
        && let Some(queue) = tx.queue_taken_from(request_id, &request.owner_id)?
    {
        tx.return_to_queue(request_id, &queue, user, &at)?;
        tx.record_owner_moved(request_id, user, &request.owner_id)?;
    }
    if outcome == Outcome::Reached {
        let start = stored(plus_seconds(moment, -seconds.unwrap_or(0).max(0)));
        record_interaction(tx, request_id, &request, &start, &at, call_object, user)?;
    }
    Ok(())
}

/// The EngagementInteraction of a completed callback: an outbound voice call by the representative.
fn record_interaction(
    tx: &Tx<'_>,
    request_id: &str,
    request: &AttemptedRequest,
    start: &str,
    end: &str,
    call_object: Option<String>,
    user: &str,
) -> Result<(), SfError> {
    let id = ids::new_id(ids::ENGAGEMENT_INTERACTION_PREFIX);
    // The request's own voice call identifies the interaction to the telephony system, else the call
    // object the representative logged.
    let external = request.voice_call_id.clone().or(call_object);
    tx.insert_completed_call(&CompletedCall {
        id: &id,
        request_id,
        start,
        end,
        phone: request.phone.as_deref(),
        reason: request.reason.as_deref(),
        external_identifier: external.as_deref(),
        user,
        at: &now(),
    })?;
    // Derive Duration and MappedState the same way an API write would; it is created Completed.
    super::engagement::derive(tx, &id)?;
    Ok(tx.record_engagement_completed(&id)?)
}
