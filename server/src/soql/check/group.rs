//! Checking an aggregate query: GROUP BY over groupable fields, the aggregate functions with the fields
//! each takes, aliases and Salesforce's default names (`expr0`, `expr1`, …), HAVING and ORDER BY over
//! what is grouped or aggregated. The result names each column of the `AggregateResult` records and
//! plans it in the store's terms.

use jiff::Timestamp;

use super::{
    Checked, MAX_FILTER_DEPTH, MAX_FILTER_VALUES, described, first_position, offset, short_enough,
    typed, where_clause,
};
use crate::salesforce::schema::{Field, FieldType, SObject};
use crate::soql::SoqlError;
use crate::soql::ast::{self, Condition, Expr, Function, Item, Literal, Op, Select};
use crate::store::{self, Grouping, Having, Kind, Measure, Value as Sql};

/// Whether `query` is an aggregate query: it groups, filters groups, or aggregates in its SELECT list.
pub fn is_aggregate(query: &ast::Query) -> bool {
    !query.group_by.is_empty()
        || query.having.is_some()
        || matches!(&query.select, Select::Items(items)
            if items.iter().any(|item| matches!(item.expr, Expr::Aggregate { .. })))
}

/// An aggregate query's checked parts.
#[derive(Debug, Clone)]
pub struct Aggregation {
    /// The grouped fields, in GROUP BY's order.
    pub groups: Vec<&'static Field>,
    /// The columns of each `AggregateResult`, in the SELECT list's order.
    pub columns: Vec<Column>,
    pub having: Option<Having>,
    /// What orders the groups, descending or not, and nulls first or not.
    pub order: Vec<(Measure, bool, bool)>,
}

/// One column of an `AggregateResult`.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its alias, the grouped field's name, or `exprN` for the Nth aggregate without an alias.
    pub name: String,
    pub shown: Shown,
    pub measure: Measure,
}

/// How a column's value is written.
#[derive(Debug, Clone, Copy)]
pub enum Shown {
    /// As the field's own value: a grouped field, MIN and MAX.
    As(&'static Field),
    /// A whole number: COUNT and COUNT_DISTINCT.
    Count,
    /// A number, whole when it is: SUM.
    Sum,
    /// A fraction: AVG.
    Avg,
}

impl Checked {
    /// The store's plan of an aggregate query for `user`; `None` for any other query.
    pub fn grouped(&self, user: &str, all_rows: bool) -> Option<store::Grouped> {
        let aggregation = self.aggregation.as_ref()?;
        Some(store::Grouped {
            records: self.select(user, all_rows, &|_| None),
            groups: aggregation.groups.iter().map(|f| grouping(f)).collect(),
            measures: aggregation.columns.iter().map(|c| c.measure).collect(),
            having: aggregation.having.clone(),
            order: aggregation.order.clone(),
        })
    }
}

/// Where an expression stands, for the error that names a field neither grouped nor aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Select,
    Having,
    Order,
}

