//! The transactional outbox and the webhook deliveries it feeds.
//!
//! An event is written by the transaction that makes the change it tells of, so it is committed exactly
//! when the change is: the intake's batch writes one multi-row `INSERT … SELECT` for all its records, the
//! API and telephony writes one row each. Each event's body is built here, in SQL, from the committed row:
//! `{"type", "timestamp", "data"}`, `data` the record in the Salesforce-compatible API's JSON shape (the
//! subset of fields below, datetimes as that API writes them). Deliveries are one row per event and
//! endpoint, pending until answered with a 2xx or until their retries are spent.

use super::StoreError;
use super::sql::{Dialect, Row, args};
use super::tx::{Db, Tx};

/// The API version the records' `attributes.url` names.
const API_VERSION: &str = "62.0";

/// `contact_request.created`.
pub const CREATED: &str = "contact_request.created";
/// `contact_request.status_changed`.
pub const STATUS_CHANGED: &str = "contact_request.status_changed";
/// `contact_request.updated`: its owner changed, or a note was kept on it.
pub const UPDATED: &str = contact_shared::console::live::UPDATED;
/// `contact_request.assigned`: its owner changed.
pub const ASSIGNED: &str = "contact_request.assigned";
/// `call.logged`: a Task with call fields was created.
pub const CALL_LOGGED: &str = "call.logged";
/// `callback.due`: a scheduled callback became routable.
pub const CALLBACK_DUE: &str = contact_shared::console::live::CALLBACK_DUE;
/// `engagement.completed`: an EngagementInteraction's status became Completed.
pub const ENGAGEMENT_COMPLETED: &str = "engagement.completed";

/// The advisory lock every PostgreSQL transaction writing outbox events holds shared from its first
/// event to its commit (a trigger of migration 0011 takes it), and a follower of the outbox takes
/// exclusively before it reads how far the outbox goes. An event's number is drawn when it is written
/// but seen only once committed, so without it a follower could move past an event still being written
/// and never see it; SQLite's one writer needs no lock.
const OUTBOX_WRITERS_LOCK: i64 = 0x0c72_0075_7462_6f78;

/// A JSON object of `pairs` (`'key', value, …`), as a JSON value to nest in another.
pub(super) fn json_object(dialect: Dialect, pairs: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_object({pairs})"),
        Dialect::Postgres => format!("json_build_object({pairs})"),
    }
}

/// A new event's id: `msg_` and 32 random hex digits.
fn new_event_id(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "'msg_' || lower(hex(randomblob(16)))",
        Dialect::Postgres => "'msg_' || replace(CAST(gen_random_uuid() AS TEXT), '-', '')",
    }
}

/// A 0/1 column as a JSON boolean.
fn json_bool(dialect: Dialect, column: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"),
        Dialect::Postgres => format!("({column} <> 0)"),
    }
}

/// The JSON of the contact request `c` as the Salesforce-compatible API writes it.
pub(super) fn record_json(dialect: Dialect) -> String {
    let wire = |column: &str| format!("replace(c.{column}, 'Z', '+0000')");
    let is_callback = json_bool(dialect, "c.is_callback");
    let attributes = json_object(
        dialect,
        &format!(
            "'type', 'ContactRequest',
             'url', '/services/data/v{API_VERSION}/sobjects/ContactRequest/' || c.id"
        ),
    );
    json_object(
        dialect,
        &format!(
            "'attributes', {attributes},
            'Id', c.id, 'Name', c.name, 'Status', c.status, 'OwnerId', c.owner_id,
            'IsCallback', {is_callback},
            'PreferredChannel', c.preferred_channel, 'PreferredPhone', c.preferred_phone,
            'RequestReason', c.request_reason, 'RequestDescription', c.request_description,
            'VisitorName__c', c.visitor_name, 'VisitorEmail__c', c.visitor_email,
            'SourceOrigin__c', c.source_origin,
            'ScheduledRoutingDateTime__c', {scheduled},
            'CallCenterId__c', c.call_center_id,
            'CreatedDate', {created}, 'CreatedById', c.created_by_id,
            'LastModifiedDate', {modified}, 'LastModifiedById', c.last_modified_by_id",
            scheduled = wire("scheduled_routing_at"),
            created = wire("created_at"),
            modified = wire("updated_at"),
        ),
    )
}

