//! Webhook endpoints failing: the streak of failed tries since an endpoint's last 2xx, and the
//! endpoint disabled once that streak is old enough. The disabling is one conditional `UPDATE`, so of
//! the processes failing it at once exactly one disables it (and writes what tells of it).

use super::StoreError;
use super::sql::args;
use super::tx::Tx;

/// An endpoint just disabled for failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disabled {
    pub url: String,
    /// When its failing streak began (Unix ms).
    pub failing_since_ms: i64,
}

impl Tx<'_> {
    /// Records that a delivery to `endpoint` was answered with a 2xx: its failing streak, if any, ends.
    pub fn endpoint_answered(&self, endpoint: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE webhook_endpoints SET failing_since_ms = NULL
              WHERE name = ?1 AND failing_since_ms IS NOT NULL",
            args![endpoint],
        )?;
        Ok(())
    }

    /// Records a failed try of `endpoint` at `now_ms`, which starts a failing streak unless one is on;
    /// and, when the streak began at least `after_ms` before, disables it at `now` (stored format)
    /// for `reason`. Answers the endpoint when this call disabled it: only one caller ever does.
    pub fn endpoint_failed(
        &self,
        endpoint: &str,
        now_ms: i64,
        now: &str,
        after_ms: i64,
        reason: &str,
    ) -> Result<Option<Disabled>, StoreError> {
        self.run(
            "UPDATE webhook_endpoints SET failing_since_ms = ?2
              WHERE name = ?1 AND failing_since_ms IS NULL",
            args![endpoint, now_ms],
        )?;
        self.row(
            "UPDATE webhook_endpoints
                SET enabled = 0, disabled_at = ?3, disabled_reason = ?4, updated_at = ?3
              WHERE name = ?1 AND enabled = 1 AND failing_since_ms <= ?2
             RETURNING url, failing_since_ms",
            args![endpoint, now_ms.saturating_sub(after_ms), now, reason],
        )?
        .map(|r| {
            Ok(Disabled {
                url: r.get(0)?,
                failing_since_ms: r.get(1)?,
            })
        })
        .transpose()
    }

    /// Enables `endpoint` again at `now` (stored format), whoever disabled it: its failing streak and
    /// why it was disabled are cleared, and its cursor moves to the outbox's end (what was written
    /// while it was disabled is not delivered to it).
    pub fn reenable_webhook_endpoint(&self, endpoint: &str, now: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE webhook_endpoints
                SET enabled = 1, failing_since_ms = NULL, disabled_at = NULL, disabled_reason = NULL,
                    updated_at = ?2
              WHERE name = ?1",
            args![endpoint, now],
        )?;
        self.restart_webhook_cursor(endpoint)
    }
}
