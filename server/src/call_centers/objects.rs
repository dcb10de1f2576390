//! CallCenter and AdditionalNumber as the API serves them: every caller reads them; admins create and
//! update call centers and create, change and delete additional numbers, except the records the
//! call-center file keeps (`FromFile__c`), which the API only reads (see [`super`] for how the file and
//! the API share them). CallCenter carries this server's routing settings as custom fields, checked on
//! each write by the rules the file is checked by ([`super::rules`]).

use serde_json::json;

use super::{AdditionalNumber, BusinessHours, rules};
use crate::ids::{RecordId, UserId};
use crate::salesforce::SfError;
use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{
    Access, Field, FieldType, SObject, Sharing, Written, field, reference, system_fields,
};
use crate::salesforce::values::{self, Mode};
use crate::store::Column::{self, Own};
use crate::store::{Tx, Value};

const CALL_CENTER_SYSTEM: [Field; 7] = system_fields!("Call Center ID");
const NUMBER_SYSTEM: [Field; 7] = system_fields!("Additional Number ID");

const READ: u16 = FILTER | SORT | GROUP;
const WRITE: u16 = CREATE | UPDATE;

/// Whether the record came from the call-center file, which keeps it.
const FROM_FILE: Field = field(
    "FromFile__c",
    "From Configuration File",
    FieldType::Boolean,
    0,
    Own("from_file"),
    READ | DEFAULTED | CUSTOM,
);

const CONFIGURED: Sharing = Sharing::Configured {
    from_file: "from_file",
};

/// Salesforce's CallCenter, with this server's routing settings as custom fields.
pub static CALL_CENTER: SObject = SObject {
    name: "CallCenter",
    label: "Call Center",
    label_plural: "Call Centers",
    key_prefix: crate::ids::CALL_CENTER_PREFIX,
    since: 0,
    table: "call_centers",
    views_table: "call_center_views",
    fields: &[
        CALL_CENTER_SYSTEM[0],
        CALL_CENTER_SYSTEM[1],
        field(
            "Name",
            "Call Center Name",
            FieldType::String,
            80,
            Own("name"),
            WRITE | READ | ID_LOOKUP,
        ),
        field(
            "InternalName",
            "Internal Name",
            FieldType::String,
            240,
            Own("internal_name"),
            WRITE | READ | ID_LOOKUP | UNIQUE,
        ),
        CALL_CENTER_SYSTEM[2],
        CALL_CENTER_SYSTEM[3],
        CALL_CENTER_SYSTEM[4],
        CALL_CENTER_SYSTEM[5],
        CALL_CENTER_SYSTEM[6],
        field(
            "UnifiedRoutingEnabled__c",
            "Unified Routing Enabled",
            FieldType::Boolean,
            0,
            Own("unified_routing"),
            WRITE | READ | DEFAULTED | CUSTOM,
        ),
        field(
            "TimeZone__c",
            "Time Zone",
            FieldType::String,
            64,
            Own("time_zone"),
            WRITE | READ | CUSTOM,
        ),
        field(
            "BusinessHours__c",
            "Business Hours",
            FieldType::TextArea,
            4000,
            Own("business_hours"),
            WRITE | NILLABLE | CUSTOM,
        ),
        field(
            "RetryDelaySeconds__c",
            "Retry Delay (seconds)",
            FieldType::Int,
            0,
            Own("retry_delay_seconds"),
            WRITE | FILTER | SORT | DEFAULTED | CUSTOM,
        ),
        field(
            "MaxAttempts__c",
            "Maximum Call Attempts",
            FieldType::Int,
            0,
            Own("max_attempts"),
            WRITE | FILTER | SORT | DEFAULTED | CUSTOM,
        ),
        FROM_FILE,
    ],
    layout: &[
        "Name",
        "InternalName",
        "UnifiedRoutingEnabled__c",
        "TimeZone__c",
    ],
    access: Access::CreateUpdate,
    after_write: Some(check_center),
    scope: None,
    sharing: CONFIGURED,
};

/// Salesforce's AdditionalNumber: a number of a call center's directory that is no person's (a phone
/// queue, a conference room); one without a call center is in every center's directory.
pub static ADDITIONAL_NUMBER: SObject = SObject {
    name: "AdditionalNumber",
    label: "Additional Number",
    label_plural: "Additional Numbers",
    key_prefix: crate::ids::ADDITIONAL_NUMBER_PREFIX,
    since: 0,
    table: "additional_numbers",
    views_table: "additional_number_views",
    fields: &[
        NUMBER_SYSTEM[0],
        NUMBER_SYSTEM[1],
        reference(
            "CallCenterId",
            "Call Center ID",
            Own("call_center_id"),
            WRITE | READ | NILLABLE,
            &["CallCenter"],
            "CallCenter",
        ),
        field(
            "Description",
            "Description",
            FieldType::String,
            255,
            Own("description"),
            WRITE | READ | NILLABLE,
        ),
        field(
            "Name",
            "Name",
            FieldType::String,
            80,
            Own("name"),
            WRITE | READ,
        ),
        field(
            "Phone",
            "Phone",
            FieldType::Phone,
            40,
            Own("phone"),
            WRITE | READ | NILLABLE,
        ),
        NUMBER_SYSTEM[2],
        NUMBER_SYSTEM[3],
        NUMBER_SYSTEM[4],
        NUMBER_SYSTEM[5],
        NUMBER_SYSTEM[6],
        FROM_FILE,
    ],
    layout: &["Name", "Phone", "Description", "CallCenterId"],
    access: Access::ReadWrite,
    after_write: Some(check_number_record),
    scope: None,
    sharing: CONFIGURED,
};

