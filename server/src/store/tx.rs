//! What the store's feature methods run on: [`Db`], a connection to read from, and [`Tx`], a transaction
//! to write in (which reads as well, through [`Db`]).
//!
//! Features never see the SQL engine: they call methods of these two types, which each feature's file in
//! `store/` adds (`impl Db<'_>` for its reads, `impl Tx<'_>` for its writes), and get domain values back.
//! A second engine is a second variant inside these types; the methods' signatures stay.

use std::ops::Deref;

use rusqlite::Connection;

/// A connection to read from: one of the read pool's, or the writer's inside a transaction.
pub struct Db<'a> {
    pub(super) conn: &'a Connection,
}

/// A transaction on the writer: it commits when the closure given to [`super::Store::write`] returns
/// `Ok`, and rolls back otherwise, so a refused change leaves nothing behind.
pub struct Tx<'a> {
    db: Db<'a>,
}

impl<'a> Db<'a> {
    pub(super) fn new(conn: &'a Connection) -> Self {
        Self { conn }
    }
}

impl<'a> Tx<'a> {
    pub(super) fn new(tx: &'a rusqlite::Transaction<'a>) -> Self {
        Self {
            db: Db { conn: tx },
        }
    }

    /// The transaction's connection, for the statements of this module's writes.
    pub(super) fn conn(&self) -> &'a Connection {
        self.db.conn
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Db<'a>;

    fn deref(&self) -> &Db<'a> {
        &self.db
    }
}
