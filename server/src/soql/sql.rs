//! Translating a checked query to SQL. The text comes only from the object's description (its table and
//! columns) and fixed keywords; every value is a bound parameter (`?1` is the calling user).

use rusqlite::types::Value as Sql;

use super::ast::Op;
use super::check::{Checked, Filter};
use crate::salesforce::rows::{from_clause, select_list};

/// SQL and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Sql>,
}

/// A query's statements: the count, run once, and the page, kept by its cursor and run once per batch.
#[derive(Debug, Clone)]
pub struct Translated {
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
    params: Vec<Sql>,
    /// The query's own OFFSET, which every batch skips first.
    offset: u64,
}

/// Translates `query` for `user`; `all_rows` includes the recycle bin (queryAll).
pub fn translate(query: &Checked, user: &str, all_rows: bool) -> Translated {
    let mut params = vec![Sql::Text(user.to_owned())];
    let mut conditions = Vec::new();
    if !all_rows {
        conditions.push("c.is_deleted = 0".to_owned());
    }
    if let Some(filter) = &query.filter {
        conditions.push(filter_sql(filter, &mut params));
    }
    let mut from_where = from_clause(query.object);
    if !conditions.is_empty() {
        from_where.push_str(" WHERE ");
        from_where.push_str(&conditions.join(" AND "));
    }
    let mut order: Vec<String> = query
        .order
        .iter()
        .map(|(field, descending, nulls_first)| {
            format!(
                "{} {} NULLS {}",
                field.column,
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
    let limit = query
        .limit
        .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let mut count_params = params.clone();
    count_params.push(Sql::Integer(limit));
    count_params.push(Sql::Integer(i64::try_from(query.offset).unwrap_or(0)));
    let count = Statement {
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 {from_where} LIMIT ?{} OFFSET ?{})",
            n + 1,
            n + 2
        ),
        params: count_params,
    };
    let mut fields = vec![query.object.field("Id").expect("every object has an Id")];
    fields.extend(query.fields.iter().flatten().copied());
    let page = Page {
        sql: format!(
            "SELECT {} {from_where} ORDER BY {}",
            select_list(&fields),
            order.join(", "),
        ),
        params,
        offset: query.offset,
    };
    Translated { count, page }
}

impl Page {
    /// The statement that selects `take` rows starting `skip` rows into the query's result; the first
    /// column is the id. Bind it with [`Page::params`].
    pub fn sql(&self, skip: u64, take: u64) -> String {
        let skip = self.offset.saturating_add(skip).min(i64::MAX as u64);
        let take = take.min(i64::MAX as u64);
        format!("{} LIMIT {take} OFFSET {skip}", self.sql)
    }

    /// The statement's parameters.
    pub fn params(&self) -> &[Sql] {
        &self.params
    }

    /// About how many bytes the statement holds, to bound what an open cursor keeps.
    pub fn bytes(&self) -> usize {
        let values: usize = self
            .params
            .iter()
            .map(|p| {
                std::mem::size_of::<Sql>()
                    + match p {
                        Sql::Text(text) => text.len(),
                        Sql::Blob(blob) => blob.len(),
                        _ => 0,
                    }
            })
            .sum();
        std::mem::size_of::<Self>() + self.sql.len() + values
    }

    /// The whole statement for one batch, for tests.
    #[cfg(test)]
    pub fn statement(&self, skip: u64, take: u64) -> Statement {
        Statement {
            sql: self.sql(skip, take),
            params: self.params.clone(),
        }
    }
}

fn bind(params: &mut Vec<Sql>, value: Sql) -> String {
    params.push(value);
    format!("?{}", params.len())
}

fn filter_sql(filter: &Filter, params: &mut Vec<Sql>) -> String {
    match filter {
        Filter::And(parts) => join(parts, " AND ", params),
        Filter::Or(parts) => join(parts, " OR ", params),
        Filter::Not(inner) => format!("NOT ({})", filter_sql(inner, params)),
        Filter::IsNull(field, true) => format!("{} IS NULL", field.column),
        Filter::IsNull(field, false) => format!("{} IS NOT NULL", field.column),
        Filter::Compare(field, op, value) => {
            let column = field.column;
            let nocase = if field.ty.is_text() {
                " COLLATE NOCASE"
            } else {
                ""
            };
            let p = bind(params, value.clone());
            match op {
                Op::Eq => format!("{column} = {p}{nocase}"),
                // SOQL's != keeps records where the field is empty.
                Op::Ne => format!("({column} IS NULL OR {column} <> {p}{nocase})"),
                Op::Lt => format!("{column} < {p}{nocase}"),
                Op::Gt => format!("{column} > {p}{nocase}"),
                Op::Le => format!("{column} <= {p}{nocase}"),
                Op::Ge => format!("{column} >= {p}{nocase}"),
                Op::Like => format!("{column} LIKE {p} ESCAPE '\\'"),
            }
        }
        Filter::Range(field, op, start, end) => {
            let column = field.column;
            let start = bind(params, Sql::Text(start.clone()));
            let end = bind(params, Sql::Text(end.clone()));
            match op {
                Op::Eq | Op::Like => format!("({column} >= {start} AND {column} < {end})"),
                Op::Ne => format!("({column} IS NULL OR {column} < {start} OR {column} >= {end})"),
                Op::Lt => format!("({column} < {start} AND {end} IS NOT NULL)"),
                Op::Le => format!("({column} < {end} AND {start} IS NOT NULL)"),
                Op::Gt => format!("({column} >= {end} AND {start} IS NOT NULL)"),
                Op::Ge => format!("({column} >= {start} AND {end} IS NOT NULL)"),
            }
        }
        Filter::In(field, negated, values) => {
            let column = field.column;
            let nocase = if field.ty.is_text() {
                " COLLATE NOCASE"
            } else {
                ""
            };
            let has_null = values.contains(&Sql::Null);
            let list: Vec<String> = values
                .iter()
                .filter(|v| **v != Sql::Null)
                .map(|v| bind(params, v.clone()))
                .collect();
            let inside = if list.is_empty() {
                "0".to_owned()
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
    }
}

fn join(parts: &[Filter], joiner: &str, params: &mut Vec<Sql>) -> String {
    let inner: Vec<String> = parts.iter().map(|p| filter_sql(p, params)).collect();
    format!("({})", inner.join(joiner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::check::check;
    use crate::soql::parser::parse;

    fn translated(query: &str) -> (Checked, Translated) {
        let now = time::macros::datetime!(2024-05-10 12:00 UTC);
        let checked = check(&parse(query).unwrap(), now).unwrap();
        let translated = translate(&checked, "005000000000002AAA", false);
        (checked, translated)
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

    /// Every shape of query past SQLite's limits is refused by the checker, before any SQL is made, with
    /// Salesforce's codes. Before, each reached SQLite and answered `503 SERVER_UNAVAILABLE`.
    #[test]
    fn queries_past_sqlites_limits_are_refused_by_the_checker() {
        let now = time::OffsetDateTime::now_utc();
        let joined = |n: usize, joiner: &str| {
            (0..n)
                .map(|i| format!("VisitorName__c = 'x{i}'"))
                .collect::<Vec<_>>()
                .join(joiner)
        };
        let values = (0..12)
            .map(|_| {
                let list = vec!["1"; 3_000].join(",");
                format!("CallDurationInSeconds NOT IN ({list})")
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let table = [
            (
                format!(
                    "SELECT Id FROM ContactRequest WHERE {}",
                    joined(1_001, " AND ")
                ),
                "QUERY_TOO_COMPLICATED",
                "1,001 AND-ed conditions",
            ),
            (
                format!(
                    "SELECT Id FROM ContactRequest WHERE {}",
                    joined(1_100, " OR ")
                ),
                "QUERY_TOO_COMPLICATED",
                "1,100 OR-ed conditions",
            ),
            (
                format!(
                    "SELECT Id FROM ContactRequest ORDER BY {}",
                    vec!["Name"; 2_100].join(", ")
                ),
                "MALFORMED_QUERY",
                "2,100 ORDER BY terms",
            ),
            (
                "SELECT Id FROM ContactRequest ORDER BY Name, CreatedDate DESC, name".to_owned(),
                "MALFORMED_QUERY",
                "a field ordered by twice",
            ),
            (
                format!("SELECT Id FROM Task WHERE {values}"),
                "QUERY_TOO_COMPLICATED",
                "36,000 values, past SQLite's parameters",
            ),
            (
                format!(
                    "SELECT Id FROM ContactRequest WHERE VisitorName__c LIKE '%{}%'",
                    "x".repeat(60_000)
                ),
                "MALFORMED_QUERY",
                "a LIKE pattern past SQLite's length",
            ),
            (
                format!(
                    "SELECT Id FROM ContactRequest WHERE VisitorName__c IN ('a', '{}')",
                    "x".repeat(4_001)
                ),
                "MALFORMED_QUERY",
                "a string longer than Salesforce takes",
            ),
        ];
        for (query, code, why) in table {
            let error = check(&parse(&query).unwrap(), now).unwrap_err();
            assert_eq!(error.code, code, "{why}: {error:?}");
        }
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
    fn schema_errors_name_the_problem() {
        let now = time::OffsetDateTime::now_utc();
        let table = [
            (
                "SELECT Nope FROM ContactRequest",
                "INVALID_FIELD",
                "an unknown field",
            ),
            (
                "SELECT Id FROM Account",
                "INVALID_TYPE",
                "an object the server does not have",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE RequestDescription = 'x'",
                "INVALID_FIELD",
                "a field that cannot be filtered",
            ),
            (
                "SELECT Id FROM ContactRequest ORDER BY RequestDescription",
                "INVALID_FIELD",
                "a field that cannot be sorted",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE IsCallback = 'true'",
                "INVALID_FIELD",
                "a quoted boolean",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE CreatedDate > 'yesterday'",
                "INVALID_FIELD",
                "a quoted datetime",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE Status = TODAY",
                "INVALID_FIELD",
                "a date literal on a picklist",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE OwnerId = 'abc'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "a malformed id",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE IsCallback LIKE 'x'",
                "INVALID_FIELD",
                "LIKE on a boolean",
            ),
            (
                "SELECT Id, id FROM ContactRequest",
                "MALFORMED_QUERY",
                "a field selected twice",
            ),
            (
                "SELECT Id FROM ContactRequest OFFSET 2001",
                "NUMBER_OUTSIDE_VALID_RANGE",
                "an OFFSET over 2,000",
            ),
            (
                "SELECT Id FROM Task WHERE CallDurationInSeconds = '60'",
                "INVALID_FIELD",
                "a quoted number",
            ),
            (
                "SELECT Id FROM Task WHERE CallDisposition = 60",
                "INVALID_FIELD",
                "a number for a text field",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE IsCallback = 1",
                "INVALID_FIELD",
                "a number for a boolean",
            ),
            (
                "SELECT Id FROM Task WHERE CallDurationInSeconds > 99999999999999999999",
                "NUMBER_OUTSIDE_VALID_RANGE",
                "an integer beyond 64 bits",
            ),
        ];
        for (query, code, why) in table {
            let error = check(&parse(query).unwrap(), now).unwrap_err();
            assert_eq!(error.code, code, "{why}: {error:?}");
        }
    }
}
