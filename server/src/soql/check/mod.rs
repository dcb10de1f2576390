//! Checking a parsed query against an object's description: every name resolves to a described field
//! with the property its place needs (Filter, Sort), and every literal has the field's type. The result
//! holds only described fields and typed values, ready for translation.

use crate::store::Value as Sql;
use jiff::Timestamp;

use super::SoqlError;
use super::ast::{self, Condition, Expr, Literal, Op, Relative, Select, Spanned, Tracking};
mod children;
mod group;
mod parents;
mod versions;

use crate::instant::{self, plus_seconds, stored};
use crate::objects::object;
use crate::salesforce::record_id;
use crate::salesforce::schema::{Field, FieldType, SObject, prop};
use crate::store;
pub use children::Child;
pub use group::{Aggregation, Column as AggregateColumn, Shown};
pub use parents::{NAME_FIELDS, Parent, Parents};

/// A field where a query reads it: the record's own column, or a parent's through a join.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub field: &'static Field,
    pub column: store::Column,
}

impl Placed {
    /// The place as a filter compares it: text without regard to case.
    fn operand(&self) -> store::Operand {
        store::Operand {
            column: self.column,
            text: self.field.ty.is_text(),
        }
    }
}

/// A parent field of the SELECT list: the field, its column, and the join it is read through.
#[derive(Debug, Clone, Copy)]
pub struct ParentField {
    pub place: Placed,
    pub join: usize,
}

/// The most rows OFFSET may skip, as in Salesforce.
pub const MAX_OFFSET: u64 = 2_000;
/// How deep a filter's expression may be, counted as the SQL it becomes is (a list of n conditions joined
/// by AND or OR is n - 1 deep, and each condition up to 5 more): below SQLite's limit of 1,000, with room
/// for the clauses the translation adds.
pub const MAX_FILTER_DEPTH: usize = 900;
/// How many values a filter may compare with, all IN lists together: below SQLite's limit of 32,766
/// parameters per statement.
pub const MAX_FILTER_VALUES: usize = 30_000;
/// The longest string a filter may hold, in characters, as in Salesforce.
pub const MAX_FILTER_STRING: usize = 4_000;

/// A query whose names and values are all checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub object: &'static SObject,
    /// `None` for `COUNT()`.
    pub fields: Option<Vec<&'static Field>>,
    /// The parents' fields the SELECT list names, after its own.
    pub parent_fields: Vec<ParentField>,
    /// The parents the query reads (for its fields, filter and order).
    pub parents: Parents,
    /// The relationship subqueries of the SELECT list.
    pub children: Vec<Child>,
    pub filter: Option<Filter>,
    pub order: Vec<(Placed, bool, bool)>,
    pub limit: Option<u64>,
    pub offset: u64,
    pub tracking: Option<Tracking>,
    /// `Some` for an aggregate query (GROUP BY, aggregate functions, HAVING), whose rows are groups:
    /// `fields` and `order` are then empty.
    pub aggregation: Option<Aggregation>,
}

/// A checked condition.
#[derive(Debug, Clone)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `field op value`; text compared without regard to case.
    Compare(Placed, Op, Sql),
    IsNull(Placed, bool),
    /// A datetime field against a whole day or days: `[start, end)`.
    Range(Placed, Op, String, String),
    In(Placed, bool, Vec<Sql>),
}

impl Checked {
    /// The store's plan of the query for `user`; `all_rows` includes the recycle bin (queryAll).
    /// `visible` is the filter of the records of an object the caller may see, for the parents the
    /// query reads (the caller narrows the query's own records). Each row holds the record's own fields,
    /// then the parent fields, then each join's id and object name.
    pub fn select(
        &self,
        user: &str,
        all_rows: bool,
        visible: &dyn Fn(&SObject) -> Option<store::Filter>,
    ) -> store::Select {
        let own = self.fields.iter().flatten().map(|field| field.column);
        let parents = self.parent_fields.iter().map(|p| p.place.column);
        let joins = (0..self.parents.joins.len()).flat_map(|join| {
            let join = u8::try_from(join).unwrap_or(u8::MAX);
            [store::Join::ID, store::Join::OBJECT].map(|n| store::Column::Joined { join, n })
        });
        let filter = self.filter.as_ref().map(Filter::plan);
        store::Select {
            table: self.object.storage(),
            columns: own.chain(parents).chain(joins).collect(),
            joins: self.parents.plan(visible),
            filter: store::Filter::and(self.object.scope.map(|scope| scope()), filter),
            order: self
                .order
                .iter()
                .map(|(place, descending, nulls_first)| (place.column, *descending, *nulls_first))
                .collect(),
            limit: self.limit,
            offset: self.offset,
            all_rows,
            user: user.to_owned(),
        }
    }
}

