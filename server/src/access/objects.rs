//! Salesforce's User as the API serves it: the representatives and integrations the CLI adds
//! (`contact-server users add`), readable and queryable, and updatable in the two call-center fields
//! only: CallCenterId, the call center a representative belongs to (checked to be a live CallCenter),
//! and UserPermissionsCallCenterAutoLogin, whether they are logged in to it when they sign in.
//!
//! The records are the `users` table, seen through the `user_records` view of migration 0006, which
//! gives it the system columns every object has; the view's trigger writes an update back to `users`.

use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::system_fields;
use crate::salesforce::schema::{Access, Field, FieldType, SObject, VIEW_DATES, field, reference};
use crate::store::Column::Own;

const READ: u16 = FILTER | SORT | GROUP;
/// The system fields but IsDeleted: users are deactivated, never deleted.
const USER_SYSTEM: [Field; 7] = system_fields!("User ID");
const GROUP_SYSTEM: [Field; 7] = system_fields!("Group ID");

pub static USER: SObject = SObject {
    name: "User",
    label: "User",
    label_plural: "Users",
    key_prefix: crate::ids::USER_PREFIX,
    since: 0,
    table: "user_records",
    views_table: "user_views",
    fields: &[
        USER_SYSTEM[0],
        field(
            "Username",
            "Username",
            FieldType::String,
            80,
            Own("username"),
            READ | ID_LOOKUP | UNIQUE,
        ),
        field(
            "Name",
            "Full Name",
            FieldType::String,
            121,
            Own("name"),
            READ,
        ),
        field(
            "Email",
            "Email",
            FieldType::Email,
            128,
            Own("email"),
            READ | NILLABLE,
        ),
        field(
            "IsActive",
            "Active",
            FieldType::Boolean,
            0,
            Own("is_active"),
            READ | DEFAULTED,
        ),
        // Both call-center fields with the properties the reference gives them, Create too, though the
        // API creates no user: the CLI adds users, without a call center and with auto-login off, and
        // an update through the API sets the two.
        reference(
            "CallCenterId",
            "Call Center ID",
            Own("call_center_id"),
            CREATE | UPDATE | FILTER | NILLABLE,
            &["CallCenter"],
            "CallCenter",
        ),
        field(
            "UserPermissionsCallCenterAutoLogin",
            "Auto-login To Call Center",
            FieldType::Boolean,
            0,
            Own("call_center_auto_login"),
            CREATE | UPDATE,
        ),
        USER_SYSTEM[2],
        USER_SYSTEM[3],
        USER_SYSTEM[4],
        USER_SYSTEM[5],
        USER_SYSTEM[6],
        VIEW_DATES[0],
        VIEW_DATES[1],
    ],
    layout: &[
        "Username",
        "Name",
        "Email",
        "IsActive",
        "CallCenterId",
        "UserPermissionsCallCenterAutoLogin",
    ],
    access: Access::Update,
    after_write: None,
    scope: None,
    sharing: crate::salesforce::schema::Sharing::Public,
};

/// A queue as the parent of a record it owns (Salesforce's Group of type Queue): not an object the API
/// serves, only what an `Owner.Name` reads of it.
pub static QUEUE: SObject = SObject {
    name: "Group",
    label: "Group",
    label_plural: "Groups",
    key_prefix: crate::ids::QUEUE_PREFIX,
    since: 0,
    table: "queues",
    views_table: "user_views",
    fields: &[
        GROUP_SYSTEM[0],
        field("Name", "Name", FieldType::String, 40, Own("name"), READ),
    ],
    layout: &["Name"],
    access: Access::ReadOnly,
    after_write: None,
    scope: None,
    sharing: crate::salesforce::schema::Sharing::Public,
};
