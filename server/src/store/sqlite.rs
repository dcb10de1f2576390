//! The SQLite store: one file in WAL mode with `synchronous = FULL`, so a commit is on disk before it is
//! acknowledged.
//!
//! All writes go through one writer thread that owns the write connection. It takes every insert waiting
//! in its queue and commits them in one transaction (group commit, written by [`super::batch`]); if one of
//! its statements fails it writes them again one by one, so one failing row never takes the others with
//! it. Reads use read-only connections of their own (WAL lets them read while the writer writes): a pool
//! for the API's reads and queries, and a small one for token checks and probes, so that slow queries
//! can never keep those waiting (see [`super::readers`]).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot, watch};

use super::batch;
use super::idempotency::{self, IdempotencyKey, Inserted};
use super::readers::{Budget, Readers};
use super::{StoreError, StoredContactRequest, Submission};

/// How many inserts one transaction takes at most. A commit costs one sync of the log, a few milliseconds
/// on most disks whatever it holds, so a batch must be large for a high rate: 1,024 rows write in about as
/// long as that sync.
const MAX_BATCH: usize = 1_024;
/// Compiled statements the write connection keeps: the batch writes use one per chunk size and table.
const STATEMENT_CACHE: usize = 64;
/// Log frames (pages, 4 KiB each; 128 MiB) past which the writer finishes a checkpoint itself, so that its
/// next commit starts the log over from the beginning. Under a steady stream of commits the checkpointer
/// never catches up with the end of the log, which then grows without end. The writer's checkpoint stalls
/// commits for a few to tens of milliseconds, so it should be rare: at the benchmark's full rate it comes
/// every few seconds.
const RESTART_FRAMES: i64 = 32_768;
/// How far behind the end of the log the checkpointer may be when it asks for that restart (1 MiB): the
/// writer's checkpoint copies only these frames and what came in since, so its stall stays short.
const CAUGHT_UP_FRAMES: i64 = 256;
/// Checkpoints in a row the checkpointer makes to catch up before it asks for the restart anyway.
const CATCH_UP_TRIES: u32 = 8;

/// When the log is restarted: past `restart_frames`, once the checkpointer is within `caught_up_frames` of
/// its end. Tests make them small.
#[derive(Debug, Clone, Copy)]
struct LogLimits {
    restart_frames: i64,
    caught_up_frames: i64,
}

