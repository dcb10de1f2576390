//! The describe calls: the versions list, the resources of a version, describeGlobal, an object's basic
//! information, describeSObjects and describeLayout, all generated from the object descriptions.

use axum::extract::State;
use serde_json::{Value, json};

use super::{ApiState, ApiVersion, LATEST_VERSION, MIN_VERSION, SfError, object_named};
use crate::access::Caller;
use crate::objects::OBJECTS;
use crate::salesforce::SfPath as Path;
use crate::salesforce::reasons::RequestReasons;
use crate::salesforce::rows::attributes;
use crate::salesforce::schema::{Field, FieldType, SObject, Write, prop};

/// Salesforce's release name of an API version: 45.0 is Spring '19, three releases a year.
fn release_label(major: u32) -> String {
    let n = major - MIN_VERSION;
    let (season, later_year) = match n % 3 {
        0 => ("Spring", 0),
        1 => ("Summer", 0),
        _ => ("Winter", 1),
    };
    format!("{season} '{}", 19 + n / 3 + later_year)
}

/// `GET /services/data/`: the versions served (no token needed, as in Salesforce).
pub async fn versions() -> axum::Json<Value> {
    axum::Json(Value::Array(
        (MIN_VERSION..=LATEST_VERSION)
            .map(|major| {
                json!({
                    "label": release_label(major),
                    "url": format!("/services/data/v{major}.0"),
                    "version": format!("{major}.0"),
                })
            })
            .collect(),
    ))
}

/// `GET /services/data/vNN.N/`: the resources of a version.
pub async fn resources(_caller: Caller, version: ApiVersion) -> axum::Json<Value> {
    let base = format!("/services/data/v{}", version.0);
    axum::Json(json!({
        "sobjects": format!("{base}/sobjects"),
        "query": format!("{base}/query"),
        "queryAll": format!("{base}/queryAll"),
    }))
}

fn urls(object: &SObject, version: &str) -> Value {
    let base = format!("/services/data/v{version}/sobjects/{}", object.name);
    json!({
        "sobject": base,
        "describe": format!("{base}/describe"),
        "layouts": format!("{base}/describe/layouts"),
        "rowTemplate": format!("{base}/{{ID}}"),
    })
}

fn basic_info(object: &SObject, version: &str) -> Value {
    json!({
        "name": object.name,
        "label": object.label,
        "labelPlural": object.label_plural,
        "keyPrefix": object.key_prefix,
        "custom": false,
        "customSetting": false,
        "activateable": false,
        "createable": object.access.allows(Write::Create),
        "updateable": object.access.allows(Write::Update),
        "deletable": object.access.allows(Write::Delete),
        "undeletable": object.access.allows(Write::Delete),
        "queryable": true,
        "retrieveable": object.scope.is_none(),
        "replicateable": object.scope.is_none(),
        "searchable": crate::objects::searchable(object),
        "layoutable": true,
        "mergeable": false,
        "triggerable": false,
        "feedEnabled": false,
        "deprecatedAndHidden": false,
        "urls": urls(object, version),
    })
}

/// `GET sobjects/`: describeGlobal.
pub async fn global(_caller: Caller, version: ApiVersion) -> axum::Json<Value> {
    axum::Json(json!({
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": OBJECTS
            .iter()
            .filter(|o| o.available_in(version.major()))
            .map(|o| basic_info(o, &version.0))
            .collect::<Vec<_>>(),
    }))
}

/// `GET sobjects/{object}/`: basic information and the caller's recently viewed records.
pub async fn basic(
    State(state): State<ApiState>,
    caller: Caller,
    version: ApiVersion,
    Path((_, name)): Path<(String, String)>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name, &version)?;
    let recent: Vec<Value> = state
        .store
        .read(move |db| {
            let seen = crate::access::Visibility::of(db, &caller)?;
            db.recently_viewed(
                object.storage(),
                &seen.user,
                25,
                seen.filter(object).as_ref(),
            )
        })
        .await?
        .into_iter()
        .map(|(id, name)| {
            json!({
                "attributes": attributes(object, &version.0, Some(&id)),
                "Id": id,
                "Name": name,
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "objectDescribe": basic_info(object, &version.0),
        "recentItems": recent,
    })))
}