/// Checks a number of the call-center file as the API checks an AdditionalNumber's fields (their
/// lengths and characters) and its name ([`rules::name`]).
pub fn check_number(number: &AdditionalNumber) -> Result<(), String> {
    let body = json!({
        "Name": number.name,
        "Phone": number.phone,
        "Description": number.description,
    });
    // Every field, as the newest version serves them.
    values::parse(&ADDITIONAL_NUMBER, u32::MAX, &body, Mode::Create, None)
        .map_err(|e| e.message)?;
    rules::name(&number.name).map_err(|why| format!("Name {why}"))
}

/// The values of `fields` of the record `id` of `object`, as written so far in this transaction.
fn written(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    user: &UserId,
    fields: &[&str],
) -> Result<Vec<Value>, SfError> {
    let columns: Vec<Column> = fields
        .iter()
        .filter_map(|name| object.field(name).map(|f| f.column))
        .collect();
    let found = tx.record(
        object.storage(),
        user.as_str(),
        &columns,
        Own("id"),
        id.as_str(),
    )?;
    found
        .map(|found| found.values)
        .ok_or_else(SfError::not_found)
}

/// The error of a value a rule refuses, naming its field.
fn refused(object: &SObject, name: &str, why: &str) -> SfError {
    let label = object.field(name).map_or(name, |f| f.label);
    let code = if why == "must not be empty" {
        "REQUIRED_FIELD_MISSING"
    } else {
        "FIELD_INTEGRITY_EXCEPTION"
    };
    SfError::bad_request(code, format!("{label}: {why}")).on([name])
}

/// An AdditionalNumber's name is something besides spaces, as a file's number's is.
fn check_number_record(
    tx: &Tx<'_>,
    _: &Written,
    id: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    let values = written(tx, &ADDITIONAL_NUMBER, id, user, &["Name"])?;
    let name = values.first().and_then(Value::as_text).unwrap_or_default();
    rules::name(name).map_err(|why| refused(&ADDITIONAL_NUMBER, "Name", &why))
}

/// A CallCenter written through the API holds settings the file could hold: each checked by the
/// file's rule, after the write and in its transaction, so a refused one leaves nothing behind.
fn check_center(tx: &Tx<'_>, _: &Written, id: &RecordId, user: &UserId) -> Result<(), SfError> {
    const FIELDS: [&str; 6] = [
        "Name",
        "InternalName",
        "TimeZone__c",
        "BusinessHours__c",
        "RetryDelaySeconds__c",
        "MaxAttempts__c",
    ];
    let values = written(tx, &CALL_CENTER, id, user, &FIELDS)?;
    let text = |i: usize| values.get(i).and_then(Value::as_text);
    let number = |i: usize| match values.get(i) {
        Some(Value::Integer(n)) => Some(*n),
        _ => None,
    };
    let check = |name: &str, result: Result<(), String>| {
        result.map_err(|why| refused(&CALL_CENTER, name, &why))
    };
    check("Name", rules::name(text(0).unwrap_or_default()))?;
    check("InternalName", rules::name(text(1).unwrap_or_default()))?;
    check(
        "TimeZone__c",
        rules::time_zone(text(2).unwrap_or_default()).map(drop),
    )?;
    if let Some(hours) = text(3) {
        check("BusinessHours__c", business_hours(hours).map(drop))?;
    }
    if let Some(seconds) = number(4) {
        check(
            "RetryDelaySeconds__c",
            rules::within(seconds, &rules::RETRY_DELAY_SECONDS).map(drop),
        )?;
    }
    if let Some(attempts) = number(5) {
        check(
            "MaxAttempts__c",
            rules::within(attempts, &rules::MAX_ATTEMPTS).map(drop),
        )?;
    }
    Ok(())
}

/// `BusinessHours__c` as the API writes it: the file's table as JSON, `{"mon": "09:00-17:00", …}`,
/// each day checked by the file's rule.
fn business_hours(text: &str) -> Result<BusinessHours, String> {
    let shape = || {
        format!(
            "must be a JSON object of days and hours such as {{\"mon\": \"09:00-17:00\"}}, with days {}",
            rules::DAYS.join(", ")
        )
    };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|_| shape())?;
    let mut hours = BusinessHours::default();
    for (day, range) in &map {
        let range = range.as_str().ok_or_else(shape)?;
        rules::business_day(&mut hours, day, range)?;
    }
    Ok(hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_hours_are_read_as_the_file_writes_them() {
        let hours = business_hours(r#"{"mon": "09:00-17:00", "sat": "10:00-12:00"}"#).unwrap();
        assert_eq!(
            hours.to_json(),
            r#"{"mon":"09:00-17:00","sat":"10:00-12:00"}"#
        );
        for (text, says) in [
            ("mon 9-5", "must be a JSON object"),
            (r#"{"mon": 9}"#, "must be a JSON object"),
            (r#"{"funday": "09:00-17:00"}"#, "must be one of mon"),
            (r#"{"mon": "17:00-09:00"}"#, "start before the end"),
        ] {
            let refused = business_hours(text).unwrap_err();
            assert!(refused.contains(says), "{text}: {refused}");
        }
    }

    #[test]
    fn a_file_number_is_checked_as_the_api_checks_one() {
        let number = |name: &str, phone: &str| AdditionalNumber {
            name: name.to_owned(),
            phone: phone.to_owned(),
            description: None,
        };
        assert!(check_number(&number("Billing line", "+18005550100")).is_ok());
        assert!(
            check_number(&number(" ", "+1"))
                .unwrap_err()
                .contains("must not be empty")
        );
        assert!(
            check_number(&number("Line", &"1".repeat(41)))
                .unwrap_err()
                .contains("max length=40")
        );
    }
}
