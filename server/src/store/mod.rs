//! The durable store of contact requests.
//!
//! Handlers see only [`Store`]: what it takes and gives are plain values, and a method returns only once
//! its write is committed to disk. SQLite is the embedded default ([`sqlite`]); another backend, such as
//! PostgreSQL, is a new variant behind the same methods.

mod access;
mod alerts;
mod batch;
mod call_centers;
mod call_log;
mod columns;
mod confirmations;
mod contact_requests;
mod cursors;
mod deliveries;
mod directory;
mod due;
mod endpoints;
mod experience_events;
mod failing;
mod forwarding;
mod functions;
mod history;
mod idempotency;
mod jobs;
mod limits;
mod location;
mod mail;
mod multirow;
mod offers;
mod outbox;
mod plan;
mod postgres;
mod readers;
mod records;
mod render;
mod reports;
mod routing;
mod saved_views;
mod search;
mod sessions;
mod sharing;
mod slots;
pub mod sql;
mod sqlite;
mod subscriptions;
mod supervisor;
mod telephony;
mod tx;

use std::path::Path;

use contact_shared::{ContactRequestCreated, NewContactRequest};
use serde::Serialize;

pub use access::{Added, GrantRow, NewToken, QueueRow, TokenRow, UserRow};
pub use alerts::{AlertState, CALLBACK_DUE_ALERT, DueAlert, ENDPOINT_DISABLED_ALERT};
pub use call_centers::{CallCenterRow, NumberRow};
pub use call_log::{Attempt, AttemptedRequest, CompletedCall, InteractionTimes, LoggedCall};
pub use confirmations::{ConfirmationState, DueConfirmation};
pub use cursors::{CursorBounds, QueryCursor};
pub use deliveries::{AttemptRow, LoggedAttempt, LoggedDelivery};
pub use endpoints::{EndpointChange, EndpointRow, SecretRow};
pub use experience_events::{DailyCount, NewEvent, SentEvent};
pub use failing::Disabled;
pub use forwarding::{BatchOutcome, ClaimedBatch, FailedMessage, ForwardEvent, PlatformCursor};
pub use idempotency::{IdempotencyKey, Inserted, KeyError, fingerprint};
pub use limits::{Charged, LimitRule, SharedLimits};
pub use location::{Database, DatabaseError, PostgresUrl};
pub use mail::{DueDigest, MailState, Notice};
pub use offers::{OfferRow, OfferSettings, OfferedRequest, OpenOffer, PresenceRow, Unoffered};
pub use outbox::{DeliveryRow, DueDelivery, OutboxDepth, OutboxEvent, Subscription};
pub use reports::{QueueTarget, ReportedRequest, StaleServiceLevel};
pub use supervisor::{FloorPersonRow, HeldRow, OldestRow, QueueFloorRow};

/// The names of the outbox's events.
pub mod events {
    pub use super::outbox::{
        ASSIGNED, CALL_LOGGED, CALLBACK_DUE, CREATED, ENGAGEMENT_COMPLETED, STATUS_CHANGED, UPDATED,
    };
}
pub use plan::{
    Branch, Column, Filter, Grouped, Grouping, Having, Join, Kind, Measure, Op, Operand, Piece,
    Select, Source, Table, Value,
};
pub use postgres::{
    DEFAULT_POOL_SIZE, OptionsError, PostgresOptions, PostgresStore, Statements,
    migrate as migrate_postgres, schema_hash as postgres_schema_hash,
};
pub use records::{DeletedRecord, FoundRecord, RecordState, Viewing};
pub use render::{Page, Prepared, Statement};
pub use routing::{Bookings, ClaimedRow, RoutableRow};
pub use sessions::{CredentialsRow, FailureRow, SessionRow};
pub use sharing::RuleGrant;
pub use sqlite::SqliteStore;
pub use subscriptions::{CALLBACK_DUE_NOTICES, NEW_REQUESTS, NOTIFICATION_KINDS};
pub use telephony::ProviderCallback;
pub use tx::{Db, Tx};