/// A field as describe shows it.
pub fn describe_field(field: &Field, reasons: &RequestReasons) -> Value {
    // (value, label, default) of each active value: the organisation's for a customizable picklist.
    let values: Vec<(&str, &str, bool)> = if field.has(prop::ORG_VALUES) {
        let default = reasons.default_value();
        reasons
            .active()
            .map(|r| {
                (
                    r.value.as_str(),
                    r.label.as_str(),
                    Some(&r.value) == default,
                )
            })
            .collect()
    } else {
        field.picklist.iter().map(|(v, d)| (*v, *v, *d)).collect()
    };
    let default_value = values.iter().find(|(_, _, d)| *d).map(|(v, _, _)| *v);
    let is_text =
        field.ty.is_text() || field.ty == FieldType::Id || field.ty == FieldType::Reference;
    json!({
        "name": field.name,
        "label": field.label,
        "type": field.ty.name(),
        "soapType": field.ty.soap_type(),
        "length": if is_text { field.length } else { 0 },
        "byteLength": if is_text { field.length * 3 } else { 0 },
        "digits": 0,
        "precision": 0,
        "scale": 0,
        "custom": field.has(prop::CUSTOM),
        "calculated": false,
        "createable": field.has(prop::CREATE),
        "updateable": field.has(prop::UPDATE),
        "filterable": field.has(prop::FILTER),
        "sortable": field.has(prop::SORT),
        "groupable": field.groupable(),
        "aggregatable": field.aggregatable(),
        "nillable": field.has(prop::NILLABLE),
        "defaultedOnCreate": field.has(prop::DEFAULTED),
        "restrictedPicklist": field.has(prop::RESTRICTED),
        "autoNumber": field.has(prop::AUTONUMBER),
        "idLookup": field.has(prop::ID_LOOKUP),
        "externalId": field.has(prop::EXTERNAL_ID),
        "unique": field.has(prop::UNIQUE),
        "nameField": field.name == "Name",
        "caseSensitive": false,
        "polymorphicForeignKey": field.polymorphic(),
        "namePointing": field.polymorphic(),
        "referenceTo": field.reference_to,
        "relationshipName": field.relationship,
        "defaultValue": match field.ty {
            FieldType::Boolean if field.has(prop::DEFAULTED) && field.has(prop::CREATE) => json!(false),
            _ => json!(default_value),
        },
        "defaultValueFormula": null,
        "inlineHelpText": null,
        "picklistValues": values.iter().map(|(value, label, default)| json!({
            "active": true,
            "defaultValue": default,
            "label": label,
            "validFor": null,
            "value": value,
        })).collect::<Vec<_>>(),
    })
}

/// `GET sobjects/{object}/describe/`: describeSObjects.
pub async fn describe(
    State(state): State<ApiState>,
    _caller: Caller,
    version: ApiVersion,
    Path((_, name)): Path<(String, String)>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name, &version)?;
    let mut body = basic_info(object, &version.0);
    let extra = json!({
        "fields": object
            .fields_in(version.major())
            .map(|f| describe_field(f, &state.reasons))
            .collect::<Vec<_>>(),
        "childRelationships": child_relationships(object),
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All contact requests", "name": "everything"}, {"label": "My contact requests", "name": "mine"}, {"label": "My queues", "name": "queue_owned"}],
        "namedLayoutInfos": [],
        "networkScopeFieldName": null,
        "listviewable": null,
        "lookupLayoutable": null,
        "searchLayoutable": false,
        "compactLayoutable": true,
    });
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    Ok(axum::Json(body))
}

/// The references of every object that may point to `object`, as Salesforce lists them; those with a
/// relationship name are what a relationship subquery names.
fn child_relationships(object: &SObject) -> Vec<Value> {
    crate::objects::child_relationships(object)
        .into_iter()
        .map(|relationship| {
            json!({
                "cascadeDelete": false,
                "childSObject": relationship.child.name,
                "deprecatedAndHidden": false,
                "field": relationship.field.name,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": relationship.field.children,
                "restrictedDelete": false,
            })
        })
        .collect()
}

