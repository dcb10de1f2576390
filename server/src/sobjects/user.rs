//! Salesforce's User as the API serves it: the representatives and integrations the CLI adds
//! (`contact-server users add`), readable and queryable, and updatable in one field only, CallCenterId,
//! the call center a representative belongs to (checked to be a live CallCenter).
//!
//! The records are the `users` table, seen through the `user_records` view of migration 0006, which
//! gives it the system columns every object has; the view's trigger writes an update back to `users`.

use super::schema::prop::*;
use super::schema::{Access, FieldType, SObject, SYSTEM, field, reference};

const READ: u16 = FILTER | SORT | GROUP;

pub static USER: SObject = SObject {
    name: "User",
    label: "User",
    label_plural: "Users",
    key_prefix: crate::access::directory::USER_PREFIX,
    table: "user_records",
    views_table: "user_views",
    fields: &[
        field(
            "Id",
            "User ID",
            FieldType::Id,
            18,
            "c.id",
            SYSTEM | GROUP | ID_LOOKUP,
        ),
        field(
            "Username",
            "Username",
            FieldType::String,
            80,
            "c.username",
            READ | ID_LOOKUP | UNIQUE,
        ),
        field("Name", "Full Name", FieldType::String, 121, "c.name", READ),
        field(
            "Email",
            "Email",
            FieldType::Email,
            128,
            "c.email",
            READ | NILLABLE,
        ),
        field(
            "IsActive",
            "Active",
            FieldType::Boolean,
            0,
            "c.is_active",
            READ | DEFAULTED,
        ),
        reference(
            "CallCenterId",
            "Call Center ID",
            "c.call_center_id",
            UPDATE | READ | NILLABLE,
            &["CallCenter"],
            "CallCenter",
        ),
        field(
            "CreatedDate",
            "Created Date",
            FieldType::DateTime,
            0,
            "c.created_at",
            SYSTEM,
        ),
        reference(
            "CreatedById",
            "Created By ID",
            "c.created_by_id",
            SYSTEM | GROUP,
            &["User"],
            "CreatedBy",
        ),
        field(
            "LastModifiedDate",
            "Last Modified Date",
            FieldType::DateTime,
            0,
            "c.updated_at",
            SYSTEM,
        ),
        reference(
            "LastModifiedById",
            "Last Modified By ID",
            "c.last_modified_by_id",
            SYSTEM | GROUP,
            &["User"],
            "LastModifiedBy",
        ),
        field(
            "SystemModstamp",
            "System Modstamp",
            FieldType::DateTime,
            0,
            "c.system_modstamp",
            SYSTEM,
        ),
        field(
            "LastViewedDate",
            "Last Viewed Date",
            FieldType::DateTime,
            0,
            "v.last_viewed_at",
            FILTER | NILLABLE | SORT,
        ),
        field(
            "LastReferencedDate",
            "Last Referenced Date",
            FieldType::DateTime,
            0,
            "v.last_referenced_at",
            FILTER | NILLABLE | SORT,
        ),
    ],
    layout: &["Username", "Name", "Email", "IsActive", "CallCenterId"],
    access: Access::Update,
    after_write: None,
};
