//! What the store keeps of who may use the Salesforce-compatible API: users, the queues that own
//! requests, and bearer tokens (only their SHA-256).

use serde::Serialize;

use contact_shared::console::{QueueRef, Role};

use super::StoreError;
use super::sql::{Row, args};
use super::tx::{Db, Tx};
use crate::ids;
use crate::instant::now;

/// A user as listed.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub is_active: bool,
    pub role: Role,
}

/// A queue as listed.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

/// A token as listed: never the token itself, nor its hash.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: String,
    pub username: String,
    pub scope: String,
    pub label: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A new token to store: its hash, never the token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token_hash: String,
    pub user_id: String,
    pub scope: &'static str,
    pub label: Option<String>,
}

/// What a live token of an active user grants, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub user_id: String,
    pub scope: String,
    pub role: Role,
}

/// Whether a row with a name that must be unique was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added,
    /// Another row already has the name; nothing was written.
    NameTaken,
}

/// `Added` from how many rows an insert `ON CONFLICT DO NOTHING` wrote: a name already taken is an
/// answer, not an error (and on PostgreSQL leaves the transaction usable).
fn added(inserted: usize) -> Result<Added, StoreError> {
    Ok(if inserted == 0 {
        Added::NameTaken
    } else {
        Added::Added
    })
}

/// The columns [`user_row`] reads, in its order.
const USER_COLUMNS: &str = "id, username, name, email, is_active, role";

/// A user from a row of [`USER_COLUMNS`].
fn user_row(row: &Row) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        email: row.get(3)?,
        is_active: row.get(4)?,
        role: row.get(5)?,
    })
}

fn token_row(row: &Row) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        scope: row.get(3)?,
        label: row.get(4)?,
        created_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

impl Db<'_> {
    /// Every user but the built-in site guest user, by username.
    pub fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        self.rows(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id <> ?1 ORDER BY username"),
            args![ids::SITE_GUEST_USER_ID],
        )?
        .iter()
        .map(user_row)
        .collect()
    }

    /// The user with this id.
    pub fn user(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        self.row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            args![id],
        )?
        .as_ref()
        .map(user_row)
        .transpose()
    }

    /// The id of the user with this id or username.
    pub fn user_id(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT id FROM users WHERE id = ?1 OR username = ?1",
            args![key],
        )?
        .map(|row| row.get(0))
        .transpose()
    }

    /// Every queue, by name.
    pub fn queues(&self) -> Result<Vec<QueueRow>, StoreError> {
        self.rows(
            "SELECT id, name, is_default FROM queues ORDER BY name",
            args![],
        )?
        .iter()
        .map(|row| {
            Ok(QueueRow {
                id: row.get(0)?,
                name: row.get(1)?,
                is_default: row.get(2)?,
            })
        })
        .collect()
    }

    /// The queues `user_id` belongs to, by name.
    pub fn queues_of(&self, user_id: &str) -> Result<Vec<QueueRef>, StoreError> {
        self.rows(
            "SELECT q.id, q.name FROM queue_members m JOIN queues q ON q.id = m.queue_id
              WHERE m.user_id = ?1 ORDER BY q.name",
            args![user_id],
        )?
        .iter()
        .map(|row| {
            Ok(QueueRef {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })
        .collect()
    }

    /// The members of the queue `queue_id`, by username.
    pub fn queue_members(&self, queue_id: &str) -> Result<Vec<UserRow>, StoreError> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.rows(
            &format!(
                "SELECT {columns} FROM queue_members m JOIN users u ON u.id = m.user_id
                  WHERE m.queue_id = ?1 ORDER BY u.username"
            ),
            args![queue_id],
        )?
        .iter()
        .map(user_row)
        .collect()
    }

    /// The id of the queue with this id or name.
    pub fn queue_id(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT id FROM queues WHERE id = ?1 OR name = ?1",
            args![key],
        )?
        .map(|row| row.get(0))
        .transpose()
    }

    /// Every token, newest first.
    pub fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        self.rows(
            "SELECT t.id, t.user_id, u.username, t.scope, t.label, t.created_at, t.revoked_at
               FROM access_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
            args![],
        )?
        .iter()
        .map(token_row)
        .collect()
    }

    /// What the live token with this hash grants, when its user is active.
    pub fn grant(&self, token_hash: &str) -> Result<Option<GrantRow>, StoreError> {
        self.row(
            "SELECT t.user_id, t.scope, u.role FROM access_tokens t JOIN users u ON u.id = t.user_id
              WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.is_active = 1",
            args![token_hash],
        )?
        .map(|row| {
            Ok(GrantRow {
                user_id: row.get(0)?,
                scope: row.get(1)?,
                role: row.get(2)?,
            })
        })
        .transpose()
    }
}