impl Filter {
    /// The filter in the store's terms.
    fn plan(&self) -> store::Filter {
        let all = |parts: &[Filter]| parts.iter().map(Filter::plan).collect();
        match self {
            Self::And(parts) => store::Filter::And(all(parts)),
            Self::Or(parts) => store::Filter::Or(all(parts)),
            Self::Not(inner) => store::Filter::Not(Box::new(inner.plan())),
            Self::Compare(place, op, value) => {
                store::Filter::Compare(place.operand(), *op, value.clone())
            }
            Self::IsNull(place, null) => store::Filter::IsNull(place.column, *null),
            Self::Range(place, op, start, end) => {
                store::Filter::Range(place.column, *op, start.clone(), end.clone())
            }
            Self::In(place, negated, values) => {
                store::Filter::In(place.operand(), *negated, values.clone())
            }
        }
    }
}

/// Checks `query` as API version `major` serves objects and fields; `now` anchors relative dates.
pub fn check_at(query: &ast::Query, now: Timestamp, major: u32) -> Result<Checked, SoqlError> {
    versions::gate(query, major)?;
    check(query, now)
}

/// Checks `query`; `now` anchors TODAY and the other relative dates (UTC).
pub fn check(query: &ast::Query, now: Timestamp) -> Result<Checked, SoqlError> {
    let object = object(&query.from.value).ok_or_else(|| SoqlError {
        code: "INVALID_TYPE",
        message: format!("sObject type '{}' is not supported.", query.from.value),
        position: query.from.position,
    })?;
    if object.scope.is_some() {
        return Err(SoqlError {
            code: "INVALID_TYPE_FOR_OPERATION",
            message: format!("entity type {} does not support query", object.name),
            position: query.from.position,
        });
    }
    if group::is_aggregate(query) {
        if let Some(subquery) = query.subqueries.first() {
            return Err(SoqlError::malformed(
                subquery.position,
                "an aggregate query cannot hold a relationship subquery",
            ));
        }
        return group::check(object, query, now);
    }
    let mut checked = records(object, query, now)?;
    for subquery in &query.subqueries {
        let child = children::check(object, subquery, now)?;
        if checked
            .children
            .iter()
            .any(|known| known.name.eq_ignore_ascii_case(child.name))
        {
            return Err(SoqlError::malformed(
                subquery.position,
                format!("duplicate relationship subquery: {}", child.name),
            ));
        }
        checked.children.push(child);
    }
    Ok(checked)
}

