//! The SQLite store: one file in WAL mode with `synchronous = FULL`, so a commit is on disk before it is
//! acknowledged.
//!
//! All writes go through one writer thread that owns the write connection. It takes every insert waiting
//! in its queue and commits them in one transaction (group commit), each inside its own savepoint so one
//! failing row never takes the others with it. Reads use a separate read-only connection.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use contact_shared::{ContactRequestCreated, Status};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot};

use super::{StoreError, StoredContactRequest, Submission};
use crate::ids;

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
        M::up(include_str!("../../migrations/sqlite/0005_callbacks.sql")),
    ])
}

enum Command {
    Insert(
        Submission,
        oneshot::Sender<Result<ContactRequestCreated, StoreError>>,
    ),
    /// Any other write (see `super::jobs`), run in queue order between batches of inserts.
    Job(Job),
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
        })
    }

    pub async fn insert(
        &self,
        submission: Submission,
    ) -> Result<ContactRequestCreated, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Command::Insert(submission, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    pub async fn find(&self, key: String) -> Result<Option<StoredContactRequest>, StoreError> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT id, name, status, request_reason, preferred_channel, preferred_phone,
                        request_description, visitor_name, visitor_email, is_callback, source_origin,
                        created_at, updated_at
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

type Pending = Vec<(
    Submission,
    oneshot::Sender<Result<ContactRequestCreated, StoreError>>,
)>;

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
                Command::Insert(submission, reply) => batch.push((submission, reply)),
                Command::Job(queued) => {
                    job = Some(queued);
                    break;
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
    let mut results = Vec::with_capacity(batch.len());
    let committed = (|| -> Result<(), StoreError> {
        let mut tx = conn.transaction()?;
        for (submission, _) in &batch {
            results.push(insert_one(&mut tx, submission));
        }
        tx.commit()?;
        Ok(())
    })();
    match committed {
        Ok(()) => {
            for ((_, reply), result) in batch.into_iter().zip(results) {
                // The submitter may have gone (client hung up): the row stays, as it was committed.
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            tracing::error!(%error, rows = batch.len(), "commit failed; nothing of this batch was stored");
            for (_, reply) in batch {
                let _ = reply.send(Err(StoreError::BatchFailed(error.to_string())));
            }
        }
    }
}

fn insert_one(
    tx: &mut Transaction<'_>,
    submission: &Submission,
) -> Result<ContactRequestCreated, StoreError> {
    let savepoint = tx.savepoint()?;
    let request = &submission.request;
    let id = ids::new_id(ids::CONTACT_REQUEST_PREFIX);
    let name: String = savepoint.query_row(
        "INSERT INTO contact_requests
            (id, status, request_reason, preferred_channel, preferred_phone, request_description,
             visitor_name, visitor_email, is_callback, source_origin, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         RETURNING name",
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
        ],
        |row| row.get(0),
    )?;
    savepoint.commit()?;
    Ok(ContactRequestCreated {
        id,
        name,
        status: Status::New,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }
}
