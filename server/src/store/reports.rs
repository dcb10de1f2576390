//! What the service levels and the reports read: each queue's service-level target, and the facts of
//! the requests made in a stretch of days (their queue, owner, call center calendar, attempts and the
//! times the service level counts from). The figures themselves are `crate::reports`'.

use super::StoreError;
use super::sql::args;
use super::tx::{Db, Tx};
use crate::ids;

/// A request as the reports count it (instants in the stored format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedRequest {
    pub id: String,
    pub site_key: Option<String>,
    pub reason: Option<String>,
    pub status: String,
    pub created_at: String,
    pub scheduled_at: Option<String>,
    /// The scheduled time it had when its first attempt was logged.
    pub first_due_at: Option<String>,
    pub first_attempt_at: Option<String>,
    pub attempts: i64,
    pub owner_id: String,
    /// Its queue: the owner when that is a queue, else the queue it was last taken from.
    pub queue_id: Option<String>,
    /// Its call center's zone and hours (as the CallCenter record holds them), when it has one.
    pub time_zone: Option<String>,
    pub business_hours: Option<String>,
}

/// A queue's name and service-level target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueTarget {
    pub id: String,
    pub name: String,
    pub target_seconds: i64,
}

/// A request waiting for its first attempt whose service-level deadline is to be worked out (again),
/// with its queue's target and what the deadline is worked out from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleServiceLevel {
    pub request: ReportedRequest,
    /// The queue's target; none for a request of no queue.
    pub target_seconds: Option<i64>,
    pub basis: String,
}

/// The columns of a [`ReportedRequest`] of `r` (with `c` its call center), then its queue's target.
fn reported_columns() -> String {
    format!(
        "r.id, r.site_key, r.request_reason, r.status, r.created_at,
         r.scheduled_routing_at, r.first_due_at, r.first_attempt_at, r.call_attempts,
         r.owner_id, {queue}, c.time_zone, c.business_hours",
        queue = queue_of()
    )
}

/// The queue of the request `r`: its owner when that is a queue, else the queue it was last taken from.
fn queue_of() -> String {
    let queue = format!("'{}%'", ids::QUEUE_PREFIX);
    format!(
        "CASE WHEN r.owner_id LIKE {queue} THEN r.owner_id ELSE
             (SELECT h.old_owner FROM contact_request_owner_history h
               WHERE h.record_id = r.id AND h.old_owner LIKE {queue}
               ORDER BY h.seq DESC LIMIT 1) END"
    )
}

/// What a request's deadline is worked out from, as one text: its times, queue and target, call center
/// and that center's zone and hours.
fn basis() -> String {
    format!(
        "coalesce(r.scheduled_routing_at, '') || '|' || r.created_at || '|' || coalesce({queue}, '')
         || '|' || coalesce((SELECT CAST(q.service_target_seconds AS TEXT) FROM queues q
                              WHERE q.id = {queue}), '')
         || '|' || coalesce(c.id, '') || '|' || coalesce(c.time_zone, '') || '|'
         || coalesce(c.business_hours, '')",
        queue = queue_of()
    )
}

/// The requests still waiting for a first attempt whose deadline is not worked out from what it now
/// depends on: `r`, with its call center `c`.
fn stale() -> String {
    format!(
        "contact_requests r LEFT JOIN call_centers c ON c.id = r.call_center_id
          WHERE r.is_deleted = 0 AND r.status IN ('New', 'Attempted') AND r.first_attempt_at IS NULL
            AND (r.service_basis IS NULL OR r.service_basis <> {basis})",
        basis = basis()
    )
}

fn reported(r: &super::sql::Row) -> Result<ReportedRequest, StoreError> {
    Ok(ReportedRequest {
        id: r.get(0)?,
        site_key: r.get(1)?,
        reason: r.get(2)?,
        status: r.get(3)?,
        created_at: r.get(4)?,
        scheduled_at: r.get(5)?,
        first_due_at: r.get(6)?,
        first_attempt_at: r.get(7)?,
        attempts: r.get(8)?,
        owner_id: r.get(9)?,
        queue_id: r.get(10)?,
        time_zone: r.get(11)?,
        business_hours: r.get(12)?,
    })
}

impl Db<'_> {
    /// Whether any request's service-level deadline is to be worked out (again).
    pub fn service_levels_stale(&self) -> Result<bool, StoreError> {
        Ok(self
            .row(&format!("SELECT 1 FROM {} LIMIT 1", stale()), args![])?
            .is_some())
    }

    /// Up to `limit` requests whose service-level deadline is to be worked out (again).
    pub fn stale_service_levels(&self, limit: u32) -> Result<Vec<StaleServiceLevel>, StoreError> {
        self.rows(
            &format!(
                "SELECT {columns},
                        (SELECT q.service_target_seconds FROM queues q WHERE q.id = {queue}),
                        {basis}
                   FROM {stale} ORDER BY r.seq LIMIT ?1",
                columns = reported_columns(),
                queue = queue_of(),
                basis = basis(),
                stale = stale()
            ),
            args![limit],
        )?
        .iter()
        .map(|r| {
            Ok(StaleServiceLevel {
                request: reported(r)?,
                target_seconds: r.get(13)?,
                basis: r.get(14)?,
            })
        })
        .collect()
    }

    /// The live requests created from `from` to before `until` (stored instants), oldest first.
    pub fn reported_requests(
        &self,
        from: &str,
        until: &str,
    ) -> Result<Vec<ReportedRequest>, StoreError> {
        self.rows(
            &format!(
                "SELECT {columns}
                   FROM contact_requests r LEFT JOIN call_centers c ON c.id = r.call_center_id
                  WHERE r.is_deleted = 0 AND r.created_at >= ?1 AND r.created_at < ?2
                  ORDER BY r.created_at, r.seq",
                columns = reported_columns()
            ),
            args![from, until],
        )?
        .iter()
        .map(reported)
        .collect()
    }

    /// Every queue's name and target, by name.
    pub fn queue_targets(&self) -> Result<Vec<QueueTarget>, StoreError> {
        self.rows(
            "SELECT id, name, service_target_seconds FROM queues ORDER BY name",
            args![],
        )?
        .iter()
        .map(|r| {
            Ok(QueueTarget {
                id: r.get(0)?,
                name: r.get(1)?,
                target_seconds: r.get(2)?,
            })
        })
        .collect()
    }

    /// Every user's id and name.
    pub fn user_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.rows("SELECT id, name FROM users ORDER BY name", args![])?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect()
    }
}

impl Tx<'_> {
    /// Keeps the request `id`'s service-level deadline (`due`, stored format) and what it was worked out
    /// from.
    pub fn set_service_due(
        &self,
        id: &str,
        due: Option<&str>,
        basis: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE contact_requests SET service_due_at = ?2, service_basis = ?3 WHERE id = ?1",
            args![id, due, basis],
        )?;
        Ok(())
    }

    /// Sets the queue `queue_id`'s service-level target (bounds: `contact_shared::console::SERVICE_TARGET`,
    /// which the table's check repeats).
    pub fn set_service_target(&self, queue_id: &str, seconds: u32) -> Result<(), StoreError> {
        self.run(
            "UPDATE queues SET service_target_seconds = ?2 WHERE id = ?1",
            args![queue_id, seconds],
        )?;
        Ok(())
    }
}
