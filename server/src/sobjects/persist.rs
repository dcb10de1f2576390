//! The writes behind create, update, upsert, delete and undelete, each run in one transaction on the
//! writer thread so a refused change leaves nothing behind.

use super::SfError;
use crate::access::Visibility;
use crate::ids::{RecordId, UserId};
use crate::instant::now;
use crate::salesforce::schema::{Access, FieldType, SObject, Sharing, Write, Written, prop};
use crate::salesforce::values::Change;
use crate::store::{Column, RecordState, Tx, Value};

/// Checks that references to stored objects (owners, users, call centers) point at records that exist.
fn check_references(tx: &Tx<'_>, changes: &[Change]) -> Result<(), SfError> {
    for change in changes
        .iter()
        .filter(|c| c.field.ty == FieldType::Reference)
    {
        let Value::Text(id) = &change.value else {
            continue;
        };
        if tx.reference_exists(id)? == Some(false) {
            return Err(SfError::bad_request(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("{}: invalid cross reference id: {id}", change.field.label),
            )
            .on([change.field.name]));
        }
    }
    Ok(())
}

fn duplicate(
    tx: &Tx<'_>,
    object: &SObject,
    changes: &[Change],
    own_id: Option<&str>,
) -> Result<(), SfError> {
    for change in changes.iter().filter(|c| c.field.has(prop::UNIQUE)) {
        let (Some(column), Value::Text(_)) = (change.field.write_column(), &change.value) else {
            continue;
        };
        let other = tx.record_with(object.storage(), column, &change.value)?;
        if let Some(other) = other.filter(|o| Some(o.as_str()) != own_id) {
            return Err(SfError::bad_request(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: {} duplicates value on record with id: {other}",
                    change.field.name
                ),
            )
            .on([change.field.name]));
        }
    }
    Ok(())
}

