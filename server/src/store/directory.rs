//! What the console's administration changes of users beyond the CLI's verbs: whether one is active.

use rusqlite::params;

use super::StoreError;
use super::tx::Tx;
use crate::ids;

impl Tx<'_> {
    /// Makes `user_id` active or not (an inactive user's tokens stop working and no request can be
    /// given to them); answers whether there is such a user.
    pub fn set_active(&self, user_id: &str, active: bool) -> Result<bool, StoreError> {
        Ok(self.conn()?.execute(
            "UPDATE users SET is_active = ?2 WHERE id = ?1 AND id <> ?3",
            params![user_id, active, ids::SITE_GUEST_USER_ID],
        )? == 1)
    }
}
