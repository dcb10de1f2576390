//! CallCenter as the API serves it: read-only, from the configuration file, with this server's routing
//! settings as custom fields.

use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{Access, Field, FieldType, SObject, field, system_fields};
use crate::store::Column::Own;

const CALL_CENTER_SYSTEM: [Field; 7] = system_fields!("Call Center ID");

const READ: u16 = FILTER | SORT | GROUP;

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
            READ | ID_LOOKUP,
        ),
        field(
            "InternalName",
            "Internal Name",
            FieldType::String,
            240,
            Own("internal_name"),
            READ | ID_LOOKUP | UNIQUE,
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
            READ | DEFAULTED | CUSTOM,
        ),
        field(
            "TimeZone__c",
            "Time Zone",
            FieldType::String,
            64,
            Own("time_zone"),
            READ | CUSTOM,
        ),
        field(
            "BusinessHours__c",
            "Business Hours",
            FieldType::TextArea,
            4000,
            Own("business_hours"),
            NILLABLE | CUSTOM,
        ),
        field(
            "AdditionalNumbers__c",
            "Additional Numbers",
            FieldType::TextArea,
            4000,
            Own("additional_numbers"),
            NILLABLE | CUSTOM,
        ),
        field(
            "RetryDelaySeconds__c",
            "Retry Delay (seconds)",
            FieldType::Int,
            0,
            Own("retry_delay_seconds"),
            FILTER | SORT | DEFAULTED | CUSTOM,
        ),
        field(
            "MaxAttempts__c",
            "Maximum Call Attempts",
            FieldType::Int,
            0,
            Own("max_attempts"),
            FILTER | SORT | DEFAULTED | CUSTOM,
        ),
    ],
    layout: &[
        "Name",
        "InternalName",
        "UnifiedRoutingEnabled__c",
        "TimeZone__c",
    ],
    access: Access::ReadOnly,
    after_write: None,
    scope: None,
    sharing: crate::salesforce::schema::Sharing::Public,
};