/// The JSON of the Task `t` as the Salesforce-compatible API writes it.
fn task_json(dialect: Dialect) -> String {
    let wire = |column: &str| format!("replace(t.{column}, 'Z', '+0000')");
    let attributes = json_object(
        dialect,
        &format!("'type', 'Task', 'url', '/services/data/v{API_VERSION}/sobjects/Task/' || t.id"),
    );
    json_object(
        dialect,
        &format!(
            "'attributes', {attributes},
            'Id', t.id, 'OwnerId', t.owner_id, 'Subject', t.subject, 'Status', t.status,
            'WhatId', t.what_id, 'WhoId', t.who_id, 'Description', t.description,
            'CallType', t.call_type, 'CallDisposition', t.call_disposition,
            'CallDurationInSeconds', t.call_duration_in_seconds, 'CallObject', t.call_object,
            'CallResult__c', t.call_result, 'IsCallback__c', {is_callback},
            'CreatedDate', {created}, 'CreatedById', t.created_by_id,
            'LastModifiedDate', {modified}, 'LastModifiedById', t.last_modified_by_id",
            created = wire("created_at"),
            modified = wire("updated_at"),
            is_callback = json_bool(dialect, "t.is_callback"),
        ),
    )
}

/// The JSON of the EngagementInteraction `i` as the Salesforce-compatible API writes it.
fn engagement_json(dialect: Dialect) -> String {
    let wire = |column: &str| format!("replace(i.{column}, 'Z', '+0000')");
    let boolean = |column: &str| match dialect {
        Dialect::Sqlite => format!("json(CASE WHEN i.{column} THEN 'true' ELSE 'false' END)"),
        Dialect::Postgres => format!("(i.{column} <> 0)"),
    };
    let attributes = json_object(
        dialect,
        &format!(
            "'type', 'EngagementInteraction',
             'url', '/services/data/v{API_VERSION}/sobjects/EngagementInteraction/' || i.id"
        ),
    );
    json_object(
        dialect,
        &format!(
            "'attributes', {attributes},
            'Id', i.id, 'Name', i.name, 'OwnerId', i.owner_id, 'Status', i.status,
            'MappedState', i.mapped_state, 'CommunicationChannel', i.communication_channel,
            'Type', i.type, 'StartDateTime', {start}, 'EndDateTime', {end}, 'Duration', i.duration,
            'PhoneNumber', i.phone_number, 'Reason', i.reason, 'Sentiment', i.sentiment,
            'IsAttendeeAuthenticated', {authenticated}, 'IsAttendeeVerified', {verified},
            'AttendeeVerificationTime', {verified_at},
            'ExternalIdentifier', i.external_identifier, 'ContactRequestId__c', i.contact_request_id,
            'CreatedDate', {created}, 'CreatedById', i.created_by_id,
            'LastModifiedDate', {modified}, 'LastModifiedById', i.last_modified_by_id",
            start = wire("start_date_time"),
            end = wire("end_date_time"),
            authenticated = boolean("is_attendee_authenticated"),
            verified = boolean("is_attendee_verified"),
            verified_at = wire("attendee_verification_time"),
            created = wire("created_at"),
            modified = wire("updated_at"),
        ),
    )
}

/// An event's body, `{"type", "timestamp", "data"}`, as stored text: `?1` is its type, `?2` the time.
pub(super) fn payload(dialect: Dialect, data: &str) -> String {
    let body = json_object(
        dialect,
        &format!("'type', CAST(?1 AS TEXT), 'timestamp', CAST(?2 AS TEXT), 'data', {data}"),
    );
    match dialect {
        Dialect::Sqlite => body,
        Dialect::Postgres => format!("CAST({body} AS TEXT)"),
    }
}

/// `INSERT … SELECT` of one event per row of `from` (which names the event's record `record_id` and
/// its site `site_key`); `?1` is the event's type, `?2` the time (stored format) and `data` the JSON
/// expression of its `data`.
pub(super) fn insert_events_from(
    dialect: Dialect,
    record_id: &str,
    site_key: &str,
    data: &str,
    from: &str,
) -> String {
    format!(
        "INSERT INTO outbox_events (event_id, type, record_id, site_key, payload, created_at)
         SELECT {id}, CAST(?1 AS TEXT), {record_id}, {site_key}, {payload}, CAST(?2 AS TEXT)
           FROM {from}",
        id = new_event_id(dialect),
        payload = payload(dialect, data),
    )
}

