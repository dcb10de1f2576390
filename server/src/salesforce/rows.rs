//! Reading records out of SQL rows into Salesforce's JSON, and the clock in the stored format.

use rusqlite::types::ValueRef;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use super::schema::{Field, FieldType, SObject};

/// Now, in the stored format (`2024-05-01T09:30:00.000Z`), which sorts as text in time order.
pub fn now() -> String {
    stored(OffsetDateTime::now_utc())
}

/// A moment in the stored format.
pub fn stored(moment: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    moment
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// A stored moment as Salesforce writes datetimes: `2024-05-01T09:30:00.000+0000`.
pub fn wire_datetime(stored: &str) -> String {
    match stored.strip_suffix('Z') {
        Some(head) => format!("{head}+0000"),
        None => stored.to_owned(),
    }
}

/// The `FROM` clause every read of `object` uses; `?1` is the calling user, for the per-user dates.
pub fn from_clause(object: &SObject) -> String {
    format!(
        "FROM {} c LEFT JOIN {} v ON v.record_id = c.id AND v.user_id = ?1",
        object.table, object.views_table
    )
}

/// The select list for `fields`.
pub fn select_list(fields: &[&Field]) -> String {
    fields
        .iter()
        .map(|f| f.column)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON value of column `index` of `row` for `field`.
pub fn value(field: &Field, row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Value> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) if field.ty == FieldType::Boolean => Value::Bool(n != 0),
        ValueRef::Integer(n) => Value::from(n),
        ValueRef::Real(x) => Value::from(x),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            if field.ty == FieldType::DateTime {
                Value::String(wire_datetime(&text))
            } else {
                Value::String(text.into_owned())
            }
        }
        ValueRef::Blob(_) => Value::Null,
    })
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

/// A record of `object` from a row whose columns are `fields` in order.
pub fn record(
    object: &SObject,
    version: &str,
    fields: &[&Field],
    id: Option<&str>,
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Value> {
    let mut map = Map::new();
    map.insert("attributes".into(), attributes(object, version, id));
    for (index, field) in fields.iter().enumerate() {
        map.insert(field.name.into(), value(field, row, index)?);
    }
    Ok(Value::Object(map))
}
