//! The writes behind create, update, upsert, delete and undelete, each run in one transaction on the
//! writer thread so a refused change leaves nothing behind.

use rusqlite::types::Value as Sql;
use rusqlite::{OptionalExtension, Transaction, params_from_iter};

use super::SfError;
use crate::ids;
use crate::salesforce::rows::now;
use crate::salesforce::schema::{Access, SObject, Write};
use crate::salesforce::values::Change;

type Outcome<T> = rusqlite::Result<Result<T, SfError>>;

/// Checks that references to stored objects (owners, users, call centers) point at records that exist.
fn check_references(tx: &Transaction<'_>, changes: &[Change]) -> Outcome<()> {
    for change in changes
        .iter()
        .filter(|c| c.field.ty == crate::salesforce::schema::FieldType::Reference)
    {
        let Sql::Text(id) = &change.value else {
            continue;
        };
        // `get`, not an index: a reference's text is the caller's, of any length and any characters.
        let table = match id.get(..3).unwrap_or_default() {
            "005" => "SELECT 1 FROM users WHERE id = ?1 AND is_active = 1",
            "00G" => "SELECT 1 FROM queues WHERE id = ?1",
            ids::CALL_CENTER_PREFIX => {
                "SELECT 1 FROM call_centers WHERE id = ?1 AND is_deleted = 0"
            }
            _ => continue,
        };
        let found: Option<i64> = tx.query_row(table, [id], |r| r.get(0)).optional()?;
        if found.is_none() {
            return Ok(Err(SfError::bad_request(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("{}: invalid cross reference id: {id}", change.field.label),
            )
            .on([change.field.name])));
        }
    }
    Ok(Ok(()))
}

fn duplicate(
    tx: &Transaction<'_>,
    object: &SObject,
    changes: &[Change],
    own_id: Option<&str>,
) -> Outcome<()> {
    for change in changes
        .iter()
        .filter(|c| c.field.has(crate::salesforce::schema::prop::UNIQUE))
    {
        let (Some(column), Sql::Text(value)) = (change.field.write_column(), &change.value) else {
            continue;
        };
        let sql = format!("SELECT id FROM {} WHERE {column} = ?1", object.table);
        let other: Option<String> = tx.query_row(&sql, [value], |r| r.get(0)).optional()?;
        if let Some(other) = other.filter(|o| Some(o.as_str()) != own_id) {
            return Ok(Err(SfError::bad_request(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: {} duplicates value on record with id: {other}",
                    change.field.name
                ),
            )
            .on([change.field.name])));
        }
    }
    Ok(Ok(()))
}

/// Inserts a record; the caller owns it unless the body names an owner.
pub fn insert(
    tx: &Transaction<'_>,
    object: &'static SObject,
    changes: &[Change],
    user: &str,
) -> Outcome<String> {
    if let Err(e) = check_references(tx, changes)? {
        return Ok(Err(e));
    }
    if let Err(e) = duplicate(tx, object, changes, None)? {
        return Ok(Err(e));
    }
    let id = ids::new_id(object.key_prefix);
    let at = now();
    let mut columns = vec![
        "id",
        "created_at",
        "updated_at",
        "system_modstamp",
        "created_by_id",
        "last_modified_by_id",
    ];
    let mut values = vec![
        Sql::Text(id.clone()),
        Sql::Text(at.clone()),
        Sql::Text(at.clone()),
        Sql::Text(at),
        Sql::Text(user.to_owned()),
        Sql::Text(user.to_owned()),
    ];
    if !changes.iter().any(|c| c.field.name == "OwnerId") {
        columns.push("owner_id");
        values.push(Sql::Text(user.to_owned()));
    }
    for change in changes {
        if let Some(column) = change.field.write_column() {
            columns.push(column);
            values.push(change.value.clone());
        }
    }
    let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        object.table,
        columns.join(", "),
        placeholders.join(", ")
    );
    tx.execute(&sql, params_from_iter(values))?;
    if let Err(e) = after_write(tx, object, &id, user)? {
        return Ok(Err(e));
    }
    Ok(Ok(id))
}

