//! Push routing's records: each representative's presence and capacity, and the offers of due callbacks
//! to them, with the `offer.made` / `offer.ended` events that tell the offered representative's console
//! and the `presence.changed` events that tell the supervisors'.
//! At most one open offer per request: the unique index `offers_one_open` decides it, whoever writes.

use contact_shared::console::Presence;

use super::StoreError;
use super::columns::open_statuses;
use super::outbox::{insert_events_from, json_object};
use super::sql::{Dialect, args};
use super::tx::{Db, Tx};

/// `offer.made`.
pub const OFFER_MADE: &str = contact_shared::console::live::OFFER_MADE;
/// `offer.ended`.
pub const OFFER_ENDED: &str = contact_shared::console::live::OFFER_ENDED;
/// `presence.changed`.
pub const PRESENCE_CHANGED: &str = contact_shared::console::live::PRESENCE_CHANGED;

/// A representative's presence as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceRow {
    pub state: Presence,
    pub capacity: u32,
}

/// What an offer's answer needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRow {
    pub id: i64,
    pub request_id: String,
    pub queue_id: String,
    pub user_id: String,
    /// open, accepted, declined, expired or withdrawn.
    pub state: String,
    pub expires_at_ms: i64,
}

/// An open offer with what the console shows of its request (instants in the stored format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOffer {
    pub id: i64,
    pub request_id: String,
    pub name: String,
    pub reason: Option<String>,
    pub phone: Option<String>,
    pub visitor_name: Option<String>,
    pub scheduled: Option<String>,
    pub is_callback: bool,
    pub queue_name: String,
    pub expires_at_ms: i64,
}

/// What decides whether a representative can be offered a request directly (see `Db::direct_taker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectTaker {
    pub set: Option<Presence>,
    pub seen_at_ms: i64,
    /// Whether they hold less than their capacity.
    pub room: bool,
}

/// What the call an accepted offer starts needs of its request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfferedRequest {
    pub is_callback: bool,
    pub phone: Option<String>,
    /// The CallCenter the request came through, whose softphone URL dials it.
    pub call_center_id: Option<String>,
}

/// A due, queue-owned, open request that nobody is offered, with its queue's offer settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unoffered {
    pub request_id: String,
    pub queue_id: String,
    pub timeout_seconds: i64,
    pub cooldown_seconds: i64,
}

/// A queue's offer settings, in seconds (bounds: `contact_shared::console::OFFER_TIMEOUT` and
/// `OFFER_COOLDOWN`, which the table's checks repeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferSettings {
    pub timeout_seconds: u32,
    pub cooldown_seconds: u32,
}

/// Whether the offer `o` is held by its representative: open, or accepted with its request still open
/// and still theirs.
pub(super) fn holding() -> String {
    format!(
        "(o.state = 'open'
            OR (o.state = 'accepted' AND EXISTS (SELECT 1 FROM contact_requests r
                 WHERE r.id = o.request_id AND r.owner_id = o.user_id AND r.is_deleted = 0
                   AND r.status IN ({open}))))",
        open = open_statuses()
    )
}

/// How many work items a representative holds (see [`holding`]), each request once however many times
/// they accepted it. `p` is their presence row.
fn held() -> String {
    format!(
        "(SELECT count(DISTINCT o.request_id) FROM offers o WHERE o.user_id = p.user_id AND {})",
        holding()
    )
}

/// Whether the request `c` waits to be offered at `?{now}` (stored format): open, due, and nobody holds
/// an offer of it. Its owner decides the queue.
pub(super) fn waiting(now: u8) -> String {
    format!(
        "c.is_deleted = 0 AND c.status IN ({open})
         AND coalesce(c.scheduled_routing_at, c.created_at) <= ?{now}
         AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = c.id AND o.state = 'open')",
        open = open_statuses()
    )
}

