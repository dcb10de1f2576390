//! Representatives and integrations (User, key prefix 005) and queues (Group, key prefix 00G).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::ids;
use crate::store::{Store, StoreError};

/// The key prefix of User ids.
pub const USER_PREFIX: &str = "005";
/// The key prefix of Group (queue) ids.
pub const GROUP_PREFIX: &str = "00G";

/// A user as listed.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub is_active: bool,
}

/// A queue as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

/// Why a user or queue could not be added.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{0} is already taken")]
    Taken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Adds a user and returns it.
pub async fn add_user(
    store: &Store,
    username: String,
    name: String,
    email: Option<String>,
) -> Result<User, DirectoryError> {
    let user = User {
        id: ids::new_id(USER_PREFIX),
        username,
        name,
        email,
        is_active: true,
    };
    let row = user.clone();
    store
        .write_sql(move |tx| {
            match tx.execute(
                "INSERT INTO users (id, username, name, email, created_at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                params![row.id, row.username, row.name, row.email],
            ) {
                Ok(_) => Ok(Ok(())),
                Err(e) if is_unique_violation(&e) => Ok(Err(format!("username {}", row.username))),
                Err(e) => Err(e),
            }
        })
        .await?
        .map_err(DirectoryError::Taken)?;
    Ok(user)
}

/// Every user but the built-in site guest user.
pub async fn users(store: &Store) -> Result<Vec<User>, StoreError> {
    store
        .read_sql(|conn| {
            let mut statement = conn.prepare(
                "SELECT id, username, name, email, is_active FROM users
                  WHERE id <> '005000000000001AAA' ORDER BY username",
            )?;
            statement
                .query_map([], |row| {
                    Ok(User {
                        id: row.get(0)?,
                        username: row.get(1)?,
                        name: row.get(2)?,
                        email: row.get(3)?,
                        is_active: row.get(4)?,
                    })
                })?
                .collect()
        })
        .await
}

/// The id of the user with this id or username.
pub async fn find_user(store: &Store, key: String) -> Result<Option<String>, StoreError> {
    store
        .read_sql(move |conn| {
            conn.query_row(
                "SELECT id FROM users WHERE id = ?1 OR username = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()
        })
        .await
}

/// Adds a queue; with `default`, it becomes the owner of new widget requests.
pub async fn add_queue(
    store: &Store,
    name: String,
    default: bool,
) -> Result<Queue, DirectoryError> {
    let queue = Queue {
        id: ids::new_id(GROUP_PREFIX),
        name,
        is_default: default,
    };
    let row = queue.clone();
    store
        .write_sql(move |tx| {
            if row.is_default {
                tx.execute("UPDATE queues SET is_default = 0 WHERE is_default = 1", [])?;
            }
            match tx.execute(
                "INSERT INTO queues (id, name, is_default, created_at)
                 VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                params![row.id, row.name, row.is_default],
            ) {
                Ok(_) => Ok(Ok(())),
                Err(e) if is_unique_violation(&e) => Ok(Err(format!("queue name {}", row.name))),
                Err(e) => Err(e),
            }
        })
        .await?
        .map_err(DirectoryError::Taken)?;
    Ok(queue)
}

/// The id of the queue named `name`, creating it (not as the default) if it does not exist yet: the
/// queues a sites file names as owners exist in the store from start-up on.
pub async fn ensure_queue(store: &Store, name: String) -> Result<String, StoreError> {
    let id = ids::new_id(GROUP_PREFIX);
    store
        .write_sql(move |tx| {
            tx.execute(
                "INSERT INTO queues (id, name, is_default, created_at)
                 VALUES (?1, ?2, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 ON CONFLICT (name) DO NOTHING",
                params![id, name],
            )?;
            let id: String =
                tx.query_row("SELECT id FROM queues WHERE name = ?1", [name], |row| {
                    row.get(0)
                })?;
            Ok(Ok::<_, std::convert::Infallible>(id))
        })
        .await
        .map(|found| match found {
            Ok(id) => id,
            Err(never) => match never {},
        })
}

/// Every queue.
pub async fn queues(store: &Store) -> Result<Vec<Queue>, StoreError> {
    store
        .read_sql(|conn| {
            let mut statement =
                conn.prepare("SELECT id, name, is_default FROM queues ORDER BY name")?;
            statement
                .query_map([], |row| {
                    Ok(Queue {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        is_default: row.get(2)?,
                    })
                })?
                .collect()
        })
        .await
}
