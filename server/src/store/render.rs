//! Rendering a [`Select`] in each engine's SQL, from the one checked plan. The text comes only from table
//! and column names (the object descriptions') and fixed keywords; every value is a bound parameter (`?1`
//! is the calling user, for the per-user view dates; [`super::sql`] numbers them `$1` for PostgreSQL).
//!
//! The dialects differ in two places. Text SOQL compares without regard to case: SQLite's `NOCASE`
//! collation folds ASCII, PostgreSQL's `nocase` (ICU, defined by its schema) any Unicode text, and its
//! B-tree indexes serve `=` and `IN`. LIKE, which PostgreSQL 15 does not run under a nondeterministic
//! collation, compares both sides lowered under ICU's root collation there. And "no LIMIT" is `-1` for
//! SQLite, `NULL` for PostgreSQL.

use super::plan::{
    Column, Filter, Grouped, Grouping, Having, Join, Kind, Measure, Op, Operand, Select, Source,
    Table, Value,
};
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
        Column::Joined { join, n } => format!("j{join}.f{n}"),
        Column::Fixed(n) => n.to_string(),
    }
}

/// The parents `joins` find, each a `LEFT JOIN` of the union of its branches as `j0`, `j1`…, whose
/// columns are `f0` (the id), `f1` (the object's name) and then the branches' columns. Each branch reads
/// its table as `c`, so that its filter renders as any filter does; the text of a [`Source::Text`] is
/// bound as every value is.
fn joins_sql(joins: &[Join], params: &mut Vec<Value>, dialect: Dialect) -> String {
    let mut sql = String::new();
    for (n, join) in joins.iter().enumerate() {
        let branches: Vec<String> = join
            .branches
            .iter()
            .map(|branch| {
                let object = bind(params, Value::Text(branch.object.to_owned()), dialect);
                let mut columns = vec![
                    "c.id AS f0".to_owned(),
                    format!("CAST({object} AS TEXT) AS f1"),
                ];
                for (i, source) in branch.columns.iter().enumerate() {
                    let value = match source {
                        Source::Own(name) => format!("c.{name}"),
                        Source::Text(text) => {
                            let p = bind(params, Value::Text((*text).to_owned()), dialect);
                            format!("CAST({p} AS TEXT)")
                        }
                        Source::Null => "NULL".to_owned(),
                    };
                    columns.push(format!("{value} AS f{}", i + 2));
                }
                let mut conditions = Vec::new();
                if branch.live {
                    conditions.push("c.is_deleted = 0".to_owned());
                }
                if let Some(filter) = &branch.filter {
                    conditions.push(filter_sql(filter, params, dialect));
                }
                let mut sql = format!("SELECT {} FROM {} c", columns.join(", "), branch.table);
                if !conditions.is_empty() {
                    sql.push_str(" WHERE ");
                    sql.push_str(&conditions.join(" AND "));
                }
                sql
            })
            .collect();
        let union = if branches.is_empty() {
            // No kind of record it may point to is kept: a parent that is never found.
            let nulls: Vec<String> = (0..join.columns + 2)
                .map(|i| format!("CAST(NULL AS TEXT) AS f{i}"))
                .collect();
            format!("SELECT {} WHERE 1 = 0", nulls.join(", "))
        } else {
            branches.join(" UNION ALL ")
        };
        sql.push_str(&format!(
            " LEFT JOIN ({union}) j{n} ON j{n}.f0 = {}",
            column(join.on)
        ));
    }
    sql
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
    from_where.push_str(&joins_sql(&select.joins, &mut params, dialect));
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
            compare(&column, *op, &p, nocase, &column, dialect)
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
            let list = |params: &mut Vec<Value>| {
                values
                    .iter()
                    .filter(|v| **v != Value::Null)
                    .map(|v| bind(params, v.clone(), dialect))
                    .collect()
            };
            within(
                &format!("{column}{nocase}"),
                &column,
                *negated,
                values,
                list(params),
            )
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

/// `lhs op rhs`, text under `nocase` (a collation, or nothing); `like_lhs` is what LIKE matches. SOQL's
/// `!=` keeps what is empty.
fn compare(lhs: &str, op: Op, rhs: &str, nocase: &str, like_lhs: &str, dialect: Dialect) -> String {
    match op {
        Op::Eq => format!("{lhs} = {rhs}{nocase}"),
        Op::Ne => format!("({lhs} IS NULL OR {lhs} <> {rhs}{nocase})"),
        Op::Lt => format!("{lhs} < {rhs}{nocase}"),
        Op::Gt => format!("{lhs} > {rhs}{nocase}"),
        Op::Le => format!("{lhs} <= {rhs}{nocase}"),
        Op::Ge => format!("{lhs} >= {rhs}{nocase}"),
        Op::Like => like(like_lhs, rhs, dialect),
    }
}

/// `IN` (or `NOT IN`) of the placeholders `list`; `keyed` is what the list is compared with and
/// `plain` what is empty or not: a null among `values` matches an empty value.
fn within(keyed: &str, plain: &str, negated: bool, values: &[Value], list: Vec<String>) -> String {
    let has_null = values.contains(&Value::Null);
    let inside = if list.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("{keyed} IN ({})", list.join(", "))
    };
    match (negated, has_null) {
        (false, false) => inside,
        (false, true) => format!("({inside} OR {plain} IS NULL)"),
        (true, false) => format!("({plain} IS NULL OR NOT ({inside}))"),
        (true, true) => format!("({plain} IS NOT NULL AND NOT ({inside}))"),
    }
}