/// A plan rendered as the embedded engine renders it, for tests of what keeps a prepared query.
#[cfg(test)]
pub fn render_for_tests(select: &Select) -> Prepared {
    render::prepare(select, sql::Dialect::Sqlite)
}

/// Why the store could not do what was asked. None of these is the client's fault, but for
/// [`StoreError::Refused`] and [`StoreError::Interrupted`], which only a budgeted read of a client's query
/// ([`Store::query`]) answers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL migration {version} failed: {source}")]
    PostgresMigration {
        version: i64,
        source: tokio_postgres::Error,
    },
    /// The database was migrated by a newer build than this one, which would not know its schema.
    #[error(
        "the database has migration {found}, newer than this build's last ({known}): run a newer build"
    )]
    SchemaNewer { found: i64, known: i64 },
    /// PostgreSQL could not be reached (or the URL's settings not used).
    #[error("cannot reach PostgreSQL: {0}")]
    Unreachable(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    /// Another server process serves this SQLite file already.
    #[error(
        "another server process already serves the SQLite database {0}: SQLite is one process's store; \
         to run more than one server process, use PostgreSQL (--database postgres://…)"
    )]
    ServedElsewhere(String),
    /// A statement of SQLite's own reached on PostgreSQL (a bug: every feature method runs on both).
    #[error("{0} is not served on PostgreSQL yet")]
    NotOnPostgres(&'static str),
    #[error("the database writer has stopped")]
    WriterStopped,
    #[error("cannot start the database writer: {0}")]
    Thread(std::io::Error),
    #[error("the transaction holding this write failed: {0}")]
    BatchFailed(String),
    #[error("a read failed: {0}")]
    Reader(String),
    /// The database refused the statement for its shape (past one of SQLite's limits).
    #[error("the database refused the statement: {0}")]
    Refused(String),
    /// The statement ran past its budget, or its caller went away, and was stopped.
    #[error("the statement ran past its budget and was stopped")]
    Interrupted,
}

/// A count of rows PostgreSQL reports, as SQLite's driver gives it.
fn count(rows: u64) -> usize {
    usize::try_from(rows).unwrap_or(usize::MAX)
}

/// The default number of read connections for the API's reads: two per core, as a read waits on the
/// disk as often as it computes, and at least two.
pub fn default_read_connections() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |cores| cores.get() * 2)
        .clamp(2, 32)
}

/// A submission on its way into the store: the parsed request and where it came from.
#[derive(Debug, Clone)]
pub struct Submission {
    pub request: NewContactRequest,
    /// The `Origin` of the page the widget ran on, when the browser sent one.
    pub source_origin: Option<crate::origin::Origin>,
    /// The site the request came through.
    pub site_key: String,
    /// The verified visitor's stable id on that site (the identity token's `sub`); `None` for a guest.
    pub visitor_sub: Option<String>,
    /// The name of the queue that will own the request; `None` for the store's default queue.
    pub owner_queue: Option<String>,
    /// The internal name of the call center that calls back (the site's, for the Phone channel).
    pub call_center: Option<String>,
    /// The callback slot the visitor chose, if any: the request is routable from its start.
    pub booking: Option<Booking>,
    /// The proof of work the submission spends, if its site asks for one: recorded with the record, and
    /// a submission spending one already spent is refused ([`Inserted::ProofSpent`]).
    pub spent_challenge: Option<SpentChallenge>,
    /// The request's `web.formFilledOut` event, written with it (`None` writes none).
    pub sent_event: Option<SentEvent>,
}

/// A solved challenge a submission spends: its nonce, and when the challenge expires (Unix ms), after
/// which its record may be swept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentChallenge {
    pub nonce: String,
    pub expires_ms: u64,
}

