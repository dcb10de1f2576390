//! The visitors' confirmation emails' state: the outbox's `contact_request.created` events of sites that
//! send confirmations, for requests with a visitor's address, taken into one confirmation each; each
//! stays pending until the SMTP server accepts it (or its retries are spent), so a down SMTP server
//! delays a confirmation and loses none, and a request is confirmed once however often the take runs.

use super::StoreError;
use super::outbox::CREATED;
use super::sql::{Dialect, Row, args};
use super::tx::{Db, Tx};

/// A confirmation due to go out: its request's `contact_request.created` body, and what the request
/// keeps besides (the widget's locale, the visitor's time zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueConfirmation {
    pub event_seq: i64,
    pub site_key: Option<String>,
    pub payload: String,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    /// How many times it was tried before.
    pub attempts: u32,
}

/// A request's confirmation, for tests and diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationState {
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

fn due(r: &Row) -> Result<DueConfirmation, StoreError> {
    Ok(DueConfirmation {
        event_seq: r.get(0)?,
        site_key: r.get(1)?,
        payload: r.get(2)?,
        locale: r.get(3)?,
        time_zone: r.get(4)?,
        attempts: r.get(5)?,
    })
}

impl Db<'_> {
    /// The confirmation of the request `record_id`; `None` when it has none.
    pub fn confirmation_state(
        &self,
        record_id: &str,
    ) -> Result<Option<ConfirmationState>, StoreError> {
        self.row(
            "SELECT m.state, m.attempts, m.last_error
               FROM mail_confirmations m JOIN outbox_events e ON e.seq = m.event_seq
              WHERE e.record_id = ?1",
            args![record_id],
        )?
        .map(|r| {
            Ok(ConfirmationState {
                state: r.get(0)?,
                attempts: r.get(1)?,
                last_error: r.get(2)?,
            })
        })
        .transpose()
    }
}

impl Tx<'_> {
    /// Starts the confirmations' cursor at the outbox's end unless it exists: visitors are confirmed
    /// the requests they make from when email is first configured.
    pub fn open_confirmation_cursor(&self) -> Result<(), StoreError> {
        self.follow_outbox()?;
        // `WHERE true` keeps SQLite from reading the `ON` of the upsert as a join's.
        self.run(
            "INSERT INTO confirmation_cursor (id, last_seq)
             SELECT 1, coalesce(max(seq), 0) FROM outbox_events WHERE true
             ON CONFLICT DO NOTHING",
            args![],
        )?;
        Ok(())
    }

    /// Takes the `contact_request.created` events past the cursor of the sites `site_keys` whose
    /// visitor gave an address into confirmations, due at `now_ms`, and moves the cursor to the
    /// outbox's end, also when no site is listed (so a site turned on later is not sent the requests
    /// made meanwhile). Answers how many it made.
    pub fn take_confirmations(
        &self,
        site_keys: &[String],
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let (email, sites) = match self.dialect() {
            Dialect::Sqlite => (
                "json_extract(e.payload, '$.data.VisitorEmail__c')",
                "SELECT value FROM json_each(?3)",
            ),
            Dialect::Postgres => (
                "(CAST(e.payload AS json) -> 'data' ->> 'VisitorEmail__c')",
                "SELECT json_array_elements_text(CAST(?3 AS json))",
            ),
        };
        let site_keys = serde_json::json!(site_keys).to_string();
        self.follow_outbox()?;
        let made = self.run(
            &format!(
                "INSERT INTO mail_confirmations (event_seq, next_at_ms)
                 SELECT e.seq, CAST(?2 AS BIGINT) FROM outbox_events e
                  WHERE e.seq > (SELECT last_seq FROM confirmation_cursor WHERE id = 1) AND e.type = ?1
                    AND e.site_key IN ({sites}) AND coalesce({email}, '') <> ''
                 ON CONFLICT DO NOTHING"
            ),
            args![CREATED, now_ms, &site_keys],
        )?;
        self.run(
            "UPDATE confirmation_cursor
                SET last_seq = (SELECT coalesce(max(seq), last_seq) FROM outbox_events)
              WHERE id = 1",
            args![],
        )?;
        Ok(made)
    }

    /// Takes up to `limit` of the confirmations due at `now_ms` for this process to send, in order:
    /// the `n`th (from 1) is not due to anyone else until `n × lease_each_ms` from now, by when its
    /// outcome is recorded, or its taker is gone and another may send it. On PostgreSQL one another
    /// process is taking at that moment is skipped.
    pub fn claim_confirmations(
        &self,
        now_ms: i64,
        limit: u32,
        lease_each_ms: i64,
    ) -> Result<Vec<DueConfirmation>, StoreError> {
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE OF m SKIP LOCKED",
        };
        let due: Vec<DueConfirmation> = self
            .rows(
                &format!(
                    "SELECT m.event_seq, e.site_key, e.payload, c.visitor_locale, c.visitor_time_zone,
                            m.attempts
                       FROM mail_confirmations m JOIN outbox_events e ON e.seq = m.event_seq
                       LEFT JOIN contact_requests c ON c.id = e.record_id
                      WHERE m.state = 'pending' AND m.next_at_ms <= ?1
                      ORDER BY m.next_at_ms, m.event_seq LIMIT ?2{skip_locked}"
                ),
                args![now_ms, limit],
            )?
            .iter()
            .map(due)
            .collect::<Result<_, _>>()?;
        for (n, confirmation) in (1..).zip(&due) {
            self.run(
                "UPDATE mail_confirmations SET next_at_ms = ?2 WHERE event_seq = ?1",
                args![
                    confirmation.event_seq,
                    now_ms.saturating_add(lease_each_ms.saturating_mul(n))
                ],
            )?;
        }
        Ok(due)
    }

    /// Records the confirmation of the event `event_seq` as accepted by the SMTP server.
    pub fn confirmation_sent(&self, event_seq: i64) -> Result<(), StoreError> {
        self.run(
            "UPDATE mail_confirmations SET state = 'sent', last_error = NULL WHERE event_seq = ?1",
            args![event_seq],
        )?;
        Ok(())
    }

    /// Records a failed try of the confirmation of the event `event_seq`: tried again at
    /// `retry_at_ms`, or, when that is `None`, failed for good.
    pub fn confirmation_failed(
        &self,
        event_seq: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        match retry_at_ms {
            Some(at) => self.run(
                "UPDATE mail_confirmations
                    SET next_at_ms = ?2, attempts = attempts + 1, last_error = ?3
                  WHERE event_seq = ?1",
                args![event_seq, at, error],
            )?,
            None => self.run(
                "UPDATE mail_confirmations SET state = 'failed', last_error = ?2 WHERE event_seq = ?1",
                args![event_seq, error],
            )?,
        };
        Ok(())
    }
}
