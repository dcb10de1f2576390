//! OpenActivity and ActivityHistory: read-only views of the Tasks (the call log), the open ones and the
//! closed ones, with the fields of Salesforce's objects that a Task fills (the call fields among them, as
//! the call-center reference puts them on both). As in Salesforce they are described, and queried only
//! as relationship subqueries of the record the Tasks are about:
//! `SELECT Id, (SELECT Subject FROM OpenActivities) FROM ContactRequest`.

use crate::contact_requests::objects::CONTACT_REQUEST;
use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{Access, Field, FieldType, SObject, Sharing, field};
use crate::store::Column::Fixed;
use crate::store::{Column, Filter, Op, Operand, Value};

use super::objects::{
    CALL_DISPOSITION, CALL_DURATION, CALL_OBJECT, CALL_TYPE, TASK_DESCRIPTION, TASK_OWNER,
    TASK_STATUS, TASK_SUBJECT, TASK_SYSTEM, TASK_WHAT, TASK_WHO,
};

/// The Task status that closes it; every other is open.
const CLOSED: &str = "Completed";

/// The fields both views have, after `IsClosed`: a Task's, none of them written through the view.
macro_rules! activity_fields {
    ($closed:expr, $children:literal) => {
        [
            TASK_SYSTEM[0].read_only(),
            TASK_WHO.read_only(),
            TASK_WHAT.read_only().children($children),
            TASK_SUBJECT.read_only(),
            field(
                "IsTask",
                "Task",
                FieldType::Boolean,
                0,
                Fixed(1),
                FILTER | SORT | DEFAULTED,
            ),
            TASK_OWNER.read_only(),
            TASK_STATUS.read_only(),
            field(
                "IsClosed",
                "Closed",
                FieldType::Boolean,
                0,
                Fixed($closed),
                FILTER | SORT | DEFAULTED,
            ),
            TASK_DESCRIPTION.read_only(),
            TASK_SYSTEM[1].read_only(),
            TASK_SYSTEM[2].read_only(),
            TASK_SYSTEM[3].read_only(),
            TASK_SYSTEM[4].read_only(),
            TASK_SYSTEM[5].read_only(),
            TASK_SYSTEM[6].read_only(),
            CALL_DURATION.read_only(),
            CALL_TYPE.read_only(),
            CALL_DISPOSITION.read_only(),
            CALL_OBJECT.read_only(),
        ]
    };
}

const OPEN_FIELDS: [Field; 19] = activity_fields!(0, "OpenActivities");
const HISTORY_FIELDS: [Field; 19] = activity_fields!(1, "ActivityHistories");

/// The Tasks by whether they are closed.
fn status(closed: bool) -> Filter {
    Filter::Compare(
        Operand {
            column: Column::Own("status"),
            text: true,
        },
        if closed { Op::Eq } else { Op::Ne },
        Value::Text(CLOSED.to_owned()),
    )
}

/// Salesforce's OpenActivity: the Tasks not closed.
pub static OPEN_ACTIVITY: SObject = SObject {
    name: "OpenActivity",
    label: "Open Activity",
    label_plural: "Open Activities",
    key_prefix: crate::ids::TASK_PREFIX,
    since: 0,
    table: "tasks",
    views_table: "task_views",
    fields: &OPEN_FIELDS,
    layout: &["Subject", "Status", "WhatId", "CallType"],
    access: Access::ReadOnly,
    after_write: None,
    scope: Some(|| status(false)),
    sharing: Sharing::Child {
        column: "what_id",
        parent: &CONTACT_REQUEST,
    },
};

/// Salesforce's ActivityHistory: the Tasks closed.
pub static ACTIVITY_HISTORY: SObject = SObject {
    name: "ActivityHistory",
    label: "Activity History",
    label_plural: "Activity Histories",
    key_prefix: crate::ids::TASK_PREFIX,
    since: 0,
    table: "tasks",
    views_table: "task_views",
    fields: &HISTORY_FIELDS,
    layout: &["Subject", "Status", "WhatId", "CallType"],
    access: Access::ReadOnly,
    after_write: None,
    scope: Some(|| status(true)),
    sharing: Sharing::Child {
        column: "what_id",
        parent: &CONTACT_REQUEST,
    },
};
