//! The SQLite store: one file in WAL mode with `synchronous = FULL`, so a commit is on disk before it is
//! acknowledged.
//!
//! All writes go through one writer thread that owns the write connection. It takes every insert waiting
//! in its queue and commits them in one transaction (group commit), each inside its own savepoint so one
//! failing row never takes the others with it. Reads use a separate read-only connection.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use contact_shared::{ContactRequestCreated, Status};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot};

use super::idempotency::{self, IdempotencyKey, Inserted};
use super::{StoreError, StoredContactRequest, Submission};
use crate::ids;

/// The user widget submissions are created by (Salesforce's site guest user), seeded by migration 0002.
const SITE_GUEST_USER: &str = "005000000000001AAA";

/// How many inserts one transaction takes at most.
const MAX_BATCH: usize = 256;
/// How many inserts may wait for the writer before submitters wait for room.
const QUEUE: usize = 4_096;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!(
            "../../migrations/sqlite/0001_contact_requests.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0002_salesforce_api.sql"
        )),
        M::up(include_str!("../../migrations/sqlite/0003_idempotency.sql")),
        M::up(include_str!(
            "../../migrations/sqlite/0004_sites_identity.sql"
        )),
        M::up(include_str!("../../migrations/sqlite/0005_callbacks.sql")),
        M::up(include_str!("../../migrations/sqlite/0006_users_api.sql")),
        M::up(include_str!(
            "../../migrations/sqlite/0007_callback_slots.sql"
        )),
    ])
}

type Reply = oneshot::Sender<Result<Inserted, StoreError>>;

enum Command {
    /// Boxed: a submission is far larger than the other commands, and the queue holds thousands.
    Insert(Box<Submission>, Option<IdempotencyKey>, Reply),
    /// Any other write (see `super::jobs`), run in queue order between batches of inserts.
    Job(Job),
    Synchronous(oneshot::Sender<Result<i64, StoreError>>),
    Shutdown,
}

/// A write the writer thread runs on its connection; it answers its caller itself.
pub(super) type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The SQLite backend of [`super::Store`].
#[derive(Clone)]
pub struct SqliteStore {
    writer: mpsc::Sender<Command>,
    reader: Arc<Mutex<Connection>>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// Set when the store stops, to stop the checkpointer too.
    stopped: Arc<AtomicBool>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
                path: folder.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut conn)?;
        // Checkpoints copy the log into the database file and sync it; done on the writer, they would stall
        // every submission in the batch behind them, so a thread of its own does them (see `checkpoint_loop`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let stopped = Arc::new(AtomicBool::new(false));
        let checkpointer = Connection::open(path)?;
        checkpointer.busy_timeout(std::time::Duration::from_secs(5))?;
        let stop = Arc::clone(&stopped);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, stop))
            .map_err(StoreError::Thread)?;

        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;

        let (writer, queue) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(conn, queue))
            .map_err(StoreError::Thread)?;
        Ok(Self {
            writer,
            reader: Arc::new(Mutex::new(reader)),
            thread: Arc::new(Mutex::new(Some(thread))),
            stopped,
        })
    }

    pub async fn insert(
        &self,
        submission: Submission,
        key: Option<IdempotencyKey>,
    ) -> Result<Inserted, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Command::Insert(Box::new(submission), key, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// The `synchronous` setting of the write connection: 2 is FULL, a sync on every commit.
    pub async fn synchronous(&self) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Command::Synchronous(reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    pub async fn find(&self, key: String) -> Result<Option<StoredContactRequest>, StoreError> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, name, status, request_reason, preferred_channel, preferred_phone,
                        request_description, visitor_name, visitor_email, is_callback, source_origin,
                        created_at, updated_at, site_key, visitor_sub, scheduled_routing_at,
                        call_center_id
                   FROM contact_requests WHERE id = ?1 OR name = ?1",
                [key],
                |row| {
                    Ok(StoredContactRequest {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        status: row.get(2)?,
                        request_reason: row.get(3)?,
                        preferred_channel: row.get(4)?,
                        preferred_phone: row.get(5)?,
                        request_description: row.get(6)?,
                        visitor_name: row.get(7)?,
                        visitor_email: row.get(8)?,
                        is_callback: row.get(9)?,
                        source_origin: row.get(10)?,
                        created_at: row.get(11)?,
                        updated_at: row.get(12)?,
                        site_key: row.get(13)?,
                        visitor_sub: row.get(14)?,
                        scheduled_routing_at: row.get(15)?,
                        call_center_id: row.get(16)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        if self.writer.is_closed() {
            return Err(StoreError::WriterStopped);
        }
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    pub async fn shutdown(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        // The queue is first in, first out: everything sent before this is committed before the writer stops.
        if self.writer.send(Command::Shutdown).await.is_err() {
            return;
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    /// Hands `job` to the writer thread, behind every write already queued.
    pub(super) async fn send_job(&self, job: Job) -> Result<(), StoreError> {
        self.writer
            .send(Command::Job(job))
            .await
            .map_err(|_| StoreError::WriterStopped)
    }

    pub(super) async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave the connection half-used, so a poisoned lock is safe.
            let conn = reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            query(&conn).map_err(StoreError::from)
        })
        .await
        .map_err(|_| StoreError::WriterStopped)?
    }
}

/// Copies committed log frames into the database file a few times a second, without blocking the writer
/// (a passive checkpoint never waits for it). Stops when the store stops or is dropped.
fn checkpoint_loop(conn: Connection, stopped: Arc<AtomicBool>) {
    while !stopped.load(Ordering::Relaxed) && Arc::strong_count(&stopped) > 1 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "checkpoint failed; the log keeps growing until one succeeds");
        }
    }
}

