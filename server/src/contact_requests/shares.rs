//! ContactRequestShare and ContactRequestOwnerSharingRule as the Salesforce-compatible API serves them:
//! manual shares of one request with a user or a queue, and rules that share the requests owned by a
//! queue and by its members with a user or a queue. What they give is decided in [`crate::access::sharing`];
//! this module declares the objects and checks what a write stores.
//!
//! A share is created (a second one for the same request and grantee changes the first, as Salesforce
//! does), changed in AccessLevel and deleted by the request's owner, a supervisor or an admin; its
//! AccessLevel is Read or Edit, above the organisation-wide default, and its RowCause Manual. A rule
//! is created, changed and deleted by admins only.

use super::objects::CONTACT_REQUEST;
use crate::access::sharing::{Level, default_level};
use crate::ids::{RecordId, UserId};
use crate::salesforce::SfError;
use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{
    Access, EDIT, FieldType, SObject, SYSTEM, Sharing, VIEW_DATES, Written, field, picklist,
    reference,
};
use crate::salesforce::values::Change;
use crate::store::Column::Own;
use crate::store::{Column, Tx, Value};

const READ: u16 = FILTER | SORT | GROUP;

/// The system fields of a share, as Salesforce lists them: no creation fields, no SystemModstamp.
const SHARE_SYSTEM: [crate::salesforce::schema::Field; 3] = [
    field(
        "Id",
        "Contact Request Share ID",
        FieldType::Id,
        18,
        Own("id"),
        SYSTEM | GROUP | ID_LOOKUP,
    ),
    field(
        "IsDeleted",
        "Deleted",
        FieldType::Boolean,
        0,
        Own("is_deleted"),
        SYSTEM | GROUP,
    ),
    field(
        "LastModifiedDate",
        "Last Modified Date",
        FieldType::DateTime,
        0,
        Own("updated_at"),
        SYSTEM,
    ),
];

/// Salesforce's ContactRequestShare: one request shared with a user or a group (a queue).
pub static CONTACT_REQUEST_SHARE: SObject = SObject {
    name: "ContactRequestShare",
    label: "Contact Request Share",
    label_plural: "Contact Request Share",
    key_prefix: crate::ids::CONTACT_REQUEST_SHARE_PREFIX,
    since: 0,
    table: "contact_request_shares",
    views_table: "contact_request_share_views",
    fields: &[
        SHARE_SYSTEM[0],
        reference(
            "ParentId",
            "Contact Request ID",
            Own("parent_id"),
            CREATE | READ,
            &["ContactRequest"],
            "Parent",
        )
        .children("Shares"),
        reference(
            "UserOrGroupId",
            "User/Group ID",
            Own("user_or_group_id"),
            CREATE | READ,
            &["User", "Group"],
            "UserOrGroup",
        ),
        picklist(
            "AccessLevel",
            "Contact Request Access",
            Own("access_level"),
            CREATE | UPDATE | READ | RESTRICTED,
            &[("Read", false), ("Edit", false), ("All", false)],
        ),
        picklist(
            "RowCause",
            "Row Cause",
            Own("row_cause"),
            CREATE | READ | NILLABLE | RESTRICTED | DEFAULTED,
            &[("Manual", true), ("Owner", false), ("Rule", false)],
        ),
        SHARE_SYSTEM[1],
        SHARE_SYSTEM[2],
        reference(
            "LastModifiedById",
            "Last Modified By ID",
            Own("last_modified_by_id"),
            SYSTEM | GROUP,
            &["User"],
            "LastModifiedBy",
        ),
    ],
    layout: &["ParentId", "UserOrGroupId", "AccessLevel", "RowCause"],
    access: Access::ReadWrite,
    after_write: Some(after_share_write),
    scope: None,
    sharing: Sharing::Share {
        column: "parent_id",
        parent: &CONTACT_REQUEST,
    },
};

const RULE_SYSTEM: [crate::salesforce::schema::Field; 7] =
    crate::salesforce::schema::system_fields!("Contact Request Owner Sharing Rule ID");

/// Salesforce's ContactRequestOwnerSharingRule: the requests owned by a queue and by its members
/// (GroupId), shared with a user or a queue (UserOrGroupId) at Read or Edit.
pub static OWNER_SHARING_RULE: SObject = SObject {
    name: "ContactRequestOwnerSharingRule",
    label: "Contact Request Owner Sharing Rule",
    label_plural: "Contact Request Owner Sharing Rules",
    key_prefix: crate::ids::SHARING_RULE_PREFIX,
    since: 0,
    table: "contact_request_sharing_rules",
    views_table: "contact_request_sharing_rule_views",
    fields: &[
        RULE_SYSTEM[0],
        field("Name", "Label", FieldType::String, 80, Own("name"), EDIT),
        field(
            "DeveloperName",
            "Rule Name",
            FieldType::String,
            80,
            Own("developer_name"),
            EDIT | DEFAULTED | UNIQUE,
        ),
        field(
            "Description",
            "Description",
            FieldType::TextArea,
            1000,
            Own("description"),
            CREATE | UPDATE | FILTER | SORT | NILLABLE,
        ),
        reference(
            "GroupId",
            "Group ID",
            Own("group_id"),
            CREATE | READ,
            &["Group"],
            "Group",
        ),
        reference(
            "UserOrGroupId",
            "User or Group ID",
            Own("user_or_group_id"),
            CREATE | READ,
            &["User", "Group"],
            "UserOrGroup",
        ),
        picklist(
            "AccessLevel",
            "Access Level",
            Own("access_level"),
            EDIT | RESTRICTED,
            &[("Read", false), ("Edit", false)],
        ),
        RULE_SYSTEM[1],
        RULE_SYSTEM[2],
        RULE_SYSTEM[3],
        RULE_SYSTEM[4],
        RULE_SYSTEM[5],
        RULE_SYSTEM[6],
        VIEW_DATES[0],
        VIEW_DATES[1],
    ],
    layout: &[
        "Name",
        "DeveloperName",
        "GroupId",
        "UserOrGroupId",
        "AccessLevel",
        "Description",
    ],
    access: Access::ReadWrite,
    after_write: Some(after_rule_write),
    scope: None,
    sharing: Sharing::Setup,
};

