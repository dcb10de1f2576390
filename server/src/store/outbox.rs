//! The transactional outbox and the webhook deliveries it feeds.
//!
//! An event is written by the transaction that makes the change it tells of, so it is committed exactly
//! when the change is: the intake's batch writes one multi-row `INSERT … SELECT` for all its records, the
//! API and telephony writes one row each. Each event's body is built here, in SQL, from the committed row:
//! `{"type", "timestamp", "data"}`, `data` the record in the Salesforce-compatible API's JSON shape (the
//! subset of fields below, datetimes as that API writes them). Deliveries are one row per event and
//! endpoint, pending until answered with a 2xx or until their retries are spent.

use contact_shared::Status;
use rusqlite::{Connection, params};

use super::StoreError;
use super::tx::{Db, Tx};

/// The API version the records' `attributes.url` names.
const API_VERSION: &str = "62.0";

/// `contact_request.created`.
pub const CREATED: &str = "contact_request.created";
/// `contact_request.status_changed`.
pub const STATUS_CHANGED: &str = "contact_request.status_changed";
/// `contact_request.updated`: its owner changed, or a note was kept on it.
pub const UPDATED: &str = contact_shared::console::live::UPDATED;

/// The JSON of the contact request `c` as the Salesforce-compatible API writes it.
fn record_json() -> String {
    let wire = |column: &str| format!("replace(c.{column}, 'Z', '+0000')");
    format!(
        "json_object(
            'attributes', json_object('type', 'ContactRequest',
                'url', '/services/data/v{API_VERSION}/sobjects/ContactRequest/' || c.id),
            'Id', c.id, 'Name', c.name, 'Status', c.status, 'OwnerId', c.owner_id,
            'IsCallback', json(CASE WHEN c.is_callback THEN 'true' ELSE 'false' END),
            'PreferredChannel', c.preferred_channel, 'PreferredPhone', c.preferred_phone,
            'RequestReason', c.request_reason, 'RequestDescription', c.request_description,
            'VisitorName__c', c.visitor_name, 'VisitorEmail__c', c.visitor_email,
            'SourceOrigin__c', c.source_origin,
            'ScheduledRoutingDateTime__c', {scheduled},
            'CallCenterId__c', c.call_center_id,
            'CreatedDate', {created}, 'CreatedById', c.created_by_id,
            'LastModifiedDate', {modified}, 'LastModifiedById', c.last_modified_by_id)",
        scheduled = wire("scheduled_routing_at"),
        created = wire("created_at"),
        modified = wire("updated_at"),
    )
}

/// `INSERT … SELECT` of one event per contact request matched by `filter`; `?1` is the event's type,
/// `?2` the time (stored format) and `data` the JSON expression of its `data`.
fn insert_events(data: &str, filter: &str) -> String {
    format!(
        "INSERT INTO outbox_events (event_id, type, record_id, site_key, payload, created_at)
         SELECT 'msg_' || lower(hex(randomblob(16))), ?1, c.id, c.site_key,
                json_object('type', ?1, 'timestamp', ?2, 'data', {data}), ?2
           FROM contact_requests c WHERE {filter} ORDER BY c.seq"
    )
}

/// Writes `contact_request.created` for the batch's new requests, numbered `first..=last`: one statement
/// for the whole batch.
pub(super) fn created_batch(
    tx: &Connection,
    now: &str,
    first: i64,
    last: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(&insert_events(&record_json(), "c.seq BETWEEN ?3 AND ?4"))?
        .execute(params![CREATED, now, first, last])?;
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

/// A delivery that is due: its event, and how many times it was tried.
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

/// Which events an endpoint takes into its deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription<'a> {
    pub endpoint: &'a str,
    pub types: &'a [String],
    /// Only events of records that came through this site.
    pub site: Option<&'a str>,
}

/// An event from a row of `seq, event_id, type, record_id, payload`.
fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEvent> {
    Ok(OutboxEvent {
        seq: r.get(0)?,
        event_id: r.get(1)?,
        event_type: r.get(2)?,
        record_id: r.get(3)?,
        payload: r.get(4)?,
    })
}

