//! Staff alerts: emails sent at once, one per thing told and person, outside the new-request digest.
//! The outbox's `callback.due` events are taken into one alert for the request's owner when that owner
//! is a user who can be mailed (active, with an address); an endpoint disabled after days of failures
//! is one alert per admin who can be mailed. An alert is pending until the SMTP server accepts it, so a
//! down server delays it and loses none; its unique key makes a second writer of it do nothing.

use super::StoreError;
use super::outbox::{CALLBACK_DUE, json_object};
use super::sql::{Dialect, Row, args};
use super::subscriptions::{CALLBACK_DUE_NOTICES, wants};
use super::tx::{Db, Tx};

/// An alert about a callback falling due (`payload`: `{"event", "timeZone"}`).
pub const CALLBACK_DUE_ALERT: &str = "callback_due";
/// An alert about a webhook endpoint the server disabled (`payload`: what the email says of it).
pub const ENDPOINT_DISABLED_ALERT: &str = "endpoint_disabled";

/// An alert due to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAlert {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// How many times it was tried before.
    pub attempts: u32,
}

/// An alert's state, for tests and diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertState {
    pub kind: String,
    pub user_id: String,
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// The pending alerts due at `?1`, at most `?2`, soonest first.
const DUE_ALERTS: &str = "SELECT a.id, a.kind, a.payload, a.user_id, u.email, u.name, a.attempts
   FROM mail_alerts a JOIN users u ON u.id = a.user_id
  WHERE a.state = 'pending' AND a.next_at_ms <= ?1
  ORDER BY a.next_at_ms, a.id LIMIT ?2";

fn due_alert(r: &Row) -> Result<DueAlert, StoreError> {
    Ok(DueAlert {
        id: r.get(0)?,
        kind: r.get(1)?,
        payload: r.get(2)?,
        user_id: r.get(3)?,
        email: r.get::<Option<String>>(4)?.unwrap_or_default(),
        name: r.get(5)?,
        attempts: r.get(6)?,
    })
}

/// The users who can be mailed (active, with an address), as `u`.
const MAILABLE: &str = "u.is_active = 1 AND coalesce(u.email, '') <> ''";

impl Db<'_> {
    /// Every alert, oldest first.
    pub fn mail_alerts(&self) -> Result<Vec<AlertState>, StoreError> {
        self.rows(
            "SELECT kind, user_id, state, attempts, last_error FROM mail_alerts ORDER BY id",
            args![],
        )?
        .iter()
        .map(|r| {
            Ok(AlertState {
                kind: r.get(0)?,
                user_id: r.get(1)?,
                state: r.get(2)?,
                attempts: r.get(3)?,
                last_error: r.get(4)?,
            })
        })
        .collect()
    }
}

