//! `query/?q=…&columns=true`: the columns a query would answer, without running it, as Salesforce's
//! `columnMetadata`. The `sf` CLI asks for them to lay out `sf data query`'s table.

use serde_json::{Value, json};

use crate::salesforce::schema::{Field, FieldType, SObject, prop};
use crate::soql::check::{Aggregation, Checked, Shown};

/// The `columns` parameter: `true` asks for the columns, `false` or nothing for the records.
pub fn wanted(value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(format!(
            "columns must be true or false, not {other:?}: columns=true answers the query's columns"
        )),
    }
}

/// The columns of a query (none for `COUNT()`): its fields, each parent it shows as a column whose
/// `joinColumns` are the parent's fields (`Owner`, joining `Owner.Name`), and each relationship
/// subquery as an aggregate column whose `joinColumns` are the subquery's.
pub fn metadata(checked: &Checked) -> Value {
    let fields = checked.fields.as_deref().unwrap_or_default();
    json!({
        "columnMetadata": columns(checked, ""),
        "entityName": checked.object.name,
        "groupBy": false,
        "idSelected": fields.iter().any(|f| f.ty == FieldType::Id),
        "keyPrefix": checked.object.key_prefix,
    })
}

/// The columns of `checked`, named after `prefix` (a subquery's, joined under its relationship).
fn columns(checked: &Checked, prefix: &str) -> Vec<Value> {
    let fields = checked.fields.as_deref().unwrap_or_default();
    let mut columns: Vec<Value> = fields
        .iter()
        .map(|field| column(field, &format!("{prefix}{}", field.name)))
        .collect();
    for (n, parent) in checked.parents.joins.iter().enumerate() {
        if parent.from.is_none() && parent.shown {
            columns.push(joined(checked, n, prefix));
        }
    }
    for child in &checked.children {
        let mut shown = join_column(child.name, child.name, true);
        shown["joinColumns"] =
            Value::Array(self::columns(&child.query, &format!("{}.", child.name)));
        columns.push(shown);
    }
    columns
}

/// The column of the parent `join` of `checked`, its fields and its own parents joined to it.
fn joined(checked: &Checked, join: usize, prefix: &str) -> Value {
    let parent = &checked.parents.joins[join];
    let name = format!("{prefix}{}", parent.relationship());
    let mut joins: Vec<Value> = checked
        .parent_fields
        .iter()
        .filter(|field| field.join == join)
        .map(|field| {
            column(
                field.place.field,
                &format!("{name}.{}", field.place.field.name),
            )
        })
        .collect();
    for (n, above) in checked.parents.joins.iter().enumerate() {
        if above.from == Some(join) && above.shown {
            joins.push(joined(checked, n, &format!("{name}.")));
        }
    }
    let mut shown = join_column(parent.relationship(), &name, false);
    shown["joinColumns"] = Value::Array(joins);
    shown
}

/// A column that stands for related records: a parent, or (`aggregate`) a subquery's children.
fn join_column(column: &str, display: &str, aggregate: bool) -> Value {
    json!({
        "aggregate": aggregate,
        "apexType": null,
        "booleanType": false,
        "columnName": column,
        "custom": false,
        "displayName": display,
        "foreignKeyName": null,
        "insertable": false,
        "joinColumns": [],
        "numberType": false,
        "textType": false,
        "updatable": false,
    })
}

/// The columns of an aggregate query of `object`: its grouped fields and its aggregates, by the names
/// its `AggregateResult` records use.
pub fn aggregate(object: &SObject, aggregation: &Aggregation) -> Value {
    let columns: Vec<Value> = aggregation
        .columns
        .iter()
        .map(|c| {
            let (apex, number) = match c.shown {
                Shown::As(field) => (apex_type(field.ty), field.ty == FieldType::Int),
                Shown::Count => ("Integer", true),
                Shown::Sum | Shown::Avg => ("Double", true),
            };
            let text = matches!(c.shown, Shown::As(field) if field.ty.is_text());
            json!({
                "aggregate": !matches!(c.measure, crate::store::Measure::Group(_)),
                "apexType": apex,
                "booleanType": matches!(c.shown, Shown::As(field) if field.ty == FieldType::Boolean),
                "columnName": c.name,
                "custom": false,
                "displayName": c.name,
                "foreignKeyName": null,
                "insertable": false,
                "joinColumns": [],
                "numberType": number,
                "textType": text,
                "updatable": false,
            })
        })
        .collect();
    json!({
        "columnMetadata": columns,
        "entityName": object.name,
        "groupBy": !aggregation.groups.is_empty(),
        "idSelected": false,
        "keyPrefix": object.key_prefix,
    })
}

fn column(field: &Field, display: &str) -> Value {
    json!({
        "aggregate": false,
        "apexType": apex_type(field.ty),
        "booleanType": field.ty == FieldType::Boolean,
        "columnName": field.name,
        "custom": field.has(prop::CUSTOM),
        "displayName": display,
        "foreignKeyName": null,
        "insertable": field.has(prop::CREATE),
        "joinColumns": [],
        "numberType": field.ty == FieldType::Int,
        "textType": field.ty.is_text(),
        "updatable": field.has(prop::UPDATE),
    })
}

/// The Apex type Salesforce names a column's values with.
fn apex_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Id | FieldType::Reference => "Id",
        FieldType::Boolean => "Boolean",
        FieldType::DateTime => "Datetime",
        FieldType::Int => "Integer",
        FieldType::String
        | FieldType::TextArea
        | FieldType::Picklist
        | FieldType::Phone
        | FieldType::Email => "String",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_parameter_is_true_false_or_absent() {
        let table = [
            (None, Ok(false)),
            (Some("false"), Ok(false)),
            (Some("true"), Ok(true)),
        ];
        for (value, expected) in table {
            assert_eq!(wanted(value), expected, "{value:?}");
        }
        for value in ["yes", "1", "TRUE", ""] {
            let message = wanted(Some(value)).unwrap_err();
            assert!(
                message.contains("columns must be true or false"),
                "{value}: {message}"
            );
        }
    }
}