impl Db<'_> {
    /// The events about the record `record_id`, oldest first.
    pub fn outbox_events(&self, record_id: &str) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut statement = self.sqlite()?.prepare(
            "SELECT seq, event_id, type, record_id, payload FROM outbox_events
              WHERE record_id = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([record_id], outbox_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// At most `limit` events after the place `after`, oldest first: the console's live feed reads on from
    /// where a browser left off.
    pub fn outbox_after(&self, after: i64, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut statement = self.sqlite()?.prepare_cached(
            "SELECT seq, event_id, type, record_id, payload FROM outbox_events
              WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = statement.query_map(params![after, limit], outbox_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The place of the newest event (0 when there is none).
    pub fn outbox_newest(&self) -> Result<i64, StoreError> {
        Ok(self.sqlite()?.query_row(
            "SELECT coalesce(max(seq), 0) FROM outbox_events",
            [],
            |r| r.get(0),
        )?)
    }

    /// How many events the outbox holds.
    pub fn outbox_len(&self) -> Result<i64, StoreError> {
        Ok(self
            .sqlite()?
            .query_row("SELECT count(*) FROM outbox_events", [], |r| r.get(0))?)
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
        let mut statement = self.sqlite()?.prepare_cached(
            "SELECT d.event_seq, e.event_id, e.payload, d.attempts
               FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
              WHERE d.endpoint = ?1 AND d.state = 'pending' AND d.next_at_ms <= ?2
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b
                                 WHERE b.endpoint = d.endpoint AND b.record_id = d.record_id
                                   AND b.state = 'pending' AND b.event_seq < d.event_seq)
              ORDER BY d.event_seq LIMIT ?3",
        )?;
        let rows = statement.query_map(params![endpoint, now_ms, limit], |r| {
            Ok(DueDelivery {
                event_seq: r.get(0)?,
                event_id: r.get(1)?,
                payload: r.get(2)?,
                attempts: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `endpoint`'s deliveries, oldest event first.
    pub fn deliveries(&self, endpoint: &str) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut statement = self.sqlite()?.prepare(
            "SELECT e.event_id, d.state, d.attempts, d.next_at_ms, d.last_status, d.last_error
               FROM webhook_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
              WHERE d.endpoint = ?1 ORDER BY d.event_seq",
        )?;
        let rows = statement.query_map([endpoint], |r| {
            Ok(DeliveryRow {
                event_id: r.get(0)?,
                state: r.get(1)?,
                attempts: r.get(2)?,
                next_at_ms: r.get(3)?,
                last_status: r.get(4)?,
                last_error: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Tx<'_> {
    /// Writes `contact_request.created` for the request `id`, as it now stands.
    pub fn record_created(&self, id: &str) -> Result<(), StoreError> {
        self.conn()?
            .prepare_cached(&insert_events(&record_json(), "c.id = ?3"))?
            .execute(params![CREATED, crate::instant::now(), id])?;
        Ok(())
    }

    /// Writes `contact_request.status_changed` for the request `id` if its status is no longer `from`:
    /// `data` holds `from`, `to`, `who` (the acting user's id) and the record.
    pub fn record_status_changed(
        &self,
        id: &str,
        from: Status,
        who: &str,
    ) -> Result<(), StoreError> {
        let data = format!(
            "json_object('from', ?4, 'to', c.status, 'who', ?5, 'record', {})",
            record_json()
        );
        self.conn()?
            .prepare_cached(&insert_events(&data, "c.id = ?3 AND c.status <> ?4"))?
            .execute(params![
                STATUS_CHANGED,
                crate::instant::now(),
                id,
                from.as_str(),
                who
            ])?;
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
        let data = format!(
            "json_object('id', c.id, 'ownerId', c.owner_id, 'status', c.status, 'by', ?4,
                         'fromOwnerId', ?5, 'record', {})",
            record_json()
        );
        self.conn()?
            .prepare_cached(&insert_events(&data, "c.id = ?3"))?
            .execute(params![UPDATED, crate::instant::now(), id, who, from_owner])?;
        Ok(())
    }

    /// Starts the cursor of each endpoint not seen before at the outbox's end: an endpoint gets the events
    /// written from when it is first configured.
    pub fn open_webhook_cursors(&self, endpoints: &[String]) -> Result<(), StoreError> {
        let mut statement = self.conn()?.prepare(
            "INSERT OR IGNORE INTO webhook_cursors (endpoint, last_seq)
             SELECT ?1, coalesce(max(seq), 0) FROM outbox_events",
        )?;
        for endpoint in endpoints {
            statement.execute([endpoint])?;
        }
        Ok(())
    }

    /// Takes the events past `subscription`'s cursor into its deliveries (the ones it wants), due at
    /// `now_ms`, and moves the cursor to the outbox's end; answers how many deliveries it made.
    pub fn fan_out(
        &self,
        subscription: &Subscription<'_>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let types = serde_json::to_string(subscription.types)
            .map_err(|e| StoreError::BatchFailed(e.to_string()))?;
        let made = self
            .conn()?
            .prepare_cached(
                "INSERT INTO webhook_deliveries (endpoint, event_seq, record_id, next_at_ms)
             SELECT ?1, e.seq, e.record_id, ?4 FROM outbox_events e
              WHERE e.seq > (SELECT last_seq FROM webhook_cursors WHERE endpoint = ?1)
                AND e.type IN (SELECT value FROM json_each(?2))
                AND (?3 IS NULL OR e.site_key = ?3)",
            )?
            .execute(params![
                subscription.endpoint,
                types,
                subscription.site,
                now_ms
            ])?;
        self.conn()?
            .prepare_cached(
                "UPDATE webhook_cursors SET last_seq = (SELECT coalesce(max(seq), last_seq) FROM outbox_events)
                  WHERE endpoint = ?1",
            )?
            .execute([subscription.endpoint])?;
        Ok(made)
    }

    /// Marks a delivery done: answered `status`, a 2xx.
    pub fn delivery_succeeded(
        &self,
        endpoint: &str,
        event_seq: i64,
        status: u16,
    ) -> Result<(), StoreError> {
        self.conn()?
            .prepare_cached(
                "UPDATE webhook_deliveries
                    SET state = 'delivered', attempts = attempts + 1, last_status = ?3, last_error = NULL
                  WHERE endpoint = ?1 AND event_seq = ?2",
            )?
            .execute(params![endpoint, event_seq, status])?;
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
        self.conn()?
            .prepare_cached(
                "UPDATE webhook_deliveries
                    SET state = CASE WHEN ?5 IS NULL THEN 'failed' ELSE 'pending' END,
                        attempts = attempts + 1, last_status = ?3, last_error = ?4,
                        next_at_ms = coalesce(?5, next_at_ms)
                  WHERE endpoint = ?1 AND event_seq = ?2",
            )?
            .execute(params![endpoint, event_seq, status, error, retry_at_ms])?;
        Ok(())
    }
}
