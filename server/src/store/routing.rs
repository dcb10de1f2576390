//! What the store answers for the routing of callbacks: the routable requests of an owner, the request
//! a claim is about and its new owner, and the bulk release of open bookings.

use contact_shared::Status;
use serde_json::Value;

use super::StoreError;
use super::columns::{open_statuses, status_at};
use super::outbox::in_json_list;
use super::sql::args;
use super::tx::{Db, Tx};

/// A routable callback, as the routing view lists it (instants in the stored format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutableRow {
    pub id: String,
    pub name: String,
    pub status: Status,
    pub preferred_phone: Option<String>,
    pub is_callback: bool,
    pub scheduled_routing_at: Option<String>,
    pub created_at: String,
    pub owner_id: String,
    pub call_attempts: i64,
    pub voice_call_id: Option<String>,
}

/// What a claim needs to know of the request it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRow {
    pub name: String,
    /// As stored: one of the reference's, or a value of the organisation's own.
    pub status: String,
    pub owner_id: String,
    pub is_deleted: bool,
    pub scheduled_routing_at: Option<String>,
}

/// Which open bookings a release closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bookings<'a> {
    /// These contact requests (18-character ids).
    Ids(&'a [String]),
    /// Every booking made through the intake (not a provider's, which has a call id) at or after this
    /// instant (stored format).
    IntakeSince(&'a str),
}

impl Db<'_> {
    /// The open requests `owner` owns that are due at `now`, earliest scheduled (or created) first, at
    /// most `limit` of them.
    pub fn routable(
        &self,
        owner: &str,
        now: &str,
        limit: u32,
    ) -> Result<Vec<RoutableRow>, StoreError> {
        self.rows(
            &format!(
                "SELECT id, name, status, preferred_phone, is_callback, scheduled_routing_at,
                        created_at, owner_id, call_attempts, voice_call_id
                   FROM contact_requests
                  WHERE owner_id = ?1 AND is_deleted = 0 AND status IN ({})
                    AND coalesce(scheduled_routing_at, created_at) <= ?2
                  ORDER BY coalesce(scheduled_routing_at, created_at), created_at, seq
                  LIMIT ?3",
                open_statuses()
            ),
            args![owner, now, limit],
        )?
        .iter()
        .map(|r| {
            Ok(RoutableRow {
                id: r.get(0)?,
                name: r.get(1)?,
                status: status_at(r, 2)?,
                preferred_phone: r.get(3)?,
                is_callback: r.get(4)?,
                scheduled_routing_at: r.get(5)?,
                created_at: r.get(6)?,
                owner_id: r.get(7)?,
                call_attempts: r.get(8)?,
                voice_call_id: r.get(9)?,
            })
        })
        .collect()
    }
}

impl Tx<'_> {
    /// The contact request a claim names, deleted or not.
    pub fn claimed(&self, id: &str) -> Result<Option<ClaimedRow>, StoreError> {
        // Locked to the commit: what it says decides the claim, and another process claiming the same
        // request at once waits here, then reads the owner this claim gave it.
        self.row(
            &format!(
                "SELECT name, status, owner_id, is_deleted, scheduled_routing_at
                   FROM contact_requests WHERE id = ?1{}",
                self.for_update()
            ),
            args![id],
        )?
        .map(|r| {
            Ok(ClaimedRow {
                name: r.get(0)?,
                status: r.get(1)?,
                owner_id: r.get(2)?,
                is_deleted: r.get(3)?,
                scheduled_routing_at: r.get(4)?,
            })
        })
        .transpose()
    }

    /// Makes `user` the owner (and last modifier, at `at`) of the contact request `id`.
    pub fn assign_owner(&self, id: &str, user: &str, at: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE contact_requests SET owner_id = ?1, last_modified_by_id = ?1, updated_at = ?2,
                    system_modstamp = ?2 WHERE id = ?3",
            args![user, at, id],
        )?;
        Ok(())
    }

    /// Closes the open bookings (not deleted, New or Attempted, a scheduled time after `at`) among
    /// `bookings` as Abandoned at `at`, modified by `by` when given; answers their ids.
    pub fn release_bookings(
        &self,
        bookings: Bookings<'_>,
        by: Option<&str>,
        at: &str,
    ) -> Result<Vec<String>, StoreError> {
        let (filter, value) = match bookings {
            Bookings::Ids(ids) => (
                in_json_list(self.dialect(), "id", 3),
                Value::from(ids.to_vec()).to_string(),
            ),
            Bookings::IntakeSince(since) => (
                "created_at >= ?3 AND voice_call_id IS NULL".to_owned(),
                since.to_owned(),
            ),
        };
        self.rows(
            &format!(
                "UPDATE contact_requests
                    SET status = 'Abandoned', updated_at = ?1, system_modstamp = ?1,
                        last_modified_by_id = coalesce(?2, last_modified_by_id)
                  WHERE {filter} AND is_deleted = 0 AND status IN ({open})
                    AND scheduled_routing_at IS NOT NULL AND scheduled_routing_at > ?1
                  RETURNING id",
                open = open_statuses()
            ),
            args![at, by, &value],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    }
}
