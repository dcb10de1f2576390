//! The description of each object the API serves. One description drives validation of writes, the SOQL
//! checker and translator, describe output and error messages: adding an object is adding its description
//! and its storage.

use crate::ids::{RecordId, UserId};
use crate::store::Column::{self, Viewed};
use crate::store::{Filter, Operand, Table, Tx, Value};

/// A field's type, as describe names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    TextArea,
    Picklist,
    Phone,
    Email,
    Boolean,
    DateTime,
    Reference,
    Int,
}

impl FieldType {
    /// The name describe uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::String => "string",
            Self::TextArea => "textarea",
            Self::Picklist => "picklist",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Boolean => "boolean",
            Self::DateTime => "datetime",
            Self::Reference => "reference",
            Self::Int => "int",
        }
    }

    /// The SOAP type describe reports.
    pub fn soap_type(self) -> &'static str {
        match self {
            Self::Id | Self::Reference => "tns:ID",
            Self::Boolean => "xsd:boolean",
            Self::DateTime => "xsd:dateTime",
            Self::Int => "xsd:int",
            _ => "xsd:string",
        }
    }

    /// Whether values are text compared without regard to case, as SOQL does.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::String | Self::TextArea | Self::Picklist | Self::Phone | Self::Email
        )
    }
}

/// Field properties, as the reference lists them.
pub mod prop {
    pub const CREATE: u16 = 1;
    pub const UPDATE: u16 = 1 << 1;
    pub const FILTER: u16 = 1 << 2;
    pub const SORT: u16 = 1 << 3;
    pub const GROUP: u16 = 1 << 4;
    pub const NILLABLE: u16 = 1 << 5;
    pub const DEFAULTED: u16 = 1 << 6;
    pub const RESTRICTED: u16 = 1 << 7;
    pub const AUTONUMBER: u16 = 1 << 8;
    pub const ID_LOOKUP: u16 = 1 << 9;
    pub const EXTERNAL_ID: u16 = 1 << 10;
    pub const UNIQUE: u16 = 1 << 11;
    pub const CUSTOM: u16 = 1 << 12;
    /// Not a property the reference lists but what its description says ("Required."): the field must be
    /// given on create and never set to null, though it is described `nillable` as its properties say.
    pub const REQUIRED: u16 = 1 << 13;
    /// Not a property either: the picklist's values are the organisation's ("customizable in Object
    /// Manager": `salesforce::reasons`), described and defaulted from its configuration rather than from
    /// [`super::Field::picklist`], which holds the reference's values.
    pub const ORG_VALUES: u16 = 1 << 14;
}
use prop::*;

/// One field of an object.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub length: u32,
    /// Where the value lives: the record's row, or the calling user's view of it.
    pub column: Column,
    pub props: u16,
    /// Picklist values in order, with whether each is the default.
    pub picklist: &'static [(&'static str, bool)],
    pub reference_to: &'static [&'static str],
    pub relationship: Option<&'static str>,
    /// The API version (major) the field appeared in, as the reference's "Available in API version NN.0
    /// and later" says; 0 for a field as old as its object. Clients at an older version do not see it.
    pub since: u32,
    /// The values an integer field takes, as its description writes them ("Valid values are 0 through 5").
    pub range: Option<(i64, i64)>,
    /// The name the records this reference points to give the records that point to them (their
    /// child relationship, which a relationship subquery names: ContactRequest's `Tasks`); `None` when
    /// it has none.
    pub children: Option<&'static str>,
}

impl Field {
    /// The field from API version `major` on.
    pub const fn since(self, major: u32) -> Self {
        Self {
            since: major,
            ..self
        }
    }

    /// The field with the child relationship `name` (see [`Field::children`]).
    pub const fn children(self, name: &'static str) -> Self {
        Self {
            children: Some(name),
            ..self
        }
    }

    /// The integer field limited to `min..=max`.
    pub const fn within(self, min: i64, max: i64) -> Self {
        Self {
            range: Some((min, max)),
            ..self
        }
    }

    /// The field as a read-only view shows it: neither created nor updated.
    pub const fn read_only(self) -> Self {
        Self {
            props: self.props & !(CREATE | UPDATE),
            ..self
        }
    }

    /// Whether the reference may point to more than one kind of record (Owner to a User or a queue),
    /// so that its parent is read as Salesforce's `Name` object.
    pub fn polymorphic(&self) -> bool {
        self.reference_to.len() > 1
    }

