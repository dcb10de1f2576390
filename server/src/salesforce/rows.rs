//! Stored records as Salesforce's JSON.

use serde_json::{Map, Value};

use super::schema::{Field, FieldType, SObject};
use crate::store::Value as Stored;

/// The JSON value of a stored `value` of `field`.
pub fn value(field: &Field, value: &Stored) -> Value {
    match value {
        Stored::Null => Value::Null,
        Stored::Integer(n) if field.ty == FieldType::Boolean => Value::Bool(*n != 0),
        Stored::Integer(n) => Value::from(*n),
        Stored::Real(x) => Value::from(*x),
        Stored::Text(text) if field.ty == FieldType::DateTime => {
            Value::String(crate::instant::wire(text))
        }
        Stored::Text(text) => Value::String(text.clone()),
    }
}

/// The `attributes` Salesforce puts first in every record.
pub fn attributes(object: &SObject, version: &str, id: Option<&str>) -> Value {
    let mut url = format!("/services/data/v{version}/sobjects/{}", object.name);
    if let Some(id) = id {
        url.push('/');
        url.push_str(id);
    }
    serde_json::json!({ "type": object.name, "url": url })
}

/// A record of `object` whose `fields` hold `values`, in order.
pub fn record(
    object: &SObject,
    version: &str,
    id: Option<&str>,
    fields: &[&Field],
    values: &[Stored],
) -> Value {
    let mut map = Map::new();
    map.insert("attributes".into(), attributes(object, version, id));
    for (field, stored) in fields.iter().zip(values) {
        map.insert(field.name.into(), value(field, stored));
    }
    Value::Object(map)
}