/// Checks a query of `object`'s records (not an aggregate one): the top-level query or a subquery's.
fn records(
    object: &'static SObject,
    query: &ast::Query,
    now: Timestamp,
) -> Result<Checked, SoqlError> {
    let mut parents = Parents::default();
    let mut parent_fields = Vec::new();
    let fields = match &query.select {
        Select::Count => {
            if let Some(first) = query.order.first() {
                return Err(SoqlError::malformed(
                    first.by.position(),
                    "COUNT() cannot be used with ORDER BY",
                ));
            }
            if let Some(subquery) = query.subqueries.first() {
                return Err(SoqlError::malformed(
                    subquery.position,
                    "COUNT() must be the only element in the SELECT list",
                ));
            }
            None
        }
        Select::Items(items) => {
            let alias = items.iter().find_map(|item| item.alias.as_ref());
            let position = alias.map_or(0, |a| a.position);
            return Err(SoqlError::malformed(
                position,
                format!(
                    "unexpected token: {}: only the columns of an aggregate query (GROUP BY or an aggregate \
                     function) take aliases",
                    alias.map_or("", |a| a.value.as_str())
                ),
            ));
        }
        Select::Fields(names) => {
            let mut fields: Vec<&'static Field> = Vec::new();
            for name in names {
                let place = parents.resolve(object, name, true)?;
                let duplicate =
                    |known: &[ParentField]| known.iter().any(|p| p.place.column == place.column);
                let twice = match place.column {
                    store::Column::Joined { join, .. } => {
                        let twice = duplicate(&parent_fields);
                        parent_fields.push(ParentField {
                            place,
                            join: usize::from(join),
                        });
                        twice
                    }
                    _ => {
                        let twice = fields.iter().any(|known| known.name == place.field.name);
                        fields.push(place.field);
                        twice
                    }
                };
                if twice {
                    return Err(SoqlError::malformed(
                        name.position,
                        format!("duplicate field selected: {}", name.value),
                    ));
                }
            }
            Some(fields)
        }
    };
    let filter = where_clause(object, query, now, &mut parents)?;
    let mut order: Vec<(Placed, bool, bool)> = Vec::new();
    for o in &query.order {
        let Expr::Field(name) = &o.by else {
            return Err(SoqlError::malformed(
                o.by.position(),
                "aggregate functions can order only an aggregate query (one with GROUP BY or an aggregate \
                 function in its SELECT list)",
            ));
        };
        let place = parents.resolve(object, name, false)?;
        if !place.field.has(prop::SORT) {
            return Err(SoqlError::field(
                name.position,
                format!(
                    "field '{}' can not be sorted in a query call",
                    place.field.name
                ),
            ));
        }
        // Ordering by a field twice changes nothing; refusing it bounds the clause by the object's fields.
        if order
            .iter()
            .any(|(known, _, _)| known.column == place.column)
        {
            return Err(SoqlError::malformed(
                name.position,
                format!("duplicate field in ORDER BY: {}", place.field.name),
            ));
        }
        order.push((place, o.descending, o.nulls_first.unwrap_or(!o.descending)));
    }
    Ok(Checked {
        object,
        fields,
        parent_fields,
        parents,
        children: Vec::new(),
        filter,
        order,
        limit: query.limit.as_ref().map(|l| l.value),
        offset: offset(query)?,
        tracking: query.tracking,
        aggregation: None,
    })
}

/// The field `name` of `object`, or `INVALID_FIELD` naming it.
pub(super) fn described(
    object: &'static SObject,
    name: &Spanned<String>,
) -> Result<&'static Field, SoqlError> {
    object
        .field(&name.value)
        .ok_or_else(|| no_such_column(object, name))
}

/// `INVALID_FIELD`: `name` is no column of `object` (at the query's API version).
fn no_such_column(object: &SObject, name: &Spanned<String>) -> SoqlError {
    SoqlError::field(
        name.position,
        format!(
            "No such column '{}' on entity '{}'. Check the spelling of the field name.",
            name.value, object.name
        ),
    )
}

/// The query's OFFSET, at most [`MAX_OFFSET`].
pub(super) fn offset(query: &ast::Query) -> Result<u64, SoqlError> {
    if let Some(o) = &query.offset
        && o.value > MAX_OFFSET
    {
        return Err(SoqlError {
            code: "NUMBER_OUTSIDE_VALID_RANGE",
            message: format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
            position: o.position,
        });
    }
    Ok(query.offset.as_ref().map_or(0, |o| o.value))
}

/// The query's WHERE clause, checked, within the bounds the SQL it becomes must keep.
pub(super) fn where_clause(
    object: &'static SObject,
    query: &ast::Query,
    now: Timestamp,
    parents: &mut Parents,
) -> Result<Option<Filter>, SoqlError> {
    let filter = query
        .filter
        .as_ref()
        .map(|c| condition(object, c, now, parents))
        .transpose()?;
    if let (Some(filter), Some(where_)) = (&filter, &query.filter) {
        let position = first_position(where_);
        if depth(filter) > MAX_FILTER_DEPTH {
            return Err(SoqlError {
                code: "QUERY_TOO_COMPLICATED",
                message: format!(
                    "Query is too complicated: its WHERE clause joins more conditions than the server \
                     takes (at most about {MAX_FILTER_DEPTH} in one AND or OR); split it into several queries"
                ),
                position,
            });
        }
        if values(filter) > MAX_FILTER_VALUES {
            return Err(SoqlError {
                code: "QUERY_TOO_COMPLICATED",
                message: format!(
                    "Query is too complicated: its WHERE clause compares with more than \
                     {MAX_FILTER_VALUES} values; split it into several queries"
                ),
                position,
            });
        }
    }
    Ok(filter)
}