    pub fn has(&self, property: u16) -> bool {
        self.props & property != 0
    }

    /// Whether API version `major` serves the field.
    pub fn available_in(&self, major: u32) -> bool {
        major >= self.since
    }

    /// Whether GROUP BY takes the field, as describe's `groupable` says: a field described so, but never a
    /// datetime or a long text, which Salesforce groups by no more than this server does.
    pub fn groupable(&self) -> bool {
        self.has(GROUP) && !matches!(self.ty, FieldType::DateTime | FieldType::TextArea)
    }

    /// Whether COUNT, COUNT_DISTINCT, MIN and MAX take the field, as describe's `aggregatable` says: any
    /// but a long text (SUM and AVG take numbers only).
    pub fn aggregatable(&self) -> bool {
        self.ty != FieldType::TextArea
    }

    /// The column to write, for fields stored on the record's own row.
    pub fn write_column(&self) -> Option<&'static str> {
        match self.column {
            Column::Own(name) => Some(name),
            Column::Viewed(_) | Column::Joined { .. } | Column::Fixed(_) => None,
        }
    }

    /// The field as a filter compares it: text without regard to case.
    pub fn operand(&self) -> Operand {
        Operand {
            column: self.column,
            text: self.ty.is_text(),
        }
    }

    pub fn default_value(&self) -> Option<&'static str> {
        self.picklist.iter().find(|(_, d)| *d).map(|(v, _)| *v)
    }

    /// Salesforce's "required": must be given on create.
    pub fn required(&self) -> bool {
        self.has(CREATE) && (self.has(REQUIRED) || !self.has(NILLABLE) && !self.has(DEFAULTED))
    }

    /// Whether a write may set the field to null.
    pub fn takes_null(&self) -> bool {
        self.has(NILLABLE) && !self.has(REQUIRED)
    }
}

/// One object the API serves.
#[derive(Debug)]
pub struct SObject {
    pub name: &'static str,
    pub label: &'static str,
    pub label_plural: &'static str,
    pub key_prefix: &'static str,
    /// The API version (major) the object appeared in; 0 for one as old as the oldest version served.
    /// Clients at an older version are told it does not exist.
    pub since: u32,
    /// The table of records (aliased `c` in queries) and the per-user table of view dates (aliased `v`).
    pub table: &'static str,
    pub views_table: &'static str,
    pub fields: &'static [Field],
    /// The fields of the object's form, in order (describe/layouts).
    pub layout: &'static [&'static str],
    /// Which writes the API takes: records that come from elsewhere (configuration, the CLI) are read,
    /// or only updated, through it.
    pub access: Access,
    /// Runs in the same transaction after each create or update of a record, to derive fields or drive
    /// other records; an `Err` rolls the whole write back.
    pub after_write: Option<AfterWrite>,
    /// `Some` for a read-only view of another object's records (OpenActivity and ActivityHistory, of
    /// Tasks): the filter of the records it shows. Such an object is described, and queried only as a
    /// relationship subquery of its parent, as in Salesforce.
    pub scope: Option<fn() -> Filter>,
    /// Who sees and changes the object's records (decided in `access::sharing`).
    pub sharing: Sharing,
}

/// How an object's records are shared.
#[derive(Debug, Clone, Copy)]
pub enum Sharing {
    /// Everyone who may use the API sees every record: users, call centers.
    Public,
    /// By the record's owner (its `owner_id` column), a user or a queue.
    Owned,
    /// By the record it belongs to: its own column `column` names a record of `parent` (an owned
    /// object). A record that belongs to none follows its own owner.
    Child {
        column: &'static str,
        parent: &'static SObject,
    },
    /// Shares of a record of `parent` (an owned object), named by their own column `column`: seen with
    /// the record they share; created, changed and deleted by whoever may share it.
    Share {
        column: &'static str,
        parent: &'static SObject,
    },
    /// Settings of the sharing model (its sharing rules): everyone reads them, only admins change them.
    Setup,
    /// Settings a configuration file and the API both make (call centers and their numbers): everyone
    /// reads them; only admins change them, and only those the API made. A record whose own column
    /// `from_file` is 1 came from the file, which keeps it: the API reads it but never changes it.
    Configured { from_file: &'static str },
}

/// Which writes an object takes through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create, update, delete and undelete.
    ReadWrite,
    /// Update only (the updateable fields): records are created elsewhere, such as users by the CLI.
    Update,
    /// Create and update, never delete: Salesforce's CallCenter.
    CreateUpdate,
    /// None: records come from the configuration file.
    ReadOnly,
}