/// Checks what the sharing model asks of the values a write sets: an owner the caller may give the
/// record to, and a parent the caller sees.
fn check_shared(
    tx: &Tx<'_>,
    object: &SObject,
    changes: &[Change],
    seen: &Visibility,
) -> Result<(), SfError> {
    for change in changes {
        let Value::Text(value) = &change.value else {
            continue;
        };
        match object.sharing {
            Sharing::Owned if change.field.name == "OwnerId" => seen.may_give(value)?,
            Sharing::Child { column, .. } | Sharing::Share { column, .. }
                if change.field.write_column() == Some(column) =>
            {
                seen.check_parent(tx, object, change.field.name, value)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `404 NOT_FOUND` for a record the caller does not see, as for one that does not exist; `403` for one
/// they see but may not edit.
fn check_edits(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    seen: &Visibility,
) -> Result<RecordState, SfError> {
    let found = state(tx, object, id)?;
    seen.check_edits(tx, object, id.as_str())?;
    Ok(found)
}

/// Inserts a record; the caller owns it unless the body names an owner.
pub fn insert(
    tx: &Tx<'_>,
    object: &'static SObject,
    changes: &[Change],
    seen: &Visibility,
) -> Result<RecordId, SfError> {
    let user = &UserId::stored(seen.user.clone());
    seen.may_create(object)?;
    check_shared(tx, object, changes, seen)?;
    check_references(tx, changes)?;
    if matches!(object.sharing, Sharing::Share { .. })
        && let Some(shared) = crate::contact_requests::shares::repeated(tx, changes)?
    {
        let level: Vec<Change> = changes
            .iter()
            .filter(|c| c.field.has(prop::UPDATE))
            .cloned()
            .collect();
        update(tx, object, &shared, &level, seen)?;
        return Ok(shared);
    }
    duplicate(tx, object, changes, None)?;
    let id = RecordId::new(object.key_prefix);
    let at = now();
    let text = |s: &str| Value::Text(s.to_owned());
    let mut columns = vec![
        ("id", text(id.as_str())),
        ("created_at", text(&at)),
        ("updated_at", text(&at)),
        ("system_modstamp", text(&at)),
        ("created_by_id", text(user.as_str())),
        ("last_modified_by_id", text(user.as_str())),
    ];
    if !changes.iter().any(|c| c.field.name == "OwnerId") {
        columns.push(("owner_id", text(user.as_str())));
    }
    columns.extend(written(changes));
    tx.insert_record(object.storage(), &columns)?;
    after_write(tx, object, &Written::Created, &id, user)?;
    Ok(id)
}

/// The columns `changes` set on the record's own row.
fn written(changes: &[Change]) -> Vec<(&'static str, Value)> {
    changes
        .iter()
        .filter_map(|change| Some((change.field.write_column()?, change.value.clone())))
        .collect()
}

/// Runs the object's hook after a create or update, in the same transaction.
fn after_write(
    tx: &Tx<'_>,
    object: &SObject,
    written: &Written,
    id: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    match object.after_write {
        Some(hook) => hook(tx, written, id, user),
        None => Ok(()),
    }
}

/// What the record's fields that `changes` sets hold before the update, for the object's hook; nothing
/// is read for an object without one.
fn before_update(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    changes: &[Change],
    user: &UserId,
) -> Result<Written, SfError> {
    let fields: Vec<(&'static str, &'static str)> = match object.after_write {
        None => Vec::new(),
        Some(_) => changes
            .iter()
            .filter_map(|c| Some((c.field.name, c.field.write_column()?)))
            .collect(),
    };
    if fields.is_empty() {
        return Ok(Written::Updated(Vec::new()));
    }
    let columns: Vec<Column> = fields
        .iter()
        .map(|&(_, column)| Column::Own(column))
        .collect();
    let found = tx.record(
        object.storage(),
        user.as_str(),
        &columns,
        Column::Own("id"),
        id.as_str(),
    )?;
    let values = found.map(|f| f.values).unwrap_or_default();
    Ok(Written::Updated(
        fields.iter().map(|&(name, _)| name).zip(values).collect(),
    ))
}

/// Refuses writes an object does not take: records from configuration are read-only, users are only
/// updated.
pub fn check_writable(object: &SObject, write: Write) -> Result<(), SfError> {
    if object.access.allows(write) {
        return Ok(());
    }
    let message = match object.access {
        Access::Update => format!(
            "{} records can only be updated through the API: they are added with the server's CLI",
            object.name
        ),
        Access::CreateUpdate => format!(
            "{} records are created and updated through the API, never deleted",
            object.name
        ),
        _ => format!(
            "{} records are read-only through the API: they come from the server's configuration file",
            object.name
        ),
    };
    Err(SfError::new(
        axum::http::StatusCode::FORBIDDEN,
        "INSUFFICIENT_ACCESS_OR_READONLY",
        message,
    ))
}

fn deleted() -> SfError {
    SfError::new(
        axum::http::StatusCode::NOT_FOUND,
        "ENTITY_IS_DELETED",
        "entity is deleted",
    )
}

/// The record's state, or NOT_FOUND.
fn state(tx: &Tx<'_>, object: &SObject, id: &RecordId) -> Result<RecordState, SfError> {
    tx.record_state(object.storage(), id.as_str())?
        .ok_or_else(SfError::not_found)
}

/// Updates a live record the caller sees.
pub fn update(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    changes: &[Change],
    seen: &Visibility,
) -> Result<(), SfError> {
    let user = &UserId::stored(seen.user.clone());
    if check_edits(tx, object, id, seen)? == RecordState::Deleted {
        return Err(deleted());
    }
    check_shared(tx, object, changes, seen)?;
    check_references(tx, changes)?;
    duplicate(tx, object, changes, Some(id.as_str()))?;
    let before = before_update(tx, object, id, changes, user)?;
    tx.update_record(
        object.storage(),
        id.as_str(),
        &written(changes),
        user.as_str(),
        &now(),
    )?;
    after_write(tx, object, &before, id, user)
}

/// Moves a live record the caller sees to the recycle bin.
pub fn delete(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    seen: &Visibility,
) -> Result<(), SfError> {
    if check_edits(tx, object, id, seen)? == RecordState::Deleted {
        return Err(deleted());
    }
    seen.may_delete(object)?;
    Ok(tx.delete_record(object.storage(), id.as_str(), &seen.user, &now())?)
}

/// Brings a record back from the recycle bin.
pub fn undelete(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    seen: &Visibility,
) -> Result<(), SfError> {
    if check_edits(tx, object, id, seen)? == RecordState::Live {
        return Err(SfError::bad_request(
            "UNDELETE_FAILED",
            format!("Entity is not in the recycle bin: {id}"),
        ));
    }
    seen.may_delete(object)?;
    Ok(tx.undelete_record(object.storage(), id.as_str(), &seen.user, &now())?)
}