/// The members `p` of the queue `?1` who may be offered the request `?2` now: active, Available and
/// seen since `?3` (Unix ms), holding less than their capacity, and not one who declined it, let it run
/// out or had it taken back since `?4` (the queue's cool-down).
fn takers() -> String {
    format!(
        "FROM presence p
           JOIN queue_members m ON m.user_id = p.user_id AND m.queue_id = ?1
           JOIN users u ON u.id = p.user_id AND u.is_active = 1
          WHERE p.state = 'available' AND p.seen_at_ms >= ?3 AND p.capacity > {held}
            AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = ?2 AND o.user_id = p.user_id
                               AND ((o.state IN ('declined', 'expired') AND o.answered_at > ?4)
                                    OR o.taken_back_at > ?4))",
        held = held()
    )
}

/// The advisory lock a PostgreSQL routing round holds to its commit ("crw_rout" in ASCII): rounds in
/// several processes take turns, so that no two offer one request or one representative's last place.
const ROUTING_LOCK: i64 = 0x6372_775f_726f_7574;

/// The larger of two values: SQLite's scalar `max`, PostgreSQL's `GREATEST`.
fn greatest(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "max",
        Dialect::Postgres => "GREATEST",
    }
}

impl Db<'_> {
    /// `user`'s presence; none before they first set it.
    pub fn presence(&self, user: &str) -> Result<Option<PresenceRow>, StoreError> {
        self.row(
            "SELECT state, capacity FROM presence WHERE user_id = ?1",
            args![user],
        )?
        .map(|r| {
            Ok(PresenceRow {
                state: Presence::parse(&r.get::<String>(0)?).unwrap_or(Presence::Offline),
                capacity: r.get::<u32>(1).unwrap_or(1),
            })
        })
        .transpose()
    }

    /// What decides whether `user` can be offered a request directly (a transfer to them): their
    /// presence as set, when their console was last seen, and whether they hold less than their
    /// capacity. None before they first set a presence.
    pub fn direct_taker(&self, user: &str) -> Result<Option<DirectTaker>, StoreError> {
        self.row(
            &format!(
                "SELECT p.state, p.seen_at_ms, p.capacity, {held} FROM presence p WHERE p.user_id = ?1",
                held = held()
            ),
            args![user],
        )?
        .map(|r| {
            Ok(DirectTaker {
                set: Presence::parse(&r.get::<String>(0)?),
                seen_at_ms: r.get(1)?,
                room: r.get::<i64>(2)? > r.get::<i64>(3)?,
            })
        })
        .transpose()
    }

    /// The offer settings of the queue `queue_id`; none for no such queue.
    pub fn offer_settings(&self, queue_id: &str) -> Result<Option<OfferSettings>, StoreError> {
        self.row(
            "SELECT offer_timeout_seconds, offer_cooldown_seconds FROM queues WHERE id = ?1",
            args![queue_id],
        )?
        .map(|r| {
            Ok(OfferSettings {
                timeout_seconds: r.get(0)?,
                cooldown_seconds: r.get(1)?,
            })
        })
        .transpose()
    }

    /// The offer `id`.
    pub fn offer(&self, id: i64) -> Result<Option<OfferRow>, StoreError> {
        self.row(
            "SELECT id, request_id, queue_id, user_id, state, expires_at_ms FROM offers
              WHERE id = ?1",
            args![id],
        )?
        .map(|r| {
            Ok(OfferRow {
                id: r.get(0)?,
                request_id: r.get(1)?,
                queue_id: r.get(2)?,
                user_id: r.get(3)?,
                state: r.get(4)?,
                expires_at_ms: r.get(5)?,
            })
        })
        .transpose()
    }

    /// `user`'s open offers that have not run out at `now_ms`, soonest to end first.
    pub fn open_offers_of(&self, user: &str, now_ms: i64) -> Result<Vec<OpenOffer>, StoreError> {
        self.rows(
            "SELECT o.id, c.id, c.name, c.request_reason, c.preferred_phone, c.visitor_name,
                    c.scheduled_routing_at, c.is_callback, q.name, o.expires_at_ms
               FROM offers o JOIN contact_requests c ON c.id = o.request_id
               JOIN queues q ON q.id = o.queue_id
              WHERE o.user_id = ?1 AND o.state = 'open' AND o.expires_at_ms > ?2
              ORDER BY o.expires_at_ms, o.id",
            args![user, now_ms],
        )?
        .iter()
        .map(|r| {
            Ok(OpenOffer {
                id: r.get(0)?,
                request_id: r.get(1)?,
                name: r.get(2)?,
                reason: r.get(3)?,
                phone: r.get(4)?,
                visitor_name: r.get(5)?,
                scheduled: r.get(6)?,
                is_callback: r.get(7)?,
                queue_name: r.get(8)?,
                expires_at_ms: r.get(9)?,
            })
        })
        .collect()
    }

    /// How many members of `queue` may be offered `request` now (as [`Tx::next_representative`] chooses
    /// among them); with no request, how many have room for one.
    pub fn takers(
        &self,
        queue: &str,
        request: Option<&str>,
        seen_after_ms: i64,
        cooled_since: &str,
    ) -> Result<u32, StoreError> {
        self.one(
            &format!("SELECT count(*) {}", takers()),
            args![queue, request.unwrap_or(""), seen_after_ms, cooled_since],
        )?
        .get(0)
    }

    /// IsCallback, the phone and the call center of the request `id`, for the call an accepted offer
    /// starts.
    pub fn offered_request(&self, id: &str) -> Result<Option<OfferedRequest>, StoreError> {
        self.row(
            "SELECT is_callback, preferred_phone, call_center_id FROM contact_requests WHERE id = ?1",
            args![id],
        )?
        .map(|r| {
            Ok(OfferedRequest {
                is_callback: r.get(0)?,
                phone: r.get(1)?,
                call_center_id: r.get(2)?,
            })
        })
        .transpose()
    }

    /// Whether routing has anything to do at `now` (stored format, and `now_ms`): an open offer to end,
    /// or a due request nobody is offered in a queue with a member seen since `seen_after_ms`.
    pub fn routing_has_work(
        &self,
        now: &str,
        now_ms: i64,
        seen_after_ms: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM offers WHERE state = 'open' AND expires_at_ms <= ?2)
                 OR EXISTS (SELECT 1 FROM contact_requests c
                             WHERE c.owner_id IN (SELECT m.queue_id FROM queue_members m
                                     JOIN presence p ON p.user_id = m.user_id
                                    WHERE p.state = 'available' AND p.seen_at_ms >= ?3)
                               AND {waiting})",
            waiting = waiting(1)
        );
        self.one(&sql, args![now, now_ms, seen_after_ms])?.get(0)
    }
}

