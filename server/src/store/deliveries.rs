//! The webhook delivery log: each try of a delivery (when, the status or what failed, how long the
//! receiver took, the first bytes of its answer), kept beside the delivery's state in
//! `webhook_deliveries`; the pages an admin reads it in; and replays, which make deliveries pending again
//! with their retry schedule started over. A replayed delivery posts the same event, so the same
//! `webhook-id`.

use super::StoreError;
use super::sql::{Row, args};
use super::tx::{Db, Tx};

/// One try, as the worker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    /// When it was posted (Unix ms, on the deliveries' clock).
    pub at_ms: i64,
    /// The receiver's HTTP status, when one answered.
    pub status: Option<u16>,
    /// What went wrong, when it was not a 2xx.
    pub error: Option<String>,
    pub latency_ms: i64,
    /// The first bytes of the answer's body.
    pub answer: String,
}

/// One try, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedAttempt {
    /// Which try of the delivery it was, from 1.
    pub attempt: u32,
    pub row: AttemptRow,
}

/// A delivery with its event and its tries, oldest try first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedDelivery {
    /// The event's place in the outbox: the log's order, and a page's cursor.
    pub event_seq: i64,
    pub event_id: String,
    pub event_type: String,
    /// When the event was written (stored format).
    pub event_created_at: String,
    pub state: String,
    pub tries: u32,
    pub next_at_ms: i64,
    pub attempts: Vec<LoggedAttempt>,
}

/// The columns of a delivery in the log, from `webhook_deliveries d JOIN outbox_events e`.
const DELIVERY_COLUMNS: &str =
    "d.event_seq, e.event_id, e.type, e.created_at, d.state, d.attempts, d.next_at_ms
       FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq";

fn delivery(r: &Row) -> Result<LoggedDelivery, StoreError> {
    Ok(LoggedDelivery {
        event_seq: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        event_created_at: r.get(3)?,
        state: r.get(4)?,
        tries: r.get(5)?,
        next_at_ms: r.get(6)?,
        attempts: Vec::new(),
    })
}

/// A stored status, back as the HTTP status it was.
fn status(stored: Option<u32>) -> Option<u16> {
    stored.map(|s| u16::try_from(s).unwrap_or(u16::MAX))
}