/// The text values of `columns` of the record `id` of `object`.
fn texts(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    user: &UserId,
    columns: &[&'static str],
) -> Result<Vec<Option<String>>, SfError> {
    let columns: Vec<Column> = columns.iter().map(|c| Own(c)).collect();
    let found = tx
        .record(
            object.storage(),
            user.as_str(),
            &columns,
            Own("id"),
            id.as_str(),
        )?
        .ok_or_else(SfError::not_found)?;
    Ok(found
        .values
        .into_iter()
        .map(|v| v.as_text().map(str::to_owned))
        .collect())
}

fn integrity(field: &'static str, message: String) -> SfError {
    SfError::bad_request("FIELD_INTEGRITY_EXCEPTION", format!("{field}: {message}")).on([field])
}

/// Refuses an access level a share or rule cannot give: `All` (the owner's), or one no higher than the
/// organisation-wide default, which would give nothing.
fn check_level(tx: &Tx<'_>, level: &str) -> Result<(), SfError> {
    if level == "All" {
        return Err(integrity(
            "AccessLevel",
            "All is the owner's access and cannot be given; give Read or Edit".into(),
        ));
    }
    let default = tx.sharing_default()?;
    if default_level(&default) >= Level::parse(level) {
        return Err(integrity(
            "AccessLevel",
            format!(
                "{level} is not above the organisation-wide default for contact requests ({default}), \
                 so it would give nothing"
            ),
        ));
    }
    Ok(())
}

/// Checks a share as written: Manual, at a level above the default.
fn after_share_write(
    tx: &Tx<'_>,
    _written: &Written,
    id: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    let values = texts(
        tx,
        &CONTACT_REQUEST_SHARE,
        id,
        user,
        &["access_level", "row_cause"],
    )?;
    if values[1].as_deref() != Some("Manual") {
        return Err(integrity(
            "RowCause",
            "only Manual shares are made through the API; owners and sharing rules give the rest"
                .into(),
        ));
    }
    check_level(tx, values[0].as_deref().unwrap_or_default())
}

/// Checks a rule as written (a level above the default) and names it after its label when no
/// DeveloperName was given.
fn after_rule_write(
    tx: &Tx<'_>,
    _written: &Written,
    id: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    let values = texts(
        tx,
        &OWNER_SHARING_RULE,
        id,
        user,
        &["access_level", "name", "developer_name"],
    )?;
    check_level(tx, values[0].as_deref().unwrap_or_default())?;
    if values[2].is_none() {
        let mut name = developer_name(values[1].as_deref().unwrap_or_default());
        let taken = |name: &str| {
            tx.record_with(OWNER_SHARING_RULE.storage(), "developer_name", &text(name))
        };
        if taken(&name)?.is_some() {
            name = format!("{name}_{}", &id.as_str()[9..15]);
        }
        tx.update_record(
            OWNER_SHARING_RULE.storage(),
            id.as_str(),
            &[("developer_name", text(&name))],
            user.as_str(),
            &crate::instant::now(),
        )?;
    }
    Ok(())
}

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

/// A DeveloperName made from a label: letters, digits and single underscores, starting with a letter.
fn developer_name(label: &str) -> String {
    let mut name = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    let name = if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.to_owned()
    } else {
        format!("Rule_{name}").trim_end_matches('_').to_owned()
    };
    name.chars().take(80).collect()
}

/// The live manual share a new share repeats (the same request and grantee), which Salesforce changes
/// instead of adding another.
pub fn repeated(tx: &Tx<'_>, changes: &[Change]) -> Result<Option<RecordId>, SfError> {
    let value = |name: &str| {
        changes
            .iter()
            .find(|c| c.field.name == name)
            .and_then(|c| c.value.as_text())
    };
    let (Some(parent), Some(grantee)) = (value("ParentId"), value("UserOrGroupId")) else {
        return Ok(None);
    };
    if value("RowCause").is_some_and(|cause| cause != "Manual") {
        return Ok(None);
    }
    Ok(tx.manual_share(parent, grantee)?.map(RecordId::stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_developer_name_is_made_of_letters_digits_and_single_underscores() {
        let table = [
            ("Billing to Support", "Billing_to_Support"),
            ("  Billing -- Support!", "Billing_Support"),
            ("2nd rule", "Rule_2nd_rule"),
            ("", "Rule"),
        ];
        for (label, expected) in table {
            assert_eq!(developer_name(label), expected, "{label:?}");
        }
    }
}