const LOG_LIMITS: LogLimits = LogLimits {
    restart_frames: RESTART_FRAMES,
    caught_up_frames: CAUGHT_UP_FRAMES,
};
/// How many inserts may wait for the writer before submitters wait for room.
const QUEUE: usize = 4_096;
/// Read connections kept for token checks, probes and idempotency look-ups: each of their statements is
/// one indexed look-up, so two are plenty, and none of the API's queries ever runs on them.
const PROBE_CONNECTIONS: usize = 2;

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
        M::up(include_str!(
            "../../migrations/sqlite/0008_idempotency_scope_and_bookings.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0009_spent_challenges.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0010_contact_request_defaults_in_code.sql"
        )),
        M::up(include_str!("../../migrations/sqlite/0012_outbox.sql")),
        M::up(include_str!(
            "../../migrations/sqlite/0013_roles_and_queue_members.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0014_console_sessions.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0015_request_history_and_notes.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0016_visitor_time_zone.sql"
        )),
        M::up(include_str!("../../migrations/sqlite/0017_saved_views.sql")),
        M::up(include_str!("../../migrations/sqlite/0018_mail.sql")),
        M::up(include_str!(
            "../../migrations/sqlite/0019_presence_and_offers.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0020_query_cursors.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0021_callbacks_due.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0022_webhook_attempts.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0023_experience_events.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0024_webhook_endpoints.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0025_platform_forwarding.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0026_pending_deliveries.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0027_visitor_confirmations.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0028_task_is_callback.sql"
        )),
        M::up(include_str!("../../migrations/sqlite/0029_mail_alerts.sql")),
        M::up(include_str!(
            "../../migrations/sqlite/0030_endpoint_disabling.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0031_contact_request_sharing.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0032_offer_take_back.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0033_service_levels.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0034_callback_attempts_external_ids.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0035_call_centers_api.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0036_request_reasons.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/0037_open_picklists.sql"
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

/// The SQLite backend of [`super::Store`]. One `Arc`: every request clones the store with the app's
/// state, and a clone that touched the channel's own counters would contend with the writer thread.
#[derive(Clone)]
pub struct SqliteStore(Arc<Shared>);

struct Shared {
    writer: mpsc::Sender<Command>,
    /// The API's reads and queries.
    readers: Readers,
    /// Token checks, probes and idempotency look-ups: cheap, and never behind a query.
    probes: Readers,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Set when the store stops, to stop the checkpointer too; the checkpointer also stops once this is
    /// the last reference (the store was dropped).
    stopped: Arc<AtomicBool>,
    /// How many times the writer has restarted the log (see `restart_log`); only tests read it so far.
    #[cfg_attr(not(test), allow(dead_code))]
    log_restarts: Arc<AtomicU64>,
    /// Counts the writer's transactions as they end, so followers of the outbox (the console's live
    /// feed) look as soon as something may be there, not on a timer.
    committed: Arc<watch::Sender<u64>>,
    /// A serving store's hold on its file ([`SqliteStore::open_to_serve`]), let go at shutdown.
    serving: Mutex<Option<std::fs::File>>,
}

impl SqliteStore {
    /// Opens the store with `readers` read connections for the API's reads and queries.
    pub fn open(path: &Path, readers: usize) -> Result<Self, StoreError> {
        Self::open_with(path, LOG_LIMITS, readers)
    }

    /// As [`SqliteStore::open`], for a server: refused while another server process serves the same
    /// file. SQLite is one process's store (its one writer decides what two processes could not), so a
    /// second server is stopped before it migrates or writes anything; the CLI's short commands, which
    /// SQLite's own locking keeps safe beside a server, open the file without this.
    pub fn open_to_serve(path: &Path, readers: usize) -> Result<Self, StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
                path: folder.display().to_string(),
                source,
            })?;
        }
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".server-lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| StoreError::Folder {
                path: std::path::PathBuf::from(&lock_path).display().to_string(),
                source,
            })?;
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock() {
            return Err(StoreError::ServedElsewhere(path.display().to_string()));
        }
        let store = Self::open(path, readers)?;
        *store.0.serving.lock().unwrap_or_else(|e| e.into_inner()) = Some(lock);
        Ok(store)
    }

    fn open_with(path: &Path, log: LogLimits, readers: usize) -> Result<Self, StoreError> {
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
        super::functions::register(&conn)?;
        migrations().to_latest(&mut conn)?;
        // Checkpoints copy the log into the database file and sync it; done on the writer, they would stall
        // every submission in the batch behind them, so a thread of its own does them (see `checkpoint_loop`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let stopped = Arc::new(AtomicBool::new(false));
        let checkpointer = Connection::open(path)?;
        checkpointer.busy_timeout(std::time::Duration::from_secs(5))?;
        let stop = Arc::clone(&stopped);
        let restart = Arc::new(AtomicBool::new(false));
        let wanted = Arc::clone(&restart);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, stop, wanted, log))
            .map_err(StoreError::Thread)?;

        let probes = Readers::open(path, PROBE_CONNECTIONS)?;
        let readers = Readers::open(path, readers)?;

        let (writer, queue) = mpsc::channel(QUEUE);
        let log_restarts = Arc::new(AtomicU64::new(0));
        let restarts = Arc::clone(&log_restarts);
        let committed = Arc::new(watch::Sender::new(0));
        let ended = Arc::clone(&committed);
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(conn, queue, restart, &restarts, &ended))
            .map_err(StoreError::Thread)?;
        Ok(Self(Arc::new(Shared {
            writer,
            readers,
            probes,
            thread: Mutex::new(Some(thread)),
            stopped,
            log_restarts,
            committed,
            serving: Mutex::new(None),
        })))
    }

    /// Changes each time a write transaction of the writer ends (committed or not).
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.0.committed.subscribe()
    }

    pub async fn insert(
        &self,
        submission: Submission,
        key: Option<IdempotencyKey>,
    ) -> Result<Inserted, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.0
            .writer
            .send(Command::Insert(Box::new(submission), key, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// The `synchronous` setting of the write connection: 2 is FULL, a sync on every commit.
    pub async fn synchronous(&self) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.0
            .writer
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
                        call_center_id, visitor_time_zone
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
                        visitor_time_zone: row.get(17)?,
                    })
                },
            )
            .optional()
            .map_err(StoreError::from)
        })
        .await
    }

    pub async fn earlier_answer(
        &self,
        key: IdempotencyKey,
    ) -> Result<Option<Inserted>, StoreError> {
        self.probe(move |conn| {
            Ok(idempotency::find(conn, &key)?.map(|found| idempotency::replay(&key, found)))
        })
        .await
    }

    /// How many times the writer has restarted the log since the store opened.
    pub fn log_restarts(&self) -> u64 {
        self.0.log_restarts.load(Ordering::Relaxed)
    }

    /// Whether the writer thread still takes writes.
    pub fn writer_running(&self) -> bool {
        !self.0.writer.is_closed()
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        if self.0.writer.is_closed() {
            return Err(StoreError::WriterStopped);
        }
        self.probe(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    pub async fn shutdown(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
        // The queue is first in, first out: everything sent before this is committed before the writer stops.
        if self.0.writer.send(Command::Shutdown).await.is_err() {
            return;
        }
        let thread = self.0.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        // The writer has stopped: another server may take the file now.
        self.0
            .serving
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Hands `job` to the writer thread, behind every write already queued.
    pub(super) async fn send_job(&self, job: Job) -> Result<(), StoreError> {
        self.0
            .writer
            .send(Command::Job(job))
            .await
            .map_err(|_| StoreError::WriterStopped)
    }

    /// Runs `query` on a read connection of the API's pool; stopped if its caller goes away.
    pub(super) async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.0.readers.run(Budget::Unbounded, query).await
    }

    /// Runs `query` on a read connection of the API's pool within `budget`: interrupted once the time is up
    /// or its caller has gone, with the errors its statement's shape can cause told apart (see
    /// [`StoreError::Refused`]).
    pub(super) async fn query<T: Send + 'static>(
        &self,
        budget: std::time::Duration,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let deadline = std::time::Instant::now() + budget;
        self.0.readers.run(Budget::Until(deadline), query).await
    }

    /// Runs `query`, one cheap look-up, on the probes' connections, which no query ever holds.
    pub(super) async fn probe<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.0.probes.run(Budget::Unbounded, query).await
    }
}

