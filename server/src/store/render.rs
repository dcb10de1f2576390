//! Rendering a [`Select`] in each engine's SQL, from the one checked plan. The text comes only from table
//! and column names (the object descriptions') and fixed keywords; every value is a bound parameter (`?1`
//! is the calling user, for the per-user view dates; [`super::sql`] numbers them `$1` for PostgreSQL).
//!
//! The dialects differ in two places. Text SOQL compares without regard to case: SQLite's `NOCASE`
//! collation folds ASCII, PostgreSQL's `nocase` (ICU, defined by its schema) any Unicode text, and its
//! B-tree indexes serve `=` and `IN`. LIKE, which PostgreSQL 15 does not run under a nondeterministic
//! collation, compares both sides lowered under ICU's root collation there. And "no LIMIT" is `-1` for
//! SQLite, `NULL` for PostgreSQL.

use super::plan::{Column, Filter, Op, Operand, Select, Table, Value};
use super::sql::Dialect;

/// SQL and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(super) sql: String,
    pub(super) params: Vec<Value>,
}

/// A query's statements: the count, run once, and the page, kept by its cursor and run once per batch.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub count: Statement,
    pub page: Page,
}

/// The statement that reads one batch of a query, built once. Each batch adds its LIMIT and OFFSET as
/// integer literals (numbers of the server's, never text of the client's) and binds the parameters by
/// reference, so a batch copies none of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The statement up to its LIMIT.
    sql: String,
    params: Vec<Value>,
    /// The query's own OFFSET, which every batch skips first.
    offset: u64,
    /// How many columns each row has, the id first.
    pub(super) width: usize,
}

/// A column as the statements of this module name it: `c` is the record, `v` the user's view of it.
pub(super) fn column(column: Column) -> String {
    match column {
        Column::Own(name) => format!("c.{name}"),
        Column::Viewed(name) => format!("v.{name}"),
    }
}

/// The `FROM` clause every read of `table` uses; `?1` is the calling user, for the per-user dates.
pub(super) fn from_clause(table: Table) -> String {
    format!(
        "FROM {} c LEFT JOIN {} v ON v.record_id = c.id AND v.user_id = ?1",
        table.records, table.views
    )
}

/// The select list: the id, then `columns`.
pub(super) fn select_list(columns: &[Column]) -> String {
    std::iter::once("c.id".to_owned())
        .chain(columns.iter().map(|c| column(*c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders `select` in `dialect`.
pub fn prepare(select: &Select, dialect: Dialect) -> Prepared {
    let mut params = vec![Value::Text(select.user.clone())];
    let mut conditions = Vec::new();
    if !select.all_rows {
        conditions.push("c.is_deleted = 0".to_owned());
    }
    if let Some(filter) = &select.filter {
        conditions.push(filter_sql(filter, &mut params, dialect));
    }
    let mut from_where = from_clause(select.table);
    if !conditions.is_empty() {
        from_where.push_str(" WHERE ");
        from_where.push_str(&conditions.join(" AND "));
    }
    let mut order: Vec<String> = select
        .order
        .iter()
        .map(|(by, descending, nulls_first)| {
            format!(
                "{} {} NULLS {}",
                column(*by),
                if *descending { "DESC" } else { "ASC" },
                if *nulls_first { "FIRST" } else { "LAST" }
            )
        })
        .collect();
    // A stable order makes pages of one query disjoint.
    order.push("c.seq ASC".to_owned());
    let n = params.len();
    // Which rows fall within LIMIT and OFFSET does not depend on their order, only how many do: the count
    // sorts nothing.
    let limit = match (select.limit, dialect) {
        (Some(limit), _) => Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)),
        (None, Dialect::Sqlite) => Value::Integer(-1),
        (None, Dialect::Postgres) => Value::Null,
    };
    let mut count_params = params.clone();
    count_params.push(limit);
    count_params.push(Value::Integer(i64::try_from(select.offset).unwrap_or(0)));
    let count = Statement {
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 {from_where} LIMIT ?{} OFFSET ?{}) AS matched",
            n + 1,
            n + 2
        ),
        params: count_params,
    };
    let page = Page {
        sql: format!(
            "SELECT {} {from_where} ORDER BY {}",
            select_list(&select.columns),
            order.join(", "),
        ),
        params,
        offset: select.offset,
        width: select.columns.len() + 1,
    };
    Prepared { count, page }
}

