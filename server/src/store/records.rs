//! The generic record layer behind the Salesforce-compatible API: reading and writing records of any
//! object by its table and columns, the per-user view dates, the change windows, and running a prepared
//! [`Select`](super::plan::Select). Which columns mean what is the caller's (the object descriptions');
//! this file only knows that every record table has `id`, `seq`, the audit columns and the recycle bin.

use rusqlite::types::ValueRef;

use super::StoreError;
use super::plan::{Column, Filter, Table, Value};
use super::render::{self, Page, Statement, from_clause, select_list};
use super::sql::{Dialect, Param, args};
use super::tx::{Db, Tx};
use crate::ids;

impl From<ValueRef<'_>> for Value {
    fn from(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null | ValueRef::Blob(_) => Self::Null,
            ValueRef::Integer(n) => Self::Integer(n),
            ValueRef::Real(x) => Self::Real(x),
            ValueRef::Text(bytes) => Self::Text(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

/// ` AND` the condition of `visible` (over the record `c`'s own columns), or nothing.
/// The seed of the value locks' keys ("crw_uniq" in ASCII), apart from every other advisory lock's.
const VALUE_LOCK_SEED: i64 = 0x6372_775f_756e_6971;

fn and_visible(visible: Option<&Filter>, params: &mut Vec<Value>, dialect: Dialect) -> String {
    visible.map_or_else(String::new, |filter| {
        format!(" AND {}", render::condition(filter, params, dialect))
    })
}

/// `values` as a statement's parameters.
fn params(values: &[Value]) -> Vec<Param<'_>> {
    values.iter().map(Param::from).collect()
}

/// A record's state: live, or in the recycle bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    Live,
    Deleted,
}

/// A record read by [`Db::record`]: its state, and the values of the columns asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundRecord {
    pub state: RecordState,
    pub id: String,
    pub values: Vec<Value>,
}

/// A record moved to the recycle bin, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecord {
    pub id: String,
    pub deleted_at: String,
}

/// Which date a read marks on the user's view of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewing {
    /// Viewed, and so referenced too (`FOR VIEW`).
    Viewed,
    /// Referenced only (`FOR REFERENCE`).
    Referenced,
}