/// One event per contact request `c` matched by `filter`, oldest first (see [`insert_events_from`]).
pub(super) fn insert_events(dialect: Dialect, data: &str, filter: &str) -> String {
    insert_events_from(
        dialect,
        "c.id",
        "c.site_key",
        data,
        &format!("contact_requests c WHERE {filter} ORDER BY c.seq"),
    )
}

/// The statement writing `contact_request.created` for the request `?3`, as it stands: its parameters
/// are the type ([`CREATED`]), the time (stored format) and the request's id.
pub fn created_statement(dialect: Dialect) -> String {
    insert_events(dialect, &record_json(dialect), "c.id = ?3")
}

/// Writes `contact_request.created` for the batch's new requests, numbered `first..=last`: one statement
/// for the whole batch.
pub(super) fn created_batch(
    tx: &rusqlite::Connection,
    now: &str,
    first: i64,
    last: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(&insert_events(
        Dialect::Sqlite,
        &record_json(Dialect::Sqlite),
        "c.seq BETWEEN ?3 AND ?4",
    ))?
    .execute(rusqlite::params![CREATED, now, first, last])?;
    Ok(())
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub record_id: String,
    pub payload: String,
}

/// A delivery that is due: its event, and how many times it was tried since it was last scheduled (a
/// replay starts its schedule over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub event_seq: i64,
    pub event_id: String,
    pub payload: String,
    pub attempts: u32,
}

/// A delivery's state, for its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub event_id: String,
    pub state: String,
    pub attempts: u32,
    pub next_at_ms: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// How deep the outbox is: see [`Db::outbox_depth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxDepth {
    pub pending: i64,
    pub oldest_at: Option<String>,
}

/// Which events an endpoint takes into its deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription<'a> {
    pub endpoint: &'a str,
    pub types: &'a [String],
    /// Only events of records that came through this site.
    pub site: Option<&'a str>,
}

/// An event from a row of `seq, event_id, type, record_id, payload`.
fn outbox_row(r: &Row) -> Result<OutboxEvent, StoreError> {
    Ok(OutboxEvent {
        seq: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        record_id: r.get(3)?,
        payload: r.get(4)?,
    })
}

/// `endpoint`'s (`?1`) pending deliveries due at `?2`, at most `?3`, oldest event first, leaving out any
/// behind an earlier pending delivery about the same record, so each request's events arrive in order.
/// A disabled endpoint has none due.
const DUE_DELIVERIES: &str =
    "SELECT d.event_seq, e.event_id, e.payload, d.attempts - d.schedule_from
   FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
  WHERE d.endpoint = ?1 AND d.state = 'pending' AND d.next_at_ms <= ?2
    AND NOT EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.name = d.endpoint AND w.enabled = 0)
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b
                     WHERE b.endpoint = d.endpoint AND b.record_id = d.record_id
                       AND b.state = 'pending' AND b.event_seq < d.event_seq)
  ORDER BY d.event_seq LIMIT ?3";

fn due_delivery(r: &Row) -> Result<DueDelivery, StoreError> {
    Ok(DueDelivery {
        event_seq: r.get(0)?,
        event_id: r.get(1)?,
        payload: r.get(2)?,
        attempts: r.get(3)?,
    })
}

/// `value IN (…)` of a JSON array of text bound at `?index`.
pub(super) fn in_json_list(dialect: Dialect, value: &str, index: u32) -> String {
    match dialect {
        Dialect::Sqlite => format!("{value} IN (SELECT value FROM json_each(?{index}))"),
        Dialect::Postgres => {
            format!("{value} IN (SELECT json_array_elements_text(CAST(?{index} AS json)))")
        }
    }
}

