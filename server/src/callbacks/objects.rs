//! The objects of callbacks: Task with its call fields (the call log), whose writes drive the request's
//! status machine, and EngagementInteraction (the record of each completed contact).

use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{
    Access, EDIT, Field, FieldType, SObject, SYSTEM, Sharing, VIEW_DATES, field, picklist,
    reference, system_fields,
};
use crate::store::Column::Own;

pub(crate) const TASK_SYSTEM: [Field; 7] = system_fields!("Activity ID");
const EI_SYSTEM: [Field; 7] = system_fields!("Engagement Interaction ID");

const READ: u16 = FILTER | SORT | GROUP;

pub(crate) const TASK_OWNER: Field = reference(
    "OwnerId",
    "Assigned To ID",
    Own("owner_id"),
    EDIT | DEFAULTED,
    &["User"],
    "Owner",
);
pub(crate) const TASK_SUBJECT: Field = field(
    "Subject",
    "Subject",
    FieldType::String,
    255,
    Own("subject"),
    EDIT | NILLABLE,
);
pub(crate) const TASK_STATUS: Field = picklist(
    "Status",
    "Status",
    Own("status"),
    EDIT | DEFAULTED | RESTRICTED,
    &[
        ("Not Started", false),
        ("In Progress", false),
        ("Completed", true),
        ("Waiting on someone else", false),
        ("Deferred", false),
    ],
);
pub(crate) const TASK_WHAT: Field = reference(
    "WhatId",
    "Related To ID",
    Own("what_id"),
    EDIT | NILLABLE,
    &["ContactRequest", "Account", "Case", "Opportunity"],
    "What",
);
pub(crate) const TASK_WHO: Field = reference(
    "WhoId",
    "Name ID",
    Own("who_id"),
    EDIT | NILLABLE,
    &["Contact", "Lead"],
    "Who",
);
pub(crate) const TASK_DESCRIPTION: Field = field(
    "Description",
    "Comments",
    FieldType::TextArea,
    32000,
    Own("description"),
    CREATE | UPDATE | NILLABLE,
);
pub(crate) const CALL_TYPE: Field = picklist(
    "CallType",
    "Call Type",
    Own("call_type"),
    CREATE | UPDATE | FILTER | NILLABLE | RESTRICTED,
    &[("Inbound", false), ("Internal", false), ("Outbound", false)],
);
// How an Outbound call was placed, which CallType's reference values cannot say: true for a
// Callback call (the request reviewed first, its IsCallback true), false for one dialled at once.
pub(crate) const IS_CALLBACK: Field = field(
    "IsCallback__c",
    "Callback Call",
    FieldType::Boolean,
    0,
    Own("is_callback"),
    CREATE | FILTER | DEFAULTED | CUSTOM,
);
pub(crate) const CALL_DISPOSITION: Field = field(
    "CallDisposition",
    "Call Result",
    FieldType::String,
    255,
    Own("call_disposition"),
    CREATE | UPDATE | FILTER | NILLABLE,
);
pub(crate) const CALL_DURATION: Field = field(
    "CallDurationInSeconds",
    "Call Duration",
    FieldType::Int,
    0,
    Own("call_duration_in_seconds"),
    CREATE | UPDATE | FILTER | NILLABLE,
);
pub(crate) const CALL_OBJECT: Field = field(
    "CallObject",
    "Call Object Identifier",
    FieldType::String,
    255,
    Own("call_object"),
    CREATE | UPDATE | FILTER | NILLABLE,
);
pub(crate) const CALL_RESULT: Field = picklist(
    "CallResult__c",
    "Call Outcome",
    Own("call_result"),
    CREATE | FILTER | SORT | GROUP | NILLABLE | RESTRICTED | CUSTOM,
    &[
        ("Reached", false),
        ("Not Reached", false),
        ("Gave Up", false),
    ],
);

/// Salesforce's Task with the call fields of the call-center reference: one row per call attempt.
/// `CallResult__c` says what the attempt achieved and drives the ContactRequest it is about.
pub static TASK: SObject = SObject {
    name: "Task",
    label: "Task",
    label_plural: "Tasks",
    key_prefix: crate::ids::TASK_PREFIX,
    since: 0,
    table: "tasks",
    views_table: "task_views",
    fields: &[
        TASK_SYSTEM[0],
        TASK_SYSTEM[1],
        TASK_SYSTEM[2],
        TASK_SYSTEM[3],
        TASK_SYSTEM[4],
        TASK_SYSTEM[5],
        TASK_SYSTEM[6],
        TASK_OWNER,
        TASK_SUBJECT,
        TASK_STATUS,
        TASK_WHAT.children("Tasks"),
        TASK_WHO,
        TASK_DESCRIPTION,
        CALL_TYPE,
        IS_CALLBACK,
        CALL_DISPOSITION,
        CALL_DURATION,
        CALL_OBJECT,
        CALL_RESULT,
    ],
    layout: &[
        "WhatId",
        "CallType",
        "IsCallback__c",
        "CallResult__c",
        "CallDisposition",
        "CallDurationInSeconds",
        "CallObject",
        "Subject",
        "Description",
    ],
    access: Access::ReadWrite,
    after_write: Some(crate::callbacks::attempts::after_task_write),
    scope: None,
    sharing: Sharing::Child {
        column: "what_id",
        parent: &CONTACT_REQUEST,
    },
};

