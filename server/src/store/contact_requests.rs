//! What every new contact request is created with, whichever path writes it (the widget's intake batch,
//! a telephony provider's callback): status New, owned by the named queue or else the default queue,
//! created and last modified by the site guest user, its modstamp its creation. The API's create gives
//! the calling user as creator and owner instead, as Salesforce does, through the generic record layer.

use contact_shared::Status;
use rusqlite::Connection;

use super::StoreError;
use super::sql::args;
use super::tx::Db;
use crate::ids;

/// The status every request starts in.
pub(super) const INITIAL_STATUS: Status = Status::New;

/// Who creates a request that no user of ours writes: a visitor through the widget, a telephony provider.
pub(super) const ANONYMOUS_CREATOR: &str = ids::SITE_GUEST_USER_ID;

/// The owner of a new request: the queue named `queue`, else the default queue.
pub(super) fn owner(conn: &Connection, queue: Option<&str>) -> Result<String, StoreError> {
    Db::new(conn).new_request_owner(queue)
}

impl Db<'_> {
    /// The owner of a new request: the queue named `queue`, else the default queue.
    pub fn new_request_owner(&self, queue: Option<&str>) -> Result<String, StoreError> {
        self.one(
            "SELECT coalesce((SELECT id FROM queues WHERE name = ?1),
                             (SELECT id FROM queues WHERE is_default = 1),
                             ?2)",
            args![queue, ids::DEFAULT_QUEUE_ID],
        )?
        .get(0)
    }
}
