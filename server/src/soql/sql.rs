//! Translating a checked query to SQL. The text comes only from the object's description (its table and
//! columns) and fixed keywords; every value is a bound parameter (`?1` is the calling user).

use rusqlite::types::Value as Sql;

use super::ast::Op;
use super::check::{Checked, Filter};
use crate::sobjects::rows::{from_clause, select_list};

/// SQL and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Sql>,
}

/// The parts every statement of one query shares: the FROM and WHERE clauses with their parameters, and
/// the ORDER BY clause.
#[derive(Debug, Clone)]
pub struct Translated {
    from_where: String,
    order_by: String,
    params: Vec<Sql>,
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
    Translated {
        from_where,
        order_by: order.join(", "),
        params,
    }
}

impl Translated {
    /// Counts the rows the query covers after its OFFSET and within its LIMIT.
    pub fn count(&self, query: &Checked) -> Statement {
        let limit = query
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut params = self.params.clone();
        params.push(Sql::Integer(limit));
        params.push(Sql::Integer(i64::try_from(query.offset).unwrap_or(0)));
        let n = params.len();
        Statement {
            sql: format!(
                "SELECT count(*) FROM (SELECT c.seq {} ORDER BY {} LIMIT ?{} OFFSET ?{})",
                self.from_where,
                self.order_by,
                n - 1,
                n
            ),
            params,
        }
    }

    /// Selects `take` rows starting `skip` rows into the query's result; the first column is the id.
    pub fn page(&self, query: &Checked, skip: u64, take: u64) -> Statement {
        let mut fields = vec![query.object.field("Id").expect("every object has an Id")];
        fields.extend(query.fields.iter().flatten().copied());
        let mut params = self.params.clone();
        params.push(Sql::Integer(i64::try_from(take).unwrap_or(i64::MAX)));
        params.push(Sql::Integer(
            i64::try_from(query.offset + skip).unwrap_or(i64::MAX),
        ));
        let n = params.len();
        Statement {
            sql: format!(
                "SELECT {} {} ORDER BY {} LIMIT ?{} OFFSET ?{}",
                select_list(&fields),
                self.from_where,
                self.order_by,
                n - 1,
                n
            ),
            params,
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
        let (checked, translated) = translated(
            "SELECT Id, Status FROM ContactRequest WHERE VisitorName__c = 'x\\' OR 1=1' OR Status IN ('New', 'a\\'b') OR Name LIKE '50\\%%'",
        );
        let page = translated.page(&checked, 0, 10);
        assert!(!page.sql.contains("OR 1=1"), "{}", page.sql);
        assert!(!page.sql.contains("a'b"), "{}", page.sql);
        assert!(page.params.contains(&Sql::Text("a'b".into())));
        assert!(page.params.contains(&Sql::Text("50\\%%".into())));
        assert!(page.sql.contains("c.is_deleted = 0"));
    }

    #[test]
    fn relative_dates_become_day_ranges_in_utc() {
        let (checked, translated) =
            translated("SELECT Id FROM ContactRequest WHERE CreatedDate = YESTERDAY");
        let page = translated.page(&checked, 0, 1);
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
        let (checked, translated) = translated(
            "SELECT Id FROM Task WHERE CallDurationInSeconds > 60 AND CallDurationInSeconds <= 90.5 \
             AND CallDurationInSeconds != -1 AND CallDurationInSeconds IN (30, 120)",
        );
        let page = translated.page(&checked, 0, 10);
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
