//! The call log's storage: a Task that logs a call attempt on a ContactRequest, the request's attempt
//! count and status it moves, and the EngagementInteraction a completed callback leaves. What an outcome
//! means (the status machine, the retry policy) is `callbacks`'; this file only reads and writes rows.

use contact_shared::Status;

use super::StoreError;
use super::sql::args;
use super::tx::{Db, Tx};
use crate::ids;

/// What a Task logs about a call: WhatId, CallResult__c, CallDurationInSeconds and CallObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCall {
    pub what_id: Option<String>,
    pub result: Option<String>,
    pub seconds: Option<i64>,
    pub call_object: Option<String>,
}

/// A live request a call attempt is about, with its call center's retry settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptedRequest {
    pub name: String,
    /// As stored: one of the reference's, or a value of the organisation's own.
    pub status: String,
    pub attempts: i64,
    /// The call center's retry delay and attempts, when it sets them.
    pub retry_delay_seconds: Option<i64>,
    pub max_attempts: Option<i64>,
    /// The request's own AvailableCallbackAttempts (retries) and DelayBetweenCallbackAttempts
    /// (minutes), which override the call center's when set.
    pub available_callback_attempts: Option<i64>,
    pub delay_between_callback_attempts: Option<i64>,
    pub phone: Option<String>,
    pub reason: Option<String>,
    pub voice_call_id: Option<String>,
    pub owner_id: String,
}

/// A request's move after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub status: Status,
    pub attempts: i64,
    /// When the request is routable again, for a retry; `None` keeps its time.
    pub retry_at: Option<&'a str>,
    pub at: &'a str,
    pub user: &'a str,
}

/// The EngagementInteraction of a completed outbound voice call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedCall<'a> {
    pub id: &'a str,
    pub request_id: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub phone: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub external_identifier: Option<&'a str>,
    pub user: &'a str,
    pub at: &'a str,
}

/// The fields an EngagementInteraction's derived fields come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionTimes {
    pub start: Option<String>,
    pub end: Option<String>,
    pub status: Option<String>,
    pub verified: bool,
    pub verified_at: Option<String>,
}

impl Db<'_> {
    /// The EngagementInteraction `id`'s times, status and verification.
    pub fn interaction_times(&self, id: &str) -> Result<InteractionTimes, StoreError> {
        let r = self.one(
            "SELECT start_date_time, end_date_time, status, is_attendee_verified, attendee_verification_time
               FROM engagement_interactions WHERE id = ?1",
            args![id],
        )?;
        Ok(InteractionTimes {
            start: r.get(0)?,
            end: r.get(1)?,
            status: r.get(2)?,
            verified: r.get(3)?,
            verified_at: r.get(4)?,
        })
    }
}