/// The collation that compares text as written, by code point: SQLite's `BINARY`, PostgreSQL's `"C"`.
fn exact(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "BINARY",
        Dialect::Postgres => "\"C\"",
    }
}

/// Text lowered by Unicode's full case mapping, the same on both engines: SQLite's `fold` (the
/// server's own function, Rust's `to_lowercase`), PostgreSQL's `lower` under ICU's root locale.
fn fold(text: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!("fold({text})"),
        Dialect::Postgres => format!("lower(CAST({text} AS TEXT) COLLATE \"und-x-icu\")"),
    }
}

/// What a grouping groups by: folded text by its lowercase, anything else as it is.
fn key(grouping: Grouping, dialect: Dialect) -> String {
    let column = column(grouping.column);
    match grouping.kind {
        Kind::Folded => fold(&column, dialect),
        Kind::Number | Kind::Exact => column,
    }
}

/// `expression` ordered (and compared, for MIN and MAX) as `kind` says: text by code point.
fn ordered(expression: &str, kind: Kind, dialect: Dialect) -> String {
    match kind {
        Kind::Number => expression.to_owned(),
        Kind::Exact | Kind::Folded => format!("{expression} COLLATE {}", exact(dialect)),
    }
}

/// A measure as SQL over the group.
fn measure_sql(measure: Measure, groups: &[Grouping], dialect: Dialect) -> String {
    let least = |grouping: Grouping, function: &str| {
        format!(
            "{function}({})",
            ordered(&column(grouping.column), grouping.kind, dialect)
        )
    };
    let real = |expression: String| match dialect {
        Dialect::Sqlite => expression,
        Dialect::Postgres => format!("CAST({expression} AS DOUBLE PRECISION)"),
    };
    match measure {
        Measure::Group(n) => {
            let grouping = groups[n];
            match grouping.kind {
                Kind::Folded => least(grouping, "min"),
                Kind::Number | Kind::Exact => column(grouping.column),
            }
        }
        Measure::Count(on) => format!("count({})", column(on)),
        Measure::CountDistinct(grouping) => format!("count(DISTINCT {})", key(grouping, dialect)),
        Measure::Min(grouping) => least(grouping, "min"),
        Measure::Max(grouping) => least(grouping, "max"),
        // SQLite's sum of integers fails past 64 bits; of fractions it cannot.
        Measure::Sum(on) => match dialect {
            Dialect::Sqlite => format!("sum(CAST({} AS REAL))", column(on)),
            Dialect::Postgres => real(format!("sum({})", column(on))),
        },
        Measure::Avg(on) => real(format!("avg({})", column(on))),
    }
}

/// A measure as HAVING compares it, and as LIKE matches it: a folded group by its lowercase key.
fn compared(measure: Measure, groups: &[Grouping], dialect: Dialect) -> (String, bool) {
    match measure {
        Measure::Group(n) if groups[n].kind == Kind::Folded => (key(groups[n], dialect), true),
        _ => (measure_sql(measure, groups, dialect), false),
    }
}

fn having_sql(
    having: &Having,
    groups: &[Grouping],
    params: &mut Vec<Value>,
    dialect: Dialect,
) -> String {
    let all = |parts: &[Having], joiner: &str, params: &mut Vec<Value>| {
        let inner: Vec<String> = parts
            .iter()
            .map(|p| having_sql(p, groups, params, dialect))
            .collect();
        format!("({})", inner.join(joiner))
    };
    match having {
        Having::And(parts) => all(parts, " AND ", params),
        Having::Or(parts) => all(parts, " OR ", params),
        Having::Not(inner) => format!("NOT ({})", having_sql(inner, groups, params, dialect)),
        Having::IsNull(measure, null) => {
            let (lhs, _) = compared(*measure, groups, dialect);
            format!("{lhs} IS {}NULL", if *null { "" } else { "NOT " })
        }
        Having::Compare(measure, op, value) => {
            let (lhs, folded) = compared(*measure, groups, dialect);
            let p = bind(params, value.clone(), dialect);
            if *op == Op::Like {
                let shown = measure_sql(*measure, groups, dialect);
                return like(&shown, &p, dialect);
            }
            let rhs = if folded { fold(&p, dialect) } else { p };
            compare(&lhs, *op, &rhs, "", &lhs, dialect)
        }
        Having::In(measure, negated, values) => {
            let (lhs, folded) = compared(*measure, groups, dialect);
            let list: Vec<String> = values
                .iter()
                .filter(|v| **v != Value::Null)
                .map(|v| {
                    let p = bind(params, v.clone(), dialect);
                    if folded { fold(&p, dialect) } else { p }
                })
                .collect();
            within(&lhs, &lhs, *negated, values, list)
        }
    }
}