impl Tx<'_> {
    /// Starts the alerts' cursor at the outbox's end unless it exists: callbacks falling due from when
    /// mail is first configured are told.
    pub fn open_alert_cursor(&self) -> Result<(), StoreError> {
        self.follow_outbox()?;
        // `WHERE true` keeps SQLite from reading the `ON` of the upsert as a join's.
        self.run(
            "INSERT INTO mail_alert_cursor (id, last_seq)
             SELECT 1, coalesce(max(seq), 0) FROM outbox_events WHERE true
             ON CONFLICT DO NOTHING",
            args![],
        )?;
        Ok(())
    }

    /// Takes the `callback.due` events past the cursor into alerts, due at `now_ms`: one for the
    /// request's owner when the event was written, if that owner is a user who can be mailed and has not
    /// turned these emails off (a queue is told nothing), with the visitor's time zone when the request has it. Moves the cursor to the
    /// outbox's end; answers how many alerts it made. Processes taking alerts at once take turns.
    pub fn take_callback_alerts(&self, now_ms: i64) -> Result<usize, StoreError> {
        let dialect = self.dialect();
        let (owner, event) = match dialect {
            Dialect::Sqlite => (
                "json_extract(e.payload, '$.data.OwnerId')",
                "json(e.payload)",
            ),
            Dialect::Postgres => (
                "(CAST(e.payload AS json) -> 'data' ->> 'OwnerId')",
                "CAST(e.payload AS json)",
            ),
        };
        let payload = json_object(
            dialect,
            &format!("'event', {event}, 'timeZone', c.visitor_time_zone"),
        );
        let payload = match dialect {
            Dialect::Sqlite => payload,
            Dialect::Postgres => format!("CAST({payload} AS TEXT)"),
        };
        self.follow_outbox()?;
        let made = self.run(
            &format!(
                "INSERT INTO mail_alerts (kind, about, user_id, payload, next_at_ms)
                 SELECT CAST(?2 AS TEXT), CAST(e.seq AS TEXT), u.id, {payload}, CAST(?3 AS BIGINT)
                   FROM outbox_events e
                   JOIN users u ON u.id = {owner}
                   LEFT JOIN contact_requests c ON c.id = e.record_id
                  WHERE e.seq > (SELECT last_seq FROM mail_alert_cursor WHERE id = 1)
                    AND e.type = ?1 AND {MAILABLE} AND {wants}
                 ON CONFLICT DO NOTHING",
                wants = wants("u.id", CALLBACK_DUE_NOTICES),
            ),
            args![CALLBACK_DUE, CALLBACK_DUE_ALERT, now_ms],
        )?;
        self.run(
            "UPDATE mail_alert_cursor
                SET last_seq = (SELECT coalesce(max(seq), last_seq) FROM outbox_events)
              WHERE id = 1",
            args![],
        )?;
        Ok(made)
    }

    /// Writes the alert `about` (what it tells of, unique) with `payload` for every admin who can be
    /// mailed, due at `now_ms`; answers how many.
    pub fn alert_admins(
        &self,
        kind: &str,
        about: &str,
        payload: &str,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        self.run(
            &format!(
                "INSERT INTO mail_alerts (kind, about, user_id, payload, next_at_ms)
                 SELECT CAST(?1 AS TEXT), CAST(?2 AS TEXT), u.id, CAST(?3 AS TEXT), CAST(?4 AS BIGINT)
                   FROM users u WHERE u.role = 'admin' AND {MAILABLE}
                 ON CONFLICT DO NOTHING"
            ),
            args![kind, about, payload, now_ms],
        )
    }

    /// Takes up to `limit` of the alerts due at `now_ms` for this process to send, in order: the `n`th
    /// (from 1) is not due to anyone else until `n × lease_each_ms` from now, by when its outcome is
    /// recorded, or its taker is gone and another may send it. On PostgreSQL an alert another process
    /// is taking at that moment is skipped, so no two processes send one alert at once.
    pub fn claim_alerts(
        &self,
        now_ms: i64,
        limit: u32,
        lease_each_ms: i64,
    ) -> Result<Vec<DueAlert>, StoreError> {
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE OF a SKIP LOCKED",
        };
        let due: Vec<DueAlert> = self
            .rows(&format!("{DUE_ALERTS}{skip_locked}"), args![now_ms, limit])?
            .iter()
            .map(due_alert)
            .collect::<Result<_, _>>()?;
        for (n, alert) in (1..).zip(&due) {
            self.run(
                "UPDATE mail_alerts SET next_at_ms = ?2 WHERE id = ?1",
                args![
                    alert.id,
                    now_ms.saturating_add(lease_each_ms.saturating_mul(n))
                ],
            )?;
        }
        Ok(due)
    }

    /// Records the alert `id` as accepted by the SMTP server.
    pub fn alert_sent(&self, id: i64) -> Result<(), StoreError> {
        self.run(
            "UPDATE mail_alerts SET state = 'sent', attempts = attempts + 1, last_error = NULL
              WHERE id = ?1 AND state = 'pending'",
            args![id],
        )?;
        Ok(())
    }

    /// Records a failed try of the alert `id`: tried again at `retry_at_ms`, or failed when that is
    /// `None`.
    pub fn alert_attempt_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE mail_alerts
                SET state = CASE WHEN CAST(?3 AS BIGINT) IS NULL THEN 'failed' ELSE 'pending' END,
                    attempts = attempts + 1, last_error = ?2, next_at_ms = coalesce(?3, next_at_ms)
              WHERE id = ?1 AND state = 'pending'",
            args![id, error, retry_at_ms],
        )?;
        Ok(())
    }
}
