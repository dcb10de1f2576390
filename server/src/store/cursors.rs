//! The open query cursors behind the Salesforce-compatible API's `nextRecordsUrl`, kept in the database
//! so that whichever process a client's next call reaches serves it, and a restart keeps them. A cursor
//! keeps what its next batch is planned from (the query's text, the instant it was checked at, what the
//! sharing model let the first batch see), never one engine's SQL; the position is in the locator.
//!
//! A user's cursors are opened one at a time (on PostgreSQL under a lock on the user, as processes open
//! them at once), so the bound on how many one user has open holds across processes.

use super::StoreError;
use super::sql::{Dialect, Row, args};
use super::tx::{Db, Tx};

/// One open query, as its next batch needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCursor {
    /// The user who opened it; no one else reads it.
    pub user: String,
    /// The query's SOQL, as the client sent it.
    pub soql: String,
    /// Whether it is a `queryAll` (the recycle bin too).
    pub all_rows: bool,
    /// The stored instant the query was checked at, which its relative dates (`TODAY`) count from.
    pub checked_at: String,
    /// What the sharing model let the first batch show, as `access::sharing` writes it (opaque here);
    /// `None` when the user saw every record.
    pub sharing: Option<String>,
    /// How many records the query matched.
    pub total: u64,
    /// Records per batch.
    pub batch: u64,
}

impl QueryCursor {
    /// About how many bytes the cursor's row keeps.
    pub fn bytes(&self) -> usize {
        self.soql.len() + self.sharing.as_ref().map_or(0, String::len)
    }
}

/// How many cursors may be open: per user, and in all.
#[derive(Debug, Clone, Copy)]
pub struct CursorBounds {
    pub per_user: usize,
    pub in_all: usize,
}

/// The seed of the key a PostgreSQL transaction locks a user's cursors under (`crw_curs` in ASCII).
const LOCK_SEED: i64 = 0x6372_775f_6375_7273;

fn cursor(row: &Row) -> Result<QueryCursor, StoreError> {
    Ok(QueryCursor {
        user: row.get(0)?,
        soql: row.get(1)?,
        all_rows: row.get(2)?,
        checked_at: row.get(3)?,
        sharing: row.get(4)?,
        total: row.get(5)?,
        batch: row.get(6)?,
    })
}

impl Db<'_> {
    /// `user`'s cursor `locator`, if it was used after `alive_after`; `None` as well when it is
    /// another user's.
    pub fn query_cursor(
        &self,
        locator: &str,
        user: &str,
        alive_after: &str,
    ) -> Result<Option<QueryCursor>, StoreError> {
        self.row(
            "SELECT user_id, soql, all_rows, checked_at, owners, total, batch FROM query_cursors
              WHERE locator = ?1 AND user_id = ?2 AND touched_at > ?3",
            args![locator, user, alive_after],
        )?
        .as_ref()
        .map(cursor)
        .transpose()
    }
}

impl Tx<'_> {
    /// Keeps `cursor` under `locator`, used at `now`. Past `bounds` the user's oldest cursors go, and
    /// then everyone's least recently used.
    pub fn open_query_cursor(
        &self,
        locator: &str,
        cursor: &QueryCursor,
        now: &str,
        bounds: CursorBounds,
    ) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Postgres {
            // `run`, as the lock answers `void`, which no row reads.
            self.run(
                &format!("SELECT pg_advisory_xact_lock(hashtextextended(?1, {LOCK_SEED}))"),
                args![&cursor.user],
            )?;
        }
        self.run(
            "INSERT INTO query_cursors
                    (locator, user_id, soql, all_rows, checked_at, owners, total, batch, touched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            args![
                locator,
                &cursor.user,
                &cursor.soql,
                cursor.all_rows,
                &cursor.checked_at,
                &cursor.sharing,
                cursor.total,
                cursor.batch,
                now
            ],
        )?;
        self.run(
            "DELETE FROM query_cursors WHERE user_id = ?1 AND seq NOT IN
                (SELECT seq FROM query_cursors WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2)",
            args![&cursor.user, bounds.per_user],
        )?;
        let open: usize = self
            .one("SELECT count(*) FROM query_cursors", args![])?
            .get(0)?;
        if open > bounds.in_all {
            self.run(
                "DELETE FROM query_cursors WHERE seq IN
                    (SELECT seq FROM query_cursors ORDER BY touched_at, seq LIMIT ?1)",
                args![open - bounds.in_all],
            )?;
        }
        Ok(())
    }

    /// Marks the cursor `locator` used at `now`, so it lives on from then.
    pub fn touch_query_cursor(&self, locator: &str, now: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE query_cursors SET touched_at = ?2 WHERE locator = ?1",
            args![locator, now],
        )?;
        Ok(())
    }

    /// Releases the cursor `locator`: its query has been read to the end.
    pub fn close_query_cursor(&self, locator: &str) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM query_cursors WHERE locator = ?1",
            args![locator],
        )?;
        Ok(())
    }

    /// Deletes the cursors last used at or before `before`, which no read takes any more; answers how
    /// many went.
    pub fn sweep_query_cursors(&self, before: &str) -> Result<usize, StoreError> {
        self.run(
            "DELETE FROM query_cursors WHERE touched_at <= ?1",
            args![before],
        )
    }
}
