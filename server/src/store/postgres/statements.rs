//! How statements reach PostgreSQL, and so whether the server runs behind a pooler in transaction mode
//! (PgBouncer's `pool_mode = transaction`, and the poolers that copy it). Such a pooler lends a server
//! connection for one transaction, or for one statement outside a transaction, and the next may go to
//! another: a statement prepared by name on one is unknown on the next, and a name may collide with
//! another client's on the same server connection.
//!
//! - The fixed statements the hot paths repeat (the intake's, the shared rate limits', a lookup by key)
//!   give their parameters' types. By default they are prepared once per pooled connection and kept
//!   ([`Statements::Prepared`]): one round trip each after the first. [`Statements::Unnamed`] sends each
//!   as the unnamed statement, parsed, bound and run in one round trip, which nothing can collide with.
//! - Everything else (the features' statements through [`crate::store::tx::Session`], SOQL rendered for
//!   one client's query) is sent unnamed in either mode: its text varies, so a prepared copy would be used
//!   once. Its values go as text of unknown type, which the database types from where each stands, as it
//!   types a literal ([`crate::store::sql::Param`]).
//! - Migrations take a transaction-scoped advisory lock, so they hold behind such a pooler too. The live
//!   feed's `LISTEN` needs a session of its own: behind a pooler it connects directly
//!   (`--database-listen-url`).

use deadpool_postgres::GenericClient;
use tokio_postgres::GenericClient as _;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Error, Row};

/// A parameter with the type its statement gives it.
pub(in crate::store) type Typed<'a> = (&'a (dyn ToSql + Sync), Type);

/// Whether this process keeps prepared statements on the database's connections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Statements {
    /// The hot paths' statements are prepared on each pooled connection once and kept.
    #[default]
    Prepared,
    /// Nothing is prepared by name: for a pooler in transaction mode.
    Unnamed,
}

impl Statements {
    /// The row `sql` answers with `params`, if any (at most one).
    pub(in crate::store) async fn query_opt<C>(
        self,
        client: &C,
        sql: &str,
        params: &[Typed<'_>],
    ) -> Result<Option<Row>, Error>
    where
        C: On,
    {
        match self {
            Self::Prepared => {
                let statement = client.prepare_typed_cached(sql, &types(params)).await?;
                client.query_opt(&statement, &values(params)).await
            }
            Self::Unnamed => client.driver().query_typed_opt(sql, params).await,
        }
    }

    /// The one row `sql` answers with `params` (a count, a `RETURNING`).
    pub(in crate::store) async fn query_one<C>(
        self,
        client: &C,
        sql: &str,
        params: &[Typed<'_>],
    ) -> Result<Row, Error>
    where
        C: On,
    {
        match self {
            Self::Prepared => {
                let statement = client.prepare_typed_cached(sql, &types(params)).await?;
                client.query_one(&statement, &values(params)).await
            }
            Self::Unnamed => client.driver().query_typed_one(sql, params).await,
        }
    }

    /// Runs `sql` with `params`; answers how many rows it changed.
    pub(in crate::store) async fn execute<C>(
        self,
        client: &C,
        sql: &str,
        params: &[Typed<'_>],
    ) -> Result<u64, Error>
    where
        C: On,
    {
        match self {
            Self::Prepared => {
                let statement = client.prepare_typed_cached(sql, &types(params)).await?;
                client.execute(&statement, &values(params)).await
            }
            Self::Unnamed => client.driver().execute_typed(sql, params).await,
        }
    }
}

/// A pooled connection, or a transaction on one: what a statement runs on.
pub(in crate::store) trait On: GenericClient {
    /// The driver's own client beneath the pool's, which sends unnamed statements.
    type Driver: tokio_postgres::GenericClient;

    fn driver(&self) -> &Self::Driver;
}

impl On for deadpool_postgres::Client {
    type Driver = tokio_postgres::Client;

    fn driver(&self) -> &tokio_postgres::Client {
        self
    }
}

impl<'a> On for deadpool_postgres::Transaction<'a> {
    type Driver = tokio_postgres::Transaction<'a>;

    fn driver(&self) -> &tokio_postgres::Transaction<'a> {
        self
    }
}

fn types(params: &[Typed<'_>]) -> Vec<Type> {
    params.iter().map(|(_, ty)| ty.clone()).collect()
}

fn values<'a>(params: &[Typed<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|(value, _)| *value).collect()
}