impl Page {
    /// The statement that selects `take` rows starting `skip` rows into the query's result; the first
    /// column is the id. Bind it with [`Page::params`].
    pub(super) fn sql(&self, skip: u64, take: u64) -> String {
        let skip = self.offset.saturating_add(skip).min(i64::MAX as u64);
        let take = take.min(i64::MAX as u64);
        format!("{} LIMIT {take} OFFSET {skip}", self.sql)
    }

    /// The statement's parameters.
    pub(super) fn params(&self) -> &[Value] {
        &self.params
    }

    /// About how many bytes the statement holds, to bound what an open cursor keeps.
    pub fn bytes(&self) -> usize {
        let values: usize = self.params.iter().map(Value::bytes).sum();
        std::mem::size_of::<Self>() + self.sql.len() + values
    }
}

/// A placeholder for `value`, which joins `params`. On PostgreSQL a fraction is cast to its type, as
/// the place would otherwise take the column's (a fraction compared with an integer field).
fn bind(params: &mut Vec<Value>, value: Value, dialect: Dialect) -> String {
    let real = matches!(value, Value::Real(_));
    params.push(value);
    match (real, dialect) {
        (true, Dialect::Postgres) => format!("CAST(?{} AS DOUBLE PRECISION)", params.len()),
        _ => format!("?{}", params.len()),
    }
}

/// The collation a text comparison runs under: `NOCASE` on SQLite, `nocase` on PostgreSQL (names are
/// folded to lower case there, so the one spelling serves both).
fn nocase(operand: Operand) -> &'static str {
    if operand.text { " COLLATE NOCASE" } else { "" }
}

/// SOQL's LIKE, which ignores case: SQLite's ignores ASCII case itself; PostgreSQL's compares both sides
/// lowered under ICU's root collation (deterministic, so LIKE runs under it), for any Unicode text.
fn like(column: &str, pattern: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!("{column} LIKE {pattern} ESCAPE '\\'"),
        Dialect::Postgres => format!(
            "lower({column} COLLATE \"und-x-icu\") LIKE lower(CAST({pattern} AS TEXT) COLLATE \"und-x-icu\") ESCAPE '\\'"
        ),
    }
}

