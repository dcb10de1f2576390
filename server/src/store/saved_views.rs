//! Each person's saved views of requests: read, counted, added (refused when the name is already theirs)
//! and deleted, always within one person's own.

use contact_shared::console::SavedView;
use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::tx::{Db, Tx};

fn view(row: &rusqlite::Row<'_>) -> rusqlite::Result<SavedView> {
    Ok(SavedView {
        id: row.get(0)?,
        name: row.get(1)?,
        path: row.get(2)?,
        query: row.get(3)?,
        created_at: row.get(4)?,
    })
}

impl Db<'_> {
    /// `user`'s saved views, by name.
    pub fn saved_views(&self, user: &str) -> Result<Vec<SavedView>, StoreError> {
        let conn = self.sqlite()?;
        let mut statement = conn.prepare(
            "SELECT id, name, path, query, created_at FROM saved_views WHERE user_id = ?1
             ORDER BY name, id",
        )?;
        let views = statement.query_map([user], view)?;
        Ok(views.collect::<rusqlite::Result<_>>()?)
    }

    /// How many views `user` has saved.
    pub fn saved_view_count(&self, user: &str) -> Result<usize, StoreError> {
        let count: i64 = self.sqlite()?.query_row(
            "SELECT count(*) FROM saved_views WHERE user_id = ?1",
            [user],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }
}

impl Tx<'_> {
    /// Saves a view for `user`; `None` when they already have one named `name`.
    pub fn insert_saved_view(
        &self,
        user: &str,
        name: &str,
        path: &str,
        query: &str,
        at: &str,
    ) -> Result<Option<SavedView>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "INSERT INTO saved_views (user_id, name, path, query, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, name) DO NOTHING
                 RETURNING id, name, path, query, created_at",
                params![user, name, path, query, at],
                view,
            )
            .optional()?)
    }

    /// Deletes `user`'s view `id`; false when they have none by that id.
    pub fn delete_saved_view(&self, user: &str, id: i64) -> Result<bool, StoreError> {
        let deleted = self.conn()?.execute(
            "DELETE FROM saved_views WHERE id = ?1 AND user_id = ?2",
            params![id, user],
        )?;
        Ok(deleted > 0)
    }
}
