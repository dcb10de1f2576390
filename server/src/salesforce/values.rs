//! Checking a record's field values from a create, update or upsert body against the object's
//! description, before anything is written.

use crate::store::Value as Sql;
use serde_json::{Map, Value};

use super::SfError;
use super::record_id;
use super::schema::{Field, FieldType, SObject, key_prefix_of, prop};

/// What the body is for: field properties differ between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// One checked value, ready for SQL.
#[derive(Debug, Clone)]
pub struct Change {
    pub field: &'static Field,
    pub value: Sql,
}

/// Checks every field of `body` against the fields API version `major` serves. `allowed_id` is the
/// record's own id, which an update body may repeat.
pub fn parse(
    object: &SObject,
    major: u32,
    body: &Value,
    mode: Mode,
    allowed_id: Option<&str>,
) -> Result<Vec<Change>, SfError> {
    let Value::Object(map) = body else {
        return Err(SfError::json(
            "send a JSON object such as {\"Status\": \"Attempted\"}",
        ));
    };
    let mut not_writable = Vec::new();
    let mut changes = Vec::new();
    for (name, value) in map {
        if name == "attributes" {
            continue;
        }
        let Some(field) = object.field_in(name, major) else {
            return Err(SfError::bad_request(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type {}", object.name),
            )
            .on([name.clone()]));
        };
        if field.name == "Id" {
            let same = value
                .as_str()
                .and_then(record_id::to_18)
                .is_some_and(|id| Some(id.as_str()) == allowed_id);
            if same {
                continue;
            }
        }
        let writable = match mode {
            Mode::Create => field.has(prop::CREATE),
            Mode::Update => field.has(prop::UPDATE),
        };
        if !writable {
            not_writable.push(field.name);
            continue;
        }
        changes.push(Change {
            field,
            value: check(field, value)?,
        });
    }
    if !not_writable.is_empty() {
        return Err(SfError::bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                not_writable.join(", ")
            ),
        )
        .on(not_writable));
    }
    if mode == Mode::Create {
        let missing: Vec<&str> = object
            .fields_in(major)
            .filter(|f| f.required() && !map.keys().any(|k| k.eq_ignore_ascii_case(f.name)))
            .map(|f| f.name)
            .collect();
        if !missing.is_empty() {
            return Err(required(&missing));
        }
    }
    Ok(changes)
}

fn required(fields: &[&str]) -> SfError {
    SfError::bad_request(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{}]", fields.join(", ")),
    )
    .on(fields.iter().copied())
}

fn wrong_type(field: &Field, expected: &str, got: &Value) -> SfError {
    let got = match got {
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        Value::Null => "null",
    };
    SfError::json(format!("{} must be {expected}, not {got}", field.name)).on([field.name])
}

/// Checks one value against its field.
pub fn check(field: &'static Field, value: &Value) -> Result<Sql, SfError> {
    // A picklist holds no empty value: Salesforce reads "" as null, which a required one refuses.
    let blank_picklist = field.ty == FieldType::Picklist && value.as_str() == Some("");
    if value.is_null() || blank_picklist {
        if !field.takes_null() {
            return Err(required(&[field.name]));
        }
        return Ok(Sql::Null);
    }
    match field.ty {
        FieldType::Boolean => value
            .as_bool()
            .map(|b| Sql::Integer(b.into()))
            .ok_or_else(|| wrong_type(field, "true or false", value)),
        FieldType::Reference | FieldType::Id => {
            let text = value
                .as_str()
                .ok_or_else(|| wrong_type(field, "a record id", value))?;
            let id = record_id::to_18(text)
                .ok_or_else(|| SfError::malformed_id(field.label, text).on([field.name]))?;
            let fits = field
                .reference_to
                .iter()
                .filter_map(|o| key_prefix_of(o))
                .any(|p| id.starts_with(p));
            if !fits {
                return Err(SfError::bad_request(
                    "FIELD_INTEGRITY_EXCEPTION",
                    format!(
                        "{}: id value of incorrect type: {text}; it must refer to {}",
                        field.label,
                        field.reference_to.join(" or ")
                    ),
                )
                .on([field.name]));
            }
            Ok(Sql::Text(id))
        }
        FieldType::DateTime => {
            let text = value
                .as_str()
                .ok_or_else(|| wrong_type(field, "an ISO 8601 date and time", value))?;
            parse_datetime(text).map(Sql::Text).ok_or_else(|| {
                SfError::bad_request(
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    format!(
                        "{}: value not of required type: {text} (send an ISO 8601 date and time such as 2024-05-01T09:30:00Z)",
                        field.label
                    ),
                )
                .on([field.name])
            })
        }
        FieldType::Int => {
            let n = value
                .as_i64()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| wrong_type(field, "a whole number", value))?;
            match field.range {
                Some((min, max)) if !(min..=max).contains(&n) => Err(SfError::bad_request(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    format!(
                        "{}: value outside of valid range on numeric field: {n} (valid values are {min} through {max})",
                        field.label
                    ),
                )
                .on([field.name])),
                _ => Ok(Sql::Integer(n)),
            }
        }
        _ => {
            let text = value
                .as_str()
                .ok_or_else(|| wrong_type(field, "a string", value))?;
            check_text(field, text).map(Sql::Text)
        }
    }
}

