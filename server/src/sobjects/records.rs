//! Create, retrieve, update, delete, undelete and upsert of one record, as Salesforce's REST API shapes
//! them.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::conditions::{self, Preconditions, Verdict};
use super::persist;
use super::{ApiState, ApiVersion, SfError, stored_object};
use crate::access::{Caller, Visibility};
use crate::ids::RecordId;
use crate::salesforce::SfPath as Path;
use crate::salesforce::json_body;
use crate::salesforce::record_id;
use crate::salesforce::rows::record;
use crate::salesforce::schema::{Field, SObject, Write, prop};
use crate::salesforce::values::{self, Mode};
use crate::store::{Column, RecordState, Tx};

/// The path of a record address.
#[derive(Debug, Deserialize)]
pub struct RecordPath {
    object: String,
    id: String,
}

/// The path of an external-id address.
#[derive(Debug, Deserialize)]
pub struct ExternalPath {
    object: String,
    field: String,
    value: String,
}

#[derive(Debug, Deserialize)]
pub struct Fields {
    fields: Option<String>,
}

fn saved(id: &str) -> Value {
    json!({ "id": id, "success": true, "errors": [] })
}

fn record_id_of(object: &SObject, value: &str) -> Result<RecordId, SfError> {
    record_id::of_object(value, object.key_prefix)
        .ok_or_else(|| SfError::malformed_id(&format!("{} ID", object.label), value))
}

/// `POST sobjects/{object}/`: 201 with the new id.
pub async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path((_, object)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SfError> {
    let object = stored_object(&object, &version)?;
    persist::check_writable(object, Write::Create)?;
    let body = json_body(&headers, &body)?;
    let mut changes = values::parse(object, version.major(), &body, Mode::Create, None)?;
    state
        .reasons
        .with_defaults(object, version.major(), &mut changes);
    let id = state
        .store
        .write(move |tx| {
            let seen = Visibility::of(tx, &caller)?;
            persist::insert(tx, object, &changes, &seen)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(saved(id.as_str()))).into_response())
}

/// The fields `?fields=` names, or every field. A field named twice is answered once, so the list is
/// never longer than the object's fields (and SQL's column limit is out of reach).
fn chosen_fields(
    object: &'static SObject,
    version: &ApiVersion,
    fields: Option<&str>,
) -> Result<Vec<&'static Field>, SfError> {
    let major = version.major();
    let Some(list) = fields.filter(|l| !l.trim().is_empty()) else {
        return Ok(object.fields_in(major).collect());
    };
    let mut chosen: Vec<&'static Field> = Vec::new();
    for name in list.split(',') {
        let name = name.trim();
        let field = object.field_in(name, major).ok_or_else(|| {
            SfError::bad_request(
                "INVALID_FIELD",
                format!("No such column '{name}' on entity '{}'", object.name),
            )
            .on([name])
        })?;
        if !chosen.iter().any(|known| known.name == field.name) {
            chosen.push(field);
        }
    }
    Ok(chosen)
}

/// Reads one record of `object` where `key = value`, answered with its ETag (or `304` when the
/// request's conditions say the client's copy is current); ENTITY_IS_DELETED when it is in the recycle
/// bin, NOT_FOUND when there is none the caller sees.
async fn read_one(
    state: &ApiState,
    version: &str,
    object: &'static SObject,
    fields: Vec<&'static Field>,
    caller: Caller,
    (key, value): (Column, String),
    conditions: &Preconditions,
) -> Result<Response, SfError> {
    let mut columns: Vec<Column> = fields.iter().map(|f| f.column).collect();
    // The version the ETag names, read with the record, after the fields asked for.
    columns.push(Column::Own("system_modstamp"));
    let mut found = state
        .store
        .read(move |db| {
            let seen = Visibility::of(db, &caller)?;
            let found = db.record(object.storage(), &seen.user, &columns, key, &value)?;
            match found {
                Some(found) if seen.sees(db, object, &found.id)? => Ok(Some(found)),
                _ => Ok(None),
            }
        })
        .await?
        .ok_or_else(SfError::not_found)?;
    let modstamp = match found.values.pop() {
        Some(crate::store::Value::Text(stamp)) => stamp,
        _ => String::new(),
    };
    if found.state == RecordState::Deleted {
        return Err(SfError::new(
            StatusCode::NOT_FOUND,
            "ENTITY_IS_DELETED",
            "entity is deleted",
        ));
    }
    let tag = conditions::etag(&found.id, &modstamp);
    let tagged = [(header::ETAG, tag.clone())];
    if conditions.check_read(&tag, &modstamp)? == Verdict::NotModified {
        return Ok((StatusCode::NOT_MODIFIED, tagged).into_response());
    }
    let body = record(object, version, Some(&found.id), &fields, &found.values);
    Ok((tagged, axum::Json(body)).into_response())
}