/// Runs the object's hook after a create or update, in the same transaction.
fn after_write(tx: &Transaction<'_>, object: &SObject, id: &str, user: &str) -> Outcome<()> {
    match object.after_write {
        Some(hook) => hook(tx, id, user),
        None => Ok(Ok(())),
    }
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

/// Whether the record exists and is live, in the recycle bin, or unknown.
fn state(tx: &Transaction<'_>, object: &SObject, id: &str) -> rusqlite::Result<Option<bool>> {
    let sql = format!("SELECT is_deleted FROM {} WHERE id = ?1", object.table);
    tx.query_row(&sql, [id], |r| r.get::<_, bool>(0)).optional()
}

fn deleted() -> SfError {
    SfError::new(
        axum::http::StatusCode::NOT_FOUND,
        "ENTITY_IS_DELETED",
        "entity is deleted",
    )
}

/// Updates a live record.
pub fn update(
    tx: &Transaction<'_>,
    object: &SObject,
    id: &str,
    changes: &[Change],
    user: &str,
) -> Outcome<()> {
    match state(tx, object, id)? {
        None => return Ok(Err(SfError::not_found())),
        Some(true) => return Ok(Err(deleted())),
        Some(false) => {}
    }
    if let Err(e) = check_references(tx, changes)? {
        return Ok(Err(e));
    }
    if let Err(e) = duplicate(tx, object, changes, Some(id))? {
        return Ok(Err(e));
    }
    let at = now();
    let mut sets = vec![
        "updated_at = ?1".to_owned(),
        "system_modstamp = ?1".to_owned(),
        "last_modified_by_id = ?2".to_owned(),
    ];
    let mut values = vec![Sql::Text(at), Sql::Text(user.to_owned())];
    for change in changes {
        if let Some(column) = change.field.write_column() {
            values.push(change.value.clone());
            sets.push(format!("{column} = ?{}", values.len()));
        }
    }
    values.push(Sql::Text(id.to_owned()));
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ?{}",
        object.table,
        sets.join(", "),
        values.len()
    );
    tx.execute(&sql, params_from_iter(values))?;
    after_write(tx, object, id, user)
}

/// Moves a live record to the recycle bin.
pub fn delete(tx: &Transaction<'_>, object: &SObject, id: &str, user: &str) -> Outcome<()> {
    match state(tx, object, id)? {
        None => return Ok(Err(SfError::not_found())),
        Some(true) => return Ok(Err(deleted())),
        Some(false) => {}
    }
    let sql = format!(
        "UPDATE {} SET is_deleted = 1, deleted_at = ?1, system_modstamp = ?1, last_modified_by_id = ?2 WHERE id = ?3",
        object.table
    );
    tx.execute(&sql, rusqlite::params![now(), user, id])?;
    Ok(Ok(()))
}

/// Brings a record back from the recycle bin.
pub fn undelete(tx: &Transaction<'_>, object: &SObject, id: &str, user: &str) -> Outcome<()> {
    match state(tx, object, id)? {
        None => return Ok(Err(SfError::not_found())),
        Some(false) => {
            return Ok(Err(SfError::bad_request(
                "UNDELETE_FAILED",
                format!("Entity is not in the recycle bin: {id}"),
            )));
        }
        Some(true) => {}
    }
    let at = now();
    let sql = format!(
        "UPDATE {} SET is_deleted = 0, deleted_at = NULL, updated_at = ?1, system_modstamp = ?1,
                last_modified_by_id = ?2 WHERE id = ?3",
        object.table
    );
    tx.execute(&sql, rusqlite::params![at, user, id])?;
    Ok(Ok(()))
}

/// Finds the live record whose `column` holds `value`, for upserts.
pub fn find_by(
    tx: &Transaction<'_>,
    object: &SObject,
    column: &str,
    value: &str,
) -> rusqlite::Result<Option<String>> {
    let sql = format!(
        "SELECT id FROM {} WHERE {column} = ?1 AND is_deleted = 0",
        object.table
    );
    tx.query_row(&sql, [value], |r| r.get(0)).optional()
}
