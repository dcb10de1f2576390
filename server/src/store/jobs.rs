//! Generic reads and transactional writes for features beyond the widget's intake (the Salesforce API,
//! its users, queues and tokens).
//!
//! Writes still run on the one writer thread, in queue order with the intake's inserts, inside their own
//! transaction on the `synchronous = FULL` connection: a write is on disk before its caller hears of it.

use tokio::sync::oneshot;

use super::sqlite::Job;
use super::tx::{Db, Tx};
use super::{Store, StoreError};

impl Store {
    /// Runs `read` on a read-only connection of the API's pool. Dropping the future (the client went
    /// away) stops its statement.
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Db<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self {
            Self::Sqlite(store) => store.read(move |conn| read(&Db::new(conn))).await,
            Self::Postgres(store) => store.read(None, read).await,
        }
    }

    /// Runs `read`, built from a client's query, on a read-only connection of the API's pool within
    /// `budget`: past it, or once the future is dropped, its statement is stopped and the answer is
    /// [`StoreError::Interrupted`]; a statement past the database's limits is [`StoreError::Refused`].
    pub async fn query<T: Send + 'static>(
        &self,
        budget: std::time::Duration,
        read: impl FnOnce(&Db<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self {
            Self::Sqlite(store) => store.query(budget, move |conn| read(&Db::new(conn))).await,
            Self::Postgres(store) => store.read(Some(budget), read).await,
        }
    }

    /// Runs `read`, one cheap indexed look-up (a token check, say), on connections kept apart from the
    /// API's reads, so that no number of slow queries makes it wait.
    pub async fn probe<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Db<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self {
            Self::Sqlite(store) => store.probe(move |conn| read(&Db::new(conn))).await,
            Self::Postgres(store) => store.read(None, read).await,
        }
    }

    /// Runs `write` in one transaction on the writer thread, behind every write already queued. The
    /// transaction commits when `write` returns `Ok` and rolls back otherwise, so a refused change leaves
    /// nothing behind. The closure's own error and the store's meet in `E`: a handler ends in one `?`.
    pub async fn write<T, E>(
        &self,
        write: impl FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = match self {
            Self::Sqlite(store) => store,
            Self::Postgres(store) => return store.write(write).await,
        };
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = match super::sqlite::begin(conn) {
                Ok(tx) => {
                    let outcome = write(&Tx::new(&tx));
                    match outcome {
                        Ok(value) => tx.commit().map(|()| value).map_err(|e| E::from(e.into())),
                        // Dropping the transaction rolls it back.
                        Err(error) => Err(error),
                    }
                }
                Err(error) => Err(E::from(error.into())),
            };
            // The caller may have gone; a committed write stays committed.
            let _ = reply.send(outcome);
        });
        store.send_job(job).await.map_err(E::from)?;
        answer
            .await
            .map_err(|_| E::from(StoreError::WriterStopped))?
    }
}