/// Renders an aggregate query in `dialect`: one statement, each row a group's measures in order.
pub fn prepare_grouped(grouped: &Grouped, dialect: Dialect) -> Statement {
    let records = &grouped.records;
    let mut params = vec![Value::Text(records.user.clone())];
    let mut conditions = Vec::new();
    if !records.all_rows {
        conditions.push("c.is_deleted = 0".to_owned());
    }
    if let Some(filter) = &records.filter {
        conditions.push(filter_sql(filter, &mut params, dialect));
    }
    let groups = &grouped.groups;
    let measures: Vec<String> = grouped
        .measures
        .iter()
        .map(|m| measure_sql(*m, groups, dialect))
        .collect();
    let mut sql = format!(
        "SELECT {} {}",
        measures.join(", "),
        from_clause(records.table)
    );
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    let keys: Vec<String> = groups.iter().map(|g| key(*g, dialect)).collect();
    if !keys.is_empty() {
        sql.push_str(" GROUP BY ");
        sql.push_str(&keys.join(", "));
    }
    if let Some(having) = &grouped.having {
        sql.push_str(" HAVING ");
        sql.push_str(&having_sql(having, groups, &mut params, dialect));
    }
    let kind = |measure: Measure| match measure {
        Measure::Group(n) => groups[n].kind,
        Measure::Min(g) | Measure::Max(g) if g.kind != Kind::Number => Kind::Exact,
        _ => Kind::Number,
    };
    let mut order: Vec<String> = grouped
        .order
        .iter()
        .map(|(measure, descending, nulls_first)| {
            let (by, _) = compared(*measure, groups, dialect);
            format!(
                "{} {} NULLS {}",
                ordered(&by, kind(*measure), dialect),
                if *descending { "DESC" } else { "ASC" },
                if *nulls_first { "FIRST" } else { "LAST" }
            )
        })
        .collect();
    order.extend(
        groups
            .iter()
            .zip(&keys)
            .map(|(g, k)| format!("{} ASC NULLS FIRST", ordered(k, g.kind, dialect))),
    );
    if !order.is_empty() {
        sql.push_str(" ORDER BY ");
        sql.push_str(&order.join(", "));
    }
    let n = params.len();
    let limit = match (records.limit, dialect) {
        (Some(limit), _) => Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)),
        (None, Dialect::Sqlite) => Value::Integer(-1),
        (None, Dialect::Postgres) => Value::Null,
    };
    params.push(limit);
    params.push(Value::Integer(i64::try_from(records.offset).unwrap_or(0)));
    sql.push_str(&format!(" LIMIT ?{} OFFSET ?{}", n + 1, n + 2));
    Statement { sql, params }
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
            &checked.select("005000000000002AAA", false, &|_| None),
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

    /// Text groups by its lowercase on both engines, and shows its smallest spelling by code point; the
    /// groups are always ordered, by what is asked and then by the groups themselves.
    #[test]
    fn text_groups_alike_on_both_engines() {
        let now: jiff::Timestamp = "2024-05-10T12:00:00Z".parse().unwrap();
        let checked = check(
            &parse(
                "SELECT VisitorName__c, COUNT(Id) FROM ContactRequest GROUP BY VisitorName__c \
                 HAVING VisitorName__c = 'Zoë' ORDER BY COUNT(Id) DESC LIMIT 3",
            )
            .unwrap(),
            now,
        )
        .unwrap();
        let grouped = checked.grouped("005000000000002AAA", false).unwrap();
        let sqlite = prepare_grouped(&grouped, Dialect::Sqlite);
        assert_eq!(
            sqlite.sql,
            "SELECT min(c.visitor_name COLLATE BINARY), count(c.id) FROM contact_requests c \
             LEFT JOIN contact_request_views v ON v.record_id = c.id AND v.user_id = ?1 \
             WHERE c.is_deleted = 0 GROUP BY fold(c.visitor_name) HAVING fold(c.visitor_name) = fold(?2) \
             ORDER BY count(c.id) DESC NULLS LAST, fold(c.visitor_name) COLLATE BINARY ASC NULLS FIRST \
             LIMIT ?3 OFFSET ?4"
        );
        assert_eq!(
            sqlite.params[1..],
            [Sql::Text("Zoë".into()), Sql::Integer(3), Sql::Integer(0)]
        );
        let postgres = prepare_grouped(&grouped, Dialect::Postgres);
        assert!(
            postgres.sql.contains(
                "GROUP BY lower(CAST(c.visitor_name AS TEXT) COLLATE \"und-x-icu\") \
                 HAVING lower(CAST(c.visitor_name AS TEXT) COLLATE \"und-x-icu\") = lower(CAST(?2 AS TEXT) COLLATE \"und-x-icu\")"
            ),
            "{}",
            postgres.sql
        );
        assert!(
            postgres
                .sql
                .starts_with("SELECT min(c.visitor_name COLLATE \"C\"), count(c.id)")
        );
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
