//! Bearer access tokens: random, shown once, stored only as their SHA-256, each acting as one user with a
//! scope.

use rand::Rng;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// Describe and read: GET requests only.
    Read,
    /// Read, create, update, delete and undelete.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }
}

/// A token's owner and scope, as found from the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: String,
    pub scope: Scope,
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: String,
    pub username: String,
    pub scope: String,
    pub label: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

const TOKEN_PREFIX: &str = "crw_";
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A new token: the prefix and 40 random base-62 characters (about 238 bits).
pub fn generate() -> String {
    let mut rng = rand::rng();
    let mut token = String::from(TOKEN_PREFIX);
    token.extend((0..40).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])));
    token
}

/// The stored form of a token: its SHA-256 in lower-case hex.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a token for `user_id` and returns its id and the token, which is never stored.
pub async fn create(
    store: &Store,
    user_id: String,
    scope: Scope,
    label: Option<String>,
) -> Result<(i64, String), StoreError> {
    let token = generate();
    let token_hash = hash(&token);
    let id = store
        .write_sql(move |tx| {
            tx.execute(
                "INSERT INTO access_tokens (token_hash, user_id, scope, label, created_at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                params![token_hash, user_id, scope.as_str(), label],
            )?;
            Ok(Ok::<_, ()>(tx.last_insert_rowid()))
        })
        .await?
        .unwrap_or_default();
    Ok((id, token))
}

/// Revokes the token with this id; false when there is no such live token.
pub async fn revoke(store: &Store, id: i64) -> Result<bool, StoreError> {
    let changed = store
        .write_sql(move |tx| {
            let n = tx.execute(
                "UPDATE access_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE id = ?1 AND revoked_at IS NULL",
                [id],
            )?;
            Ok(Ok::<_, ()>(n))
        })
        .await?;
    Ok(changed == Ok(1))
}

/// Every token, newest first.
pub async fn list(store: &Store) -> Result<Vec<TokenInfo>, StoreError> {
    store
        .read_sql(|conn| {
            let mut statement = conn.prepare(
                "SELECT t.id, t.user_id, u.username, t.scope, t.label, t.created_at, t.revoked_at
                   FROM access_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
            )?;
            statement
                .query_map([], |row| {
                    Ok(TokenInfo {
                        id: row.get(0)?,
                        user_id: row.get(1)?,
                        username: row.get(2)?,
                        scope: row.get(3)?,
                        label: row.get(4)?,
                        created_at: row.get(5)?,
                        revoked_at: row.get(6)?,
                    })
                })?
                .collect()
        })
        .await
}

/// The grant behind a live token of an active user, if any.
pub async fn verify(store: &Store, token: &str) -> Result<Option<Grant>, StoreError> {
    let token_hash = hash(token);
    // On the probes' connections: every API call checks its token, and no query may make it wait.
    store
        .probe_sql(move |conn| {
            conn.query_row(
                "SELECT t.user_id, t.scope FROM access_tokens t JOIN users u ON u.id = t.user_id
                  WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.is_active = 1",
                [token_hash],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
        })
        .await
        .map(|found| {
            found.and_then(|(user_id, scope)| {
                Scope::parse(&scope).map(|scope| Grant { user_id, scope })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_to_hex() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("crw_") && a.len() == 44, "{a}");
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
