//! The email digests' state: the outbox's `contact_request.created` events taken into one notice per
//! member of the request's queue, and each person's next email (when it may go, how often it was tried).
//! A notice stays pending until an email listing it is accepted, so a down SMTP server delays mail and
//! loses none; the window between two emails to one person is kept here, so it holds across restarts.

use super::StoreError;
use super::outbox::CREATED;
use super::sql::{Dialect, Row, args};
use super::subscriptions::{NEW_REQUESTS, wants};
use super::tx::{Db, Tx};

/// A person whose pending notices are due to go out in one email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDigest {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// How many times this email was tried before.
    pub attempts: u32,
}

/// A pending notice: its event's place in the outbox and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event_seq: i64,
    pub payload: String,
}

/// One person's mail state, for tests and diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailState {
    pub next_at_ms: i64,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub pending: u32,
    pub sent: u32,
    pub failed: u32,
}

/// People with pending notices whose next email may go at `?1`, and who can still be mailed (active,
/// with an address), at most `?2`, soonest first.
const DUE_DIGESTS: &str = "SELECT r.user_id, u.email, u.name, r.attempts
   FROM mail_recipients r JOIN users u ON u.id = r.user_id
  WHERE r.next_at_ms <= ?1 AND u.is_active = 1 AND coalesce(u.email, '') <> ''
    AND EXISTS (SELECT 1 FROM mail_notices n
                 WHERE n.state = 'pending' AND n.user_id = r.user_id)
  ORDER BY r.next_at_ms LIMIT ?2";

fn due_digest(r: &Row) -> Result<DueDigest, StoreError> {
    Ok(DueDigest {
        user_id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        attempts: r.get(3)?,
    })
}

impl Db<'_> {
    /// Up to `limit` people with pending notices whose next email may go at `now_ms`, and who can still
    /// be mailed (active, with an address).
    pub fn due_digests(&self, now_ms: i64, limit: u32) -> Result<Vec<DueDigest>, StoreError> {
        self.rows(DUE_DIGESTS, args![now_ms, limit])?
            .iter()
            .map(due_digest)
            .collect()
    }

    /// `user_id`'s oldest `limit` pending notices, oldest first.
    pub fn pending_notices(&self, user_id: &str, limit: u32) -> Result<Vec<Notice>, StoreError> {
        self.rows(
            "SELECT n.event_seq, e.payload
               FROM mail_notices n JOIN outbox_events e ON e.seq = n.event_seq
              WHERE n.state = 'pending' AND n.user_id = ?1
              ORDER BY n.event_seq LIMIT ?2",
            args![user_id, limit],
        )?
        .iter()
        .map(|r| {
            Ok(Notice {
                event_seq: r.get(0)?,
                payload: r.get(1)?,
            })
        })
        .collect()
    }

    /// `user_id`'s mail state; `None` before their first notice.
    pub fn mail_state(&self, user_id: &str) -> Result<Option<MailState>, StoreError> {
        self.row(
            "SELECT r.next_at_ms, r.attempts, r.last_error,
                    (SELECT count(*) FROM mail_notices n WHERE n.user_id = r.user_id AND n.state = 'pending'),
                    (SELECT count(*) FROM mail_notices n WHERE n.user_id = r.user_id AND n.state = 'sent'),
                    (SELECT count(*) FROM mail_notices n WHERE n.user_id = r.user_id AND n.state = 'failed')
               FROM mail_recipients r WHERE r.user_id = ?1",
            args![user_id],
        )?
        .map(|r| {
            Ok(MailState {
                next_at_ms: r.get(0)?,
                attempts: r.get(1)?,
                last_error: r.get(2)?,
                pending: r.get(3)?,
                sent: r.get(4)?,
                failed: r.get(5)?,
            })
        })
        .transpose()
    }
}