/// Salesforce's EngagementInteraction, every field of the reference, with the ContactRequest it
/// completed as a custom reference.
pub static ENGAGEMENT_INTERACTION: SObject = SObject {
    name: "EngagementInteraction",
    label: "Engagement Interaction",
    label_plural: "Engagement Interactions",
    key_prefix: crate::ids::ENGAGEMENT_INTERACTION_PREFIX,
    // "This object is available in API version 55.0 and later."
    since: 55,
    table: "engagement_interactions",
    views_table: "engagement_interaction_views",
    fields: &[
        EI_SYSTEM[0],
        EI_SYSTEM[1],
        field(
            "Name",
            "Engagement Interaction Name",
            FieldType::String,
            80,
            Own("name"),
            AUTONUMBER | SYSTEM | ID_LOOKUP,
        ),
        EI_SYSTEM[2],
        EI_SYSTEM[3],
        EI_SYSTEM[4],
        EI_SYSTEM[5],
        EI_SYSTEM[6],
        VIEW_DATES[0],
        VIEW_DATES[1],
        reference(
            "OwnerId",
            "Owner ID",
            Own("owner_id"),
            EDIT | DEFAULTED,
            &["User"],
            "Owner",
        ),
        field(
            "AttendeeVerificationTime",
            "Attendee Verification Time",
            FieldType::DateTime,
            0,
            Own("attendee_verification_time"),
            CREATE | UPDATE | FILTER | NILLABLE | SORT,
        ),
        picklist(
            "CommunicationChannel",
            "Communication Channel",
            Own("communication_channel"),
            EDIT | NILLABLE | RESTRICTED | REQUIRED,
            &[
                ("In Person", false),
                ("Video Call", false),
                ("Voice Call", false),
                ("Web Chat", false),
            ],
        ),
        reference(
            "ContextId",
            "Context ID",
            Own("context_id"),
            EDIT | NILLABLE,
            &["ServiceAppointment", "Visit"],
            "Context",
        ),
        // Read-only as the reference says: derived from StartDateTime and EndDateTime.
        field(
            "Duration",
            "Duration",
            FieldType::String,
            255,
            Own("duration"),
            FILTER | NILLABLE | SORT,
        ),
        field(
            "EndDateTime",
            "End Date Time",
            FieldType::DateTime,
            0,
            Own("end_date_time"),
            CREATE | UPDATE | FILTER | NILLABLE | SORT,
        ),
        field(
            "ExternalIdentifier",
            "External Identifier",
            FieldType::String,
            255,
            Own("external_identifier"),
            EDIT | ID_LOOKUP | NILLABLE | UNIQUE,
        ),
        reference(
            "InitiatingAttendeeId",
            "Initiating Attendee ID",
            Own("initiating_attendee_id"),
            EDIT | NILLABLE,
            &["Account", "Contact", "Lead"],
            "InitiatingAttendee",
        ),
        field(
            "IsAttendeeAuthenticated",
            "Attendee Authenticated",
            FieldType::Boolean,
            0,
            Own("is_attendee_authenticated"),
            EDIT | DEFAULTED,
        ),
        field(
            "IsAttendeeVerified",
            "Attendee Verified",
            FieldType::Boolean,
            0,
            Own("is_attendee_verified"),
            EDIT | DEFAULTED,
        ),
        picklist(
            "MappedState",
            "Mapped State",
            Own("mapped_state"),
            READ | DEFAULTED | NILLABLE | RESTRICTED,
            &[("Completed", false), ("InProgress", false), ("New", true)],
        ),
        field(
            "PhoneNumber",
            "Phone Number",
            FieldType::Phone,
            40,
            Own("phone_number"),
            CREATE | UPDATE | FILTER | NILLABLE | SORT,
        )
        .since(57),
        field(
            "Reason",
            "Reason",
            FieldType::String,
            255,
            Own("reason"),
            CREATE | UPDATE | FILTER | NILLABLE | SORT,
        )
        .since(56),
        reference(
            "RecordTypeId",
            "Record Type ID",
            Own("record_type_id"),
            EDIT | NILLABLE,
            &["RecordType"],
            "RecordType",
        )
        .since(62),
        picklist(
            "Sentiment",
            "Sentiment",
            Own("sentiment"),
            EDIT | NILLABLE | RESTRICTED,
            &[("Negative", false), ("Neutral", false), ("Positive", false)],
        ),
        field(
            "StartDateTime",
            "Start Date Time",
            FieldType::DateTime,
            0,
            Own("start_date_time"),
            CREATE | UPDATE | FILTER | NILLABLE | SORT | REQUIRED,
        ),
        picklist(
            "Status",
            "Status",
            Own("status"),
            EDIT | NILLABLE | RESTRICTED,
            &[("Completed", false), ("In Progress", false), ("New", false)],
        ),
        picklist(
            "Type",
            "Type",
            Own("type"),
            EDIT | NILLABLE | RESTRICTED,
            &[("Inbound", false), ("Outbound", false)],
        ),
        reference(
            "ContactRequestId__c",
            "Contact Request ID",
            Own("contact_request_id"),
            EDIT | NILLABLE | CUSTOM,
            &["ContactRequest"],
            "ContactRequest__r",
        )
        .children("EngagementInteractions__r"),
    ],
    layout: &[
        "CommunicationChannel",
        "Type",
        "Status",
        "StartDateTime",
        "EndDateTime",
        "PhoneNumber",
        "Reason",
        "Sentiment",
        "IsAttendeeAuthenticated",
        "IsAttendeeVerified",
        "AttendeeVerificationTime",
    ],
    access: Access::ReadWrite,
    after_write: Some(crate::callbacks::engagement::after_write),
    scope: None,
    sharing: Sharing::Child {
        column: "contact_request_id",
        parent: &CONTACT_REQUEST,
    },
};
