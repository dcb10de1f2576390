//! What the store keeps of signing in to the console: users' password hashes, the console's sessions
//! (only the SHA-256 of each session id) and the failed sign-ins counted against an account or a client.
//!
//! Instants come from the caller's clock as stored instants, never from SQL's `now`, so that expiry and
//! backoff can be tested by turning a clock instead of waiting.

use super::StoreError;
use super::sql::args;
use super::tx::{Db, Tx};

/// What signing in as a username checks: the user, whether it is active, and its password's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsRow {
    pub user_id: String,
    pub is_active: bool,
    /// The Argon2id PHC string; `None` for a user who has no password (an integration, say).
    pub password_hash: Option<String>,
}

/// A live session (not ended, of an active user), as stored, with its user's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: String,
    pub role: contact_shared::console::Role,
    pub created_at: String,
    pub last_seen_at: String,
}

/// The failed sign-ins counted against one key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    pub key: String,
    pub failures: u32,
    pub last_failed_at: String,
}

impl Db<'_> {
    /// The credentials of the user with this username (in any case), if there is one.
    pub fn credentials(&self, username: &str) -> Result<Option<CredentialsRow>, StoreError> {
        self.row(
            "SELECT id, is_active, password_hash FROM users WHERE username = ?1",
            args![username],
        )?
        .map(|row| {
            Ok(CredentialsRow {
                user_id: row.get(0)?,
                is_active: row.get(1)?,
                password_hash: row.get(2)?,
            })
        })
        .transpose()
    }

    /// The live session whose id hashes to `id_hash`: not ended, and of a user who is active.
    pub fn live_session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.row(
            "SELECT s.user_id, s.created_at, s.last_seen_at, u.role
               FROM console_sessions s JOIN users u ON u.id = s.user_id
              WHERE s.id_hash = ?1 AND s.ended_at IS NULL AND u.is_active = 1",
            args![id_hash],
        )?
        .map(|row| {
            Ok(SessionRow {
                user_id: row.get(0)?,
                created_at: row.get(1)?,
                last_seen_at: row.get(2)?,
                role: row.get(3)?,
            })
        })
        .transpose()
    }
}

impl Tx<'_> {
    /// The failures counted against each of `keys`, locked until the commit on PostgreSQL (SQLite's one
    /// writer needs no lock), so sign-ins deciding on the same counts take their turns one after
    /// another. A key without a row gets one with no failures first (at `now`): a row lock needs a row,
    /// and a second transaction inserting the same key waits for the first's commit.
    pub fn sign_in_failures(
        &self,
        keys: &[String],
        now: &str,
    ) -> Result<Vec<FailureRow>, StoreError> {
        let mut rows = Vec::new();
        for key in keys {
            self.run(
                "INSERT INTO sign_in_failures (key, failures, last_failed_at) VALUES (?1, 0, ?2)
                 ON CONFLICT (key) DO NOTHING",
                args![key, now],
            )?;
            let found = self.row(
                &format!(
                    "SELECT key, failures, last_failed_at FROM sign_in_failures WHERE key = ?1{}",
                    self.for_update()
                ),
                args![key],
            )?;
            if let Some(row) = found {
                rows.push(FailureRow {
                    key: row.get(0)?,
                    failures: row.get(1)?,
                    last_failed_at: row.get(2)?,
                });
            }
        }
        Ok(rows)
    }

    /// Sets the password hash of the user with this id; answers whether there is such a user.
    pub fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<bool, StoreError> {
        let changed = self.run(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            args![user_id, hash],
        )?;
        Ok(changed == 1)
    }

    /// Stores a new session of `user_id`, begun `now`.
    pub fn start_session(&self, id_hash: &str, user_id: &str, now: &str) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO console_sessions (id_hash, user_id, created_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?3)",
            args![id_hash, user_id, now],
        )?;
        Ok(())
    }

    /// Ends the session whose id hashes to `id_hash`, if it is live; answers whether it was.
    pub fn end_session(&self, id_hash: &str, now: &str) -> Result<bool, StoreError> {
        let changed = self.run(
            "UPDATE console_sessions SET ended_at = ?2 WHERE id_hash = ?1 AND ended_at IS NULL",
            args![id_hash, now],
        )?;
        Ok(changed == 1)
    }

    /// Ends every live session of `user_id`; answers how many there were.
    pub fn end_sessions_of(&self, user_id: &str, now: &str) -> Result<usize, StoreError> {
        self.run(
            "UPDATE console_sessions SET ended_at = ?2 WHERE user_id = ?1 AND ended_at IS NULL",
            args![user_id, now],
        )
    }

    /// Marks the session as seen `now`.
    pub fn touch_session(&self, id_hash: &str, now: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE console_sessions SET last_seen_at = ?2 WHERE id_hash = ?1 AND ended_at IS NULL",
            args![id_hash, now],
        )?;
        Ok(())
    }

    /// Counts one more failure against `key` at `now`; a count whose last failure was before
    /// `forget_before` starts again from one. One statement, so that failures counted at once by
    /// several processes are each counted. Answers the count.
    pub fn count_sign_in_failure(
        &self,
        key: &str,
        now: &str,
        forget_before: &str,
    ) -> Result<u32, StoreError> {
        self.one(
            "INSERT INTO sign_in_failures (key, failures, last_failed_at) VALUES (?1, 1, ?2)
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN sign_in_failures.last_failed_at < ?3 THEN 1
                                 ELSE sign_in_failures.failures + 1 END,
                 last_failed_at = ?2
             RETURNING failures",
            args![key, now, forget_before],
        )?
        .get(0)
    }

    /// Takes back one failure counted against `key` at `at` by a sign-in that then succeeded: the row
    /// goes back to `before` (what it held before, `None` when there was none) when nothing else was
    /// counted since, and loses that one failure otherwise.
    pub fn take_back_sign_in_failure(
        &self,
        key: &str,
        at: &str,
        counted: u32,
        before: Option<&FailureRow>,
    ) -> Result<(), StoreError> {
        let untouched = "key = ?1 AND failures = ?2 AND last_failed_at = ?3";
        let restored = match before {
            None => self.run(
                &format!("DELETE FROM sign_in_failures WHERE {untouched}"),
                args![key, counted, at],
            )?,
            Some(row) => self.run(
                &format!(
                    "UPDATE sign_in_failures SET failures = ?4, last_failed_at = ?5 WHERE {untouched}"
                ),
                args![key, counted, at, row.failures, &row.last_failed_at],
            )?,
        };
        if restored == 0 {
            self.run(
                "UPDATE sign_in_failures SET failures = failures - 1 WHERE key = ?1 AND failures > 0",
                args![key],
            )?;
        }
        Ok(())
    }

    /// Forgets the failures counted against `key`.
    pub fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        self.run("DELETE FROM sign_in_failures WHERE key = ?1", args![key])?;
        Ok(())
    }

    /// Deletes sessions that ended or began before `before`, and failure counts last added to before
    /// `before`: what no check reads any more. Answers how many rows went.
    pub fn sweep_sign_ins(&self, before: &str) -> Result<usize, StoreError> {
        let sessions = self.run(
            "DELETE FROM console_sessions WHERE ended_at < ?1 OR created_at < ?1",
            args![before],
        )?;
        let failures = self.run(
            "DELETE FROM sign_in_failures WHERE last_failed_at < ?1",
            args![before],
        )?;
        Ok(sessions + failures)
    }
}
