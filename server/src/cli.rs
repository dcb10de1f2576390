//! What the CLI's commands that work on the database (`users`, `queues`, `tokens`, `webhooks`,
//! `requests`, `callbacks`) share: the store opened for one command, without a server.

use anyhow::Context;

use crate::Store;

/// Opens the database for one command of the CLI (no server), runs `work` on it, and waits for its
/// writes to be on disk before answering, whether `work` succeeded or not.
pub async fn with_store<T>(
    database: &crate::store::Database,
    postgres: &crate::store::PostgresOptions,
    work: impl AsyncFnOnce(&Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let store = Store::open(database, crate::store::default_read_connections(), postgres)
        .await
        .with_context(|| format!("cannot open the database {database}"))?;
    let outcome = work(&store).await;
    store.shutdown().await;
    outcome
}
