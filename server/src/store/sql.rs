//! Statements written once for both engines: [`Db::rows`], [`Db::row`], [`Db::one`] and [`Db::run`] take
//! one SQL text in the subset SQLite and PostgreSQL share, its parameters as [`Param`]s (the [`args!`]
//! macro builds them), and answer engine-free [`Row`]s.
//!
//! The text uses SQLite's numbered placeholders (`?1`, `?2`, or a bare `?` for the next), which are
//! rewritten to PostgreSQL's (`$1`, `$2`) outside literals. Where the two dialects differ (JSON, dates), a
//! method asks [`Db::dialect`] and gives each engine its own text; everything else is one statement.

use bytes::BytesMut;
use tokio_postgres::types::{Format, IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::plan::Value;
use super::tx::Db;

/// The SQL dialect a [`Db`] speaks, for the few statements whose text differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One bound parameter, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
}

/// The parameters of a statement: `args![a, b]` is `&[Param::from(a), Param::from(b)]`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::store::sql::Param::from($arg)),*][..]
    };
}
pub(crate) use args;

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(text)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Self {
        Self::Text(text)
    }
}

impl<'a> From<&&'a str> for Param<'a> {
    fn from(text: &&'a str) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl From<&i64> for Param<'_> {
    fn from(n: &i64) -> Self {
        Self::Integer(*n)
    }
}

impl From<i32> for Param<'_> {
    fn from(n: i32) -> Self {
        Self::Integer(n.into())
    }
}

impl From<u32> for Param<'_> {
    fn from(n: u32) -> Self {
        Self::Integer(n.into())
    }
}

impl From<u64> for Param<'_> {
    fn from(n: u64) -> Self {
        Self::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Param<'_> {
    fn from(n: usize) -> Self {
        Self::Integer(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Flags are 0 or 1 on both engines.
impl From<bool> for Param<'_> {
    fn from(flag: bool) -> Self {
        Self::Integer(flag.into())
    }
}

impl From<f64> for Param<'_> {
    fn from(x: f64) -> Self {
        Self::Real(x)
    }
}

impl<'a> From<&'a Value> for Param<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Integer(n) => Self::Integer(*n),
            Value::Real(x) => Self::Real(*x),
            Value::Text(text) => Self::Text(text),
        }
    }
}

impl<'a, T> From<Option<T>> for Param<'a>
where
    Param<'a>: From<T>,
{
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::from)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(value: &'a Option<String>) -> Self {
        value.as_deref().map_or(Self::Null, Self::Text)
    }
}

impl<'a> From<&Option<&'a str>> for Param<'a> {
    fn from(value: &Option<&'a str>) -> Self {
        value.map_or(Self::Null, Self::Text)
    }
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Self::Null => ValueRef::Null,
            Self::Integer(n) => ValueRef::Integer(n),
            Self::Real(x) => ValueRef::Real(x),
            Self::Text(text) => ValueRef::Text(text.as_bytes()),
        }))
    }
}

/// Each of `params` as a value of unknown type, which the statement gives its type.
pub(super) fn untyped<'p>(params: &'p [Param<'_>]) -> Vec<(&'p (dyn ToSql + Sync), Type)> {
    params
        .iter()
        .map(|param| (param as &(dyn ToSql + Sync), Type::UNKNOWN))
        .collect()
}

/// A parameter goes to PostgreSQL as text, of the type the statement gives its place (each is sent as
/// of unknown type: [`untyped`]), as a literal written there would: an integer's
/// digits are a `BIGINT` where one is wanted and text where text is, a number given as text (a SOQL
/// literal compared with a number field) its value; as SQLite, which converts by the column's affinity,
/// would store it.
impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Self::Null => return Ok(IsNull::Yes),
            Self::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
            // Rust writes a float's shortest exact digits, and `inf`, `-inf` and `NaN`, all of which
            // PostgreSQL reads back as the same value.
            Self::Real(x) => out.extend_from_slice(x.to_string().as_bytes()),
            Self::Text(text) => out.extend_from_slice(text.as_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// One row of an answer, its values in the order the statement selects them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Vec<Value>);

impl Row {
    /// The value at `index`, as a `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T, StoreError> {
        let value = self.0.get(index).ok_or_else(|| {
            StoreError::Reader(format!(
                "a row has no column {index} (it has {})",
                self.0.len()
            ))
        })?;
        T::from_value(value).ok_or_else(|| {
            StoreError::Reader(format!(
                "column {index} holds {value:?}, not {}",
                std::any::type_name::<T>()
            ))
        })
    }

    /// Every value, from `from` on.
    pub fn values_from(self, from: usize) -> Vec<Value> {
        self.0.into_iter().skip(from).collect()
    }

    /// Every value.
    pub fn into_values(self) -> Vec<Value> {
        self.0
    }

    fn from_sqlite(row: &rusqlite::Row<'_>, width: usize) -> rusqlite::Result<Self> {
        (0..width)
            .map(|index| row.get_ref(index).map(Value::from))
            .collect::<rusqlite::Result<_>>()
            .map(Self)
    }

    fn from_postgres(row: &tokio_postgres::Row) -> Result<Self, StoreError> {
        let read = |index: usize| -> Result<Value, tokio_postgres::Error> {
            let column = &row.columns()[index];
            Ok(match *column.type_() {
                Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map(Value::Integer),
                Type::INT4 => row
                    .try_get::<_, Option<i32>>(index)?
                    .map(|n| Value::Integer(n.into())),
                Type::INT2 => row
                    .try_get::<_, Option<i16>>(index)?
                    .map(|n| Value::Integer(n.into())),
                Type::BOOL => row
                    .try_get::<_, Option<bool>>(index)?
                    .map(|flag| Value::Integer(flag.into())),
                Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.map(Value::Real),
                Type::FLOAT4 => row
                    .try_get::<_, Option<f32>>(index)?
                    .map(|x| Value::Real(x.into())),
                _ => row.try_get::<_, Option<String>>(index)?.map(Value::Text),
            }
            .unwrap_or(Value::Null))
        };
        (0..row.len())
            .map(read)
            .collect::<Result<_, _>>()
            .map(Self)
            .map_err(StoreError::from)
    }
}

