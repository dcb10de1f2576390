//! Scheduled callbacks falling due: each (request, scheduled time) is claimed once in `callbacks_due`,
//! in the transaction that writes its `callback.due` event.

use serde_json::Value;

use super::StoreError;
use super::columns::open_statuses;
use super::outbox::{CALLBACK_DUE, in_json_list, insert_events, record_json};
use super::sql::args;
use super::tx::{Db, Tx};

/// The live, open requests whose scheduled time is at or before `?1` and was not told yet.
fn fallen_due() -> String {
    format!(
        "contact_requests c
          WHERE c.scheduled_routing_at IS NOT NULL AND c.scheduled_routing_at <= ?1
            AND c.is_deleted = 0 AND c.status IN ({open})
            AND NOT EXISTS (SELECT 1 FROM callbacks_due d
                             WHERE d.request_id = c.id AND d.due_at = c.scheduled_routing_at)",
        open = open_statuses()
    )
}

impl Db<'_> {
    /// Whether some scheduled callback fell due at or before `at` (stored format) without being told.
    pub fn callbacks_fallen_due(&self, at: &str) -> Result<bool, StoreError> {
        self.one(
            &format!("SELECT EXISTS (SELECT 1 FROM {})", fallen_due()),
            args![at],
        )?
        .get(0)
    }
}

impl Tx<'_> {
    /// Claims up to `limit` of the callbacks that fell due at or before `at` and writes a `callback.due`
    /// for each (`data` the request); answers their ids. A claim another transaction holds waits for its
    /// commit and is then left out, so each is told once, whoever else is claiming.
    pub fn fire_due_callbacks(&self, at: &str, limit: u32) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = self
            .rows(
                &format!(
                    "INSERT INTO callbacks_due (request_id, due_at, fired_at)
                     SELECT c.id, c.scheduled_routing_at, ?1 FROM {}
                      ORDER BY c.scheduled_routing_at LIMIT ?2
                     ON CONFLICT DO NOTHING RETURNING request_id",
                    fallen_due()
                ),
                args![at, limit],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_, _>>()?;
        if !ids.is_empty() {
            let dialect = self.dialect();
            self.run(
                &insert_events(
                    dialect,
                    &record_json(dialect),
                    &in_json_list(dialect, "c.id", 3),
                ),
                args![
                    CALLBACK_DUE,
                    &crate::instant::now(),
                    &Value::from(ids.clone()).to_string()
                ],
            )?;
        }
        Ok(ids)
    }
}