impl Tx<'_> {
    /// Whether this transaction may run a routing round: on PostgreSQL, false while another process's
    /// round is running (which does the work), and once true, every other round waits for this one's
    /// commit. SQLite's one writer runs one round at a time anyway.
    pub fn take_routing_turn(&self) -> Result<bool, StoreError> {
        match self.dialect() {
            Dialect::Sqlite => Ok(true),
            Dialect::Postgres => self
                .one("SELECT pg_try_advisory_xact_lock(?1)", args![ROUTING_LOCK])?
                .get(0),
        }
    }

    /// Sets `user`'s presence at `at`; setting it counts as being seen at `now_ms`. A change is told
    /// (`presence.changed`).
    pub fn set_presence(
        &self,
        user: &str,
        state: Presence,
        at: &str,
        now_ms: i64,
    ) -> Result<PresenceRow, StoreError> {
        let before = self.presence(user)?;
        self.run(
            &format!(
                "INSERT INTO presence (user_id, state, changed_at, seen_at_ms, idle_since)
                 VALUES (?1, ?2, ?3, ?4, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET state = excluded.state,
                     changed_at = excluded.changed_at,
                     seen_at_ms = {greatest}(presence.seen_at_ms, excluded.seen_at_ms),
                     idle_since = CASE WHEN presence.state = 'available' THEN presence.idle_since
                                       ELSE excluded.idle_since END",
                greatest = greatest(self.dialect())
            ),
            args![user, state.as_str(), at, now_ms],
        )?;
        if before.is_none_or(|row| row.state != state) {
            self.presence_event(user, user, at)?;
        }
        Ok(self
            .presence(user)?
            .unwrap_or(PresenceRow { state, capacity: 1 }))
    }

    /// Makes Offline, at `at`, whoever signs out of the session `id_hash`, and tells it.
    pub fn offline_on_sign_out(&self, id_hash: &str, at: &str) -> Result<(), StoreError> {
        let user: Option<String> = self
            .row(
                "SELECT user_id FROM console_sessions WHERE id_hash = ?1",
                args![id_hash],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        let Some(user) = user else {
            return Ok(());
        };
        let changed = self.run(
            "UPDATE presence SET state = 'offline', changed_at = ?2
              WHERE user_id = ?1 AND state <> 'offline'",
            args![&user, at],
        )?;
        if changed > 0 {
            self.presence_event(&user, &user, at)?;
        }
        Ok(())
    }

    /// The outbox event `presence.changed` about `user`'s presence row as it now stands, changed by
    /// `by`: heard by them (its `OwnerId`) and by those who see everything.
    fn presence_event(&self, user: &str, by: &str, at: &str) -> Result<(), StoreError> {
        let dialect = self.dialect();
        let data = json_object(
            dialect,
            "'id', p.user_id, 'OwnerId', p.user_id, 'state', p.state, 'capacity', p.capacity,
             'by', CAST(?4 AS TEXT)",
        );
        self.run(
            &insert_events_from(
                dialect,
                "p.user_id",
                "NULL",
                &data,
                "presence p WHERE p.user_id = ?3",
            ),
            args![PRESENCE_CHANGED, at, user, by],
        )?;
        Ok(())
    }

    /// Sets the queue `queue_id`'s offer timeout and cool-down, each left as it is when `None`; the next
    /// routing round reads them.
    pub fn set_offer_settings(
        &self,
        queue_id: &str,
        timeout_seconds: Option<u32>,
        cooldown_seconds: Option<u32>,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE queues
                SET offer_timeout_seconds = coalesce(CAST(?2 AS BIGINT), offer_timeout_seconds),
                    offer_cooldown_seconds = coalesce(CAST(?3 AS BIGINT), offer_cooldown_seconds)
              WHERE id = ?1",
            args![queue_id, timeout_seconds, cooldown_seconds],
        )?;
        Ok(())
    }

    /// Sets, as `by`, how many work items `user` holds at once, and tells it.
    pub fn set_capacity(
        &self,
        user: &str,
        capacity: u32,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO presence (user_id, capacity, changed_at, idle_since) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (user_id) DO UPDATE SET capacity = excluded.capacity",
            args![user, capacity, at],
        )?;
        self.presence_event(user, by, at)
    }

    /// Notes that `user`'s console is connected at `now_ms`.
    pub fn touch_presence(&self, user: &str, now_ms: i64) -> Result<(), StoreError> {
        self.run(
            &format!(
                "UPDATE presence SET seen_at_ms = {greatest}(seen_at_ms, ?2) WHERE user_id = ?1",
                greatest = greatest(self.dialect())
            ),
            args![user, now_ms],
        )?;
        Ok(())
    }

    /// Ends, as `expired` at `at`, the open offers whose time ran out by `now_ms`, and as `withdrawn` the
    /// open offers whose request is no longer routable from their queue (closed, deleted, taken, or
    /// rescheduled); answers how many ended.
    pub fn end_stale_offers(&self, now: &str, now_ms: i64) -> Result<usize, StoreError> {
        let expired = self.rows(
            "UPDATE offers SET state = 'expired', answered_at = ?2
              WHERE state = 'open' AND expires_at_ms <= ?1 RETURNING id",
            args![now_ms, now],
        )?;
        let withdrawn = self.rows(
            &format!(
                "UPDATE offers SET state = 'withdrawn', answered_at = ?1
                  WHERE state = 'open' AND NOT EXISTS (SELECT 1 FROM contact_requests c
                         WHERE c.id = offers.request_id AND c.owner_id = offers.queue_id
                           AND c.is_deleted = 0 AND c.status IN ({open})
                           AND coalesce(c.scheduled_routing_at, c.created_at) <= ?1)
                  RETURNING id",
                open = open_statuses()
            ),
            args![now],
        )?;
        for row in expired.iter().chain(&withdrawn) {
            self.offer_event(OFFER_ENDED, row.get(0)?, now)?;
        }
        Ok(expired.len() + withdrawn.len())
    }

    /// The due (at `now`), open, queue-owned requests nobody is offered, earliest due first.
    pub fn unoffered(&self, now: &str, limit: u32) -> Result<Vec<Unoffered>, StoreError> {
        self.rows(
            &format!(
                "SELECT c.id, q.id, q.offer_timeout_seconds, q.offer_cooldown_seconds
                   FROM contact_requests c JOIN queues q ON q.id = c.owner_id
                  WHERE {waiting}
                  ORDER BY coalesce(c.scheduled_routing_at, c.created_at), c.seq
                  LIMIT ?2",
                waiting = waiting(1)
            ),
            args![now, limit],
        )?
        .iter()
        .map(|r| {
            Ok(Unoffered {
                request_id: r.get(0)?,
                queue_id: r.get(1)?,
                timeout_seconds: r.get(2)?,
                cooldown_seconds: r.get(3)?,
            })
        })
        .collect()
    }

    /// The member of `queue` to offer `request` to: active, Available and seen since `seen_after_ms`,
    /// holding less than their capacity, and not one who declined it, let it run out or had it taken
    /// back since `cooled_since`; the one idle longest.
    pub fn next_representative(
        &self,
        queue: &str,
        request: &str,
        seen_after_ms: i64,
        cooled_since: &str,
    ) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "SELECT p.user_id {takers} ORDER BY p.idle_since, p.user_id LIMIT 1",
            takers = takers()
        );
        self.row(&sql, args![queue, request, seen_after_ms, cooled_since])?
            .map(|r| r.get(0))
            .transpose()
    }

    /// Offers `request` of `queue` to `user` at `at` until `expires_at_ms`, and tells their console;
    /// answers the offer's id, or `None` when the request already has an open offer.
    pub fn make_offer(
        &self,
        request: &str,
        queue: &str,
        user: &str,
        at: &str,
        expires_at_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let id: Option<i64> = self
            .row(
                "INSERT INTO offers (request_id, queue_id, user_id, offered_at, expires_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING id",
                args![request, queue, user, at, expires_at_ms],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        if let Some(id) = id {
            self.run(
                "UPDATE presence SET idle_since = ?2 WHERE user_id = ?1",
                args![user, at],
            )?;
            self.offer_event(OFFER_MADE, id, at)?;
        }
        Ok(id)
    }

    /// Marks `user`'s accepted offers of `request` as handed on by `by` at `at` (a transfer): as after a
    /// decline, they are not offered it again for the queue's cool-down.
    pub fn mark_handed_on(
        &self,
        request: &str,
        user: &str,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE offers SET taken_back_by = ?3, taken_back_at = ?4
              WHERE request_id = ?1 AND user_id = ?2 AND state = 'accepted'",
            args![request, user, by, at],
        )?;
        Ok(())
    }

    /// Ends the open offer `id` as `state` (accepted, declined or withdrawn) at `at`, and tells the
    /// console; false when it was not open.
    pub fn end_offer(&self, id: i64, state: &str, at: &str) -> Result<bool, StoreError> {
        let ended = self.run(
            "UPDATE offers SET state = ?2, answered_at = ?3 WHERE id = ?1 AND state = 'open'",
            args![id, state, at],
        )? > 0;
        if ended {
            self.offer_event(OFFER_ENDED, id, at)?;
        }
        Ok(ended)
    }

    /// The outbox event `kind` about the offer `id`, heard by the offered representative (its `OwnerId`)
    /// and by those who see everything.
    pub(super) fn offer_event(&self, kind: &str, id: i64, at: &str) -> Result<(), StoreError> {
        let dialect = self.dialect();
        let data = json_object(
            dialect,
            "'offerId', o.id, 'requestId', o.request_id, 'queueId', o.queue_id,
             'OwnerId', o.user_id, 'state', o.state, 'by', o.user_id",
        );
        self.run(
            &insert_events_from(
                dialect,
                "o.request_id",
                "NULL",
                &data,
                "offers o WHERE o.id = ?3",
            ),
            args![kind, at, id],
        )?;
        Ok(())
    }
}
