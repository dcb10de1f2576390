//! A request's history as the console shows it: its status changes, owner changes and notes, each with
//! who (id and name) and when, newest first; and the writing of a note.

use contact_shared::console::HistoryEntry;

use super::StoreError;
use super::sql::args;
use super::tx::{Db, Tx};

/// The name of the user or queue whose id is the SQL expression `id`; the id itself for one that is
/// neither (a user of another system).
fn name_of(id: &str) -> String {
    format!(
        "coalesce((SELECT name FROM users WHERE id = {id}), (SELECT name FROM queues WHERE id = {id}), {id})"
    )
}

/// An entry with where it was written, to merge the three tables in one order.
struct Placed {
    /// Status changes, then owner changes, then notes: how entries written at the same instant by one
    /// write read in order.
    rank: u8,
    seq: i64,
    entry: HistoryEntry,
}

fn at(entry: &HistoryEntry) -> &str {
    match entry {
        HistoryEntry::Status { at, .. }
        | HistoryEntry::Owner { at, .. }
        | HistoryEntry::Note { at, .. } => at,
    }
}

impl Db<'_> {
    /// The owner of the request `id`, if there is one.
    pub fn owner_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .row(
                "SELECT owner_id FROM contact_requests WHERE id = ?1",
                args![id],
            )?
            .map(|row| row.get::<Option<String>>(0))
            .transpose()?
            .flatten())
    }

    /// The history of the request `id`, newest first (instants in the stored format).
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut placed = Vec::new();
        let sql = format!(
            "SELECT seq, changed_at, changed_by, {}, old_status, new_status
               FROM contact_request_status_history h WHERE record_id = ?1",
            name_of("h.changed_by")
        );
        for r in self.rows(&sql, args![id])? {
            placed.push(Placed {
                rank: 0,
                seq: r.get(0)?,
                entry: HistoryEntry::Status {
                    at: r.get(1)?,
                    by_id: r.get(2)?,
                    by_name: r.get(3)?,
                    from: r.get(4)?,
                    to: r.get(5)?,
                },
            });
        }
        let sql = format!(
            "SELECT seq, changed_at, changed_by, {}, old_owner, CASE WHEN old_owner IS NULL THEN NULL ELSE {} END,
                    new_owner, {}
               FROM contact_request_owner_history h WHERE record_id = ?1",
            name_of("h.changed_by"),
            name_of("h.old_owner"),
            name_of("h.new_owner")
        );
        for r in self.rows(&sql, args![id])? {
            placed.push(Placed {
                rank: 1,
                seq: r.get(0)?,
                entry: HistoryEntry::Owner {
                    at: r.get(1)?,
                    by_id: r.get(2)?,
                    by_name: r.get(3)?,
                    from_id: r.get(4)?,
                    from_name: r.get(5)?,
                    to_id: r.get(6)?,
                    to_name: r.get(7)?,
                },
            });
        }
        let sql = format!(
            "SELECT seq, created_at, created_by, {}, body FROM contact_request_notes h WHERE record_id = ?1",
            name_of("h.created_by")
        );
        for r in self.rows(&sql, args![id])? {
            placed.push(Placed {
                rank: 2,
                seq: r.get(0)?,
                entry: HistoryEntry::Note {
                    at: r.get(1)?,
                    by_id: r.get(2)?,
                    by_name: r.get(3)?,
                    body: r.get(4)?,
                },
            });
        }
        // Stored instants sort as text.
        placed.sort_by(|a, b| {
            at(&b.entry)
                .cmp(at(&a.entry))
                .then(b.rank.cmp(&a.rank))
                .then(b.seq.cmp(&a.seq))
        });
        Ok(placed.into_iter().map(|p| p.entry).collect())
    }
}

impl Tx<'_> {
    /// Keeps the note `body` on the request `id`, written by `by` at `at`; answers it as the history
    /// shows it.
    pub fn insert_note(
        &self,
        id: &str,
        body: &str,
        by: &str,
        at: &str,
    ) -> Result<HistoryEntry, StoreError> {
        self.run(
            "INSERT INTO contact_request_notes (record_id, body, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            args![id, body, by, at],
        )?;
        let by_name: String = self
            .one(&format!("SELECT {}", name_of("?1")), args![by])?
            .get(0)?;
        Ok(HistoryEntry::Note {
            at: at.to_owned(),
            by_id: by.to_owned(),
            by_name,
            body: body.to_owned(),
        })
    }
}