impl Db<'_> {
    /// The events about the record `record_id`, oldest first.
    pub fn outbox_events(&self, record_id: &str) -> Result<Vec<OutboxEvent>, StoreError> {
        self.rows(
            "SELECT seq, event_id, type, record_id, payload FROM outbox_events
              WHERE record_id = ?1 ORDER BY seq",
            args![record_id],
        )?
        .iter()
        .map(outbox_row)
        .collect()
    }

    /// At most `limit` events after the place `after`, oldest first: the console's live feed reads on from
    /// where a browser left off.
    pub fn outbox_after(&self, after: i64, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
        self.rows(
            "SELECT seq, event_id, type, record_id, payload FROM outbox_events
              WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            args![after, limit],
        )?
        .iter()
        .map(outbox_row)
        .collect()
    }

    /// As [`Db::outbox_after`], and whether the answer is settled: whether no event numbered within it
    /// can still appear. SQLite's one writer commits in number order, so its answers always are; on
    /// PostgreSQL an answer is settled when no transaction was writing events as it was read (the
    /// writers' lock was free to take, without waiting), and otherwise a gap in its numbers may be an
    /// event still being written, which a reader in number order waits for.
    pub fn outbox_settled_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<OutboxEvent>, bool), StoreError> {
        let settled = match self.dialect() {
            Dialect::Sqlite => true,
            // Taken before the read, so every event numbered before it is in the read.
            Dialect::Postgres => self
                .one(
                    "SELECT pg_try_advisory_xact_lock(?1)",
                    args![OUTBOX_WRITERS_LOCK],
                )?
                .get(0)?,
        };
        Ok((self.outbox_after(after, limit)?, settled))
    }

    /// The place of the newest event (0 when there is none).
    pub fn outbox_newest(&self) -> Result<i64, StoreError> {
        self.one("SELECT coalesce(max(seq), 0) FROM outbox_events", args![])?
            .get(0)
    }

    /// How many events the outbox holds.
    pub fn outbox_len(&self) -> Result<i64, StoreError> {
        self.one("SELECT count(*) FROM outbox_events", args![])?
            .get(0)
    }

    /// The outbox's depth, for `/metrics`: how many deliveries are pending (of every endpoint), and when
    /// the event of the oldest of them was written (stored format). Both read only pending rows, through
    /// their own index, however many deliveries were made before.
    pub fn outbox_depth(&self) -> Result<OutboxDepth, StoreError> {
        let r = self.one(
            "SELECT count(*),
                    (SELECT e.created_at FROM outbox_events e
                      WHERE e.seq = (SELECT min(event_seq) FROM webhook_deliveries
                                      WHERE state = 'pending'))
               FROM webhook_deliveries WHERE state = 'pending'",
            args![],
        )?;
        Ok(OutboxDepth {
            pending: r.get(0)?,
            oldest_at: r.get(1)?,
        })
    }

    /// Up to `limit` of `endpoint`'s pending deliveries due at `now_ms`, oldest event first, leaving out
    /// any behind an earlier pending delivery about the same record, so each request's events arrive in
    /// order.
    pub fn due_deliveries(
        &self,
        endpoint: &str,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        self.rows(DUE_DELIVERIES, args![endpoint, now_ms, limit])?
            .iter()
            .map(due_delivery)
            .collect()
    }

    /// `endpoint`'s deliveries, oldest event first.
    pub fn deliveries(&self, endpoint: &str) -> Result<Vec<DeliveryRow>, StoreError> {
        self.rows(
            "SELECT e.event_id, d.state, d.attempts, d.next_at_ms, d.last_status, d.last_error
               FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
              WHERE d.endpoint = ?1 ORDER BY d.event_seq",
            args![endpoint],
        )?
        .iter()
        .map(|r| {
            Ok(DeliveryRow {
                event_id: r.get(0)?,
                state: r.get(1)?,
                attempts: r.get(2)?,
                next_at_ms: r.get(3)?,
                last_status: r
                    .get::<Option<u32>>(4)?
                    .map(|status| u16::try_from(status).unwrap_or(u16::MAX)),
                last_error: r.get(5)?,
            })
        })
        .collect()
    }
}