impl Tx<'_> {
    /// Adds an active user, unless its username is taken.
    pub fn insert_user(&self, user: &UserRow) -> Result<Added, StoreError> {
        added(self.run(
            "INSERT INTO users (id, username, name, email, role, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            args![
                &user.id,
                &user.username,
                &user.name,
                &user.email,
                user.role.as_str(),
                &now()
            ],
        )?)
    }

    /// Adds a queue, unless its name is taken; a default queue takes over from the one before.
    pub fn insert_queue(&self, queue: &QueueRow) -> Result<Added, StoreError> {
        if queue.is_default {
            self.run(
                "UPDATE queues SET is_default = 0 WHERE is_default = 1",
                args![],
            )?;
        }
        added(self.run(
            "INSERT INTO queues (id, name, is_default, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
            args![&queue.id, &queue.name, queue.is_default, &now()],
        )?)
    }

    /// The id of the queue named `name`, adding it (not as the default, with `new_id`) if there is none.
    pub fn ensure_queue(&self, new_id: &str, name: &str) -> Result<String, StoreError> {
        // On PostgreSQL, an insert of the same name by another process waits for it to commit, and the
        // read after sees its queue.
        self.run(
            "INSERT INTO queues (id, name, is_default, created_at) VALUES (?1, ?2, 0, ?3)
             ON CONFLICT (name) DO NOTHING",
            args![new_id, name, &now()],
        )?;
        self.one("SELECT id FROM queues WHERE name = ?1", args![name])?
            .get(0)
    }

    /// Makes `user_id` a member of `queue_id`; answers whether it was not one already.
    pub fn add_queue_member(&self, queue_id: &str, user_id: &str) -> Result<bool, StoreError> {
        Ok(self.run(
            "INSERT INTO queue_members (queue_id, user_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            args![queue_id, user_id, &now()],
        )? == 1)
    }

    /// Takes `user_id` out of `queue_id`; answers whether it was a member.
    pub fn remove_queue_member(&self, queue_id: &str, user_id: &str) -> Result<bool, StoreError> {
        Ok(self.run(
            "DELETE FROM queue_members WHERE queue_id = ?1 AND user_id = ?2",
            args![queue_id, user_id],
        )? == 1)
    }

    /// Gives `user_id` the role `role`; answers whether there is such a user.
    pub fn set_role(&self, user_id: &str, role: Role) -> Result<bool, StoreError> {
        Ok(self.run(
            "UPDATE users SET role = ?2 WHERE id = ?1 AND id <> ?3",
            args![user_id, role.as_str(), ids::SITE_GUEST_USER_ID],
        )? == 1)
    }

    /// Stores a token and answers its id.
    pub fn insert_token(&self, token: &NewToken) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO access_tokens (token_hash, user_id, scope, label, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            args![
                &token.token_hash,
                &token.user_id,
                token.scope,
                &token.label,
                &now()
            ],
        )?
        .get(0)
    }

    /// Revokes the live token with this id; answers how many were (0 or 1).
    pub fn revoke_token(&self, id: i64) -> Result<usize, StoreError> {
        self.run(
            "UPDATE access_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            args![id, &now()],
        )
    }
}