/// A callback slot a submission books. Its capacity is checked in the transaction that stores the
/// request, on the one writer, so two visitors can never both take a slot's last place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The internal name of the call center whose slot it is.
    pub call_center: String,
    /// The slot's `[start, end)`, in the stored format.
    pub start: String,
    pub end: String,
    /// How many open callbacks the slot may hold.
    pub capacity: u32,
    /// How many open bookings (a chosen time still ahead) one phone number may hold, this one included;
    /// `None` for no limit.
    pub per_phone: Option<u32>,
}

/// A stored contact request, every column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredContactRequest {
    pub id: String,
    pub name: String,
    /// As stored: one of the reference's, or a value of the organisation's own.
    pub status: String,
    pub request_reason: Option<String>,
    pub preferred_channel: String,
    pub preferred_phone: Option<String>,
    pub request_description: Option<String>,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub is_callback: bool,
    pub source_origin: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub site_key: Option<String>,
    pub visitor_sub: Option<String>,
    /// When the request becomes routable (a chosen callback slot); `None` at once.
    pub scheduled_routing_at: Option<String>,
    /// The id of the call center that calls back.
    pub call_center_id: Option<String>,
    /// The visitor's own IANA time zone, as the widget's browser reported it.
    pub visitor_time_zone: Option<String>,
}