/// Checks the aggregate query `query` of `object`.
pub fn check(
    object: &'static SObject,
    query: &ast::Query,
    now: Timestamp,
) -> Result<Checked, SoqlError> {
    if query.tracking.is_some() {
        return Err(SoqlError::malformed(
            query.from.position,
            "FOR VIEW and FOR REFERENCE cannot be used in an aggregate query",
        ));
    }
    let items: Vec<Item> = match &query.select {
        Select::Count => {
            let position = query.group_by.first().map_or(0, |g| g.position);
            return Err(SoqlError::malformed(
                position,
                "COUNT() cannot be used with GROUP BY or HAVING: count a field instead, as COUNT(Id)",
            ));
        }
        Select::Fields(names) => names
            .iter()
            .map(|name| Item {
                expr: Expr::Field(name.clone()),
                alias: None,
            })
            .collect(),
        Select::Items(items) => items.clone(),
    };
    let mut groups: Vec<&'static Field> = Vec::new();
    for name in &query.group_by {
        let f = described(object, name)?;
        if !f.groupable() {
            return Err(SoqlError::field(
                name.position,
                format!("field '{}' can not be grouped in a query call", f.name),
            ));
        }
        if groups.iter().any(|known| known.name == f.name) {
            return Err(SoqlError::malformed(
                name.position,
                format!("duplicate field in GROUP BY: {}", f.name),
            ));
        }
        groups.push(f);
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut unnamed = 0;
    for item in &items {
        let (shown, measure) = measured(object, &groups, &item.expr, Place::Select)?;
        let name = match (&item.alias, &item.expr, shown) {
            (Some(alias), _, _) => alias.value.clone(),
            (None, Expr::Field(_), Shown::As(field)) => field.name.to_owned(),
            (None, _, _) => {
                unnamed += 1;
                format!("expr{}", unnamed - 1)
            }
        };
        if columns.iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
            let position = item
                .alias
                .as_ref()
                .map_or(item.expr.position(), |a| a.position);
            return Err(SoqlError::malformed(
                position,
                format!("duplicate alias: {name}"),
            ));
        }
        columns.push(Column {
            name,
            shown,
            measure,
        });
    }
    let having = query
        .having
        .as_ref()
        .map(|c| self::having(object, &groups, c))
        .transpose()?;
    let mut parents = super::Parents::default();
    let filter = where_clause(object, query, now, &mut parents)?;
    if !parents.joins.is_empty() {
        return Err(SoqlError::malformed(
            query.filter.as_ref().map_or(0, first_position),
            "an aggregate query cannot filter by a parent's field here: filter by the reference's id",
        ));
    }
    if let (Some(checked), Some(condition)) = (&having, &query.having) {
        let position = first_position(condition);
        if depth(checked) > MAX_FILTER_DEPTH {
            return Err(SoqlError {
                code: "QUERY_TOO_COMPLICATED",
                message: format!(
                    "Query is too complicated: its HAVING clause joins more conditions than the server \
                     takes (at most about {MAX_FILTER_DEPTH} in one AND or OR)"
                ),
                position,
            });
        }
        // WHERE's values and HAVING's share one statement's parameters.
        let bound = filter.as_ref().map_or(0, super::values) + values(checked);
        if bound > MAX_FILTER_VALUES {
            return Err(SoqlError {
                code: "QUERY_TOO_COMPLICATED",
                message: format!(
                    "Query is too complicated: its WHERE and HAVING clauses compare with more than \
                     {MAX_FILTER_VALUES} values together; split it into several queries"
                ),
                position,
            });
        }
    }
    let mut order = Vec::new();
    for o in &query.order {
        let (_, measure) = measured(object, &groups, &o.by, Place::Order)?;
        if order.iter().any(|(known, _, _)| *known == measure) {
            return Err(SoqlError::malformed(
                o.by.position(),
                "duplicate expression in ORDER BY",
            ));
        }
        order.push((
            measure,
            o.descending,
            o.nulls_first.unwrap_or(!o.descending),
        ));
    }
    Ok(Checked {
        object,
        fields: None,
        parent_fields: Vec::new(),
        parents: super::Parents::default(),
        children: Vec::new(),
        filter,
        order: Vec::new(),
        limit: query.limit.as_ref().map(|l| l.value),
        offset: offset(query)?,
        tracking: None,
        aggregation: Some(Aggregation {
            groups,
            columns,
            having,
            order,
        }),
    })
}

/// How `field`'s values compare in a group: text without regard to case, ids and instants as written.
fn grouping(field: &Field) -> Grouping {
    let kind = if field.ty.is_text() {
        Kind::Folded
    } else if matches!(field.ty, FieldType::Int | FieldType::Boolean) {
        Kind::Number
    } else {
        Kind::Exact
    };
    Grouping {
        column: field.column,
        kind,
    }
}

