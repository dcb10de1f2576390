//! Representatives and integrations (User, key prefix 005) and queues (Group, key prefix 00G).

use contact_shared::console::{QueueRef, Role};

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
    #[error("no user with id or username {0}")]
    NoSuchUser(String),
    #[error("no queue with id or name {0}")]
    NoSuchQueue(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a user with `role` and returns it.
pub async fn add_user(
    store: &Store,
    username: String,
    name: String,
    email: Option<String>,
    role: Role,
) -> Result<User, DirectoryError> {
    let user = User {
        id: ids::new_id(ids::USER_PREFIX),
        username,
        name,
        email,
        is_active: true,
        role,
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

/// The queues `user_id` belongs to.
pub async fn queues_of(store: &Store, user_id: String) -> Result<Vec<QueueRef>, StoreError> {
    store.read(move |db| db.queues_of(&user_id)).await
}

/// Whether a membership changed: a member added, or one taken out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Changed,
    /// It already was as asked: nothing was written.
    Unchanged,
}

/// Makes the user `user` (an id or username) a member of the queue `queue` (an id or name), or, with
/// `member` false, takes them out.
pub async fn set_membership(
    store: &Store,
    queue: String,
    user: String,
    member: bool,
) -> Result<Membership, DirectoryError> {
    store
        .write(move |tx| {
            let queue_id = tx
                .queue_id(&queue)?
                .ok_or_else(|| DirectoryError::NoSuchQueue(queue.clone()))?;
            let user_id = tx
                .user_id(&user)?
                .filter(|id| id != ids::SITE_GUEST_USER_ID)
                .ok_or_else(|| DirectoryError::NoSuchUser(user.clone()))?;
            let changed = if member {
                tx.add_queue_member(&queue_id, &user_id)?
            } else {
                tx.remove_queue_member(&queue_id, &user_id)?
            };
            Ok(if changed {
                Membership::Changed
            } else {
                Membership::Unchanged
            })
        })
        .await
}

/// Gives the user `user` (an id or username) the role `role`.
pub async fn set_role(store: &Store, user: String, role: Role) -> Result<(), DirectoryError> {
    store
        .write(move |tx| {
            let found = tx
                .user_id(&user)?
                .ok_or_else(|| DirectoryError::NoSuchUser(user.clone()))?;
            if tx.set_role(&found, role)? {
                Ok(())
            } else {
                Err(DirectoryError::NoSuchUser(user))
            }
        })
        .await
}

/// The members of the queue `queue` (an id or name).
pub async fn members(store: &Store, queue: String) -> Result<Vec<User>, DirectoryError> {
    let key = queue.clone();
    store
        .read(move |db| match db.queue_id(&key)? {
            Some(queue_id) => db.queue_members(&queue_id).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or(DirectoryError::NoSuchQueue(queue))
}