/// Refuses a change of the record `id` that the request's conditions no longer allow; in the change's
/// own transaction, so nobody can slip a change in between the check and the write.
fn check_version(
    tx: &Tx<'_>,
    object: &SObject,
    id: &RecordId,
    conditions: &Preconditions,
) -> Result<(), SfError> {
    if conditions.is_empty() {
        return Ok(());
    }
    let modstamp = tx
        .system_modstamp(object.storage(), id.as_str())?
        .ok_or_else(SfError::not_found)?;
    conditions.check_write(&conditions::etag(id.as_str(), &modstamp), &modstamp)
}

/// `GET sobjects/{object}/{id}?fields=`: the record, with every field or those named.
pub async fn retrieve(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<RecordPath>,
    Query(query): Query<Fields>,
    headers: HeaderMap,
) -> Result<Response, SfError> {
    let object = stored_object(&path.object, &version)?;
    let id = record_id_of(object, &path.id).map_err(|_| SfError::not_found())?;
    let fields = chosen_fields(object, &version, query.fields.as_deref())?;
    let conditions = Preconditions::from_headers(&headers)?;
    read_one(
        &state,
        &version.0,
        object,
        fields,
        caller,
        (Column::Own("id"), id.into_string()),
        &conditions,
    )
    .await
}

/// `GET sobjects/{object}/{field}/{value}`: the record by an idLookup field such as the external id.
pub async fn retrieve_by(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<ExternalPath>,
    Query(query): Query<Fields>,
    headers: HeaderMap,
) -> Result<Response, SfError> {
    let object = stored_object(&path.object, &version)?;
    let field = lookup_field(object, version.major(), &path.field, prop::ID_LOOKUP)?;
    let fields = chosen_fields(object, &version, query.fields.as_deref())?;
    let conditions = Preconditions::from_headers(&headers)?;
    let value = if field.name == "Id" {
        record_id_of(object, &path.value)?.into_string()
    } else {
        path.value
    };
    read_one(
        &state,
        &version.0,
        object,
        fields,
        caller,
        (field.column, value),
        &conditions,
    )
    .await
}

fn lookup_field(
    object: &SObject,
    major: u32,
    name: &str,
    property: u16,
) -> Result<&'static Field, SfError> {
    object
        .field_in(name, major)
        .filter(|f| f.has(property) && f.write_column().is_some())
        .ok_or_else(|| {
            SfError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("Provided external ID field does not exist or is not accessible: {name}"),
            )
        })
}

