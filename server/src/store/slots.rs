//! What the store knows of callback slots: the scheduled times of the open callbacks in a window, which
//! the slot picker and the batch writer's capacity check both count.

use rusqlite::{Connection, params};

use super::{Store, StoreError};

/// The scheduled times of the open callbacks of `center` (by internal name) in `[from, to)`, stored form.
/// Open means New or Attempted and not in the recycle bin: a Contacted or Abandoned callback frees its place.
pub(super) fn taken(
    conn: &Connection,
    center: &str,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT r.scheduled_routing_at
           FROM contact_requests r JOIN call_centers c ON c.id = r.call_center_id
          WHERE c.internal_name = ?1 AND r.is_deleted = 0 AND r.status IN ({})
            AND r.scheduled_routing_at >= ?2 AND r.scheduled_routing_at < ?3",
        super::columns::open_statuses()
    ))?;
    let rows = statement.query_map(params![center, from, to], |r| r.get(0))?;
    rows.collect()
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
        self.probe(move |db| match db.postgres() {
            Some(pg) => Ok(pg
                .query(
                    &format!(
                        "SELECT r.scheduled_routing_at
                           FROM contact_requests r JOIN call_centers c ON c.id = r.call_center_id
                          WHERE c.internal_name = $1 AND r.is_deleted = 0 AND r.status IN ({})
                            AND r.scheduled_routing_at >= $2 AND r.scheduled_routing_at < $3",
                        super::columns::open_statuses()
                    ),
                    &[&center, &from, &to],
                )?
                .iter()
                .map(|row| row.get(0))
                .collect()),
            None => Ok(taken(db.sqlite()?, &center, &from, &to)?),
        })
        .await
    }
}