/// A write through the API, to check against an object's [`Access`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    Update,
    /// Delete or undelete.
    Delete,
}

impl Access {
    pub fn allows(self, write: Write) -> bool {
        match self {
            Self::ReadWrite => true,
            Self::Update => write == Write::Update,
            Self::CreateUpdate => write != Write::Delete,
            Self::ReadOnly => false,
        }
    }
}

/// The hook of [`SObject::after_write`]: the transaction, what the write did, the record's id and the
/// acting user.
pub type AfterWrite =
    fn(&Tx<'_>, &Written, &RecordId, &UserId) -> Result<(), crate::salesforce::SfError>;

/// What an API write did, as an object's [`AfterWrite`] hook sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Created,
    /// Updated: each field the write set, with the value it held before (its stored form).
    Updated(Vec<(&'static str, Value)>),
}

impl Written {
    /// The value the field `name` held before this update, if the update set it.
    pub fn before(&self, name: &str) -> Option<&Value> {
        match self {
            Self::Created => None,
            Self::Updated(before) => before.iter().find(|(n, _)| *n == name).map(|(_, v)| v),
        }
    }
}

impl SObject {
    /// Where the records and their per-user view dates are kept.
    pub fn storage(&self) -> Table {
        Table {
            records: self.table,
            views: self.views_table,
        }
    }

    /// The field with this API name, without regard to case as Salesforce does.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Whether API version `major` serves the object.
    pub fn available_in(&self, major: u32) -> bool {
        major >= self.since
    }

    /// The fields API version `major` serves, in order.
    pub fn fields_in(&self, major: u32) -> impl Iterator<Item = &'static Field> + use<> {
        let fields: &'static [Field] = self.fields;
        fields.iter().filter(move |f| f.available_in(major))
    }

    /// The field `name` as API version `major` serves it: `None` for a field that came later.
    pub fn field_in(&self, name: &str, major: u32) -> Option<&'static Field> {
        self.field(name).filter(|f| f.available_in(major))
    }
}

/// The key prefix of each object a reference may point to.
pub fn key_prefix_of(object: &str) -> Option<&'static str> {
    Some(match object {
        "User" => crate::ids::USER_PREFIX,
        "Group" => crate::ids::QUEUE_PREFIX,
        "Contact" => "003",
        "Lead" => "00Q",
        "Account" => "001",
        "Case" => "500",
        "Opportunity" => "006",
        "WorkOrder" => "0WO",
        "ContactRequest" => crate::ids::CONTACT_REQUEST_PREFIX,
        "CallCenter" => crate::ids::CALL_CENTER_PREFIX,
        "AdditionalNumber" => crate::ids::ADDITIONAL_NUMBER_PREFIX,
        "Task" => crate::ids::TASK_PREFIX,
        "EngagementInteraction" => crate::ids::ENGAGEMENT_INTERACTION_PREFIX,
        "ServiceAppointment" => "08p",
        "Visit" => "0Z5",
        "RecordType" => "012",
        "ContactRequestShare" => crate::ids::CONTACT_REQUEST_SHARE_PREFIX,
        "ContactRequestOwnerSharingRule" => crate::ids::SHARING_RULE_PREFIX,
        _ => return None,
    })
}

pub(crate) const fn field(
    name: &'static str,
    label: &'static str,
    ty: FieldType,
    length: u32,
    column: Column,
    props: u16,
) -> Field {
    Field {
        name,
        label,
        ty,
        length,
        column,
        props,
        picklist: &[],
        reference_to: &[],
        relationship: None,
        since: 0,
        range: None,
        children: None,
    }
}

pub(crate) const fn reference(
    name: &'static str,
    label: &'static str,
    column: Column,
    props: u16,
    reference_to: &'static [&'static str],
    relationship: &'static str,
) -> Field {
    Field {
        reference_to,
        relationship: Some(relationship),
        ..field(name, label, FieldType::Reference, 18, column, props)
    }
}

pub(crate) const fn picklist(
    name: &'static str,
    label: &'static str,
    column: Column,
    props: u16,
    values: &'static [(&'static str, bool)],
) -> Field {
    Field {
        picklist: values,
        ..field(name, label, FieldType::Picklist, 255, column, props)
    }
}