impl Db<'_> {
    /// Whether `endpoint` was ever configured (its cursor was opened), so that it has a log.
    pub fn webhook_endpoint_known(&self, endpoint: &str) -> Result<bool, StoreError> {
        Ok(self
            .row(
                "SELECT 1 FROM webhook_cursors WHERE endpoint = ?1",
                args![endpoint],
            )?
            .is_some())
    }

    /// Up to `limit` of `endpoint`'s deliveries, newest event first, before the event numbered `before`
    /// when given, each with its tries.
    pub fn delivery_log(
        &self,
        endpoint: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LoggedDelivery>, StoreError> {
        let mut page: Vec<LoggedDelivery> = self
            .rows(
                &format!(
                    "SELECT {DELIVERY_COLUMNS}
                      WHERE d.endpoint = ?1 AND d.event_seq < ?2
                      ORDER BY d.event_seq DESC LIMIT ?3"
                ),
                args![endpoint, before.unwrap_or(i64::MAX), limit],
            )?
            .iter()
            .map(delivery)
            .collect::<Result<_, _>>()?;
        if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
            let (from, to) = (oldest.event_seq, newest.event_seq);
            self.attach_attempts(endpoint, from, to, &mut page)?;
        }
        Ok(page)
    }

    /// `endpoint`'s delivery of the event `event_id`, with its tries.
    pub fn logged_delivery(
        &self,
        endpoint: &str,
        event_id: &str,
    ) -> Result<Option<LoggedDelivery>, StoreError> {
        let Some(row) = self.row(
            &format!("SELECT {DELIVERY_COLUMNS} WHERE d.endpoint = ?1 AND e.event_id = ?2"),
            args![endpoint, event_id],
        )?
        else {
            return Ok(None);
        };
        let mut found = vec![delivery(&row)?];
        let seq = found[0].event_seq;
        self.attach_attempts(endpoint, seq, seq, &mut found)?;
        Ok(found.pop())
    }

    /// Fills in the tries of `deliveries`, whose events are numbered `from..=to`.
    fn attach_attempts(
        &self,
        endpoint: &str,
        from: i64,
        to: i64,
        deliveries: &mut [LoggedDelivery],
    ) -> Result<(), StoreError> {
        let rows = self.rows(
            "SELECT event_seq, attempt, at_ms, status, error, latency_ms, answer
               FROM webhook_attempts
              WHERE endpoint = ?1 AND event_seq BETWEEN ?2 AND ?3
              ORDER BY id",
            args![endpoint, from, to],
        )?;
        for r in &rows {
            let seq: i64 = r.get(0)?;
            let Some(delivery) = deliveries.iter_mut().find(|d| d.event_seq == seq) else {
                continue;
            };
            delivery.attempts.push(LoggedAttempt {
                attempt: r.get(1)?,
                row: AttemptRow {
                    at_ms: r.get(2)?,
                    status: status(r.get(3)?),
                    error: r.get(4)?,
                    latency_ms: r.get(5)?,
                    answer: r.get(6)?,
                },
            });
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// Logs a try of `endpoint`'s delivery of the event `event_seq`, numbered after the tries its state
    /// counts: called in the transaction that records the try's outcome, after it.
    pub fn log_delivery_attempt(
        &self,
        endpoint: &str,
        event_seq: i64,
        attempt: &AttemptRow,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO webhook_attempts
                    (endpoint, event_seq, attempt, at_ms, status, error, latency_ms, answer)
             SELECT d.endpoint, d.event_seq, d.attempts, ?3, ?4, ?5, ?6, ?7
               FROM webhook_deliveries d WHERE d.endpoint = ?1 AND d.event_seq = ?2",
            args![
                endpoint,
                event_seq,
                attempt.at_ms,
                attempt.status.map(u32::from),
                attempt.error.as_deref(),
                attempt.latency_ms,
                &attempt.answer
            ],
        )?;
        Ok(())
    }

    /// Makes `endpoint`'s delivery of the event `event_id` pending again, due at `now_ms`, whatever its
    /// state; answers whether there is one.
    pub fn replay_delivery(
        &self,
        endpoint: &str,
        event_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.run(
            "UPDATE webhook_deliveries
                SET state = 'pending', next_at_ms = ?3, schedule_from = attempts
              WHERE endpoint = ?1
                AND event_seq = (SELECT seq FROM outbox_events WHERE event_id = ?2)",
            args![endpoint, event_id, now_ms],
        )? > 0)
    }

    /// How many of `endpoint`'s deliveries are of events written from `from` until before `until`
    /// (stored format).
    pub fn deliveries_between(
        &self,
        endpoint: &str,
        from: &str,
        until: &str,
    ) -> Result<i64, StoreError> {
        self.one(
            "SELECT count(*) FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
              WHERE d.endpoint = ?1 AND e.created_at >= ?2 AND e.created_at < ?3",
            args![endpoint, from, until],
        )?
        .get(0)
    }

    /// Makes pending again, due at `now_ms`, every one of `endpoint`'s deliveries of events written from
    /// `from` until before `until`; answers how many.
    pub fn replay_between(
        &self,
        endpoint: &str,
        from: &str,
        until: &str,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        self.run(
            "UPDATE webhook_deliveries
                SET state = 'pending', next_at_ms = ?4, schedule_from = attempts
              WHERE endpoint = ?1
                AND event_seq IN (SELECT seq FROM outbox_events
                                   WHERE created_at >= ?2 AND created_at < ?3)",
            args![endpoint, from, until, now_ms],
        )
    }

    /// Forgets the tries made before `before_ms`; answers how many.
    pub fn sweep_delivery_attempts(&self, before_ms: i64) -> Result<usize, StoreError> {
        self.run(
            "DELETE FROM webhook_attempts WHERE at_ms < ?1",
            args![before_ms],
        )
    }
}
