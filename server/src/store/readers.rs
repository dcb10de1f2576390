//! Read-only connections, handed out one read at a time.
//!
//! SQLite in WAL mode lets any number of connections read while the writer writes, so reads need not
//! wait for one another: a pool holds a few connections, and a read waits (asynchronously, holding no
//! thread) only when all of them are busy. Each read runs on a blocking thread with a progress handler
//! that stops its statement once its budget is spent or its caller has gone (the request's future was
//! dropped: the client hung up, or the request's deadline passed), so an abandoned statement never keeps
//! a connection busy for others.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StoreError;

/// SQLite virtual-machine instructions between two looks at the budget: a few microseconds of work, so a
/// statement stops promptly, and reading the clock costs nothing next to it.
const PROGRESS_STEPS: std::ffi::c_int = 1_000;

/// How long a read may run.
#[derive(Debug, Clone, Copy)]
pub(super) enum Budget {
    /// Until it is done, or its caller has gone.
    Unbounded,
    /// Until this instant; its errors are told apart as [`StoreError::Refused`] and
    /// [`StoreError::Interrupted`], for statements built from a client's query.
    Until(Instant),
}

/// A pool of read-only connections to one database.
pub(super) struct Readers {
    idle: Arc<Mutex<Vec<Connection>>>,
    /// One permit per connection: holding one means an idle connection is there to take.
    permits: Arc<Semaphore>,
}

/// A connection taken from the pool; it goes back when dropped, also while unwinding from a panic.
struct Lease {
    conn: Option<Connection>,
    idle: Arc<Mutex<Vec<Connection>>>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.progress_handler(0, None::<fn() -> bool>);
            // A panic cannot leave the list half-changed, so a poisoned lock is safe to use.
            self.idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(conn);
        }
    }
}

/// Marks the read abandoned when the future awaiting it is dropped before it finished.
struct Abandon(Arc<AtomicBool>);

impl Drop for Abandon {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Readers {
    /// Opens `count` (at least one) read-only connections to the database at `path`.
    pub(super) fn open(path: &Path, count: usize) -> Result<Self, StoreError> {
        let count = count.max(1);
        let connections = (0..count)
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                super::functions::register(&conn)?;
                Ok(conn)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Self {
            idle: Arc::new(Mutex::new(connections)),
            permits: Arc::new(Semaphore::new(count)),
        })
    }

    /// Runs `query` on an idle connection, waiting for one if all are busy.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        budget: Budget,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        let idle = Arc::clone(&self.idle);
        let abandoned = Arc::new(AtomicBool::new(false));
        let _abandon = Abandon(Arc::clone(&abandoned));
        tokio::task::spawn_blocking(move || {
            let conn = idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop();
            let lease = Lease {
                conn,
                idle,
                _permit: permit,
            };
            let conn = lease
                .conn
                .as_ref()
                .ok_or_else(|| StoreError::Reader("no idle read connection".into()))?;
            let deadline = match budget {
                Budget::Unbounded => None,
                Budget::Until(deadline) => Some(deadline),
            };
            conn.progress_handler(
                PROGRESS_STEPS,
                Some(move || {
                    abandoned.load(Ordering::Relaxed)
                        || deadline.is_some_and(|d| Instant::now() >= d)
                }),
            );
            let outcome = query(conn);
            match budget {
                Budget::Unbounded => outcome,
                Budget::Until(_) => outcome.map_err(|error| match error {
                    StoreError::Sqlite(error) => classify(error),
                    other => other,
                }),
            }
        })
        .await
        .map_err(|_| StoreError::Reader("a read panicked".into()))?
    }
}

