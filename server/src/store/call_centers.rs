//! What the store keeps of the configured call centers: their CallCenter records, mirrored from the
//! configuration file at start-up.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::tx::{Db, Tx};

/// A call center as the file describes it, in the stored form.
#[derive(Debug, Clone)]
pub struct CallCenterRow {
    /// The id the record gets if it is new; a known center keeps its id.
    pub new_id: String,
    pub internal_name: String,
    pub name: String,
    pub unified_routing: bool,
    pub time_zone: String,
    /// `{"mon": "09:00-17:00", ...}`.
    pub business_hours: String,
    /// The additional numbers, as a JSON array.
    pub additional_numbers: String,
    pub retry_delay_seconds: i64,
    pub max_attempts: i64,
}

impl Db<'_> {
    /// The id of the call center with this internal name, unless it is in the recycle bin.
    pub fn live_call_center_id(&self, internal_name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .sqlite()?
            .query_row(
                "SELECT id FROM call_centers WHERE internal_name = ?1 AND is_deleted = 0",
                [internal_name],
                |r| r.get(0),
            )
            .optional()?)
    }
}

impl Tx<'_> {
    /// Makes the CallCenter records `centers`, as of `at` and owned by `owner`: new ones are added, known
    /// ones (by internal name) updated in place so their ids stay, and every other one moves to the
    /// recycle bin.
    pub fn sync_call_centers(
        &self,
        centers: &[CallCenterRow],
        owner: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "UPDATE call_centers SET is_deleted = 1, deleted_at = ?1, system_modstamp = ?1",
            [at],
        )?;
        for c in centers {
            conn.execute(
                "INSERT INTO call_centers
                    (id, internal_name, name, unified_routing, time_zone, business_hours,
                     additional_numbers, retry_delay_seconds, max_attempts, owner_id, created_at,
                     updated_at, system_modstamp, created_by_id, last_modified_by_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?11, ?10, ?10)
                 ON CONFLICT (internal_name) DO UPDATE SET
                    name = excluded.name, unified_routing = excluded.unified_routing,
                    time_zone = excluded.time_zone, business_hours = excluded.business_hours,
                    additional_numbers = excluded.additional_numbers,
                    retry_delay_seconds = excluded.retry_delay_seconds,
                    max_attempts = excluded.max_attempts, updated_at = excluded.updated_at,
                    system_modstamp = excluded.system_modstamp, is_deleted = 0, deleted_at = NULL",
                params![
                    c.new_id,
                    c.internal_name,
                    c.name,
                    c.unified_routing,
                    c.time_zone,
                    c.business_hours,
                    c.additional_numbers,
                    c.retry_delay_seconds,
                    c.max_attempts,
                    owner,
                    at
                ],
            )?;
        }
        Ok(())
    }
}
