//! What the store's feature methods run on: [`Db`], a connection to read from, and [`Tx`], a transaction
//! to write in (which reads as well, through [`Db`]).
//!
//! Features never see the SQL engine: they call methods of these two types, which each feature's file in
//! `store/` adds (`impl Db<'_>` for its reads, `impl Tx<'_>` for its writes), and get domain values back.
//! Each holds one engine's connection; a method's statements run on either through [`super::sql`]
//! (`rows`, `run`, …), and the methods' signatures stay the same for both. [`Db::sqlite`] is left for what
//! only SQLite has (the group-committed intake, its own tests): on PostgreSQL it answers
//! [`StoreError::NotOnPostgres`].

use std::ops::Deref;

use deadpool_postgres::Transaction;
use rusqlite::Connection;
use tokio::runtime::Handle;
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};

use super::StoreError;

/// A connection to read from: one of the read pool's, or the writer's inside a transaction.
pub struct Db<'a> {
    engine: Engine<'a>,
}

/// The engine a [`Db`] runs on.
#[derive(Clone, Copy)]
enum Engine<'a> {
    Sqlite(&'a Connection),
    Postgres(&'a Session<'a>),
}

/// A transaction on the writer: it commits when the closure given to [`super::Store::write`] returns
/// `Ok`, and rolls back otherwise, so a refused change leaves nothing behind.
pub struct Tx<'a> {
    db: Db<'a>,
}

/// One transaction on one pooled connection, seen from a blocking thread: what [`Db`] and [`Tx`] hold on
/// PostgreSQL. A read's is read-only.
pub struct Session<'a> {
    handle: &'a Handle,
    tx: &'a Transaction<'a>,
}

impl<'a> Session<'a> {
    pub(super) fn new(handle: &'a Handle, tx: &'a Transaction<'a>) -> Self {
        Self { handle, tx }
    }

    /// The rows `sql` answers with `params`, each with the type it is sent as: one round trip, the
    /// statement unnamed (see [`super::postgres::Statements`]).
    pub(super) fn query(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, StoreError> {
        Ok(self.handle.block_on(self.tx.query_typed(sql, params))?)
    }

    /// Runs `sql` with `params`, sent as [`Session::query`] sends them; answers how many rows it changed.
    pub(super) fn execute(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<u64, StoreError> {
        Ok(self.handle.block_on(self.tx.execute_typed(sql, params))?)
    }
}

impl<'a> Db<'a> {
    pub(super) fn new(conn: &'a Connection) -> Self {
        Self {
            engine: Engine::Sqlite(conn),
        }
    }

    pub(super) fn on_postgres(session: &'a Session<'a>) -> Self {
        Self {
            engine: Engine::Postgres(session),
        }
    }

    /// The SQLite connection, for a method's SQLite statements; on PostgreSQL, the refusal of a method
    /// not written for it yet.
    pub(super) fn sqlite(&self) -> Result<&'a Connection, StoreError> {
        match self.engine {
            Engine::Sqlite(conn) => Ok(conn),
            Engine::Postgres(_) => Err(StoreError::NotOnPostgres("this read or write")),
        }
    }

    /// The PostgreSQL session (a transaction, read-only for reads), when this is PostgreSQL.
    pub(super) fn postgres(&self) -> Option<&'a Session<'a>> {
        match self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(session) => Some(session),
        }
    }
}

impl<'a> Tx<'a> {
    pub(super) fn new(tx: &'a rusqlite::Transaction<'a>) -> Self {
        Self { db: Db::new(tx) }
    }

    pub(super) fn on_postgres(session: &'a Session<'a>) -> Self {
        Self {
            db: Db::on_postgres(session),
        }
    }

    /// The transaction's SQLite connection, for the statements of this module's writes; on PostgreSQL,
    /// the refusal of a write not written for it yet.
    pub(super) fn conn(&self) -> Result<&'a Connection, StoreError> {
        self.db.sqlite()
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Db<'a>;

    fn deref(&self) -> &Db<'a> {
        &self.db
    }
}