fn layout_item(field: &Field, editable: bool, reasons: &RequestReasons) -> Value {
    json!({
        "label": field.label,
        "editableForNew": editable && field.has(prop::CREATE),
        "editableForUpdate": editable && field.has(prop::UPDATE),
        "required": field.required(),
        "placeholder": false,
        "layoutComponents": [{
            "type": "Field",
            "value": field.name,
            "tabOrder": 0,
            "displayLines": if field.ty == FieldType::TextArea { 4 } else { 1 },
            "details": describe_field(field, reasons),
        }],
    })
}

/// Where a layout is drawn: the API version asked and the organisation's picklist values.
struct Drawn<'a> {
    major: u32,
    reasons: &'a RequestReasons,
}

fn section(
    object: &SObject,
    at: &Drawn<'_>,
    heading: &str,
    fields: &[&str],
    editable: bool,
) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .filter_map(|name| object.field_in(name, at.major))
        .map(|field| json!({ "numItems": 1, "layoutItems": [layout_item(field, editable, at.reasons)] }))
        .collect();
    json!({
        "heading": heading,
        "columns": 1,
        "rows": rows.len(),
        "tabOrder": "TopToBottom",
        "useCollapsibleSection": false,
        "useHeading": true,
        "layoutSectionId": null,
        "layoutRows": rows,
    })
}

/// The id of the Master record type every object has, whose layout is the object's one layout.
pub const MASTER_RECORD_TYPE: &str = "012000000000000AAA";

/// The object's one layout (a DescribeLayout): the system fields, then its form's, each once, for
/// reading; its form's for editing, under the object's label. Its id is an 18-character layout id (`00h`)
/// made from the object's key prefix. Fields API version `major` does not serve are left out.
fn layout(object: &SObject, at: &Drawn<'_>) -> Value {
    let system = [
        "Name",
        "Status",
        "OwnerId",
        "WhatId",
        "WhoId",
        "CreatedDate",
        "LastModifiedDate",
    ];
    let mut detail_fields: Vec<&str> = system.to_vec();
    for field in object.layout {
        if !detail_fields.contains(field) {
            detail_fields.push(field);
        }
    }
    let id = crate::salesforce::record_id::to_18(&format!("00h{}000000000", object.key_prefix))
        .unwrap_or_default();
    json!({
        "id": id,
        "buttonLayoutSection": null,
        "detailLayoutSections": [section(object, at, "Information", &detail_fields, false)],
        "editLayoutSections": [section(object, at, object.label, object.layout, true)],
        "highlightsPanelLayoutSection": null,
        "multirowEditLayoutSections": [],
        "offlineLinks": [],
        "quickActionList": {"quickActionListItems": []},
        "relatedContent": null,
        "relatedLists": [],
        "saveOptions": [],
    })
}

/// `GET sobjects/{object}/describe/layouts/`: describeLayout, the widget's form as a layout.
pub async fn layouts(
    State(state): State<ApiState>,
    _caller: Caller,
    version: ApiVersion,
    Path((_, name)): Path<(String, String)>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name, &version)?;
    Ok(axum::Json(json!({
        "layouts": [layout(object, &Drawn { major: version.major(), reasons: &state.reasons })],
        "recordTypeMappings": [],
        "recordTypeSelectorRequired": [false],
    })))
}

/// `GET sobjects/{object}/describe/layouts/{recordTypeId}`: the layout of one record type, as
/// Salesforce answers it: the Master record type's (`012000000000000AAA`, or its 15 characters) is the
/// object's one layout; any other id is `NOT_FOUND`, as the objects have no other record type.
pub async fn record_type_layout(
    State(state): State<ApiState>,
    _caller: Caller,
    version: ApiVersion,
    Path((_, name, record_type)): Path<(String, String, String)>,
) -> Result<axum::Json<Value>, SfError> {
    let object = object_named(&name, &version)?;
    if crate::salesforce::record_id::to_18(&record_type).as_deref() != Some(MASTER_RECORD_TYPE) {
        return Err(SfError::not_found());
    }
    Ok(axum::Json(layout(
        object,
        &Drawn {
            major: version.major(),
            reasons: &state.reasons,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_named_as_salesforce_names_them() {
        let table = [
            (45, "Spring '19"),
            (46, "Summer '19"),
            (47, "Winter '20"),
            (50, "Winter '21"),
            (62, "Winter '25"),
            (66, "Spring '26"),
        ];
        for (major, label) in table {
            assert_eq!(release_label(major), label, "{major}");
        }
    }
}
