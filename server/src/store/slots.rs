//! What the store knows of callback slots: the scheduled times of the open callbacks in a window, which
//! the slot picker and the batch writer's capacity check both count.

use super::sql::args;
use super::tx::Db;
use super::{Store, StoreError};

/// The scheduled times of the open callbacks of `center` (by internal name) in `[from, to)`, stored form,
/// for the SQLite batch writer, which holds its transaction's connection.
pub(super) fn taken(
    conn: &rusqlite::Connection,
    center: &str,
    from: &str,
    to: &str,
) -> Result<Vec<String>, StoreError> {
    Db::new(conn).taken_slots(center, from, to)
}

impl Db<'_> {
    /// The scheduled times of the open callbacks of `center` (by internal name) in `[from, to)`, stored
    /// form. Open means New or Attempted and not in the recycle bin: a Contacted or Abandoned callback
    /// frees its place.
    pub(super) fn taken_slots(
        &self,
        center: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.rows(
            &format!(
                "SELECT r.scheduled_routing_at
                   FROM contact_requests r JOIN call_centers c ON c.id = r.call_center_id
                  WHERE c.internal_name = ?1 AND r.is_deleted = 0 AND r.status IN ({})
                    AND r.scheduled_routing_at >= ?2 AND r.scheduled_routing_at < ?3",
                super::columns::open_statuses()
            ),
            args![center, from, to],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect()
    }
}

impl Store {
    /// The scheduled times of the open callbacks of `center` (by internal name) in `[from, to)`, stored
    /// form: what a slot's remaining places are counted from. A visitor's widget asks this, so it runs on
    /// the probe connections (an indexed range), where no number of slow API queries makes it wait.
    pub async fn taken_slots(
        &self,
        center: String,
        from: String,
        to: String,
    ) -> Result<Vec<String>, StoreError> {
        self.probe(move |db| db.taken_slots(&center, &from, &to))
            .await
    }
}