fn check_text(field: &Field, text: &str) -> Result<String, SfError> {
    // A restricted picklist takes only its values; any other is text, as long as the field is.
    if field.ty == FieldType::Picklist && field.has(prop::RESTRICTED) {
        if !field.picklist.iter().any(|(v, _)| *v == text) {
            return Err(SfError::bad_request(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                format!(
                    "{}: bad value for restricted picklist field: {text} (use one of {})",
                    field.label,
                    field
                        .picklist
                        .iter()
                        .map(|(v, _)| *v)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .on([field.name]));
        }
        return Ok(text.to_owned());
    }
    let length = text.chars().count();
    if length > field.length as usize {
        return Err(SfError::bad_request(
            "STRING_TOO_LONG",
            format!(
                "{}: data value too large: {length} characters (max length={})",
                field.label, field.length
            ),
        )
        .on([field.name]));
    }
    let line_breaks_allowed = field.ty == FieldType::TextArea;
    if text
        .chars()
        .any(|c| c.is_control() && !(line_breaks_allowed && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(SfError::bad_request(
            "INVALID_FIELD",
            format!("{}: control characters are not allowed", field.label),
        )
        .on([field.name]));
    }
    // The intake's rule for an email address, without its trimming: the API stores the text as given.
    if field.ty == FieldType::Email
        && (text.trim() != text || contact_shared::VisitorEmail::check(text).is_err())
    {
        return Err(SfError::bad_request(
            "INVALID_EMAIL_ADDRESS",
            format!("{}: invalid email address: {text}", field.label),
        )
        .on([field.name]));
    }
    Ok(text.to_owned())
}

/// An ISO 8601 date and time with an offset (`Z`, `+01:00` or Salesforce's `+0000`), in the stored
/// format.
pub fn parse_datetime(text: &str) -> Option<String> {
    crate::instant::parse(text).map(crate::instant::stored)
}

/// The body's value for `field`, if it names it (without regard to case).
pub fn get<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::contact_requests::objects::CONTACT_REQUEST;

    #[test]
    fn invalid_bodies_are_refused_with_salesforce_codes() {
        let table = [
            (json!({"Nope": 1}), "INVALID_FIELD", "an unknown field"),
            (
                json!({"Name": "CR-9"}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "the autonumber",
            ),
            (
                json!({"CreatedDate": "2024-01-01T00:00:00Z"}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "a system field",
            ),
            (
                json!({"LastViewedDate": null}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "a per-user date",
            ),
            (
                json!({"Status": ""}),
                "REQUIRED_FIELD_MISSING",
                "an empty picklist value, which reads as null",
            ),
            (
                json!({"Status": null}),
                "REQUIRED_FIELD_MISSING",
                "null for a field that cannot be empty",
            ),
            (
                json!({"IsCallback": "yes"}),
                "JSON_PARSER_ERROR",
                "a string for a boolean",
            ),
            (
                json!({"OwnerId": "not-an-id"}),
                "MALFORMED_ID",
                "a malformed reference",
            ),
            (
                json!({"WhatId": "003000000000001"}),
                "FIELD_INTEGRITY_EXCEPTION",
                "a Contact where an Account, Case, Opportunity or WorkOrder is expected",
            ),
            (
                json!({"PreferredPhone": "1".repeat(41)}),
                "STRING_TOO_LONG",
                "a phone over 40 characters",
            ),
            (
                json!({"VisitorEmail__c": "ada"}),
                "INVALID_EMAIL_ADDRESS",
                "an email without a domain",
            ),
            (
                json!({"VisitorEmail__c": "ada@example..com"}),
                "INVALID_EMAIL_ADDRESS",
                "an empty domain label, which the widget's rule refuses too",
            ),
            (
                json!({"VisitorEmail__c": " ada@example.com"}),
                "INVALID_EMAIL_ADDRESS",
                "an email with a space around it",
            ),
            (
                json!({"VisitorName__c": "a\u{0}b"}),
                "INVALID_FIELD",
                "a control character",
            ),
            (
                json!([1, 2]),
                "JSON_PARSER_ERROR",
                "an array in place of an object",
            ),
        ];
        for (body, code, why) in table {
            let error = parse(
                &CONTACT_REQUEST,
                crate::sobjects::LATEST_VERSION,
                &body,
                Mode::Create,
                None,
            )
            .unwrap_err();
            assert_eq!(error.code, code, "{why}: {}", error.message);
        }
    }

    #[test]
    fn valid_values_are_normalised() {
        let body = json!({
            "attributes": {"type": "ContactRequest"},
            "status": "Attempted",
            "WhoId": "003000000000001",
            "IsCallback": true,
            "RequestDescription": "line one\nline two"
        });
        let changes = parse(
            &CONTACT_REQUEST,
            crate::sobjects::LATEST_VERSION,
            &body,
            Mode::Update,
            None,
        )
        .unwrap();
        let value = |name: &str| {
            changes
                .iter()
                .find(|c| c.field.name == name)
                .map(|c| c.value.clone())
        };
        assert_eq!(changes.len(), 4);
        assert_eq!(value("Status"), Some(Sql::Text("Attempted".into())));
        assert_eq!(value("WhoId"), Some(Sql::Text("003000000000001AAA".into())));
        assert_eq!(value("IsCallback"), Some(Sql::Integer(1)));
    }
}
