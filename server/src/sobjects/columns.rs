//! `query/?q=…&columns=true`: the columns a query would answer, without running it, as Salesforce's
//! `columnMetadata`. The `sf` CLI asks for them to lay out `sf data query`'s table.

use serde_json::{Value, json};

use crate::salesforce::schema::{Field, FieldType, SObject, prop};
use crate::soql::check::{Aggregation, Shown};

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

/// The columns of a query of `object` selecting `fields` (`None` for `COUNT()`, which has none).
pub fn metadata(object: &SObject, fields: Option<&[&Field]>) -> Value {
    let fields = fields.unwrap_or_default();
    let columns: Vec<Value> = fields.iter().map(|field| column(field)).collect();
    json!({
        "columnMetadata": columns,
        "entityName": object.name,
        "groupBy": false,
        "idSelected": fields.iter().any(|f| f.ty == FieldType::Id),
        "keyPrefix": object.key_prefix,
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

fn column(field: &Field) -> Value {
    json!({
        "aggregate": false,
        "apexType": apex_type(field.ty),
        "booleanType": field.ty == FieldType::Boolean,
        "columnName": field.name,
        "custom": field.has(prop::CUSTOM),
        "displayName": field.name,
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