/// Tells the failures of a statement built from a client's query apart: those its shape causes (SQLite's
/// limits: expression depth, terms, variables, pattern length, all reported as a generic SQL error or as
/// too big) and an interruption are the query's; anything else (I/O, corruption, a busy file) is the
/// store's.
fn classify(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::OperationInterrupted => {
            StoreError::Interrupted
        }
        rusqlite::Error::SqliteFailure(e, message)
            if matches!(
                e.code,
                ErrorCode::Unknown | ErrorCode::TooBig | ErrorCode::ParameterOutOfRange
            ) =>
        {
            StoreError::Refused(message.clone().unwrap_or_else(|| e.to_string()))
        }
        rusqlite::Error::SqlInputError { msg, .. } => StoreError::Refused(msg.clone()),
        _ => StoreError::Sqlite(error),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Store, StoreError};

    /// A statement that never ends on its own: counting an endless sequence.
    const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
                           SELECT count(*) FROM n";
    /// Long enough for anything that should happen; only there so a broken test fails instead of hanging.
    const HANG_GUARD: Duration = Duration::from_secs(60);

    fn store(readers: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_sqlite_with(&dir.path().join("test.sqlite3"), readers)
            .expect("store opens");
        (dir, store)
    }

    /// The next read's answer. Should the connection still be busy after the guard, the endless
    /// statement is stopped by hand first, so that the test fails instead of hanging.
    async fn select_one(store: &Store, endless: &rusqlite::InterruptHandle) -> i64 {
        match tokio::time::timeout(
            HANG_GUARD,
            store.read(|db| Ok(db.sqlite()?.query_row("SELECT 1", [], |r| r.get(0))?)),
        )
        .await
        {
            Ok(answer) => answer.expect("the read answers"),
            Err(_) => {
                endless.interrupt();
                panic!("the read connection was never free again");
            }
        }
    }

    /// A statement past its budget is stopped and answered as interrupted, and the one connection it ran
    /// on answers the next read. Before, nothing stopped a statement: this one would run for ever.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_statement_past_its_budget_is_interrupted_and_its_connection_reads_again() {
        let (_dir, store) = store(1);
        let (handle, endless) = std::sync::mpsc::channel();
        let reader = store.clone();
        let outcome = tokio::spawn(async move {
            reader
                .query(Duration::from_millis(50), move |conn| {
                    let _ = handle.send(conn.sqlite()?.get_interrupt_handle());
                    Ok(conn
                        .sqlite()?
                        .query_row(ENDLESS, [], |r| r.get::<_, i64>(0))?)
                })
                .await
        });
        let endless = endless.recv().expect("the endless statement started");
        let outcome = match tokio::time::timeout(HANG_GUARD, outcome).await {
            Ok(outcome) => outcome.expect("the read task ends"),
            Err(_) => {
                endless.interrupt();
                panic!("the statement past its budget was never stopped");
            }
        };
        assert!(
            matches!(outcome, Err(StoreError::Interrupted)),
            "{outcome:?}"
        );
        assert_eq!(select_one(&store, &endless).await, 1);
    }

    /// A read whose caller has gone (its future dropped, as when a client hangs up or its request's
    /// deadline passes) is stopped, and its connection serves the next read. Before, an abandoned
    /// statement kept the only read connection until it ended.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_read_is_stopped_and_frees_its_connection() {
        let (_dir, store) = store(1);
        let (handle, endless) = tokio::sync::oneshot::channel();
        let reader = store.clone();
        let abandoned = tokio::spawn(async move {
            reader
                .read(move |conn| {
                    let _ = handle.send(conn.sqlite()?.get_interrupt_handle());
                    Ok(conn
                        .sqlite()?
                        .query_row(ENDLESS, [], |r| r.get::<_, i64>(0))?)
                })
                .await
        });
        let endless = endless.await.expect("the endless read started");
        abandoned.abort();
        assert_eq!(select_one(&store, &endless).await, 1);
    }

    /// What a statement's shape makes SQLite refuse is told apart from the store failing, so that the API
    /// answers it as the client's mistake (400) and not as `503`.
    #[tokio::test]
    async fn statements_past_sqlites_limits_are_refused_not_failures() {
        let (_dir, store) = store(1);
        let deep = format!(
            "SELECT 1 WHERE {}",
            (0..1_001)
                .map(|_| "1 = 1")
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        let terms = format!(
            "SELECT 1 ORDER BY {}",
            (1..=2_100)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let columns = format!(
            "SELECT {}",
            (1..=2_100)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let variables = format!("SELECT 1 WHERE 1 IN ({})", vec!["?"; 40_000].join(", "));
        let pattern = format!("SELECT 'x' LIKE '{}'", "%".repeat(60_000));
        let table = [
            (deep, "an expression 1,001 deep"),
            (terms, "2,100 ORDER BY terms"),
            (columns, "2,100 columns"),
            (variables, "40,000 parameters"),
            (pattern, "a LIKE pattern of 60,000 characters"),
        ];
        for (sql, why) in table {
            let outcome = store
                .query(HANG_GUARD, move |conn| {
                    let mut statement = conn.sqlite()?.prepare(&sql)?;
                    let mut rows = statement.query([])?;
                    while rows.next()?.is_some() {}
                    Ok(())
                })
                .await;
            assert!(
                matches!(outcome, Err(StoreError::Refused(_))),
                "{why}: {outcome:?}"
            );
        }
    }
}
