//! What the store keeps of the call centers: their CallCenter and AdditionalNumber records, those of the
//! configuration file written again at each start (marked `from_file`), those of the API as written.

use super::StoreError;
use super::sql::args;
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
    pub numbers: Vec<NumberRow>,
    pub retry_delay_seconds: i64,
    pub max_attempts: i64,
}

/// One of a file center's additional numbers.
#[derive(Debug, Clone)]
pub struct NumberRow {
    /// The id the record gets if it is new; a known number (by its center and name) keeps its id.
    pub new_id: String,
    pub name: String,
    pub phone: String,
    pub description: Option<String>,
}

impl Db<'_> {
    /// The internal name and name of the live call center `id`.
    pub fn live_call_center(&self, id: &str) -> Result<Option<(String, String)>, StoreError> {
        self.row(
            "SELECT internal_name, name FROM call_centers WHERE id = ?1 AND is_deleted = 0",
            args![id],
        )?
        .map(|row| Ok((row.get(0)?, row.get(1)?)))
        .transpose()
    }
}

impl Tx<'_> {
    /// Makes the file's records `centers`, as of `at` and owned by `owner`: new ones are added, known
    /// ones updated in place so their ids stay (an API center of the same internal name becomes the
    /// file's), and the file's others move to the recycle bin. The API's records stay as they are.
    pub fn sync_call_centers(
        &self,
        centers: &[CallCenterRow],
        owner: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        for table in ["call_centers", "additional_numbers"] {
            self.run(
                &format!(
                    "UPDATE {table} SET is_deleted = 1, deleted_at = ?1, system_modstamp = ?1
                      WHERE from_file = 1 AND is_deleted = 0"
                ),
                args![at],
            )?;
        }
        for c in centers {
            self.run(
                "INSERT INTO call_centers
                    (id, internal_name, name, unified_routing, time_zone, business_hours,
                     retry_delay_seconds, max_attempts, from_file, owner_id, created_at,
                     updated_at, system_modstamp, created_by_id, last_modified_by_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?10, ?10, ?9, ?9)
                 ON CONFLICT (internal_name) DO UPDATE SET
                    name = excluded.name, unified_routing = excluded.unified_routing,
                    time_zone = excluded.time_zone, business_hours = excluded.business_hours,
                    retry_delay_seconds = excluded.retry_delay_seconds,
                    max_attempts = excluded.max_attempts, from_file = 1,
                    updated_at = excluded.updated_at, last_modified_by_id = excluded.last_modified_by_id,
                    system_modstamp = excluded.system_modstamp, is_deleted = 0, deleted_at = NULL",
                args![
                    &c.new_id,
                    &c.internal_name,
                    &c.name,
                    c.unified_routing,
                    &c.time_zone,
                    &c.business_hours,
                    c.retry_delay_seconds,
                    c.max_attempts,
                    owner,
                    at
                ],
            )?;
            let center: String = self
                .row(
                    "SELECT id FROM call_centers WHERE internal_name = ?1",
                    args![&c.internal_name],
                )?
                .map(|row| row.get(0))
                .transpose()?
                .unwrap_or_default();
            for n in &c.numbers {
                self.sync_number(&center, n, owner, at)?;
            }
        }
        Ok(())
    }

    /// Writes one of the file's numbers of the center `center`: the one of its name again, or a new one.
    fn sync_number(
        &self,
        center: &str,
        n: &NumberRow,
        owner: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let known: Option<String> = self
            .row(
                "SELECT id FROM additional_numbers
                  WHERE call_center_id = ?1 AND name = ?2 AND from_file = 1
                  ORDER BY seq LIMIT 1",
                args![center, &n.name],
            )?
            .map(|row| row.get(0))
            .transpose()?;
        match known {
            Some(id) => self.run(
                "UPDATE additional_numbers
                    SET phone = ?2, description = ?3, updated_at = ?4, system_modstamp = ?4,
                        last_modified_by_id = ?5, is_deleted = 0, deleted_at = NULL
                  WHERE id = ?1",
                args![&id, &n.phone, &n.description, at, owner],
            ),
            None => self.run(
                "INSERT INTO additional_numbers
                    (id, call_center_id, name, description, phone, from_file, owner_id, created_at,
                     updated_at, system_modstamp, created_by_id, last_modified_by_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7, ?7, ?6, ?6)",
                args![
                    &n.new_id,
                    center,
                    &n.name,
                    &n.description,
                    &n.phone,
                    owner,
                    at
                ],
            ),
        }
        .map(drop)
    }
}