/// Copies committed log frames into the database file a few times a second, without blocking the writer
/// (a passive checkpoint never waits for it), and asks the writer to restart the log once it is long.
/// Stops when the store stops or is dropped.
fn checkpoint_loop(
    conn: Connection,
    stopped: Arc<AtomicBool>,
    restart: Arc<AtomicBool>,
    log: LogLimits,
) {
    while !stopped.load(Ordering::Relaxed) && Arc::strong_count(&stopped) > 1 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        // Once the log is long, checkpoint again at once until nearly all of it is copied (each round
        // copies what the previous one's time let in, so a few rounds do), then ask for the restart.
        for round in 0..=CATCH_UP_TRIES {
            match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            }) {
                Ok((frames, copied)) if frames >= log.restart_frames => {
                    if frames - copied <= log.caught_up_frames || round == CATCH_UP_TRIES {
                        restart.store(true, Ordering::Relaxed);
                        break;
                    }
                }
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "checkpoint failed; the log keeps growing until one succeeds");
                    break;
                }
            }
        }
    }
}

/// Checkpoints on the writer's own connection, between two commits: only the frames the checkpointer has
/// not copied yet are left, and as no commit can come in meanwhile the log is then fully copied, so the
/// next commit writes it from its beginning again.
fn restart_log(conn: &Connection, restarts: &AtomicU64) {
    let started = std::time::Instant::now();
    if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(%error, "checkpoint failed; the log keeps growing until one succeeds");
    }
    restarts.fetch_add(1, Ordering::Relaxed);
    metrics::histogram!("crw_store_log_restart_seconds").record(started.elapsed().as_secs_f64());
}

type Pending = Vec<(Submission, Option<IdempotencyKey>, Reply)>;