impl Db<'_> {
    /// Whether the record `id` of `table` is live or in the recycle bin; `None` when there is none.
    pub fn record_state(&self, table: Table, id: &str) -> Result<Option<RecordState>, StoreError> {
        let sql = format!("SELECT is_deleted FROM {} WHERE id = ?1", table.records);
        Ok(self
            .row(&sql, args![id])?
            .map(|row| row.get::<bool>(0))
            .transpose()?
            .map(|deleted| {
                if deleted {
                    RecordState::Deleted
                } else {
                    RecordState::Live
                }
            }))
    }

    /// The `SystemModstamp` of the record `id` of `table`, live or deleted: its version, which
    /// conditional requests compare.
    pub fn system_modstamp(&self, table: Table, id: &str) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "SELECT system_modstamp FROM {} WHERE id = ?1",
            table.records
        );
        self.row(&sql, args![id])?.map(|row| row.get(0)).transpose()
    }

    /// The id of a record of `table` whose own column `column` holds `value`, live or deleted: the
    /// check before a unique value is written, so on PostgreSQL it first takes the value's lock (see
    /// [`Tx::lock_value`]).
    pub fn record_with(
        &self,
        table: Table,
        column: &str,
        value: &Value,
    ) -> Result<Option<String>, StoreError> {
        if let Value::Text(text) = value {
            self.lock_value(table, column, text)?;
        }
        let sql = format!("SELECT id FROM {} WHERE {column} = ?1", table.records);
        self.row(&sql, args![value])?
            .map(|row| row.get(0))
            .transpose()
    }

    /// The ids of the live records of `table` whose own column `column` holds `value`, at most two
    /// (an upsert by a value two records hold names neither), holding the value's lock.
    pub fn live_records_with(
        &self,
        table: Table,
        column: &str,
        value: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.lock_value(table, column, value)?;
        let sql = format!(
            "SELECT id FROM {} WHERE {column} = ?1 AND is_deleted = 0 ORDER BY id LIMIT 2",
            table.records
        );
        self.rows(&sql, args![value])?
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    /// On PostgreSQL, locks `value` of `table.column` until the commit, so that two processes writing
    /// or upserting the same value at once take turns: the second sees the first's record. (SQLite's
    /// one writer takes turns already.)
    fn lock_value(&self, table: Table, column: &str, value: &str) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Postgres {
            self.run(
                &format!("SELECT pg_advisory_xact_lock(hashtextextended(?1, {VALUE_LOCK_SEED}))"),
                args![&format!("{}.{column}={value}", table.records)],
            )?;
        }
        Ok(())
    }

    /// Whether `id` names a record a reference may point at: an active user, a queue, a live call
    /// center. `None` for ids of kinds the store does not check (records of other systems).
    pub fn reference_exists(&self, id: &str) -> Result<Option<bool>, StoreError> {
        // `get`, not an index: a reference's text is the caller's, of any length and any characters.
        let sql = match id.get(..3).unwrap_or_default() {
            ids::USER_PREFIX => "SELECT 1 FROM users WHERE id = ?1 AND is_active = 1",
            ids::QUEUE_PREFIX => "SELECT 1 FROM queues WHERE id = ?1",
            ids::CALL_CENTER_PREFIX => {
                "SELECT 1 FROM call_centers WHERE id = ?1 AND is_deleted = 0"
            }
            _ => return Ok(None),
        };
        Ok(Some(self.row(sql, args![id])?.is_some()))
    }

    /// The record of `table` whose `key` holds `value`, with `columns` as `user` sees them.
    pub fn record(
        &self,
        table: Table,
        user: &str,
        columns: &[Column],
        key: Column,
        value: &str,
    ) -> Result<Option<FoundRecord>, StoreError> {
        let sql = format!(
            "SELECT c.is_deleted, {} {} WHERE {} = ?2",
            select_list(columns),
            from_clause(table),
            render::column(key)
        );
        let Some(row) = self.row(&sql, args![user, value])? else {
            return Ok(None);
        };
        let state = if row.get::<bool>(0)? {
            RecordState::Deleted
        } else {
            RecordState::Live
        };
        Ok(Some(FoundRecord {
            state,
            id: row.get(1)?,
            values: row.values_from(2),
        }))
    }

    /// Whether the record `id` of `table` is one `visible` keeps (a filter of the record's own columns).
    pub fn matches(&self, table: Table, id: &str, visible: &Filter) -> Result<bool, StoreError> {
        let mut params = vec![Value::Text(id.to_owned())];
        let condition = render::condition(visible, &mut params, self.dialect());
        let sql = format!(
            "SELECT 1 FROM {} c WHERE c.id = ?1 AND {condition}",
            table.records
        );
        Ok(self.row(&sql, &self::params(&params))?.is_some())
    }

    /// The ids of live records of `table` changed in `[start, end)` that `visible` keeps (all without
    /// it), oldest change first.
    pub fn updated_ids(
        &self,
        table: Table,
        start: &str,
        end: &str,
        visible: Option<&Filter>,
    ) -> Result<Vec<String>, StoreError> {
        let mut params = vec![Value::Text(start.to_owned()), Value::Text(end.to_owned())];
        let sql = format!(
            "SELECT c.id FROM {} c WHERE c.is_deleted = 0 AND c.system_modstamp >= ?1
                AND c.system_modstamp < ?2{} ORDER BY c.system_modstamp, c.seq",
            table.records,
            and_visible(visible, &mut params, self.dialect())
        );
        self.rows(&sql, &self::params(&params))?
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    /// The records of `table` moved to the recycle bin in `[start, end)` that `visible` keeps (all
    /// without it), oldest first.
    pub fn deleted_records(
        &self,
        table: Table,
        start: &str,
        end: &str,
        visible: Option<&Filter>,
    ) -> Result<Vec<DeletedRecord>, StoreError> {
        let mut params = vec![Value::Text(start.to_owned()), Value::Text(end.to_owned())];
        let sql = format!(
            "SELECT c.id, c.deleted_at FROM {} c WHERE c.is_deleted = 1 AND c.deleted_at >= ?1
                AND c.deleted_at < ?2{} ORDER BY c.deleted_at, c.seq",
            table.records,
            and_visible(visible, &mut params, self.dialect())
        );
        self.rows(&sql, &self::params(&params))?
            .iter()
            .map(|row| {
                Ok(DeletedRecord {
                    id: row.get(0)?,
                    deleted_at: row.get(1)?,
                })
            })
            .collect()
    }

    /// When the first record of `table` was created, if there is one.
    pub fn first_created(&self, table: Table) -> Result<Option<String>, StoreError> {
        let sql = format!("SELECT min(created_at) FROM {}", table.records);
        self.one(&sql, args![])?.get(0)
    }

    /// The id and name of the live records of `table` that `user` viewed last and `visible` keeps (all
    /// without it), the latest first.
    pub fn recently_viewed(
        &self,
        table: Table,
        user: &str,
        limit: u32,
        visible: Option<&Filter>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut params = vec![Value::Text(user.to_owned()), Value::Integer(limit.into())];
        let sql = format!(
            "SELECT c.id, c.name FROM {} c JOIN {} v ON v.record_id = c.id AND v.user_id = ?1
              WHERE c.is_deleted = 0 AND v.last_viewed_at IS NOT NULL{}
              ORDER BY v.last_viewed_at DESC LIMIT ?2",
            table.records,
            table.views,
            and_visible(visible, &mut params, self.dialect())
        );
        self.rows(&sql, &self::params(&params))?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?)))
            .collect()
    }

    /// How many records a prepared query matches, within its LIMIT and OFFSET.
    pub fn count(&self, count: &Statement) -> Result<u64, StoreError> {
        let total: i64 = self.one(&count.sql, &params(&count.params))?.get(0)?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Each group's row of a prepared aggregate query, its measures in order.
    pub fn groups(&self, grouped: &Statement) -> Result<Vec<Vec<Value>>, StoreError> {
        Ok(self
            .rows(&grouped.sql, &params(&grouped.params))?
            .into_iter()
            .map(|row| row.values_from(0))
            .collect())
    }

    /// `take` rows of a prepared query, `skip` rows in: each the id and then the selected columns.
    pub fn page(
        &self,
        page: &Page,
        skip: u64,
        take: u64,
    ) -> Result<Vec<(String, Vec<Value>)>, StoreError> {
        self.rows(&page.sql(skip, take), &params(page.params()))?
            .into_iter()
            .map(|row| Ok((row.get(0)?, row.values_from(1))))
            .collect()
    }
}