impl Tx<'_> {
    /// Starts the mail cursor at the outbox's end unless it exists: mail tells of requests made from
    /// when it is first configured.
    pub fn open_mail_cursor(&self) -> Result<(), StoreError> {
        self.follow_outbox()?;
        // `WHERE true` keeps SQLite from reading the `ON` of the upsert as a join's.
        self.run(
            "INSERT INTO mail_cursor (id, last_seq)
             SELECT 1, coalesce(max(seq), 0) FROM outbox_events WHERE true
             ON CONFLICT DO NOTHING",
            args![],
        )?;
        Ok(())
    }

    /// Takes the `contact_request.created` events past the cursor into notices, one per active member
    /// with an address, who has not turned these emails off, of the queue that owned the request when it was made; a person mailed for the
    /// first time may be mailed at `now_ms`. Moves the cursor to the outbox's end; answers how many
    /// notices it made. Processes taking notices at once take turns.
    pub fn take_mail_notices(&self, now_ms: i64) -> Result<usize, StoreError> {
        let owner = match self.dialect() {
            Dialect::Sqlite => "json_extract(e.payload, '$.data.OwnerId')",
            Dialect::Postgres => "(CAST(e.payload AS json) -> 'data' ->> 'OwnerId')",
        };
        self.follow_outbox()?;
        let made = self.run(
            &format!(
                "INSERT INTO mail_notices (user_id, event_seq)
                 SELECT m.user_id, e.seq FROM outbox_events e
                   JOIN queue_members m ON m.queue_id = {owner}
                   JOIN users u ON u.id = m.user_id
                  WHERE e.seq > (SELECT last_seq FROM mail_cursor WHERE id = 1) AND e.type = ?1
                    AND u.is_active = 1 AND coalesce(u.email, '') <> '' AND {wants}
                 ON CONFLICT DO NOTHING",
                wants = wants("u.id", NEW_REQUESTS),
            ),
            args![CREATED],
        )?;
        if made > 0 {
            self.run(
                "INSERT INTO mail_recipients (user_id, next_at_ms)
                 SELECT DISTINCT user_id, CAST(?1 AS BIGINT) FROM mail_notices WHERE state = 'pending'
                 ON CONFLICT DO NOTHING",
                args![now_ms],
            )?;
        }
        self.run(
            "UPDATE mail_cursor SET last_seq = (SELECT coalesce(max(seq), last_seq) FROM outbox_events)
              WHERE id = 1",
            args![],
        )?;
        Ok(made)
    }

    /// Takes up to `limit` of the emails due at `now_ms` (as [`Db::due_digests`] lists them) for this
    /// process to send, in order: the `n`th (from 1) is not due to anyone else until `n × lease_each_ms`
    /// from now, by when its outcome is recorded, or its taker is gone and another may send it. On
    /// PostgreSQL a person another process is taking at that moment is skipped, so no two processes
    /// send one email at once.
    pub fn claim_digests(
        &self,
        now_ms: i64,
        limit: u32,
        lease_each_ms: i64,
    ) -> Result<Vec<DueDigest>, StoreError> {
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE OF r SKIP LOCKED",
        };
        let due: Vec<DueDigest> = self
            .rows(&format!("{DUE_DIGESTS}{skip_locked}"), args![now_ms, limit])?
            .iter()
            .map(due_digest)
            .collect::<Result<_, _>>()?;
        for (n, digest) in (1..).zip(&due) {
            self.run(
                "UPDATE mail_recipients SET next_at_ms = ?2 WHERE user_id = ?1",
                args![
                    &digest.user_id,
                    now_ms.saturating_add(lease_each_ms.saturating_mul(n))
                ],
            )?;
        }
        Ok(due)
    }

    /// Records the email listing `user_id`'s pending notices up to `last_seq` as accepted: they are
    /// sent, and the next email waits until `next_at_ms` (the digest window).
    pub fn mail_sent(
        &self,
        user_id: &str,
        last_seq: i64,
        next_at_ms: i64,
    ) -> Result<(), StoreError> {
        self.settle_notices(user_id, last_seq, "sent")?;
        self.run(
            "UPDATE mail_recipients SET next_at_ms = ?2, attempts = 0, last_error = NULL
              WHERE user_id = ?1",
            args![user_id, next_at_ms],
        )?;
        Ok(())
    }

    /// Records a failed try of the email listing `user_id`'s pending notices up to `last_seq`: tried
    /// again at `retry_at_ms`, or, when that is `None`, those notices are marked failed and the next
    /// ones may go at `now_ms`.
    pub fn mail_attempt_failed(
        &self,
        user_id: &str,
        last_seq: i64,
        error: &str,
        retry_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let (next_at, attempts) = match retry_at_ms {
            Some(at) => (at, "attempts + 1"),
            None => {
                self.settle_notices(user_id, last_seq, "failed")?;
                (now_ms, "0")
            }
        };
        self.run(
            &format!(
                "UPDATE mail_recipients SET next_at_ms = ?2, attempts = {attempts}, last_error = ?3
                  WHERE user_id = ?1"
            ),
            args![user_id, next_at, error],
        )?;
        Ok(())
    }

    fn settle_notices(&self, user_id: &str, last_seq: i64, state: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE mail_notices SET state = ?3
              WHERE user_id = ?1 AND state = 'pending' AND event_seq <= ?2",
            args![user_id, last_seq, state],
        )?;
        Ok(())
    }
}