/// `PATCH sobjects/{object}/{id}`: 204.
pub async fn update(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<RecordPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, SfError> {
    let object = stored_object(&path.object, &version)?;
    persist::check_writable(object, Write::Update)?;
    let id = record_id_of(object, &path.id)?;
    let conditions = Preconditions::from_headers(&headers)?;
    let body = json_body(&headers, &body)?;
    let changes = values::parse(
        object,
        version.major(),
        &body,
        Mode::Update,
        Some(id.as_str()),
    )?;
    state
        .store
        .write(move |tx| {
            let seen = Visibility::of(tx, &caller)?;
            // Only a record the caller sees has a version to tell them about.
            if !conditions.is_empty() && !seen.sees(tx, object, id.as_str())? {
                return Err(SfError::not_found());
            }
            check_version(tx, object, &id, &conditions)?;
            persist::update(tx, object, &id, &changes, &seen)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE sobjects/{object}/{id}`: 204; the record goes to the recycle bin.
pub async fn delete(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<RecordPath>,
) -> Result<StatusCode, SfError> {
    let object = stored_object(&path.object, &version)?;
    persist::check_writable(object, Write::Delete)?;
    let id = record_id_of(object, &path.id)?;
    state
        .store
        .write(move |tx| {
            let seen = Visibility::of(tx, &caller)?;
            persist::delete(tx, object, &id, &seen)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST sobjects/{object}/{id}/undelete`: 200 with a save result; the record leaves the recycle bin.
pub async fn undelete(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<RecordPath>,
) -> Result<axum::Json<Value>, SfError> {
    let object = stored_object(&path.object, &version)?;
    persist::check_writable(object, Write::Delete)?;
    let id = record_id_of(object, &path.id)?;
    let answer = saved(id.as_str());
    state
        .store
        .write(move |tx| {
            let seen = Visibility::of(tx, &caller)?;
            persist::undelete(tx, object, &id, &seen)
        })
        .await?;
    Ok(axum::Json(answer))
}

/// What an upsert by a value found.
enum Upserted {
    /// The record created (`true`) or updated.
    One(RecordId, bool),
    /// The live records that hold the value, when more than one does: none is changed.
    Several(Vec<String>),
}

/// `PATCH sobjects/{object}/{field}/{value}`: upsert by an external id (or `Id`): 201 when created, 200
/// when updated, each with a save result saying which.
pub async fn upsert(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path(path): Path<ExternalPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, SfError> {
    let object = stored_object(&path.object, &version)?;
    let major = version.major();
    persist::check_writable(object, Write::Update)?;
    persist::check_writable(object, Write::Create)?;
    // An external id, or a standard field described idLookup that a new record may carry (Salesforce
    // upserts by either; EngagementInteraction's ExternalIdentifier is one).
    let field = object.field_in(&path.field, major).filter(|f| {
        f.has(prop::EXTERNAL_ID) || f.has(prop::ID_LOOKUP) && f.has(prop::CREATE) || f.name == "Id"
    });
    let Some(field) = field else {
        return Err(SfError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!(
                "Provided external ID field does not exist or is not accessible: {}",
                path.field
            ),
        ));
    };
    let body = json_body(&headers, &body)?;
    if field.name == "Id" {
        let id = record_id_of(object, &path.value)?;
        let changes = values::parse(object, major, &body, Mode::Update, Some(id.as_str()))?;
        let answer = json!({ "id": id, "success": true, "errors": [], "created": false });
        state
            .store
            .write(move |tx| {
                let seen = Visibility::of(tx, &caller)?;
                persist::update(tx, object, &id, &changes, &seen)
            })
            .await?;
        return Ok(axum::Json(answer).into_response());
    }
    let value = path.value;
    if let Value::Object(map) = &body
        && let Some(given) = values::get(map, field.name)
        && given.as_str() != Some(value.as_str())
    {
        return Err(SfError::bad_request(
            "INVALID_FIELD",
            format!(
                "{} in the body must match the value in the address, {value}",
                field.name
            ),
        )
        .on([field.name]));
    }
    let update_changes = values::parse(object, major, &body, Mode::Update, None)?;
    // What a create would write, refused (a required field missing) only if the value names no record.
    let create_changes =
        values::parse(object, major, &body, Mode::Create, None).and_then(|mut changes| {
            if !changes.iter().any(|c| c.field.name == field.name) {
                changes.push(values::Change {
                    field,
                    value: values::check(field, &Value::String(value.clone()))?,
                });
            }
            state.reasons.with_defaults(object, major, &mut changes);
            Ok(changes)
        });
    let column = field.write_column().unwrap_or("id");
    let upserted = state
        .store
        .write(move |tx| {
            let seen = Visibility::of(tx, &caller)?;
            let found = tx.live_records_with(object.storage(), column, &value)?;
            match found.as_slice() {
                [] => persist::insert(tx, object, &create_changes?, &seen)
                    .map(|id| Upserted::One(id, true)),
                [id] => {
                    let id = RecordId::stored(id.clone());
                    persist::update(tx, object, &id, &update_changes, &seen)
                        .map(|()| Upserted::One(id, false))
                }
                [..] => Ok(Upserted::Several(found)),
            }
        })
        .await?;
    let (id, created) = match upserted {
        Upserted::One(id, created) => (id, created),
        // Salesforce's answer when the value names more than one record: 300 and their addresses.
        Upserted::Several(ids) => {
            let urls: Vec<String> = ids
                .iter()
                .map(|id| {
                    format!(
                        "/services/data/v{}/sobjects/{}/{id}",
                        version.0, object.name
                    )
                })
                .collect();
            return Ok((StatusCode::MULTIPLE_CHOICES, axum::Json(urls)).into_response());
        }
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let answer = json!({ "id": id, "success": true, "errors": [], "created": created });
    Ok((status, axum::Json(answer)).into_response())
}