impl Tx<'_> {
    /// Inserts a record of `table` with `columns`, as given (the audit columns among them).
    pub fn insert_record(&self, table: Table, columns: &[(&str, Value)]) -> Result<(), StoreError> {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.records,
            names.join(", "),
            placeholders.join(", ")
        );
        let values: Vec<Param<'_>> = columns.iter().map(|(_, v)| Param::from(v)).collect();
        self.run(&sql, &values)?;
        Ok(())
    }

    /// Sets `columns` of the record `id`, and marks it modified by `user` at `at`.
    pub fn update_record(
        &self,
        table: Table,
        id: &str,
        columns: &[(&str, Value)],
        user: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut sets = vec![
            "updated_at = ?1".to_owned(),
            "system_modstamp = ?1".to_owned(),
            "last_modified_by_id = ?2".to_owned(),
        ];
        let mut values = vec![Value::Text(at.to_owned()), Value::Text(user.to_owned())];
        for (name, value) in columns {
            values.push(value.clone());
            sets.push(format!("{name} = ?{}", values.len()));
        }
        values.push(Value::Text(id.to_owned()));
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?{}",
            table.records,
            sets.join(", "),
            values.len()
        );
        self.run(&sql, &params(&values))?;
        Ok(())
    }

    /// Moves the record `id` to the recycle bin.
    pub fn delete_record(
        &self,
        table: Table,
        id: &str,
        user: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE {} SET is_deleted = 1, deleted_at = ?1, system_modstamp = ?1, last_modified_by_id = ?2
              WHERE id = ?3",
            table.records
        );
        self.run(&sql, args![at, user, id])?;
        Ok(())
    }

    /// Brings the record `id` back from the recycle bin.
    pub fn undelete_record(
        &self,
        table: Table,
        id: &str,
        user: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE {} SET is_deleted = 0, deleted_at = NULL, updated_at = ?1, system_modstamp = ?1,
                    last_modified_by_id = ?2 WHERE id = ?3",
            table.records
        );
        self.run(&sql, args![at, user, id])?;
        Ok(())
    }

    /// Marks that `user` viewed or referenced the records `ids` of `table` at `at`.
    pub fn mark_viewed(
        &self,
        table: Table,
        user: &str,
        ids: &[String],
        viewing: Viewing,
        at: &str,
    ) -> Result<(), StoreError> {
        let views = table.views;
        let sql = match viewing {
            Viewing::Viewed => format!(
                "INSERT INTO {views} (user_id, record_id, last_viewed_at, last_referenced_at) VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (user_id, record_id) DO UPDATE SET last_viewed_at = ?3, last_referenced_at = ?3"
            ),
            Viewing::Referenced => format!(
                "INSERT INTO {views} (user_id, record_id, last_referenced_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id, record_id) DO UPDATE SET last_referenced_at = ?3"
            ),
        };
        for id in ids {
            self.run(&sql, args![user, id, at])?;
        }
        Ok(())
    }
}
