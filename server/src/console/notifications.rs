//! The signed-in person's email notifications: `GET /console/api/me/notifications` answers
//! `{"newRequests", "callbackDue"}` (whether they get the emails of new requests in their queues, and of
//! their callbacks falling due), and `PATCH` with either turns it on or off. The mail worker honours them,
//! as it does the one-click unsubscribe links of those emails (`mail::unsubscribe`).

use axum::extract::State;
use serde_json::{Map, Value};

use super::{ConsoleError, Signed};
use crate::error::{AppError, Json};
use crate::mail::unsubscribe::fresh_token;
use crate::store::{CALLBACK_DUE_NOTICES, NEW_REQUESTS, Store};

/// Each kind's field in the body.
const FIELDS: &[(&str, &str)] = &[
    ("newRequests", NEW_REQUESTS),
    ("callbackDue", CALLBACK_DUE_NOTICES),
];

async fn current(store: &Store, user: String) -> Result<axum::Json<Value>, AppError> {
    let kinds = store.read(move |db| db.notifications(&user)).await?;
    let mut answer = Map::new();
    for (field, kind) in FIELDS {
        let on = kinds.iter().any(|(k, on)| k == kind && *on);
        answer.insert((*field).to_owned(), Value::Bool(on));
    }
    Ok(axum::Json(Value::Object(answer)))
}

/// `GET /console/api/me/notifications`.
pub async fn show(
    State(store): State<Store>,
    Signed(caller): Signed,
) -> Result<axum::Json<Value>, AppError> {
    current(&store, caller.user_id.as_str().to_owned()).await
}

/// `PATCH /console/api/me/notifications` with `newRequests` and/or `callbackDue`, each true or false.
pub async fn change(
    State(store): State<Store>,
    Signed(caller): Signed,
    Json(body): Json<Map<String, Value>>,
) -> Result<axum::Json<Value>, AppError> {
    let mut changes = Vec::new();
    for (key, value) in &body {
        let Some((field, kind)) = FIELDS.iter().find(|(f, _)| f == key) else {
            return Err(ConsoleError::Field(
                "body",
                format!("unknown field {key:?}; the notifications are newRequests and callbackDue"),
            )
            .into());
        };
        let Some(on) = value.as_bool() else {
            return Err(
                ConsoleError::Field(field, format!("{field} must be true or false")).into(),
            );
        };
        changes.push((*kind, on));
    }
    let user = caller.user_id.as_str().to_owned();
    {
        let user = user.clone();
        store
            .write(move |tx| {
                for (kind, on) in &changes {
                    tx.set_notifications(&user, kind, *on, &fresh_token())?;
                }
                Ok::<_, crate::store::StoreError>(())
            })
            .await?;
    }
    current(&store, user).await
}
