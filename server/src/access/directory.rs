//! Representatives and integrations (User, key prefix 005) and queues (Group, key prefix 00G).

use crate::ids;
use crate::store::{Added, Store, StoreError};

/// A queue as listed: what the store keeps of one.
pub use crate::store::QueueRow as Queue;
/// A user as listed: what the store keeps of one.
pub use crate::store::UserRow as User;

/// Why a user or queue could not be added.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{0} is already taken")]
    Taken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a user and returns it.
pub async fn add_user(
    store: &Store,
    username: String,
    name: String,
    email: Option<String>,
) -> Result<User, DirectoryError> {
    let user = User {
        id: ids::new_id(ids::USER_PREFIX),
        username,
        name,
        email,
        is_active: true,
    };
    let row = user.clone();
    store
        .write(move |tx| match tx.insert_user(&row)? {
            Added::Added => Ok(()),
            Added::NameTaken => Err(DirectoryError::Taken(format!("username {}", row.username))),
        })
        .await?;
    Ok(user)
}

/// Every user but the built-in site guest user.
pub async fn users(store: &Store) -> Result<Vec<User>, StoreError> {
    store.read(|db| db.users()).await
}

/// The id of the user with this id or username.
pub async fn find_user(store: &Store, key: String) -> Result<Option<String>, StoreError> {
    store.read(move |db| db.user_id(&key)).await
}

/// Adds a queue; with `default`, it becomes the owner of new widget requests.
pub async fn add_queue(
    store: &Store,
    name: String,
    default: bool,
) -> Result<Queue, DirectoryError> {
    let queue = Queue {
        id: ids::new_id(ids::QUEUE_PREFIX),
        name,
        is_default: default,
    };
    let row = queue.clone();
    store
        .write(move |tx| match tx.insert_queue(&row)? {
            Added::Added => Ok(()),
            Added::NameTaken => Err(DirectoryError::Taken(format!("queue name {}", row.name))),
        })
        .await?;
    Ok(queue)
}

/// The id of the queue named `name`, creating it (not as the default) if it does not exist yet: the
/// queues a sites file names as owners exist in the store from start-up on.
pub async fn ensure_queue(store: &Store, name: String) -> Result<String, StoreError> {
    let id = ids::new_id(ids::QUEUE_PREFIX);
    store.write(move |tx| tx.ensure_queue(&id, &name)).await
}

/// Every queue.
pub async fn queues(store: &Store) -> Result<Vec<Queue>, StoreError> {
    store.read(|db| db.queues()).await
}
