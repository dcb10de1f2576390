//! The PostgreSQL engine: a shared database server that many server processes use at once, for an
//! organisation that runs more than one. What SQLite gets from having one writer (one autonumber, one
//! check of a slot's capacity) is decided in the database here, by its sequences, locks and constraints.

mod migrate;

use tokio_postgres::{Client, Config, NoTls};

use super::{PostgresUrl, StoreError};

pub use migrate::migrate;

/// The driver's settings for `url`, which [`PostgresUrl`] has already checked that it reads.
pub(super) fn config(url: &PostgresUrl) -> Result<Config, StoreError> {
    url.expose()
        .parse()
        .map_err(|error: tokio_postgres::Error| StoreError::Unreachable(error.to_string()))
}

/// One connection of its own, outside any pool: what the migrations run on. Its connection task ends
/// when the client is dropped.
pub(super) async fn connect(url: &PostgresUrl) -> Result<Client, StoreError> {
    let (client, connection) = config(url)?
        .connect(NoTls)
        .await
        .map_err(|error| StoreError::Unreachable(error.to_string()))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "a PostgreSQL connection closed");
        }
    });
    Ok(client)
}