impl Tx<'_> {
    /// Waits until no other transaction is writing outbox events, and keeps new ones waiting until this
    /// one ends: from here on, every event numbered up to the outbox's end is committed (see
    /// [`OUTBOX_WRITERS_LOCK`]).
    pub(super) fn follow_outbox(&self) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Postgres {
            self.one(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?1)) AS locked",
                args![OUTBOX_WRITERS_LOCK],
            )?;
        }
        Ok(())
    }

    /// Writes `contact_request.created` for the request `id`, as it now stands.
    pub fn record_created(&self, id: &str) -> Result<(), StoreError> {
        self.run(
            &created_statement(self.dialect()),
            args![CREATED, &crate::instant::now(), id],
        )?;
        Ok(())
    }

    /// Writes `contact_request.status_changed` for the request `id` if its status is no longer `from`
    /// (see [`Tx::record_moved`]).
    pub fn record_status_changed(&self, id: &str, from: &str, who: &str) -> Result<(), StoreError> {
        self.record_moved(STATUS_CHANGED, "status", id, from, who)
    }

    /// Writes what an owner's move tells, the request `id` having been `from`'s until `who` moved it:
    /// `contact_request.updated` (for the console) and `contact_request.assigned` (see
    /// [`Tx::record_moved`]).
    pub fn record_owner_moved(&self, id: &str, who: &str, from: &str) -> Result<(), StoreError> {
        self.record_updated(id, who, Some(from))?;
        self.record_moved(ASSIGNED, "owner_id", id, from, who)
    }

    /// Writes the event `kind` for the request `id` if its `column` no longer holds `from`: `data` holds
    /// `from`, `to` (the column now), `who` (the acting user's id) and the record.
    fn record_moved(
        &self,
        kind: &str,
        column: &str,
        id: &str,
        from: &str,
        who: &str,
    ) -> Result<(), StoreError> {
        let dialect = self.dialect();
        let data = json_object(
            dialect,
            &format!(
                "'from', CAST(?4 AS TEXT), 'to', c.{column}, 'who', CAST(?5 AS TEXT), 'record', {}",
                record_json(dialect)
            ),
        );
        self.run(
            &insert_events(dialect, &data, &format!("c.id = ?3 AND c.{column} <> ?4")),
            args![kind, &crate::instant::now(), id, from, who],
        )?;
        Ok(())
    }

    /// Writes `call.logged` for the Task `id` if it has any call field: `data` is the Task. The event is
    /// about the record the Task is related to (its `WhatId`, else the Task), so that a request's calls
    /// and the status changes they cause are delivered in order; it is of that request's site.
    pub fn record_call_logged(&self, id: &str) -> Result<(), StoreError> {
        let dialect = self.dialect();
        self.run(
            &insert_events_from(
                dialect,
                "coalesce(t.what_id, t.id)",
                "(SELECT c.site_key FROM contact_requests c WHERE c.id = t.what_id)",
                &task_json(dialect),
                "tasks t WHERE t.id = ?3
                   AND (t.call_type IS NOT NULL OR t.call_disposition IS NOT NULL
                        OR t.call_duration_in_seconds IS NOT NULL OR t.call_object IS NOT NULL
                        OR t.call_result IS NOT NULL)",
            ),
            args![CALL_LOGGED, &crate::instant::now(), id],
        )?;
        Ok(())
    }

    /// Writes `engagement.completed` for the EngagementInteraction `id` if its status is Completed: `data`
    /// is the interaction as it now stands (derived fields included). Like `call.logged`, the event is
    /// about the request the interaction completed (else the interaction), so it is delivered in order
    /// with that request's events, and of that request's site. The caller says when the status *became*
    /// Completed, so a write that leaves it Completed tells nothing.
    pub fn record_engagement_completed(&self, id: &str) -> Result<(), StoreError> {
        let dialect = self.dialect();
        self.run(
            &insert_events_from(
                dialect,
                "coalesce(i.contact_request_id, i.id)",
                "(SELECT c.site_key FROM contact_requests c WHERE c.id = i.contact_request_id)",
                &engagement_json(dialect),
                "engagement_interactions i WHERE i.id = ?3 AND i.status = 'Completed'",
            ),
            args![ENGAGEMENT_COMPLETED, &crate::instant::now(), id],
        )?;
        Ok(())
    }

    /// Writes `contact_request.updated` for the request `id` as it now stands, changed by `who`: `data`
    /// holds the fields of the console's `LiveChange` (`id`, `ownerId`, `status`, `by`), the owner before
    /// when the change moved it (`fromOwnerId`, else null) and the record.
    pub fn record_updated(
        &self,
        id: &str,
        who: &str,
        from_owner: Option<&str>,
    ) -> Result<(), StoreError> {
        let dialect = self.dialect();
        let data = json_object(
            dialect,
            &format!(
                "'id', c.id, 'ownerId', c.owner_id, 'status', c.status, 'by', CAST(?4 AS TEXT),
                 'fromOwnerId', CAST(?5 AS TEXT), 'record', {}",
                record_json(dialect)
            ),
        );
        self.run(
            &insert_events(dialect, &data, "c.id = ?3"),
            args![UPDATED, &crate::instant::now(), id, who, from_owner],
        )?;
        Ok(())
    }

    /// Starts the cursor of each endpoint not seen before at the outbox's end: an endpoint gets the events
    /// written from when it is first configured.
    pub fn open_webhook_cursors(&self, endpoints: &[String]) -> Result<(), StoreError> {
        self.follow_outbox()?;
        for endpoint in endpoints {
            // `WHERE true` keeps SQLite from reading the `ON` of the upsert as a join's.
            self.run(
                "INSERT INTO webhook_cursors (endpoint, last_seq)
                 SELECT CAST(?1 AS TEXT), coalesce(max(seq), 0) FROM outbox_events WHERE true
                 ON CONFLICT DO NOTHING",
                args![endpoint],
            )?;
        }
        Ok(())
    }

    /// Takes the events past `subscription`'s cursor into its deliveries (the ones it wants), due at
    /// `now_ms`, and moves the cursor to the outbox's end; answers how many deliveries it made. Processes
    /// fanning out at once take turns, so each event becomes one delivery per endpoint.
    pub fn fan_out(
        &self,
        subscription: &Subscription<'_>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let types = serde_json::to_string(subscription.types)
            .map_err(|e| StoreError::BatchFailed(e.to_string()))?;
        self.follow_outbox()?;
        let made = self.run(
            &format!(
                "INSERT INTO webhook_deliveries (endpoint, event_seq, record_id, next_at_ms)
                 SELECT CAST(?1 AS TEXT), e.seq, e.record_id, CAST(?4 AS BIGINT) FROM outbox_events e
                  WHERE e.seq > (SELECT last_seq FROM webhook_cursors WHERE endpoint = ?1)
                    AND {wanted}
                    AND (CAST(?3 AS TEXT) IS NULL OR e.site_key = ?3)
                    AND NOT EXISTS (SELECT 1 FROM webhook_endpoints w
                                     WHERE w.name = ?1 AND w.enabled = 0)
                 ON CONFLICT DO NOTHING",
                wanted = in_json_list(self.dialect(), "e.type", 2),
            ),
            args![subscription.endpoint, &types, subscription.site, now_ms],
        )?;
        self.run(
            "UPDATE webhook_cursors
                SET last_seq = (SELECT coalesce(max(seq), last_seq) FROM outbox_events)
              WHERE endpoint = ?1",
            args![subscription.endpoint],
        )?;
        Ok(made)
    }

    /// Takes up to `limit` of `endpoint`'s deliveries due at `now_ms` (as [`Db::due_deliveries`] lists
    /// them) for this process to post, in order: the `n`th (from 1) is not due to anyone else until
    /// `n × lease_each_ms` from now, by when it has been answered, or its taker is gone and another
    /// may post it. On PostgreSQL a delivery another process is taking at that moment is skipped, so no
    /// two processes post one delivery at once.
    pub fn claim_deliveries(
        &self,
        endpoint: &str,
        now_ms: i64,
        limit: u32,
        lease_each_ms: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE OF d SKIP LOCKED",
        };
        let due: Vec<DueDelivery> = self
            .rows(
                &format!("{DUE_DELIVERIES}{skip_locked}"),
                args![endpoint, now_ms, limit],
            )?
            .iter()
            .map(due_delivery)
            .collect::<Result<_, _>>()?;
        for (n, delivery) in (1..).zip(&due) {
            self.run(
                "UPDATE webhook_deliveries SET next_at_ms = ?3 WHERE endpoint = ?1 AND event_seq = ?2",
                args![
                    endpoint,
                    delivery.event_seq,
                    now_ms.saturating_add(lease_each_ms.saturating_mul(n))
                ],
            )?;
        }
        Ok(due)
    }

    /// Marks a delivery done: answered `status`, a 2xx.
    pub fn delivery_succeeded(
        &self,
        endpoint: &str,
        event_seq: i64,
        status: u16,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE webhook_deliveries
                SET state = 'delivered', attempts = attempts + 1, last_status = ?3, last_error = NULL
              WHERE endpoint = ?1 AND event_seq = ?2 AND state = 'pending'",
            args![endpoint, event_seq, u32::from(status)],
        )?;
        Ok(())
    }

    /// Records a failed try: retried at `retry_at_ms`, or marked failed when that is `None`.
    pub fn delivery_attempt_failed(
        &self,
        endpoint: &str,
        event_seq: i64,
        status: Option<u16>,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE webhook_deliveries
                SET state = CASE WHEN CAST(?5 AS BIGINT) IS NULL THEN 'failed' ELSE 'pending' END,
                    attempts = attempts + 1, last_status = ?3, last_error = ?4,
                    next_at_ms = coalesce(?5, next_at_ms)
              WHERE endpoint = ?1 AND event_seq = ?2 AND state = 'pending'",
            args![
                endpoint,
                event_seq,
                status.map(u32::from),
                error,
                retry_at_ms
            ],
        )?;
        Ok(())
    }
}
