//! Each person's saved views of requests: read, counted, added (refused when the name is already theirs)
//! and deleted, always within one person's own.

use super::StoreError;
use super::sql::{Row, args};
use super::tx::{Db, Tx};
use contact_shared::console::SavedView;

fn view(row: &Row) -> Result<SavedView, StoreError> {
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
        self.rows(
            "SELECT id, name, path, query, created_at FROM saved_views WHERE user_id = ?1
             ORDER BY name, id",
            args![user],
        )?
        .iter()
        .map(view)
        .collect()
    }

    /// How many views `user` has saved.
    pub fn saved_view_count(&self, user: &str) -> Result<usize, StoreError> {
        self.one(
            "SELECT count(*) FROM saved_views WHERE user_id = ?1",
            args![user],
        )?
        .get(0)
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
        self.row(
            "INSERT INTO saved_views (user_id, name, path, query, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, name) DO NOTHING
             RETURNING id, name, path, query, created_at",
            args![user, name, path, query, at],
        )?
        .as_ref()
        .map(view)
        .transpose()
    }

    /// Deletes `user`'s view `id`; false when they have none by that id.
    pub fn delete_saved_view(&self, user: &str, id: i64) -> Result<bool, StoreError> {
        let deleted = self.run(
            "DELETE FROM saved_views WHERE id = ?1 AND user_id = ?2",
            args![id, user],
        )?;
        Ok(deleted > 0)
    }
}