fn write_loop(
    mut conn: Connection,
    mut queue: mpsc::Receiver<Command>,
    restart: Arc<AtomicBool>,
    restarts: &AtomicU64,
    committed: &watch::Sender<u64>,
) {
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
            let rows = batch.len();
            survive("batch", rows, &mut conn, |conn| commit_batch(conn, batch));
        }
        if let Some(job) = job {
            survive("write", 1, &mut conn, job);
        }
        committed.send_modify(|count| *count = count.wrapping_add(1));
        if restart.swap(false, Ordering::Relaxed) {
            restart_log(&conn, restarts);
        }
    }
    tracing::debug!("database writer stopped");
}

/// Runs one batch or job so that a panic in it fails only it: its transaction is rolled back, the replies
/// it held are dropped (their callers answer 503), and the writer goes on with the next. Without this one
/// bad job would stop the writer thread for good, and every write after it with it.
fn survive(what: &str, rows: usize, conn: &mut Connection, work: impl FnOnce(&mut Connection)) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut *conn)));
    if outcome.is_err() {
        metrics::counter!("crw_store_writer_panics_total").increment(1);
        // A `Transaction` rolls back when dropped, also while unwinding; this covers a job that began one
        // by hand.
        if !conn.is_autocommit()
            && let Err(error) = conn.execute_batch("ROLLBACK")
        {
            tracing::error!(%error, "cannot roll back after a panic");
        }
        tracing::error!(
            what,
            rows,
            "a database {what} panicked; it was rolled back and the writer goes on"
        );
    }
}

/// Begins a write transaction holding the write lock from its start (`BEGIN IMMEDIATE`). Another process
/// on the same file (the CLI beside a running server) then waits for it under the busy timeout; a
/// deferred transaction that read first would instead fail at its first write with "database is locked"
/// whenever the other had committed since its read, without waiting.
pub(super) fn begin(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}