/// What `expr` measures of a group, and how it is written.
fn measured(
    object: &'static SObject,
    groups: &[&'static Field],
    expr: &Expr,
    place: Place,
) -> Result<(Shown, Measure), SoqlError> {
    let (function, name) = match expr {
        Expr::Field(name) => {
            let f = described(object, name)?;
            return match groups.iter().position(|g| g.name == f.name) {
                Some(n) => Ok((Shown::As(f), Measure::Group(n))),
                None => Err(SoqlError::malformed(
                    name.position,
                    match place {
                        Place::Order => {
                            format!("Ordered field must be grouped or aggregated: {}", f.name)
                        }
                        Place::Select | Place::Having => {
                            format!("Field must be grouped or aggregated: {}", f.name)
                        }
                    },
                )),
            };
        }
        Expr::Aggregate {
            function,
            field: None,
        } => {
            return Err(SoqlError::malformed(
                function.position,
                "COUNT() must be the only element in the SELECT list: count a field here, as COUNT(Id)",
            ));
        }
        Expr::Aggregate {
            function,
            field: Some(name),
        } => (function.value, name),
    };
    let f = described(object, name)?;
    let takes = match function {
        Function::Sum | Function::Avg => f.ty == FieldType::Int,
        Function::Min | Function::Max => f.aggregatable() && f.ty != FieldType::Boolean,
        Function::Count | Function::CountDistinct => f.aggregatable(),
    };
    if !takes {
        return Err(SoqlError::field(
            name.position,
            format!(
                "field {} does not support aggregate operator {}",
                f.name,
                function.name()
            ),
        ));
    }
    Ok(match function {
        Function::Count => (Shown::Count, Measure::Count(f.column)),
        Function::CountDistinct => (Shown::Count, Measure::CountDistinct(grouping(f))),
        Function::Min => (Shown::As(f), Measure::Min(grouping(f))),
        Function::Max => (Shown::As(f), Measure::Max(grouping(f))),
        Function::Sum => (Shown::Sum, Measure::Sum(f.column)),
        Function::Avg => (Shown::Avg, Measure::Avg(f.column)),
    })
}

/// The type a measure's values have, and how an error names it.
fn typed_as(expr: &Expr, shown: Shown) -> (FieldType, String) {
    match (shown, expr) {
        (Shown::As(field), Expr::Field(_)) => (field.ty, field.name.to_owned()),
        (shown, Expr::Aggregate { function, field }) => {
            let named = field.as_ref().map_or("", |f| f.value.as_str());
            let ty = match shown {
                Shown::As(field) => field.ty,
                Shown::Count | Shown::Sum | Shown::Avg => FieldType::Int,
            };
            (ty, format!("{}({named})", function.value.name()))
        }
        (_, Expr::Field(name)) => (FieldType::Int, name.value.clone()),
    }
}

fn having(
    object: &'static SObject,
    groups: &[&'static Field],
    condition: &Condition,
) -> Result<Having, SoqlError> {
    let all = |parts: &[Condition]| -> Result<Vec<Having>, SoqlError> {
        parts.iter().map(|p| having(object, groups, p)).collect()
    };
    Ok(match condition {
        Condition::And(parts) => Having::And(all(parts)?),
        Condition::Or(parts) => Having::Or(all(parts)?),
        Condition::Not(inner) => Having::Not(Box::new(having(object, groups, inner)?)),
        Condition::Compare { field, op, value } => {
            let (shown, measure) = measured(object, groups, field, Place::Having)?;
            let (ty, name) = typed_as(field, shown);
            short_enough(value)?;
            match (&value.value, op) {
                (Literal::Null, Op::Eq) => Having::IsNull(measure, true),
                (Literal::Null, Op::Ne) => Having::IsNull(measure, false),
                (Literal::Null, _) => {
                    return Err(SoqlError::malformed(
                        value.position,
                        "null can only be compared with = or !=",
                    ));
                }
                (Literal::Relative(_), _) => {
                    return Err(SoqlError::malformed(
                        value.position,
                        "date literals such as TODAY cannot be compared in a HAVING clause: compare with a \
                         datetime, as 2024-05-01T00:00:00Z",
                    ));
                }
                (Literal::Text { like, .. }, Op::Like) if ty.is_text() => {
                    Having::Compare(measure, Op::Like, Sql::Text(like.clone()))
                }
                (_, Op::Like) => {
                    return Err(SoqlError::field(
                        value.position,
                        format!("LIKE can only be used on text, and {name} is {}", ty.name()),
                    ));
                }
                _ => Having::Compare(measure, *op, typed(ty, &name, value)?),
            }
        }
        Condition::In {
            field,
            negated,
            values,
        } => {
            let (shown, measure) = measured(object, groups, field, Place::Having)?;
            let (ty, name) = typed_as(field, shown);
            let values = values
                .iter()
                .map(|v| {
                    short_enough(v)?;
                    if v.value == Literal::Null {
                        Ok(Sql::Null)
                    } else {
                        typed(ty, &name, v)
                    }
                })
                .collect::<Result<_, _>>()?;
            Having::In(measure, *negated, values)
        }
    })
}

/// How deep a HAVING clause's SQL expression is, at most, as the WHERE clause's is counted.
fn depth(having: &Having) -> usize {
    match having {
        Having::And(parts) | Having::Or(parts) => {
            parts.len().saturating_sub(1) + parts.iter().map(depth).max().unwrap_or(0)
        }
        Having::Not(inner) => 1 + depth(inner),
        Having::Compare(..) | Having::IsNull(..) | Having::In(..) => 5,
    }
}

/// How many parameters a HAVING clause's SQL binds.
fn values(having: &Having) -> usize {
    match having {
        Having::And(parts) | Having::Or(parts) => parts.iter().map(values).sum(),
        Having::Not(inner) => values(inner),
        Having::Compare(..) => 1,
        Having::IsNull(..) => 0,
        Having::In(_, _, list) => list.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::OBJECTS;
    use crate::soql::check::check as check_query;
    use crate::soql::parser::parse;

    fn checked(soql: &str) -> Result<Checked, SoqlError> {
        check_query(&parse(soql)?, Timestamp::now())
    }

    #[test]
    fn columns_take_their_alias_their_field_or_the_next_default_name() {
        let query = checked(
            "SELECT Status, COUNT(Id), MAX(Name) latest, SUM(CallAttempts__c), IsCallback flag \
             FROM ContactRequest GROUP BY Status, IsCallback",
        )
        .unwrap();
        let aggregation = query.aggregation.unwrap();
        let names: Vec<&str> = aggregation
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["Status", "expr0", "latest", "expr1", "flag"]);
        assert_eq!(aggregation.columns[0].measure, Measure::Group(0));
        assert_eq!(aggregation.columns[4].measure, Measure::Group(1));
        assert!(query.fields.is_none() && query.order.is_empty());
    }

    #[test]
    fn a_query_is_an_aggregate_one_when_it_groups_filters_groups_or_aggregates() {
        for (soql, aggregate) in [
            ("SELECT Status FROM ContactRequest GROUP BY Status", true),
            ("SELECT COUNT(Id) FROM ContactRequest", true),
            (
                "SELECT COUNT(Id) FROM ContactRequest HAVING COUNT(Id) > 1",
                true,
            ),
            ("SELECT COUNT() FROM ContactRequest", false),
            ("SELECT Status FROM ContactRequest ORDER BY Status", false),
        ] {
            assert_eq!(
                checked(soql).unwrap().aggregation.is_some(),
                aggregate,
                "{soql}"
            );
        }
    }

    #[test]
    fn what_is_neither_grouped_nor_aggregated_is_refused_where_it_stands() {
        let table = [
            (
                "SELECT Name, COUNT(Id) FROM ContactRequest",
                7,
                "Field must be grouped or aggregated: Name",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY Status ORDER BY Name",
                59,
                "Ordered field must be grouped or aggregated: Name",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY Status HAVING Name = 'x'",
                57,
                "Field must be grouped or aggregated: Name",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY Status ORDER BY COUNT()",
                59,
                "COUNT() must be the only element",
            ),
        ];
        for (soql, position, message) in table {
            let error = checked(soql).unwrap_err();
            assert_eq!(error.code, "MALFORMED_QUERY", "{soql}");
            assert_eq!(error.position, position, "{soql}");
            assert!(error.message.contains(message), "{soql}: {}", error.message);
        }
    }

    #[test]
    fn each_function_takes_the_fields_salesforce_lets_it() {
        let table = [
            ("SUM(CallAttempts__c)", true),
            ("AVG(CallAttempts__c)", true),
            ("SUM(Name)", false),
            ("AVG(CreatedDate)", false),
            ("MIN(CreatedDate)", true),
            ("MAX(Name)", true),
            ("MAX(IsCallback)", false),
            ("COUNT(IsCallback)", true),
            ("COUNT_DISTINCT(OwnerId)", true),
            ("COUNT(RequestDescription)", false),
            ("MIN(LastViewedDate)", true),
        ];
        for (aggregate, takes) in table {
            let soql = format!("SELECT {aggregate} FROM ContactRequest");
            match checked(&soql) {
                Ok(_) => assert!(takes, "{soql} is refused by Salesforce"),
                Err(error) => {
                    assert!(!takes, "{soql}: {error:?}");
                    assert_eq!(error.code, "INVALID_FIELD", "{soql}");
                }
            }
        }
    }

    /// The rule describe's `groupable` reports is the rule GROUP BY checks, for every field of every
    /// object; no datetime and no long text is groupable, as in Salesforce.
    #[test]
    fn group_by_takes_exactly_the_fields_described_groupable() {
        // A view (OpenActivity) is queried only as a subquery, which takes no GROUP BY.
        for object in OBJECTS.iter().filter(|o| o.scope.is_none()) {
            for field in object.fields {
                let soql = format!(
                    "SELECT COUNT(Id) FROM {} GROUP BY {}",
                    object.name, field.name
                );
                assert_eq!(checked(&soql).is_ok(), field.groupable(), "{soql}");
                if matches!(field.ty, FieldType::DateTime | FieldType::TextArea) {
                    assert!(!field.groupable(), "{soql}");
                }
            }
        }
    }

    /// WHERE and HAVING bind their values in one statement, so their values count together against
    /// the bound below SQLite's parameters.
    #[test]
    fn where_and_having_values_count_together() {
        let list = |n: usize| vec!["1"; n].join(",");
        let soql = format!(
            "SELECT Status FROM ContactRequest WHERE {} GROUP BY Status HAVING {}",
            (0..5)
                .map(|_| format!("CallAttempts__c NOT IN ({})", list(3_500)))
                .collect::<Vec<_>>()
                .join(" AND "),
            (0..5)
                .map(|_| format!("COUNT(Id) NOT IN ({})", list(3_500)))
                .collect::<Vec<_>>()
                .join(" AND "),
        );
        assert_eq!(checked(&soql).unwrap_err().code, "QUERY_TOO_COMPLICATED");
    }

    #[test]
    fn having_values_have_the_measures_types() {
        let fine = checked(
            "SELECT Status FROM ContactRequest GROUP BY Status \
             HAVING COUNT(Id) > 1 AND AVG(CallAttempts__c) < 2.5 AND MAX(CreatedDate) > 2024-05-01T00:00:00Z \
             AND Status IN ('New', null) AND (MIN(Name) LIKE 'CR-%' OR NOT SUM(CallAttempts__c) = null)",
        );
        assert!(fine.is_ok(), "{fine:?}");
        for soql in [
            "SELECT Status FROM ContactRequest GROUP BY Status HAVING COUNT(Id) > '1'",
            "SELECT Status FROM ContactRequest GROUP BY Status HAVING COUNT(Id) LIKE '1%'",
            "SELECT Status FROM ContactRequest GROUP BY Status HAVING MAX(CreatedDate) = TODAY",
            "SELECT Status FROM ContactRequest GROUP BY Status HAVING COUNT(Id) > null",
        ] {
            assert!(checked(soql).is_err(), "{soql}");
        }
    }
}