fn filter_sql(filter: &Filter, params: &mut Vec<Value>, dialect: Dialect) -> String {
    match filter {
        Filter::And(parts) => join(parts, " AND ", params, dialect),
        Filter::Or(parts) => join(parts, " OR ", params, dialect),
        Filter::Not(inner) => format!("NOT ({})", filter_sql(inner, params, dialect)),
        Filter::IsNull(on, true) => format!("{} IS NULL", column(*on)),
        Filter::IsNull(on, false) => format!("{} IS NOT NULL", column(*on)),
        Filter::Compare(operand, op, value) => {
            let column = column(operand.column);
            let nocase = nocase(*operand);
            let p = bind(params, value.clone(), dialect);
            match op {
                Op::Eq => format!("{column} = {p}{nocase}"),
                // SOQL's != keeps records where the field is empty.
                Op::Ne => format!("({column} IS NULL OR {column} <> {p}{nocase})"),
                Op::Lt => format!("{column} < {p}{nocase}"),
                Op::Gt => format!("{column} > {p}{nocase}"),
                Op::Le => format!("{column} <= {p}{nocase}"),
                Op::Ge => format!("{column} >= {p}{nocase}"),
                Op::Like => like(&column, &p, dialect),
            }
        }
        Filter::Range(on, op, start, end) => {
            let column = column(*on);
            // Typed, as one bound is compared with nothing but NULL in four of the six forms.
            let start = format!(
                "CAST({} AS TEXT)",
                bind(params, Value::Text(start.clone()), dialect)
            );
            let end = format!(
                "CAST({} AS TEXT)",
                bind(params, Value::Text(end.clone()), dialect)
            );
            match op {
                Op::Eq | Op::Like => format!("({column} >= {start} AND {column} < {end})"),
                Op::Ne => format!("({column} IS NULL OR {column} < {start} OR {column} >= {end})"),
                Op::Lt => format!("({column} < {start} AND {end} IS NOT NULL)"),
                Op::Le => format!("({column} < {end} AND {start} IS NOT NULL)"),
                Op::Gt => format!("({column} >= {end} AND {start} IS NOT NULL)"),
                Op::Ge => format!("({column} >= {start} AND {end} IS NOT NULL)"),
            }
        }
        Filter::In(operand, negated, values) => {
            let column = column(operand.column);
            let nocase = nocase(*operand);
            let has_null = values.contains(&Value::Null);
            let list: Vec<String> = values
                .iter()
                .filter(|v| **v != Value::Null)
                .map(|v| bind(params, v.clone(), dialect))
                .collect();
            let inside = if list.is_empty() {
                "1 = 0".to_owned()
            } else {
                format!("{column}{nocase} IN ({})", list.join(", "))
            };
            match (negated, has_null) {
                (false, false) => inside,
                (false, true) => format!("({inside} OR {column} IS NULL)"),
                (true, false) => format!("({column} IS NULL OR NOT ({inside}))"),
                (true, true) => format!("({column} IS NOT NULL AND NOT ({inside}))"),
            }
        }
        Filter::InParent {
            column: on,
            parent,
            within,
        } => {
            let column = column(*on);
            // The parent is `c` inside the subquery, so that `within` renders as any filter does.
            let narrowed = within.as_ref().map_or_else(String::new, |within| {
                format!(" WHERE {}", filter_sql(within, params, dialect))
            });
            // `IS NOT NULL` first, so that `NOT` of this is true for an empty column, not unknown.
            format!(
                "({column} IS NOT NULL AND {column} IN (SELECT c.id FROM {parent} c{narrowed}))"
            )
        }
        Filter::Shared {
            table,
            with,
            levels,
        } => {
            if with.is_empty() || levels.is_empty() {
                return "1 = 0".to_owned();
            }
            let mut list = |values: &[Value]| -> String {
                values
                    .iter()
                    .map(|v| bind(params, v.clone(), dialect))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let with = list(with);
            let levels = list(levels);
            format!(
                "c.id IN (SELECT s.parent_id FROM {table} s WHERE s.is_deleted = 0 \
                 AND s.user_or_group_id IN ({with}) AND s.access_level IN ({levels}))"
            )
        }
        Filter::Search { columns, words } => {
            if columns.is_empty() {
                return "1 = 0".to_owned();
            }
            let found: Vec<String> = columns
                .iter()
                .map(|(on, phone)| {
                    let text = format!("coalesce({}, '')", column(*on));
                    let pattern = Value::Text(super::search::pattern(words, *phone, dialect));
                    let p = bind(params, pattern, dialect);
                    match dialect {
                        Dialect::Sqlite => format!("regexp({p}, {text})"),
                        Dialect::Postgres => {
                            format!("({text} COLLATE \"und-x-icu\") ~* CAST({p} AS TEXT)")
                        }
                    }
                })
                .collect();
            format!("({})", found.join(" OR "))
        }
    }
}

/// The filter as a condition in `dialect`, its values appended to `params` (so numbered after those
/// already there).
pub(super) fn condition(filter: &Filter, params: &mut Vec<Value>, dialect: Dialect) -> String {
    filter_sql(filter, params, dialect)
}

fn join(parts: &[Filter], joiner: &str, params: &mut Vec<Value>, dialect: Dialect) -> String {
    let inner: Vec<String> = parts
        .iter()
        .map(|p| filter_sql(p, params, dialect))
        .collect();
    format!("({})", inner.join(joiner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::check::{Checked, check};
    use crate::soql::parser::parse;

    use Value as Sql;

    fn translated(query: &str) -> (Checked, Prepared) {
        let now: jiff::Timestamp = "2024-05-10T12:00:00Z".parse().unwrap();
        let checked = check(&parse(query).unwrap(), now).unwrap();
        let prepared = prepare(
            &checked.select("005000000000002AAA", false),
            Dialect::Sqlite,
        );
        (checked, prepared)
    }

    impl Page {
        /// The whole statement for one batch.
        fn statement(&self, skip: u64, take: u64) -> Statement {
            Statement {
                sql: self.sql(skip, take),
                params: self.params.clone(),
            }
        }
    }

    #[test]
    fn values_become_parameters_and_never_sql_text() {
        let (_, translated) = translated(
            "SELECT Id, Status FROM ContactRequest WHERE VisitorName__c = 'x\\' OR 1=1' OR Status IN ('New', 'a\\'b') OR Name LIKE '50\\%%'",
        );
        let page = translated.page.statement(0, 10);
        assert!(!page.sql.contains("OR 1=1"), "{}", page.sql);
        assert!(!page.sql.contains("a'b"), "{}", page.sql);
        assert!(page.params.contains(&Sql::Text("a'b".into())));
        assert!(page.params.contains(&Sql::Text("50\\%%".into())));
        assert!(page.sql.contains("c.is_deleted = 0"));
    }

    #[test]
    fn relative_dates_become_day_ranges_in_utc() {
        let (_, translated) =
            translated("SELECT Id FROM ContactRequest WHERE CreatedDate = YESTERDAY");
        let page = translated.page.statement(0, 1);
        assert!(
            page.params
                .contains(&Sql::Text("2024-05-09T00:00:00.000Z".into()))
        );
        assert!(
            page.params
                .contains(&Sql::Text("2024-05-10T00:00:00.000Z".into()))
        );
    }

    #[test]
    fn number_literals_compare_with_number_fields_as_numbers() {
        let (_, translated) = translated(
            "SELECT Id FROM Task WHERE CallDurationInSeconds > 60 AND CallDurationInSeconds <= 90.5 \
             AND CallDurationInSeconds != -1 AND CallDurationInSeconds IN (30, 120)",
        );
        let page = translated.page.statement(0, 10);
        for param in [
            Sql::Integer(60),
            Sql::Real(90.5),
            Sql::Integer(-1),
            Sql::Integer(30),
            Sql::Integer(120),
        ] {
            assert!(
                page.params.contains(&param),
                "{param:?} in {:?}",
                page.params
            );
        }
        assert!(
            page.sql.contains("c.call_duration_in_seconds > ?"),
            "{}",
            page.sql
        );
    }

    /// The count reads no more than it counts: it never sorts.
    #[test]
    fn the_count_does_not_sort() {
        let (_, translated) = translated(
            "SELECT Id FROM ContactRequest WHERE Status = 'New' ORDER BY Name DESC LIMIT 5",
        );
        assert!(
            !translated.count.sql.contains("ORDER BY"),
            "{}",
            translated.count.sql
        );
        assert!(translated.page.statement(0, 5).sql.contains("ORDER BY"));
    }

    #[test]
    fn a_child_follows_its_parent_and_an_empty_link_matches_nothing() {
        let owned = Filter::In(
            Operand {
                column: Column::Own("owner_id"),
                text: false,
            },
            false,
            vec![Sql::Text("005000000000002AAA".into())],
        );
        let filter = Filter::InParent {
            column: Column::Own("what_id"),
            parent: "contact_requests",
            within: Some(Box::new(owned)),
        };
        let mut params = Vec::new();
        let sql = condition(&Filter::Not(Box::new(filter)), &mut params, Dialect::Sqlite);
        assert_eq!(
            sql,
            "NOT ((c.what_id IS NOT NULL AND c.what_id IN (SELECT c.id FROM contact_requests c WHERE c.owner_id IN (?1))))"
        );
        assert_eq!(params, vec![Sql::Text("005000000000002AAA".into())]);
        let any = Filter::InParent {
            column: Column::Own("what_id"),
            parent: "contact_requests",
            within: None,
        };
        assert!(
            condition(&any, &mut params, Dialect::Sqlite).ends_with("FROM contact_requests c))")
        );
    }

    #[test]
    fn a_share_is_found_by_its_grantee_and_level_and_no_grantee_matches_nothing() {
        let shared = Filter::Shared {
            table: "contact_request_shares",
            with: vec![Sql::Text("005000000000002AAA".into())],
            levels: vec![Sql::Text("Edit".into())],
        };
        let mut params = Vec::new();
        let sql = condition(&shared, &mut params, Dialect::Sqlite);
        assert!(sql.contains("s.is_deleted = 0"), "{sql}");
        assert!(
            sql.contains("s.user_or_group_id IN (?1) AND s.access_level IN (?2)"),
            "{sql}"
        );
        let nobody = Filter::Shared {
            table: "contact_request_shares",
            with: Vec::new(),
            levels: vec![Sql::Text("Edit".into())],
        };
        assert_eq!(condition(&nobody, &mut params, Dialect::Sqlite), "1 = 0");
    }
}
