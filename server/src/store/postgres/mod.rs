//! The PostgreSQL engine: a shared database server that many server processes use at once, for an
//! organisation that runs more than one. What SQLite gets from having one writer (one autonumber, one
//! check of a slot's capacity) is decided in the database here, by its sequences, locks and constraints.
//!
//! Connections come from a pool (deadpool-postgres). `sslmode=require` in the URL encrypts them and
//! verifies the server's certificate and name against the system's trusted roots; `disable` and
//! `prefer` (the default) connect without TLS, for a database on loopback or a private network.

mod intake;
mod listen;
mod migrate;
mod session;
mod statements;

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::watch;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, NoTls};

use super::idempotency::{IdempotencyKey, Inserted};
use super::{PostgresUrl, StoreError, StoredContactRequest};

pub use migrate::{migrate, schema_hash};
pub use statements::Statements;

/// The default number of pooled connections of one server process. Each PostgreSQL connection is a
/// process of the database server's, so N server processes hold N times this many.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// How long a request waits for a pooled connection, or for a new one to open, before it is answered
/// that the database is unavailable.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How one server process uses PostgreSQL: `--database-pool-size`, `--database-transaction-pooler` and
/// `--database-listen-url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresOptions {
    pool_size: usize,
    statements: Statements,
    listen: Option<PostgresUrl>,
}

/// Why a set of PostgreSQL options is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error(
        "--database-transaction-pooler needs --database-listen-url: the live feed LISTENs for other \
         processes' commits on a session of its own, which a pooler in transaction mode does not keep; \
         give it the database's own address (or a pool in session mode)"
    )]
    PoolerWithoutListenUrl,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            pool_size: DEFAULT_POOL_SIZE,
            statements: Statements::Prepared,
            listen: None,
        }
    }
}

impl PostgresOptions {
    /// `pool_size` connections; behind a pooler in transaction mode when `transaction_pooler` (statements
    /// sent unnamed), which then needs `listen`, a URL that reaches the database without it.
    pub fn new(
        pool_size: usize,
        transaction_pooler: bool,
        listen: Option<PostgresUrl>,
    ) -> Result<Self, OptionsError> {
        if transaction_pooler && listen.is_none() {
            return Err(OptionsError::PoolerWithoutListenUrl);
        }
        Ok(Self {
            pool_size: pool_size.max(1),
            statements: if transaction_pooler {
                Statements::Unnamed
            } else {
                Statements::Prepared
            },
            listen,
        })
    }

    /// These options with `pool_size` connections.
    pub fn with_pool_size(self, pool_size: usize) -> Self {
        Self {
            pool_size: pool_size.max(1),
            ..self
        }
    }
}

/// The PostgreSQL backend of [`super::Store`]: the pool, how statements are sent on it, and the count of
/// commits heard from every process ([`listen`]).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Arc<Pool>,
    statements: Statements,
    committed: watch::Receiver<u64>,
}

impl PostgresStore {
    /// Connects to `url` as `options` say and brings its schema up to date.
    pub async fn open(url: &PostgresUrl, options: &PostgresOptions) -> Result<Self, StoreError> {
        let config = config(url)?;
        let mut client = connect_with(&config).await?;
        migrate::migrate_on(&mut client).await?;
        drop(client);
        let listen = match &options.listen {
            Some(direct) => self::config(direct)?,
            None => config.clone(),
        };
        let committed = listen::start(listen);
        let manager_config = ManagerConfig {
            // A connection that died while idle (the database restarted) is found out before it is used.
            recycling_method: RecyclingMethod::Verified,
        };
        let manager = match config.get_ssl_mode() {
            SslMode::Require => Manager::from_config(config, tls()?, manager_config),
            _ => Manager::from_config(config, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .build()
            .map_err(|error| StoreError::Unreachable(error.to_string()))?;
        Ok(Self {
            pool: Arc::new(pool),
            statements: options.statements,
            committed,
        })
    }

    /// Moves each time a transaction that added outbox events commits, in any process.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    /// How this process sends its statements.
    pub(super) fn statements(&self) -> Statements {
        self.statements
    }

    /// A pooled connection, or why there is none (the database is unreachable or every connection busy).
    pub(super) async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|error| StoreError::Unreachable(error.to_string()))
    }