impl Tx<'_> {
    /// The call the Task `task_id` logs, unless it was applied to its request already. The Task stays
    /// locked until the commit, so that two writers of it apply its call once.
    pub fn unapplied_call(&self, task_id: &str) -> Result<Option<LoggedCall>, StoreError> {
        self.row(
            &format!(
                "SELECT what_id, call_result, call_duration_in_seconds, call_object FROM tasks
                  WHERE id = ?1 AND result_applied = 0{}",
                self.for_update()
            ),
            args![task_id],
        )?
        .map(|r| {
            Ok(LoggedCall {
                what_id: r.get(0)?,
                result: r.get(1)?,
                seconds: r.get(2)?,
                call_object: r.get(3)?,
            })
        })
        .transpose()
    }

    /// The live request `id`, for a call attempt on it. The request stays locked until the commit, so
    /// that attempts logged at once by several processes are each counted from the one before.
    pub fn attempted_request(&self, id: &str) -> Result<Option<AttemptedRequest>, StoreError> {
        // The call center's settings come from subqueries: PostgreSQL locks no row of the nullable side
        // of an outer join.
        self.row(
            &format!(
                "SELECT r.name, r.status, r.call_attempts,
                        (SELECT c.retry_delay_seconds FROM call_centers c WHERE c.id = r.call_center_id),
                        (SELECT c.max_attempts FROM call_centers c WHERE c.id = r.call_center_id),
                        r.preferred_phone, r.request_reason, r.voice_call_id, r.owner_id,
                        r.available_callback_attempts, r.delay_between_callback_attempts
                   FROM contact_requests r
                  WHERE r.id = ?1 AND r.is_deleted = 0{}",
                self.for_update()
            ),
            args![id],
        )?
        .map(|r| {
            Ok(AttemptedRequest {
                name: r.get(0)?,
                status: r.get(1)?,
                attempts: r.get(2)?,
                retry_delay_seconds: r.get(3)?,
                max_attempts: r.get(4)?,
                phone: r.get(5)?,
                reason: r.get(6)?,
                voice_call_id: r.get(7)?,
                owner_id: r.get(8)?,
                available_callback_attempts: r.get(9)?,
                delay_between_callback_attempts: r.get(10)?,
            })
        })
        .transpose()
    }

    /// The queue `owner` took the request `id` from (by a claim or an accepted offer), when its latest
    /// move to them came from a queue.
    pub fn queue_taken_from(&self, id: &str, owner: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .row(
                "SELECT old_owner FROM contact_request_owner_history
                  WHERE record_id = ?1 AND new_owner = ?2 ORDER BY seq DESC LIMIT 1",
                args![id, owner],
            )?
            .map(|r| r.get::<Option<String>>(0))
            .transpose()?
            .flatten()
            .filter(|old| old.starts_with(ids::QUEUE_PREFIX)))
    }

    /// Gives the request `id` back to `queue` at `at`, moved by `by`.
    pub fn return_to_queue(
        &self,
        id: &str,
        queue: &str,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE contact_requests SET owner_id = ?1, last_modified_by_id = ?2, updated_at = ?3,
                    system_modstamp = ?3 WHERE id = ?4",
            args![queue, by, at, id],
        )?;
        Ok(())
    }

    /// Marks the Task's call as applied to its request, so that it is applied once.
    pub fn mark_call_applied(&self, task_id: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE tasks SET result_applied = 1 WHERE id = ?1",
            args![task_id],
        )?;
        Ok(())
    }

    /// Records an attempt on the request `id`: its status, count and next routing time; the first also
    /// keeps when it came and the scheduled time it was due at, which the service level counts from
    /// (the right-hand sides read the row as it was), and the request waits for a first attempt no more.
    pub fn record_attempt(&self, id: &str, attempt: &Attempt<'_>) -> Result<(), StoreError> {
        self.run(
            "UPDATE contact_requests
                SET status = ?1, call_attempts = ?2,
                    first_due_at = CASE WHEN first_attempt_at IS NULL THEN scheduled_routing_at
                                        ELSE first_due_at END,
                    first_attempt_at = coalesce(first_attempt_at, CAST(?4 AS TEXT)),
                    service_due_at = NULL,
                    scheduled_routing_at = coalesce(CAST(?3 AS TEXT), scheduled_routing_at),
                    updated_at = ?4, system_modstamp = ?4, last_modified_by_id = ?5
              WHERE id = ?6",
            args![
                attempt.status.as_str(),
                attempt.attempts,
                attempt.retry_at,
                attempt.at,
                attempt.user,
                id
            ],
        )?;
        Ok(())
    }

    /// Inserts the EngagementInteraction of a completed callback: an outbound voice call by the
    /// representative, authenticated when the request came from a visitor whose site verified them.
    pub fn insert_completed_call(&self, call: &CompletedCall<'_>) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO engagement_interactions
                (id, communication_channel, type, start_date_time, end_date_time, status,
                 is_attendee_authenticated, phone_number, reason, external_identifier, contact_request_id,
                 owner_id, created_at, updated_at, system_modstamp, created_by_id, last_modified_by_id)
             VALUES (?1, 'Voice Call', 'Outbound', ?2, ?3, 'Completed',
                     (SELECT CASE WHEN visitor_sub IS NULL THEN 0 ELSE 1 END
                        FROM contact_requests WHERE id = ?7),
                     ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, ?8, ?8)",
            args![
                call.id,
                call.start,
                call.end,
                call.phone,
                call.reason,
                call.external_identifier,
                call.request_id,
                call.user,
                call.at
            ],
        )?;
        Ok(())
    }

    /// Sets the EngagementInteraction `id`'s derived fields.
    pub fn set_interaction_derived(
        &self,
        id: &str,
        duration: Option<&str>,
        mapped_state: &str,
        verified_at: Option<&str>,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE engagement_interactions
                SET duration = ?1, mapped_state = ?2, attendee_verification_time = ?3 WHERE id = ?4",
            args![duration, mapped_state, verified_at, id],
        )?;
        Ok(())
    }
}