type Pending = Vec<(Submission, Option<IdempotencyKey>, Reply)>;

fn write_loop(mut conn: Connection, mut queue: mpsc::Receiver<Command>) {
    let mut stopping = false;
    while !stopping {
        let Some(first) = queue.blocking_recv() else {
            break;
        };
        let mut batch: Pending = Vec::new();
        let mut job = None;
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Insert(submission, key, reply) => batch.push((*submission, key, reply)),
                Command::Job(queued) => {
                    job = Some(queued);
                    break;
                }
                Command::Synchronous(reply) => {
                    let setting = conn.pragma_query_value(None, "synchronous", |row| row.get(0));
                    let _ = reply.send(setting.map_err(StoreError::from));
                }
                Command::Shutdown => {
                    stopping = true;
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, batch);
        }
        if let Some(job) = job {
            job(&mut conn);
        }
    }
    tracing::debug!("database writer stopped");
}

/// Commits a batch in one transaction and answers each submitter only after the commit.
fn commit_batch(conn: &mut Connection, batch: Pending) {
    metrics::histogram!("crw_store_batch_size").record(batch.len() as f64);
    let started = std::time::Instant::now();
    let mut results = Vec::with_capacity(batch.len());
    let committed = (|| -> Result<(), StoreError> {
        let mut tx = conn.transaction()?;
        for (submission, key, _) in &batch {
            results.push(insert_one(&mut tx, submission, key.as_ref()));
        }
        tx.commit()?;
        Ok(())
    })();
    metrics::histogram!("crw_store_commit_seconds").record(started.elapsed().as_secs_f64());
    match committed {
        Ok(()) => {
            for ((_, _, reply), result) in batch.into_iter().zip(results) {
                // The submitter may have gone (client hung up): the row stays, as it was committed.
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            tracing::error!(%error, rows = batch.len(), "commit failed; nothing of this batch was stored");
            for (_, _, reply) in batch {
                let _ = reply.send(Err(StoreError::BatchFailed(error.to_string())));
            }
        }
    }
}

/// Inserts one submission in its own savepoint, or finds the answer its idempotency key already got.
fn insert_one(
    tx: &mut Transaction<'_>,
    submission: &Submission,
    key: Option<&IdempotencyKey>,
) -> Result<Inserted, StoreError> {
    let savepoint = tx.savepoint()?;
    if let Some(key) = key
        && let Some(found) = idempotency::find(&savepoint, key.as_str())?
    {
        return Ok(idempotency::replay(key, found));
    }
    if let Some(booking) = &submission.booking {
        let taken = crate::call_centers::slots::taken(
            &savepoint,
            &booking.call_center,
            &booking.start,
            &booking.end,
        )?;
        if taken.len() >= booking.capacity as usize {
            return Ok(Inserted::SlotFull);
        }
    }
    let request = &submission.request;
    let id = ids::new_id(ids::CONTACT_REQUEST_PREFIX);
    // Cached: the statement is compiled once per connection, not once per row.
    let name: String = savepoint
        .prepare_cached(
            // Every system field is set here, so the intake-defaults trigger of migration 0002 has
            // nothing to fill in and each row is written once. The owner is the site's queue, else the
            // default queue, else the queue the migration seeded.
            "INSERT INTO contact_requests
            (id, status, request_reason, preferred_channel, preferred_phone, request_description,
             visitor_name, visitor_email, is_callback, source_origin, site_key, visitor_sub,
             owner_id, created_by_id, last_modified_by_id, created_at, updated_at, system_modstamp,
             call_center_id, scheduled_routing_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                 coalesce((SELECT id FROM queues WHERE name = ?13),
                          (SELECT id FROM queues WHERE is_default = 1),
                          '00G000000000001EAA'),
                 ?14, ?14,
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                 (SELECT id FROM call_centers WHERE internal_name = ?15 AND is_deleted = 0), ?16)
         RETURNING name",
        )?
        .query_row(
            params![
                id,
                Status::New.as_str(),
                request.request_reason().as_str(),
                request.preferred_channel().as_str(),
                request.preferred_phone().map(|p| p.as_str()),
                request.request_description().map(|d| d.as_str()),
                request.name().map(|n| n.as_str()),
                request.email().map(|e| e.as_str()),
                request.is_callback(),
                submission.source_origin,
                submission.site_key,
                submission.visitor_sub,
                submission.owner_queue,
                SITE_GUEST_USER,
                submission.call_center,
                submission.booking.as_ref().map(|b| &b.start),
            ],
            |row| row.get(0),
        )?;
    if let Some(key) = key {
        idempotency::record(&savepoint, key, &id)?;
    }
    savepoint.commit()?;
    Ok(Inserted::Created(ContactRequestCreated {
        id,
        name,
        status: Status::New,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }
}
