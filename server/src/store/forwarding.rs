//! Forwarding a site's ExperienceEvents to Adobe Experience Platform: a cursor per site over
//! `experience_events` in `seq` order, batches claimed under a lease (so no two processes send one at
//! once), and each batch's outcome recorded in one transaction with the cursor's move: how far it
//! settled, the messages refused for good, and when the rest is tried again. Aggregate-only counts
//! (`experience_event_totals`) are not events and are never forwarded.

use super::StoreError;
use super::sql::{Dialect, Row, args};
use super::tx::{Db, Tx};

/// The advisory lock every PostgreSQL transaction writing events holds shared until it ends (a trigger
/// of migration 0021 takes it), and a forwarder takes exclusively before it reads past its cursor: an
/// event's `seq` is drawn when it is written but seen only once committed, so without it a forwarder
/// could move past an event still being written and never send it. SQLite's one writer needs none.
const EVENTS_WRITERS_LOCK: i64 = 0x725f_7864_6d5f_6677;

/// An event to forward, as stored (JSON-LD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardEvent {
    pub seq: i64,
    pub id: String,
    pub body: String,
}

/// The events after a site's cursor that this process took to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedBatch {
    /// The cursor when claimed: the outcome is recorded only if it is still there.
    pub after_seq: i64,
    /// How many times the first of these was tried and failed since the cursor last moved.
    pub attempts: u32,
    pub events: Vec<ForwardEvent>,
}

/// A message settled as failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub seq: i64,
    pub event_id: String,
    pub status: Option<u16>,
    pub error: String,
}

/// What became of a claimed batch, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    /// The last event settled (the cursor's new place); the claim's `after_seq` when none was.
    pub through_seq: i64,
    /// How many were accepted.
    pub accepted: i64,
    /// The ones settled as failed.
    pub failed: Vec<FailedMessage>,
    /// The failed tries of the first unsettled event from here on.
    pub attempts: u32,
    /// When the site is next due (Unix ms).
    pub next_at_ms: i64,
    pub at_ms: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// A site's forwarding, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformCursor {
    pub last_seq: i64,
    pub attempts: u32,
    pub next_at_ms: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub forwarded: i64,
}

impl Db<'_> {
    /// `site`'s forwarding state, if it ever forwarded.
    pub fn platform_cursor(&self, site: &str) -> Result<Option<PlatformCursor>, StoreError> {
        self.row(
            "SELECT last_seq, attempts, next_at_ms, last_status, last_error, forwarded
               FROM platform_cursors WHERE site_key = ?1",
            args![site],
        )?
        .map(|r| {
            Ok(PlatformCursor {
                last_seq: r.get(0)?,
                attempts: r.get(1)?,
                next_at_ms: r.get(2)?,
                last_status: status(r.get(3)?),
                last_error: r.get(4)?,
                forwarded: r.get(5)?,
            })
        })
        .transpose()
    }

    /// `site`'s messages settled as failed, oldest event first.
    pub fn platform_failures(&self, site: &str) -> Result<Vec<FailedMessage>, StoreError> {
        self.rows(
            "SELECT event_seq, event_id, status, error FROM platform_failures
              WHERE site_key = ?1 ORDER BY event_seq",
            args![site],
        )?
        .iter()
        .map(|r: &Row| {
            Ok(FailedMessage {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                status: status(r.get(2)?),
                error: r.get(3)?,
            })
        })
        .collect()
    }
}

/// A stored status, back as the HTTP status it was.
fn status(stored: Option<u32>) -> Option<u16> {
    stored.map(|s| u16::try_from(s).unwrap_or(u16::MAX))
}

impl Tx<'_> {
    /// Waits until no other transaction is writing events, and keeps new ones waiting until this one
    /// ends (see [`EVENTS_WRITERS_LOCK`]).
    fn follow_events(&self) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Postgres {
            self.one(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?1)) AS locked",
                args![EVENTS_WRITERS_LOCK],
            )?;
        }
        Ok(())
    }

    /// Starts the cursor of each site not forwarding before at its newest event: a site forwards the
    /// events written from when forwarding is first configured.
    pub fn open_platform_cursors(&self, sites: &[String]) -> Result<(), StoreError> {
        self.follow_events()?;
        for site in sites {
            // `WHERE true` keeps SQLite from reading the `ON` of the upsert as a join's.
            self.run(
                "INSERT INTO platform_cursors (site_key, last_seq)
                 SELECT CAST(?1 AS TEXT), coalesce(max(seq), 0) FROM experience_events
                  WHERE site_key = ?1 AND true
                 ON CONFLICT DO NOTHING",
                args![site],
            )?;
        }
        Ok(())
    }

    /// Takes up to `limit` of `site`'s events after its cursor, oldest first, when the site is due at
    /// `now_ms`, and keeps them from every other process until `now_ms + lease_ms` (past the send's
    /// deadline, so that only a process gone meanwhile leaves them to another). `None` when the site is
    /// not due, another process is claiming it, or nothing is waiting.
    pub fn claim_platform_batch(
        &self,
        site: &str,
        now_ms: i64,
        limit: u32,
        lease_ms: i64,
    ) -> Result<Option<ClaimedBatch>, StoreError> {
        self.follow_events()?;
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let Some(cursor) = self.row(
            &format!(
                "SELECT last_seq, attempts FROM platform_cursors
                  WHERE site_key = ?1 AND next_at_ms <= ?2{skip_locked}"
            ),
            args![site, now_ms],
        )?
        else {
            return Ok(None);
        };
        let (after_seq, attempts): (i64, u32) = (cursor.get(0)?, cursor.get(1)?);
        let events = self
            .rows(
                "SELECT seq, id, body FROM experience_events
                  WHERE site_key = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                args![site, after_seq, limit],
            )?
            .iter()
            .map(|r| {
                Ok(ForwardEvent {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    body: r.get(2)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if events.is_empty() {
            return Ok(None);
        }
        self.run(
            "UPDATE platform_cursors SET next_at_ms = ?2 WHERE site_key = ?1",
            args![site, now_ms.saturating_add(lease_ms)],
        )?;
        Ok(Some(ClaimedBatch {
            after_seq,
            attempts,
            events,
        }))
    }

    /// Records what became of the batch claimed at `after_seq` and moves the cursor with it, in this one
    /// transaction; `false` (and nothing recorded) when the cursor is no longer there, another process
    /// having taken the batch over once this one's lease ran out.
    pub fn settle_platform_batch(
        &self,
        site: &str,
        after_seq: i64,
        outcome: &BatchOutcome,
    ) -> Result<bool, StoreError> {
        let moved = self.run(
            "UPDATE platform_cursors
                SET last_seq = ?3, attempts = ?4, next_at_ms = ?5, last_status = ?6, last_error = ?7,
                    forwarded = forwarded + ?8
              WHERE site_key = ?1 AND last_seq = ?2",
            args![
                site,
                after_seq,
                outcome.through_seq,
                outcome.attempts,
                outcome.next_at_ms,
                outcome.status.map(u32::from),
                outcome.error.as_deref(),
                outcome.accepted
            ],
        )?;
        if moved == 0 {
            return Ok(false);
        }
        for failed in &outcome.failed {
            self.run(
                "INSERT INTO platform_failures (site_key, event_seq, event_id, at_ms, status, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                args![
                    site,
                    failed.seq,
                    &failed.event_id,
                    outcome.at_ms,
                    failed.status.map(u32::from),
                    &failed.error
                ],
            )?;
        }
        Ok(true)
    }
}