/// Commits a batch in one transaction and answers each submitter only after the commit.
fn commit_batch(conn: &mut Connection, batch: Pending) {
    metrics::histogram!("crw_store_batch_size").record(batch.len() as f64);
    let started = std::time::Instant::now();
    let submissions: Vec<(&Submission, Option<&IdempotencyKey>)> = batch
        .iter()
        .map(|(submission, key, _)| (submission, key.as_ref()))
        .collect();
    let committed = (|| -> Result<Vec<Result<Inserted, StoreError>>, StoreError> {
        let tx = begin(conn)?;
        match batch::write_all(&tx, &submissions) {
            Ok(answers) => {
                // A commit that fails fails the whole batch: it is not written again, as a log write that
                // failed midway must not be followed by a second copy of the same submissions.
                tx.commit()?;
                Ok(answers.into_iter().map(Ok).collect())
            }
            Err(error) => {
                // A statement failed: roll back and write the rows one by one, so a bad row fails alone.
                drop(tx);
                tracing::warn!(%error, rows = batch.len(), "batch failed; writing its rows one by one");
                let mut tx = begin(conn)?;
                let answers = batch::write_each(&mut tx, &submissions);
                tx.commit()?;
                Ok(answers)
            }
        }
    })();
    metrics::histogram!("crw_store_commit_seconds").record(started.elapsed().as_secs_f64());
    drop(submissions);
    match committed {
        Ok(answers) => {
            for ((_, _, reply), answer) in batch.into_iter().zip(answers) {
                // The submitter may have gone (client hung up): the row stays, as it was committed.
                let _ = reply.send(answer);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    fn submission() -> Submission {
        let form = contact_shared::ContactRequestForm {
            request_reason: Some("Billing".into()),
            preferred_phone: Some("+44 20 7946 0958".into()),
            request_description: Some("x".repeat(2_000)),
            ..Default::default()
        };
        Submission {
            request: form.parse().expect("a valid form"),
            source_origin: None,
            site_key: "shop".into(),
            visitor_sub: None,
            owner_queue: None,
            call_center: None,
            booking: None,
            spent_challenge: None,
            sent_event: None,
        }
    }

    /// A job that panics fails alone: its transaction is rolled back, its caller hears of it, and the
    /// writer goes on with the next write. Once, one panic stopped the writer and every write after it.
    #[tokio::test]
    async fn a_panicking_write_fails_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = super::super::Store::Sqlite(
            SqliteStore::open(&dir.path().join("test.sqlite3"), 2).expect("store opens"),
        );
        let panicked = store
            .write(|tx| -> Result<(), StoreError> {
                tx.conn()?.execute("DELETE FROM contact_requests", [])?;
                panic!("a bug in a write");
            })
            .await;
        assert!(
            panicked.is_err(),
            "the caller of the panicked write hears of it"
        );
        assert!(store.writer_running(), "the writer still runs");
        let created = store
            .insert(submission())
            .await
            .expect("stored after the panic");
        let again = store
            .write(|tx| -> Result<i64, StoreError> {
                Ok(tx
                    .conn()?
                    .query_row("SELECT count(*) FROM contact_requests", [], |r| r.get(0))?)
            })
            .await
            .expect("a write after the panic");
        assert_eq!(again, 1, "{created:?}");
    }

    /// What was stored before RequestReason, Status and PreferredChannel stopped checking the reference's
    /// values survives the migrations that lift the checks; the columns then take values of the
    /// organisation's own, and Status's index and history triggers are there again.
    #[test]
    fn picklist_values_stored_before_their_checks_were_lifted_are_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = Connection::open(dir.path().join("test.sqlite3")).expect("opens");
        migrations()
            // The 34th migration is 0035's file: there is no 0011.
            .to_version(&mut conn, 34)
            .expect("migrates to 0035");
        let insert = "INSERT INTO contact_requests
                          (id, request_reason, status, preferred_channel, created_at, updated_at)
                      VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')";
        let row = |id: &str, reason: Option<&str>, status: &str, channel: &str| {
            (
                id.to_owned(),
                reason.map(str::to_owned),
                status.to_owned(),
                channel.to_owned(),
            )
        };
        let before = [
            row("0SR000000000001AAA", Some("Billing"), "Attempted", "Email"),
            row("0SR000000000002AAA", None, "New", "Phone"),
        ];
        for (id, reason, status, channel) in &before {
            conn.execute(insert, rusqlite::params![id, reason, status, channel])
                .unwrap();
        }
        let own = row(
            "0SR000000000003AAA",
            Some("Warranty"),
            "Scheduled",
            "WhatsApp",
        );
        for (reason, status, channel) in [
            (Some("Warranty"), "New", "Phone"),
            (Some("Billing"), "Scheduled", "Phone"),
            (Some("Billing"), "New", "WhatsApp"),
        ] {
            assert!(
                conn.execute(insert, rusqlite::params![own.0, reason, status, channel])
                    .is_err(),
                "before, each column checked the reference's values: {reason:?} {status} {channel}"
            );
        }
        migrations()
            .to_latest(&mut conn)
            .expect("migrates to the latest");
        conn.execute(insert, rusqlite::params![own.0, own.1, own.2, own.3])
            .expect("values of the organisation's own");
        let stored: Vec<(String, Option<String>, String, String)> = conn
            .prepare(
                "SELECT id, request_reason, status, preferred_channel FROM contact_requests ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored, [before[0].clone(), before[1].clone(), own]);
        let name: String = conn
            .query_row(
                "SELECT name FROM contact_requests WHERE id = '0SR000000000001AAA'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "CR-000001", "the generated Name still works");
        conn.execute(
            "UPDATE contact_requests SET status = 'Contacted' WHERE id = '0SR000000000001AAA'",
            [],
        )
        .unwrap();
        let history: Vec<(Option<String>, String)> = conn
            .prepare(
                "SELECT old_status, new_status FROM contact_request_status_history
                  WHERE record_id IN ('0SR000000000001AAA', '0SR000000000003AAA') ORDER BY seq",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let step = |from: Option<&str>, to: &str| (from.map(str::to_owned), to.to_owned());
        assert_eq!(
            history,
            [
                step(None, "Attempted"),
                step(None, "Scheduled"),
                step(Some("Attempted"), "Contacted")
            ],
            "the history triggers write on insert and on a status change"
        );
        let index: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'contact_requests_routable'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1, "the routing index is there again");
    }

    /// A database with every migration, for writing batches by hand.
    fn migrated(dir: &tempfile::TempDir) -> Connection {
        let mut conn = Connection::open(dir.path().join("test.sqlite3")).expect("opens");
        migrations().to_latest(&mut conn).expect("migrates");
        conn
    }

    fn spending(nonce: &str) -> Submission {
        Submission {
            spent_challenge: Some(super::super::SpentChallenge {
                nonce: nonce.into(),
                expires_ms: 4_000_000_000_000,
            }),
            ..submission()
        }
    }

    /// One proof buys one record: spent twice in one batch, the second is refused; in a later batch (as
    /// after a restart) too; a retry with the first submission's key still gets its answer.
    #[test]
    fn a_proof_spent_twice_buys_one_record_in_one_batch_and_after_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = migrated(&dir);
        let (a, b) = (spending("n1"), spending("n1"));
        let key = IdempotencyKey::new("k1", &a.request, "shop", None).unwrap();
        let tx = conn.transaction().unwrap();
        let answers = batch::write_all(&tx, &[(&a, Some(&key)), (&b, None), (&a, Some(&key))])
            .expect("written");
        tx.commit().unwrap();
        assert!(matches!(answers[0], Inserted::Created(_)), "{answers:?}");
        assert_eq!(
            answers[1],
            Inserted::ProofSpent {
                spent_with: Some("k1".into())
            },
            "the same proof later in the batch"
        );
        assert!(matches!(answers[2], Inserted::Replayed(_)), "a retry");

        let tx = conn.transaction().unwrap();
        let later = batch::write_all(&tx, &[(&b, None), (&a, Some(&key))]).expect("written");
        assert_eq!(
            later[0],
            Inserted::ProofSpent {
                spent_with: Some("k1".into())
            }
        );
        assert!(matches!(later[1], Inserted::Replayed(_)));
        let stored: i64 = tx
            .query_row("SELECT count(*) FROM contact_requests", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, 1);
    }

    /// The slow path (each row in its own savepoint) refuses a double spend too.
    #[test]
    fn a_proof_spent_twice_is_refused_on_the_row_by_row_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = migrated(&dir);
        let (a, b) = (spending("n2"), spending("n2"));
        let mut tx = conn.transaction().unwrap();
        let answers = batch::write_each(&mut tx, &[(&a, None), (&b, None)]);
        assert!(matches!(answers[0], Ok(Inserted::Created(_))));
        assert!(matches!(
            answers[1],
            Ok(Inserted::ProofSpent { spent_with: None })
        ));
    }

    /// Frames of the log in use now (SQLite's `mxFrame`), as a passive checkpoint reports them.
    fn log_frames(path: &Path) -> i64 {
        let conn = Connection::open(path).expect("opens");
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
            .expect("checkpoint")
    }

    /// Under a steady stream of commits the log grows past its restart length, the writer restarts it,
    /// and the next commit writes it from its beginning again; every submission is still stored. The
    /// verdict is the mechanism (a restart happened and the log began again), never a size reached within
    /// a time: the deadline is only there so that a writer that never restarts fails instead of hanging.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn under_steady_writes_the_log_restarts_instead_of_growing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.sqlite3");
        // 64 frames of 4 KiB: a 256 KiB log is "long" here.
        let limits = LogLimits {
            restart_frames: 64,
            caught_up_frames: 8,
        };
        let store = SqliteStore::open_with(&path, limits, 2).expect("store opens");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        let mut stored: i64 = 0;
        // One commit at a time: each adds a few frames, so once a restart has happened the log holds only
        // the few commits since, far fewer than the restart length it had to reach first.
        let frames_after_restart = loop {
            assert!(
                matches!(
                    store.insert(submission(), None).await,
                    Ok(Inserted::Created(_))
                ),
                "a submission was refused"
            );
            stored += 1;
            if store.log_restarts() > 0 {
                let frames = log_frames(&path);
                if frames < limits.restart_frames {
                    break frames;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the writer never restarted the log ({stored} commits, {} restarts, {} frames)",
                store.log_restarts(),
                log_frames(&path)
            );
        };
        assert!(frames_after_restart < limits.restart_frames);
        let written: i64 = store
            .read(|conn| {
                Ok(conn.query_row("SELECT count(*) FROM contact_requests", [], |r| r.get(0))?)
            })
            .await
            .expect("counted");
        assert_eq!(written, stored);
    }
}