/// A PostgreSQL row's values as the store reads them, for a test's own connection.
pub fn postgres_values(row: &tokio_postgres::Row) -> Result<Vec<Value>, StoreError> {
    Row::from_postgres(row).map(Row::into_values)
}

/// What a stored value reads as.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_text().map(str::to_owned)
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<Self> {
                i64::from_value(value).and_then(|n| <$t>::try_from(n).ok())
            }
        }
    )*};
}
from_integer!(i32, u32, u64, usize);

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(x) => Some(*x),
            Value::Integer(n) => Some(*n as f64),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).map(|n| n != 0)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A stored status: the tables' CHECKs keep it one of the picklist's.
impl FromValue for contact_shared::Status {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_text()?.parse().ok()
    }
}

/// A stored role: the table's CHECK keeps it one of the three.
impl FromValue for contact_shared::console::Role {
    fn from_value(value: &Value) -> Option<Self> {
        Self::parse(value.as_text()?)
    }
}

/// `sql` with SQLite's placeholders (`?N`, or `?` for the one after the highest so far) as PostgreSQL's
/// (`$N`), leaving string literals and quoted names alone.
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut highest = 0u32;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(open) = quote {
            out.push(c);
            if c == open {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let index = digits.parse().unwrap_or(highest + 1);
                highest = highest.max(index);
                out.push('$');
                out.push_str(&index.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

impl Db<'_> {
    /// Which dialect this connection speaks.
    pub fn dialect(&self) -> Dialect {
        if self.postgres().is_some() {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }

    /// ` FOR UPDATE` on PostgreSQL, nothing on SQLite: for a read inside a write whose answer decides
    /// what the write does. PostgreSQL's concurrent transactions then wait for the row; SQLite's one
    /// writer needs no lock.
    pub fn for_update(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Every row `sql` answers with `params`.
    pub fn rows(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        if let Some(pg) = self.postgres() {
            return pg
                .query(&to_postgres(sql), &untyped(params))?
                .iter()
                .map(Row::from_postgres)
                .collect();
        }
        let conn = self.sqlite()?;
        let mut statement = conn.prepare_cached(sql)?;
        let width = statement.column_count();
        let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
            Row::from_sqlite(row, width)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The first row `sql` answers with `params`, if any.
    pub fn row(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The row `sql` answers with `params`, which always answers one (a count, an aggregate).
    pub fn one(&self, sql: &str, params: &[Param<'_>]) -> Result<Row, StoreError> {
        self.row(sql, params)?
            .ok_or_else(|| StoreError::Reader(format!("no row from: {sql}")))
    }

    /// Runs `sql` with `params`; answers how many rows it changed. Only a [`super::Tx`]'s reaches a
    /// writable connection: a read's is read-only on both engines.
    pub fn run(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, StoreError> {
        if let Some(pg) = self.postgres() {
            return Ok(super::count(
                pg.execute(&to_postgres(sql), &untyped(params))?,
            ));
        }
        Ok(self
            .sqlite()?
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_postgres_numbers_outside_literals() {
        for (sqlite, postgres) in [
            (
                "SELECT a FROM t WHERE b = ?1",
                "SELECT a FROM t WHERE b = $1",
            ),
            ("VALUES (?, ?, ?)", "VALUES ($1, $2, $3)"),
            (
                "WHERE a = ?2 AND b = ?1 OR c = ?",
                "WHERE a = $2 AND b = $1 OR c = $3",
            ),
            ("WHERE a = '?1' AND b = ?1", "WHERE a = '?1' AND b = $1"),
            ("WHERE \"odd?\" = ?10", "WHERE \"odd?\" = $10"),
            (
                "WHERE a = 'it''s ?' AND b = ?",
                "WHERE a = 'it''s ?' AND b = $1",
            ),
        ] {
            assert_eq!(to_postgres(sqlite), postgres, "{sqlite}");
        }
    }

    #[test]
    fn a_row_reads_its_values_as_the_types_asked_for() {
        let row = Row(vec![
            Value::Integer(1),
            Value::Null,
            Value::Text("x".into()),
            Value::Real(1.5),
        ]);
        assert!(row.get::<bool>(0).unwrap());
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "x");
        assert_eq!(row.get::<f64>(3).unwrap(), 1.5);
        assert!(row.get::<String>(0).is_err(), "an integer is not text");
        assert!(row.get::<i64>(9).is_err(), "no such column");
    }
}
