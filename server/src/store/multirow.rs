//! Multi-row `INSERT`s with compiled statements per chunk size: what the batch writer and the idempotency
//! keys share to write many rows in a few statements.

use std::sync::OnceLock;

use rusqlite::{Connection, Statement, ToSql};

/// Rows per multi-row statement, largest first. A batch is written as a few statements of these sizes, so
/// the connection's statement cache keeps one compiled statement per size and table. Fewer, larger
/// statements copy each touched page into their statement journal fewer times.
const CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

/// An `INSERT … VALUES (…), (…)` run over any number of rows in chunks of [`CHUNKS`] rows. Parameters
/// `?1`… are shared by every row; each row then has `width` parameters of its own, and its tuple ends with
/// `tail` (which may name the shared ones). The text of each chunk's statement is built once.
pub(super) struct MultiRowInsert {
    head: &'static str,
    shared: usize,
    width: usize,
    tail: &'static str,
    sql: [OnceLock<String>; CHUNKS.len()],
}

impl MultiRowInsert {
    pub(super) const fn new(
        head: &'static str,
        shared: usize,
        width: usize,
        tail: &'static str,
    ) -> Self {
        Self {
            head,
            shared,
            width,
            tail,
            sql: [const { OnceLock::new() }; CHUNKS.len()],
        }
    }

    /// Inserts `rows`: binds `shared` (as many as declared), then for each row calls `bind_row` with the
    /// index of the row's first parameter.
    pub(super) fn run<T>(
        &self,
        tx: &Connection,
        shared: &[&dyn ToSql],
        rows: &[T],
        bind_row: impl Fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<()> {
        debug_assert_eq!(shared.len(), self.shared);
        let mut rest = rows;
        while !rest.is_empty() {
            let chunk = CHUNKS
                .iter()
                .position(|&size| size <= rest.len())
                .unwrap_or(CHUNKS.len() - 1);
            let (these, after) = rest.split_at(CHUNKS[chunk].min(rest.len()));
            let mut statement = tx.prepare_cached(self.sql(chunk))?;
            bind(&mut statement, 1, shared)?;
            for (row, value) in these.iter().enumerate() {
                bind_row(&mut statement, self.first_parameter(row), value)?;
            }
            statement.raw_execute()?;
            rest = after;
        }
        Ok(())
    }

    /// The index of row `row`'s first own parameter.
    fn first_parameter(&self, row: usize) -> usize {
        self.shared + row * self.width + 1
    }

    /// The statement for chunk size number `chunk`.
    fn sql(&self, chunk: usize) -> &str {
        self.sql[chunk].get_or_init(|| {
            let tuples: Vec<String> = (0..CHUNKS[chunk])
                .map(|row| {
                    let first = self.first_parameter(row);
                    let own: Vec<String> = (first..first + self.width)
                        .map(|n| format!("?{n}"))
                        .collect();
                    format!("({}{})", own.join(", "), self.tail)
                })
                .collect();
            format!("{} {}", self.head, tuples.join(", "))
        })
    }
}

/// Binds `values` to the parameters from index `first` on.
pub(super) fn bind(
    statement: &mut Statement<'_>,
    first: usize,
    values: &[&dyn ToSql],
) -> rusqlite::Result<()> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(i, value)| statement.raw_bind_parameter(first + i, value))
}