fn condition(
    object: &'static SObject,
    condition: &Condition,
    now: Timestamp,
    parents: &mut Parents,
) -> Result<Filter, SoqlError> {
    let mut resolve = |expr: &Expr| -> Result<Placed, SoqlError> {
        let Expr::Field(name) = expr else {
            return Err(SoqlError::malformed(
                expr.position(),
                "aggregate functions are not allowed in a WHERE clause: filter the groups with HAVING",
            ));
        };
        let place = parents.resolve(object, name, false)?;
        if !place.field.has(prop::FILTER) {
            return Err(SoqlError::field(
                name.position,
                format!(
                    "field '{}' can not be filtered in a query call",
                    place.field.name
                ),
            ));
        }
        Ok(place)
    };
    Ok(match condition {
        Condition::And(parts) => Filter::And(
            parts
                .iter()
                .map(|p| self::condition(object, p, now, parents))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Or(parts) => Filter::Or(
            parts
                .iter()
                .map(|p| self::condition(object, p, now, parents))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Not(inner) => {
            Filter::Not(Box::new(self::condition(object, inner, now, parents)?))
        }
        Condition::Compare { field, op, value } => {
            let place = resolve(field)?;
            let f = place.field;
            short_enough(value)?;
            if *op == Op::Like && !f.ty.is_text() {
                return Err(SoqlError::field(
                    value.position,
                    format!(
                        "LIKE can only be used on text fields, and {} is {}",
                        f.name,
                        f.ty.name()
                    ),
                ));
            }
            if value.value == Literal::Null {
                return match op {
                    Op::Eq => Ok(Filter::IsNull(place, true)),
                    Op::Ne => Ok(Filter::IsNull(place, false)),
                    _ => Err(SoqlError::malformed(
                        value.position,
                        "null can only be compared with = or !=",
                    )),
                };
            }
            if let Literal::Relative(relative) = &value.value {
                if f.ty != FieldType::DateTime {
                    return Err(wrong(f.ty, f.name, value));
                }
                let (start, end) = range(*relative, now);
                return Ok(Filter::Range(place, *op, start, end));
            }
            if let (Op::Like, Literal::Text { like, .. }) = (op, &value.value) {
                return Ok(Filter::Compare(place, Op::Like, Sql::Text(like.clone())));
            }
            Filter::Compare(place, *op, typed(f.ty, f.name, value)?)
        }
        Condition::In {
            field,
            negated,
            values,
        } => {
            let place = resolve(field)?;
            let f = place.field;
            let values = values
                .iter()
                .map(|v| {
                    short_enough(v)?;
                    if v.value == Literal::Null {
                        Ok(Sql::Null)
                    } else {
                        typed(f.ty, f.name, v)
                    }
                })
                .collect::<Result<_, _>>()?;
            Filter::In(place, *negated, values)
        }
    })
}

/// Refuses a string longer than Salesforce takes in a filter (its `LIKE` pattern would also pass SQLite's).
pub(super) fn short_enough(value: &Spanned<Literal>) -> Result<(), SoqlError> {
    match &value.value {
        Literal::Text { value: text, .. } if text.chars().count() > MAX_FILTER_STRING => {
            Err(SoqlError::malformed(
                value.position,
                format!(
                    "a string in a WHERE clause may be at most {MAX_FILTER_STRING} characters long"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// How deep `filter`'s SQL expression is, at most (see [`MAX_FILTER_DEPTH`]).
fn depth(filter: &Filter) -> usize {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => {
            parts.len().saturating_sub(1) + parts.iter().map(depth).max().unwrap_or(0)
        }
        Filter::Not(inner) => 1 + depth(inner),
        Filter::Compare(..) | Filter::IsNull(..) | Filter::Range(..) | Filter::In(..) => 5,
    }
}

/// How many parameters `filter`'s SQL binds.
fn values(filter: &Filter) -> usize {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().map(values).sum(),
        Filter::Not(inner) => values(inner),
        Filter::Compare(..) => 1,
        Filter::IsNull(..) => 0,
        Filter::Range(..) => 2,
        Filter::In(_, _, list) => list.len(),
    }
}

/// Where a condition starts, for an error about the whole WHERE clause.
pub(super) fn first_position(condition: &Condition) -> usize {
    match condition {
        Condition::And(parts) | Condition::Or(parts) => parts.first().map_or(0, first_position),
        Condition::Not(inner) => first_position(inner),
        Condition::Compare { field, .. } | Condition::In { field, .. } => field.position(),
    }
}

fn wrong(ty: FieldType, name: &str, value: &Spanned<Literal>) -> SoqlError {
    let expected = match ty {
        FieldType::Boolean => "boolean and should not be enclosed in quotes",
        FieldType::DateTime => "dateTime and should not be enclosed in quotes",
        FieldType::Id | FieldType::Reference => "id and should be enclosed in quotes",
        FieldType::Int => "integer and should not be enclosed in quotes",
        _ => "string and should be enclosed in quotes",
    };
    SoqlError::field(
        value.position,
        format!("value of filter criterion for field '{name}' must be of type {expected}"),
    )
}

/// A literal as the SQL value a column of type `ty` holds (`name` names it in an error).
pub(super) fn typed(ty: FieldType, name: &str, value: &Spanned<Literal>) -> Result<Sql, SoqlError> {
    match (ty, &value.value) {
        (FieldType::Boolean, Literal::Bool(b)) => Ok(Sql::Integer((*b).into())),
        (FieldType::Id | FieldType::Reference, Literal::Text { value: text, .. }) => record_id::to_18(text)
            .map(Sql::Text)
            .ok_or_else(|| SoqlError {
                code: "INVALID_QUERY_FILTER_OPERATOR",
                message: format!("invalid ID field: {text}"),
                position: value.position,
            }),
        (FieldType::DateTime, Literal::DateTime(text)) => instant::parse(text)
            .map(|m| Sql::Text(stored(m)))
            .ok_or_else(|| {
                SoqlError::malformed(value.position, format!("line 1:{} no viable alternative at character '{text}': write datetimes as 2024-05-01T00:00:00Z", value.position))
            }),
        (ty, Literal::Text { value: text, .. }) if ty.is_text() => Ok(Sql::Text(text.clone())),
        (FieldType::Int, Literal::Number(text)) => number(text).ok_or_else(|| SoqlError {
            code: "NUMBER_OUTSIDE_VALID_RANGE",
            message: format!("{text} is outside the range of numbers a filter can compare"),
            position: value.position,
        }),
        _ => Err(wrong(ty, name, value)),
    }
}

/// A number literal as SQL: an integer when it has no fraction (exact, so `= 60` matches 60), else a
/// decimal, which SQLite compares with integer columns by value.
fn number(text: &str) -> Option<Sql> {
    if !text.contains('.') {
        return text.parse::<i64>().ok().map(Sql::Integer);
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Sql::Real)
}

/// The `[start, end)` of a relative date literal, in stored form.
fn range(relative: Relative, now: Timestamp) -> (String, String) {
    const DAY: i64 = 86_400;
    let today = now.as_second().div_euclid(DAY) * DAY;
    let days = |n: i64| plus_seconds(Timestamp::UNIX_EPOCH, today.saturating_add(n * DAY));
    let (start, end) = match relative {
        Relative::Today => (days(0), days(1)),
        Relative::Yesterday => (days(-1), days(0)),
        Relative::Tomorrow => (days(1), days(2)),
        Relative::LastNDays(n) => (days(-i64::from(n)), days(1)),
        Relative::NextNDays(n) => (days(1), days(i64::from(n) + 1)),
    };
    (stored(start), stored(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::parser::parse;

    /// Every shape of query past SQLite's limits is refused by the checker, before any SQL is made, with
    /// Salesforce's codes. Before, each reached SQLite and answered `503 SERVER_UNAVAILABLE`.
    #[test]
    fn queries_past_sqlites_limits_are_refused_by_the_checker() {
        let now = Timestamp::now();
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

    #[test]
    fn schema_errors_name_the_problem() {
        let now = Timestamp::now();
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