/// The store the server runs on.
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// Renders a query's plan in this store's SQL, once: its count and its page, which a cursor keeps
    /// for each batch after.
    pub fn prepare(&self, select: &Select) -> Prepared {
        match self {
            Self::Sqlite(_) => render::prepare(select, sql::Dialect::Sqlite),
            Self::Postgres(_) => render::prepare(select, sql::Dialect::Postgres),
        }
    }

    /// Renders an aggregate query's plan in this store's SQL.
    pub fn prepare_grouped(&self, grouped: &Grouped) -> Statement {
        match self {
            Self::Sqlite(_) => render::prepare_grouped(grouped, sql::Dialect::Sqlite),
            Self::Postgres(_) => render::prepare_grouped(grouped, sql::Dialect::Postgres),
        }
    }

    /// Opens the database `--database` names and brings its schema up to date: SQLite with `readers`
    /// read connections for the API's reads and queries, PostgreSQL as `postgres` says.
    pub async fn open(
        database: &Database,
        readers: usize,
        postgres: &PostgresOptions,
    ) -> Result<Self, StoreError> {
        match database {
            Database::Sqlite(path) => Self::open_sqlite_with(path, readers),
            Database::Postgres(url) => Self::open_postgres(url, postgres).await,
        }
    }

    /// As [`Store::open`], for a server process: a SQLite file another server process serves already is
    /// refused (see [`SqliteStore::open_to_serve`]); PostgreSQL serves any number.
    pub async fn open_to_serve(
        database: &Database,
        readers: usize,
        postgres: &PostgresOptions,
    ) -> Result<Self, StoreError> {
        match database {
            Database::Sqlite(path) => SqliteStore::open_to_serve(path, readers).map(Self::Sqlite),
            Database::Postgres(url) => Self::open_postgres(url, postgres).await,
        }
    }

    /// Connects to the PostgreSQL database at `url` as `options` say and brings its schema up to date
    /// (once, whichever of several processes starting at once gets there first).
    pub async fn open_postgres(
        url: &PostgresUrl,
        options: &PostgresOptions,
    ) -> Result<Self, StoreError> {
        PostgresStore::open(url, options).await.map(Self::Postgres)
    }

    /// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
    pub fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Self::open_sqlite_with(path, default_read_connections())
    }

    /// As [`Store::open_sqlite`], with `readers` read connections for the API's reads and queries.
    pub fn open_sqlite_with(path: &Path, readers: usize) -> Result<Self, StoreError> {
        SqliteStore::open(path, readers).map(Self::Sqlite)
    }

    /// Stores a new request; returns once it is committed and synced to disk.
    pub async fn insert(
        &self,
        submission: Submission,
    ) -> Result<ContactRequestCreated, StoreError> {
        match self.insert_once(submission, None).await? {
            Inserted::Created(created) | Inserted::Replayed(created) => Ok(created),
            // Only a key can conflict, and none was given.
            Inserted::Conflict => Err(StoreError::BatchFailed(
                "an insert without a key reported a key conflict".into(),
            )),
            Inserted::SlotFull | Inserted::PhoneBooked => Err(StoreError::BatchFailed(
                "the callback slot is fully booked".into(),
            )),
            Inserted::ProofSpent { .. } => Err(StoreError::BatchFailed(
                "the proof of work was already spent".into(),
            )),
        }
    }

    /// Stores a new request unless `key` was already used: then answers what the first use got (same
    /// submission) or a conflict (another submission), writing nothing. The key is committed with the record.
    /// A submission booking a slot that is already full is refused ([`Inserted::SlotFull`]), writing nothing.
    pub async fn insert_once(
        &self,
        submission: Submission,
        key: Option<IdempotencyKey>,
    ) -> Result<Inserted, StoreError> {
        match self {
            Self::Sqlite(store) => store.insert(submission, key).await,
            Self::Postgres(store) => store.insert(submission, key).await,
        }
    }

    /// The `synchronous` setting writes are committed with: 2 (FULL) syncs the log on every commit.
    pub async fn synchronous(&self) -> Result<i64, StoreError> {
        match self {
            Self::Sqlite(store) => store.synchronous().await,
            Self::Postgres(store) => store.synchronous().await,
        }
    }

    /// The request with this id or request number (`CR-000001`), if any.
    pub async fn find(&self, key: &str) -> Result<Option<StoredContactRequest>, StoreError> {
        match self {
            Self::Sqlite(store) => store.find(key.to_owned()).await,
            Self::Postgres(store) => store.find(key).await,
        }
    }

    /// What a submission with `key` would get from the key alone: the first answer (same submission), a
    /// conflict (another one), or `None` for a key not used yet. Reads only; nothing is written.
    pub async fn earlier_answer(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<Inserted>, StoreError> {
        match self {
            Self::Sqlite(store) => store.earlier_answer(key.clone()).await,
            Self::Postgres(store) => store.earlier_answer(key).await,
        }
    }

    /// Deletes idempotency keys recorded before `keys_before` and spent challenges expired by `now`;
    /// answers how many of each. Runs on the writer, as any write.
    pub async fn sweep(
        &self,
        keys_before: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<(usize, usize), StoreError> {
        let before = crate::instant::stored(keys_before);
        let now_ms = now.as_millisecond();
        self.write(move |tx| {
            if let Some(pg) = tx.postgres() {
                let keys = pg.execute(
                    "DELETE FROM idempotency_keys WHERE created_at < $1",
                    &sql::untyped(&[sql::Param::from(&before)]),
                )?;
                let challenges = pg.execute(
                    "DELETE FROM spent_challenges WHERE expires_ms < $1",
                    &sql::untyped(&[sql::Param::from(now_ms)]),
                )?;
                return Ok((count(keys), count(challenges)));
            }
            let keys = idempotency::sweep(tx.conn()?, &before)?;
            let challenges = batch::sweep_challenges(tx.conn()?, now_ms)?;
            Ok((keys, challenges))
        })
        .await
    }

    /// Changes each time a write that the live feed may follow commits: on SQLite each transaction of
    /// this process's one writer, on PostgreSQL each commit that added outbox events, in any process.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<u64> {
        match self {
            Self::Sqlite(store) => store.committed(),
            Self::Postgres(store) => store.committed(),
        }
    }

    /// Whether the writer still takes writes. Cheap: liveness probes ask it on every call.
    pub fn writer_running(&self) -> bool {
        match self {
            Self::Sqlite(store) => store.writer_running(),
            Self::Postgres(store) => store.writer_running(),
        }
    }

    /// Checks that the database answers and the writer is running.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.ping().await,
            Self::Postgres(store) => store.ping().await,
        }
    }

    /// Finishes every write already handed to the store, then stops its writer.
    pub async fn shutdown(&self) {
        match self {
            Self::Sqlite(store) => store.shutdown().await,
            Self::Postgres(store) => store.shutdown(),
        }
    }
}
