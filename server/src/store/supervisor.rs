//! What the supervisor view reads: who takes work and their presence as stored, what each holds (by the
//! rule of [`super::offers`]), and what waits in each queue; and the marks a supervisor's take-back leaves
//! on an offer. The take-back's decision is `console::supervisor`'s, under the request's lock.

use contact_shared::console::{Presence, Role};

use super::StoreError;
use super::offers::{OFFER_ENDED, holding, waiting};
use super::sql::args;
use super::tx::{Db, Tx};

/// Someone who takes work: in a queue, or with a presence set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloorPersonRow {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    /// As set; none before they first set it.
    pub state: Option<Presence>,
    /// When their console was last known connected (Unix ms; 0 never).
    pub seen_at_ms: i64,
    pub capacity: u32,
}

/// An item someone holds (instants in the stored format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRow {
    pub offer_id: i64,
    pub user_id: String,
    pub request_id: String,
    pub name: String,
    pub queue_id: String,
    pub queue_name: String,
    /// Accepted, else offered.
    pub accepted: bool,
    pub offered_at: String,
    pub answered_at: Option<String>,
    pub expires_at_ms: i64,
}

/// A queue and what waits in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFloorRow {
    pub id: String,
    pub name: String,
    pub cooldown_seconds: i64,
    /// Due, open requests nobody holds an offer of.
    pub waiting: u32,
    /// Its requests offered now.
    pub offered: u32,
}

/// A queue's longest-waiting request: id, number and since when it is due (stored format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldestRow {
    pub request_id: String,
    pub name: String,
    pub due_at: String,
}

impl Db<'_> {
    /// The active users (not `guest`, the site guest user) who belong to a queue or have set a presence,
    /// by name.
    pub fn floor_people(&self, guest: &str) -> Result<Vec<FloorPersonRow>, StoreError> {
        self.rows(
            "SELECT u.id, u.username, u.name, u.role, p.state, coalesce(p.seen_at_ms, 0),
                    coalesce(p.capacity, 1)
               FROM users u LEFT JOIN presence p ON p.user_id = u.id
              WHERE u.is_active = 1 AND u.id <> ?1
                AND (p.user_id IS NOT NULL
                     OR EXISTS (SELECT 1 FROM queue_members m WHERE m.user_id = u.id))
              ORDER BY u.name, u.id",
            args![guest],
        )?
        .iter()
        .map(|r| {
            Ok(FloorPersonRow {
                id: r.get(0)?,
                username: r.get(1)?,
                name: r.get(2)?,
                role: r.get(3)?,
                state: r
                    .get::<Option<String>>(4)?
                    .and_then(|name| Presence::parse(&name)),
                seen_at_ms: r.get(5)?,
                capacity: r.get(6)?,
            })
        })
        .collect()
    }

    /// Every item held now, oldest offer first; a request accepted twice by one person is one item,
    /// their latest acceptance.
    pub fn floor_holds(&self) -> Result<Vec<HeldRow>, StoreError> {
        let rows = self.rows(
            &format!(
                "SELECT o.id, o.user_id, o.request_id, c.name, o.queue_id, q.name, o.state,
                        o.offered_at, o.answered_at, o.expires_at_ms
                   FROM offers o JOIN contact_requests c ON c.id = o.request_id
                   JOIN queues q ON q.id = o.queue_id
                  WHERE {holding}
                  ORDER BY o.id DESC",
                holding = holding()
            ),
            args![],
        )?;
        let mut held: Vec<HeldRow> = Vec::new();
        for r in &rows {
            let row = HeldRow {
                offer_id: r.get(0)?,
                user_id: r.get(1)?,
                request_id: r.get(2)?,
                name: r.get(3)?,
                queue_id: r.get(4)?,
                queue_name: r.get(5)?,
                accepted: r.get::<String>(6)? == "accepted",
                offered_at: r.get(7)?,
                answered_at: r.get(8)?,
                expires_at_ms: r.get(9)?,
            };
            // Newest first, so the first seen of a (person, request) is the one kept.
            if !held
                .iter()
                .any(|h| h.user_id == row.user_id && h.request_id == row.request_id)
            {
                held.push(row);
            }
        }
        held.reverse();
        Ok(held)
    }

    /// Every queue, by name, with how many of its requests wait at `now` (stored format) and how many
    /// are offered.
    pub fn floor_queues(&self, now: &str) -> Result<Vec<QueueFloorRow>, StoreError> {
        self.rows(
            &format!(
                "SELECT q.id, q.name, q.offer_cooldown_seconds,
                        (SELECT count(*) FROM contact_requests c WHERE c.owner_id = q.id AND {waiting}),
                        (SELECT count(*) FROM offers o WHERE o.queue_id = q.id AND o.state = 'open')
                   FROM queues q ORDER BY q.name, q.id",
                waiting = waiting(1)
            ),
            args![now],
        )?
        .iter()
        .map(|r| {
            Ok(QueueFloorRow {
                id: r.get(0)?,
                name: r.get(1)?,
                cooldown_seconds: r.get(2)?,
                waiting: r.get(3)?,
                offered: r.get(4)?,
            })
        })
        .collect()
    }

    /// The request of `queue` waiting longest at `now`: the one routing offers first.
    pub fn oldest_waiting(&self, queue: &str, now: &str) -> Result<Option<OldestRow>, StoreError> {
        self.row(
            &format!(
                "SELECT c.id, c.name, coalesce(c.scheduled_routing_at, c.created_at)
                   FROM contact_requests c WHERE c.owner_id = ?2 AND {waiting}
                  ORDER BY coalesce(c.scheduled_routing_at, c.created_at), c.seq LIMIT 1",
                waiting = waiting(1)
            ),
            args![now, queue],
        )?
        .map(|r| {
            Ok(OldestRow {
                request_id: r.get(0)?,
                name: r.get(1)?,
                due_at: r.get(2)?,
            })
        })
        .transpose()
    }
}

impl Tx<'_> {
    /// Withdraws the open offer `id`, taken back by `by` at `at`, and tells the consoles; false when it
    /// was not open.
    pub fn take_back_offer(&self, id: i64, by: &str, at: &str) -> Result<bool, StoreError> {
        let ended = self.run(
            "UPDATE offers SET state = 'withdrawn', answered_at = ?3, taken_back_by = ?2,
                    taken_back_at = ?3
              WHERE id = ?1 AND state = 'open'",
            args![id, by, at],
        )? > 0;
        if ended {
            self.offer_event(OFFER_ENDED, id, at)?;
        }
        Ok(ended)
    }

    /// Marks the accepted offer `id` as taken back by `by` at `at` (its request returned to the queue):
    /// its representative cools down from the request as after a decline.
    pub fn mark_taken_back(&self, id: i64, by: &str, at: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE offers SET taken_back_by = ?2, taken_back_at = ?3 WHERE id = ?1",
            args![id, by, at],
        )?;
        Ok(())
    }
}