pub(crate) const SYSTEM: u16 = DEFAULTED | FILTER | SORT;

/// LastViewedDate and LastReferencedDate: per calling user, from the object's views table.
pub(crate) const VIEW_DATES: [Field; 2] = [
    field(
        "LastViewedDate",
        "Last Viewed Date",
        FieldType::DateTime,
        0,
        Viewed("last_viewed_at"),
        FILTER | NILLABLE | SORT,
    ),
    field(
        "LastReferencedDate",
        "Last Referenced Date",
        FieldType::DateTime,
        0,
        Viewed("last_referenced_at"),
        FILTER | NILLABLE | SORT,
    ),
];
pub(crate) const EDIT: u16 = CREATE | UPDATE | FILTER | SORT | GROUP;

/// The system fields every object shares, in Salesforce's order.
macro_rules! system_fields {
    ($label:literal) => {
        [
            $crate::salesforce::schema::field(
                "Id",
                $label,
                $crate::salesforce::schema::FieldType::Id,
                18,
                Own("id"),
                $crate::salesforce::schema::SYSTEM
                    | $crate::salesforce::schema::prop::GROUP
                    | $crate::salesforce::schema::prop::ID_LOOKUP,
            ),
            $crate::salesforce::schema::field(
                "IsDeleted",
                "Deleted",
                $crate::salesforce::schema::FieldType::Boolean,
                0,
                Own("is_deleted"),
                $crate::salesforce::schema::SYSTEM | $crate::salesforce::schema::prop::GROUP,
            ),
            $crate::salesforce::schema::field(
                "CreatedDate",
                "Created Date",
                $crate::salesforce::schema::FieldType::DateTime,
                0,
                Own("created_at"),
                $crate::salesforce::schema::SYSTEM,
            ),
            $crate::salesforce::schema::reference(
                "CreatedById",
                "Created By ID",
                Own("created_by_id"),
                $crate::salesforce::schema::SYSTEM | $crate::salesforce::schema::prop::GROUP,
                &["User"],
                "CreatedBy",
            ),
            $crate::salesforce::schema::field(
                "LastModifiedDate",
                "Last Modified Date",
                $crate::salesforce::schema::FieldType::DateTime,
                0,
                Own("updated_at"),
                $crate::salesforce::schema::SYSTEM,
            ),
            $crate::salesforce::schema::reference(
                "LastModifiedById",
                "Last Modified By ID",
                Own("last_modified_by_id"),
                $crate::salesforce::schema::SYSTEM | $crate::salesforce::schema::prop::GROUP,
                &["User"],
                "LastModifiedBy",
            ),
            $crate::salesforce::schema::field(
                "SystemModstamp",
                "System Modstamp",
                $crate::salesforce::schema::FieldType::DateTime,
                0,
                Own("system_modstamp"),
                $crate::salesforce::schema::SYSTEM,
            ),
        ]
    };
}

pub(crate) use system_fields;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact_requests::objects::CONTACT_REQUEST;

    #[test]
    fn every_field_of_the_reference_is_described() {
        for name in [
            "Id",
            "Name",
            "IsCallback",
            "OwnerId",
            "WhatId",
            "WhoId",
            "PreferredChannel",
            "PreferredPhone",
            "RequestDescription",
            "RequestReason",
            "Status",
            "LastViewedDate",
            "LastReferencedDate",
            "CreatedDate",
            "LastModifiedDate",
            "SystemModstamp",
            "IsDeleted",
            "CreatedById",
            "LastModifiedById",
        ] {
            assert!(CONTACT_REQUEST.field(name).is_some(), "{name}");
        }
    }

    #[test]
    fn lookups_ignore_case_and_status_defaults_to_new() {
        assert_eq!(
            crate::objects::object("contactrequest").map(|o| o.name),
            Some("ContactRequest")
        );
        let status = CONTACT_REQUEST.field("STATUS").unwrap();
        assert_eq!(status.default_value(), Some("New"));
        assert!(CONTACT_REQUEST.field("Name").unwrap().has(prop::AUTONUMBER));
        assert!(
            !CONTACT_REQUEST
                .field("RequestDescription")
                .unwrap()
                .has(prop::FILTER)
        );
    }

    #[test]
    fn every_reference_target_has_a_key_prefix() {
        for field in CONTACT_REQUEST.fields {
            for target in field.reference_to {
                assert!(key_prefix_of(target).is_some(), "{target}");
            }
        }
    }
}
