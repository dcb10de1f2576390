//! How the synchronous closures of [`crate::store::Store::read`] and [`crate::store::Store::write`] run on
//! PostgreSQL's asynchronous driver: on a blocking thread of tokio's, holding one pooled connection with
//! a transaction open, each statement awaited with [`Handle::block_on`] (which a blocking thread may do).
//! Write hooks run inside the closure, so they stay synchronous on both engines.

use tokio::runtime::Handle;

use super::PostgresStore;
use crate::store::StoreError;
use crate::store::tx::{Db, Session, Tx};

impl PostgresStore {
    /// Runs `read` in a read-only transaction on a pooled connection, on a blocking thread; `budget`, if
    /// any, bounds each of its statements (`statement_timeout`), past which the answer is
    /// [`StoreError::Interrupted`].
    pub(in crate::store) async fn read<T: Send + 'static>(
        &self,
        budget: Option<std::time::Duration>,
        read: impl FnOnce(&Db<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let mut client = self.client().await?;
        let handle = Handle::current();
        tokio::task::spawn_blocking(move || {
            let tx = handle.block_on(client.build_transaction().read_only(true).start())?;
            if let Some(budget) = budget {
                let ms = budget.as_millis().max(1);
                handle
                    .block_on(tx.batch_execute(&format!("SET LOCAL statement_timeout = {ms}")))?;
            }
            let session = Session::new(&handle, &tx);
            let value = read(&Db::on_postgres(&session)).map_err(interrupted)?;
            handle.block_on(tx.commit())?;
            Ok(value)
        })
        .await
        .map_err(|_| StoreError::Reader("a PostgreSQL read stopped before its answer".into()))?
    }

    /// Runs `write` in one transaction on a pooled connection, on a blocking thread, committed with
    /// `synchronous_commit = on` when it returns `Ok` and rolled back otherwise. Its caller going away
    /// does not stop it: a write ends committed or rolled back, never half-done.
    pub(in crate::store) async fn write<T, E>(
        &self,
        write: impl FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let mut client = self.client().await.map_err(E::from)?;
        let handle = Handle::current();
        let store = |error: tokio_postgres::Error| E::from(StoreError::from(error));
        tokio::task::spawn_blocking(move || {
            let tx = handle.block_on(client.transaction()).map_err(store)?;
            handle
                .block_on(tx.batch_execute("SET LOCAL synchronous_commit TO on"))
                .map_err(store)?;
            let outcome = write(&Tx::on_postgres(&Session::new(&handle, &tx)));
            match outcome {
                Ok(value) => handle.block_on(tx.commit()).map(|()| value).map_err(store),
                // Dropping the transaction would roll it back only at the connection's next use.
                Err(error) => {
                    let _ = handle.block_on(tx.rollback());
                    Err(error)
                }
            }
        })
        .await
        .map_err(|_| E::from(StoreError::WriterStopped))?
    }
}

/// A statement stopped by its `statement_timeout` is [`StoreError::Interrupted`], as SQLite's are.
fn interrupted(error: StoreError) -> StoreError {
    match &error {
        StoreError::Postgres(cause)
            if cause.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED) =>
        {
            StoreError::Interrupted
        }
        _ => error,
    }
}