    pub async fn insert(
        &self,
        submission: super::Submission,
        key: Option<IdempotencyKey>,
    ) -> Result<Inserted, StoreError> {
        let mut client = self.client().await?;
        intake::insert(&mut client, self.statements, &submission, key.as_ref()).await
    }

    /// What `synchronous_commit` commits the intake's writes with, in SQLite's terms: 2 when a commit
    /// waits for its log to be flushed (`on`, which every intake transaction sets), 0 when it does not.
    pub async fn synchronous(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let shown = client.simple_query("SHOW synchronous_commit").await?;
        let setting = shown.iter().find_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0),
            _ => None,
        });
        Ok(if setting == Some("off") { 0 } else { 2 })
    }

    pub async fn find(&self, key: &str) -> Result<Option<StoredContactRequest>, StoreError> {
        let client = self.client().await?;
        let found = self
            .statements
            .query_opt(
                &client,
                "SELECT id, name, status, request_reason, preferred_channel, preferred_phone,
                        request_description, visitor_name, visitor_email, is_callback, source_origin,
                        created_at, updated_at, site_key, visitor_sub, scheduled_routing_at,
                        call_center_id, visitor_time_zone
                   FROM contact_requests WHERE id = $1 OR name = $1",
                &[(&key, Type::TEXT)],
            )
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        Ok(Some(StoredContactRequest {
            id: row.get(0),
            name: row.get(1),
            status: row.get(2),
            request_reason: row.get(3),
            preferred_channel: row.get(4),
            preferred_phone: row.get(5),
            request_description: row.get(6),
            visitor_name: row.get(7),
            visitor_email: row.get(8),
            is_callback: row.get::<_, i64>(9) != 0,
            source_origin: row.get(10),
            created_at: row.get(11),
            updated_at: row.get(12),
            site_key: row.get(13),
            visitor_sub: row.get(14),
            scheduled_routing_at: row.get(15),
            call_center_id: row.get(16),
            visitor_time_zone: row.get(17),
        }))
    }

    pub async fn earlier_answer(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<Inserted>, StoreError> {
        let client = self.client().await?;
        Ok(intake::find_key(&client, self.statements, key)
            .await?
            .map(|found| super::idempotency::replay(key, found)))
    }

    /// Whether the pool still hands out connections: it stops only at shutdown.
    pub fn writer_running(&self) -> bool {
        !self.pool.is_closed()
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// Closes the pool: no connection is handed out after this. A write under way keeps its connection
    /// until it commits or fails; the server stops taking requests and waits for them before it gets here.
    pub fn shutdown(&self) {
        self.pool.close();
    }
}

/// The driver's settings for `url`, which [`PostgresUrl`] has already checked that it reads.
pub(super) fn config(url: &PostgresUrl) -> Result<Config, StoreError> {
    url.expose()
        .parse()
        .map_err(|error: tokio_postgres::Error| StoreError::Unreachable(error.to_string()))
}

/// One connection of its own, outside any pool: what the migrations run on. Its connection task ends
/// when the client is dropped.
pub(super) async fn connect(url: &PostgresUrl) -> Result<Client, StoreError> {
    connect_with(&config(url)?).await
}

async fn connect_with(config: &Config) -> Result<Client, StoreError> {
    let unreachable = |error: tokio_postgres::Error| {
        StoreError::Unreachable(
            std::error::Error::source(&error)
                .map_or_else(|| error.to_string(), |cause| format!("{error}: {cause}")),
        )
    };
    let client = match config.get_ssl_mode() {
        SslMode::Require => {
            let (client, connection) = config.connect(tls()?).await.map_err(unreachable)?;
            tokio::spawn(log_end(connection));
            client
        }
        _ => {
            let (client, connection) = config.connect(NoTls).await.map_err(unreachable)?;
            tokio::spawn(log_end(connection));
            client
        }
    };
    Ok(client)
}

async fn log_end<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(error) = connection.await {
        tracing::warn!(%error, "a PostgreSQL connection closed");
    }
}

/// TLS with the server's certificate and name verified against the system's trusted roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(StoreError::Unreachable(
            "sslmode=require, but the system has no trusted root certificates to verify the server's with"
                .into(),
        ));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| StoreError::Unreachable(error.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
