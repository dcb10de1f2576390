//! ContactRequest as the Salesforce-compatible API serves it: the reference's fields (`000`), the
//! widget's visitor fields and an external id for upserts. The rows are `contact_requests`, written by
//! the intake (`store/batch.rs`), the API and telephony providers' callbacks.

use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{
    Access, EDIT, Field, FieldType, SObject, SYSTEM, VIEW_DATES, field, picklist, reference,
    system_fields,
};
use crate::store::Column::Own;

const CONTACT_REQUEST_SYSTEM: [Field; 7] = system_fields!("Contact Request ID");

/// Salesforce's ContactRequest, with the widget's visitor fields and an external id for upserts.
pub static CONTACT_REQUEST: SObject = SObject {
    name: "ContactRequest",
    label: "Contact Request",
    label_plural: "Contact Requests",
    key_prefix: crate::ids::CONTACT_REQUEST_PREFIX,
    since: 0,
    table: "contact_requests",
    views_table: "contact_request_views",
    fields: &[
        CONTACT_REQUEST_SYSTEM[0],
        CONTACT_REQUEST_SYSTEM[1],
        field(
            "Name",
            "Contact Request Number",
            FieldType::String,
            30,
            Own("name"),
            AUTONUMBER | SYSTEM | ID_LOOKUP,
        ),
        CONTACT_REQUEST_SYSTEM[2],
        CONTACT_REQUEST_SYSTEM[3],
        CONTACT_REQUEST_SYSTEM[4],
        CONTACT_REQUEST_SYSTEM[5],
        CONTACT_REQUEST_SYSTEM[6],
        VIEW_DATES[0],
        VIEW_DATES[1],
        reference(
            "OwnerId",
            "Owner ID",
            Own("owner_id"),
            EDIT | DEFAULTED,
            &["Group", "User"],
            "Owner",
        ),
        reference(
            "WhatId",
            "Related To ID",
            Own("what_id"),
            EDIT | NILLABLE,
            &["Account", "Case", "Opportunity", "WorkOrder"],
            "What",
        ),
        reference(
            "WhoId",
            "Name ID",
            Own("who_id"),
            EDIT | NILLABLE,
            &["Contact", "Lead", "User"],
            "Who",
        ),
        field(
            "IsCallback",
            "Callback",
            FieldType::Boolean,
            0,
            Own("is_callback"),
            EDIT | DEFAULTED,
        )
        .since(60),
        picklist(
            "PreferredChannel",
            "Preferred Channel",
            Own("preferred_channel"),
            EDIT | DEFAULTED,
            &[("Phone", true), ("Email", false), ("Text", false)],
        ),
        field(
            "PreferredPhone",
            "Preferred Phone",
            FieldType::Phone,
            40,
            Own("preferred_phone"),
            EDIT | NILLABLE,
        ),
        field(
            "RequestDescription",
            "Request Description",
            FieldType::TextArea,
            4000,
            Own("request_description"),
            CREATE | UPDATE | NILLABLE,
        ),
        picklist(
            "RequestReason",
            "Request Reason",
            Own("request_reason"),
            EDIT | DEFAULTED | NILLABLE | ORG_VALUES,
            &[
                ("Account", false),
                ("Billing", false),
                ("Case", false),
                ("General", false),
                ("Order", false),
                ("Other", false),
                ("Product", false),
            ],
        ),
        picklist(
            "Status",
            "Status",
            Own("status"),
            EDIT | DEFAULTED,
            &[
                ("New", true),
                ("Attempted", false),
                ("Contacted", false),
                ("Abandoned", false),
            ],
        ),
        field(
            "AvailableCallbackAttempts",
            "Available Callback Attempts",
            FieldType::Int,
            0,
            Own("available_callback_attempts"),
            EDIT | NILLABLE,
        )
        .since(66)
        .within(0, 5),
        field(
            "DelayBetweenCallbackAttempts",
            "Delay Between Callback Attempts",
            FieldType::Int,
            0,
            Own("delay_between_callback_attempts"),
            EDIT | NILLABLE,
        )
        .since(66)
        .within(0, 10_080),
        field(
            "ExternalId__c",
            "External ID",
            FieldType::String,
            255,
            Own("external_id"),
            EDIT | NILLABLE | EXTERNAL_ID | UNIQUE | ID_LOOKUP | CUSTOM,
        ),
        field(
            "VisitorName__c",
            "Visitor Name",
            FieldType::String,
            120,
            Own("visitor_name"),
            EDIT | NILLABLE | CUSTOM,
        ),
        field(
            "VisitorEmail__c",
            "Visitor Email",
            FieldType::Email,
            80,
            Own("visitor_email"),
            EDIT | NILLABLE | CUSTOM,
        ),
        field(
            "SourceOrigin__c",
            "Source Origin",
            FieldType::String,
            255,
            Own("source_origin"),
            FILTER | SORT | GROUP | NILLABLE | CUSTOM,
        ),
        // The site the request came through and, for a visitor signed in to it, the verified subject
        // of their identity token: read-only, as the intake sets them; a guest has none.
        field(
            "SiteKey__c",
            "Site Key",
            FieldType::String,
            64,
            Own("site_key"),
            FILTER | SORT | GROUP | NILLABLE | CUSTOM,
        ),
        field(
            "VerifiedVisitor__c",
            "Verified Visitor",
            FieldType::String,
            255,
            Own("visitor_sub"),
            FILTER | SORT | NILLABLE | CUSTOM,
        ),
        // The visitor's own IANA time zone, as the widget's browser reported it: read-only, as the intake
        // sets it; requests made through this API or by telephony have none.
        field(
            "VisitorTimeZone__c",
            "Visitor Time Zone",
            FieldType::String,
            64,
            Own("visitor_time_zone"),
            FILTER | SORT | GROUP | NILLABLE | CUSTOM,
        ),
        field(
            "ScheduledRoutingDateTime__c",
            "Scheduled Routing Date Time",
            FieldType::DateTime,
            0,
            Own("scheduled_routing_at"),
            EDIT | NILLABLE | CUSTOM,
        ),
        // When the first call attempt should come by, in the call center's business time, by the
        // queue's service-level target: read-only, kept by the server while the request waits for a
        // first attempt (null once it came). See `crate::reports`.
        field(
            "ServiceLevelDueDateTime__c",
            "Service Level Due Date Time",
            FieldType::DateTime,
            0,
            Own("service_due_at"),
            FILTER | SORT | NILLABLE | CUSTOM,
        ),
        field(
            "VoiceCallId__c",
            "Voice Call ID",
            FieldType::String,
            255,
            Own("voice_call_id"),
            FILTER | SORT | NILLABLE | CUSTOM,
        ),
        field(
            "TelephonyProviderName__c",
            "Telephony Provider Name",
            FieldType::String,
            255,
            Own("telephony_provider"),
            FILTER | SORT | GROUP | NILLABLE | CUSTOM,
        ),
        reference(
            "CallCenterId__c",
            "Call Center ID",
            Own("call_center_id"),
            EDIT | NILLABLE | CUSTOM,
            &["CallCenter"],
            "CallCenter__r",
        ),
        field(
            "CallAttempts__c",
            "Call Attempts",
            FieldType::Int,
            0,
            Own("call_attempts"),
            SYSTEM | CUSTOM,
        ),
    ],
    layout: &[
        "RequestReason",
        "PreferredChannel",
        "PreferredPhone",
        "VisitorName__c",
        "VisitorEmail__c",
        "RequestDescription",
        "IsCallback",
    ],
    access: Access::ReadWrite,
    after_write: Some(super::events::after_write),
    scope: None,
    sharing: crate::salesforce::schema::Sharing::Owned,
};
