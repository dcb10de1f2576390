//! Webhook endpoints under `/console/api/admin/webhooks` (admins only): the file's and the API's
//! listed, the API's created (the secret answered once), changed, rotated and deleted, by the rules of
//! `webhooks::endpoints`.

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{ConsoleError, Signed, text};
use crate::error::{AppError, Json, Path};
use crate::store::{EndpointChange, Store};
use crate::webhooks::endpoints::{
    self, EndpointError, KEEP_OLD_MAX_MINUTES, NewEndpoint, Registry,
};

/// What these routes reach: the store, and what this server can do with endpoints.
#[derive(Clone)]
pub struct EndpointsState {
    pub store: Store,
    pub registry: Registry,
}

impl FromRef<EndpointsState> for Store {
    fn from_ref(state: &EndpointsState) -> Store {
        state.store.clone()
    }
}

type Body = Json<Map<String, Value>>;

/// The answer to a refusal, in the console's shape.
fn refused(error: EndpointError) -> AppError {
    match error {
        EndpointError::Store(error) => error.into(),
        EndpointError::Field(field, message) => ConsoleError::Field(field, message).into(),
        EndpointError::Taken(_) => ConsoleError::Taken("name", error.to_string()).into(),
        EndpointError::NoSuch(_) | EndpointError::NoSecret(..) => {
            ConsoleError::NoSuch(error.to_string()).into()
        }
        EndpointError::InFile(_) | EndpointError::LastSecret | EndpointError::NoKey => {
            ConsoleError::Conflict(error.to_string()).into()
        }
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Refuses a body field that is none of `known`, naming it.
fn only(body: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), AppError> {
    match body.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(ConsoleError::Field(
            "body",
            format!(
                "unknown field {unknown:?}; {what} takes {}",
                known.join(", ")
            ),
        )
        .into()),
        None => Ok(()),
    }
}

fn enabled(body: &Map<String, Value>) -> Result<Option<bool>, AppError> {
    match body.get("enabled") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => {
            Err(ConsoleError::Field("enabled", "enabled must be true or false".into()).into())
        }
    }
}

/// `GET /console/api/admin/webhooks`: every endpoint, the file's (`source: "file"`, read-only) and the
/// API's, by name.
pub async fn list(
    State(state): State<EndpointsState>,
    signed: Signed,
) -> Result<axum::Json<Value>, AppError> {
    signed.admin()?;
    let found = endpoints::list(&state.store, now_ms())
        .await
        .map_err(refused)?;
    Ok(axum::Json(json!({ "endpoints": found })))
}

/// `GET /console/api/admin/webhooks/{endpoint}`.
pub async fn show(
    State(state): State<EndpointsState>,
    signed: Signed,
    Path(name): Path<String>,
) -> Result<axum::Json<endpoints::EndpointView>, AppError> {
    signed.admin()?;
    let found = endpoints::one(&state.store, name, now_ms())
        .await
        .map_err(refused)?;
    Ok(axum::Json(found))
}

/// `POST /console/api/admin/webhooks` with `{name, url, events, site?, enabled?}`: 201, the endpoint
/// and its `secret`, shown this once.
pub async fn create(
    State(state): State<EndpointsState>,
    signed: Signed,
    Json(body): Body,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    signed.admin()?;
    only(
        &body,
        &["name", "url", "events", "site", "enabled"],
        "an endpoint",
    )?;
    let new = NewEndpoint {
        name: endpoints::name(&text(&body, "name")?.unwrap_or_default()).map_err(refused)?,
        url: endpoints::url(&text(&body, "url")?.unwrap_or_default(), &state.registry)
            .map_err(refused)?,
        events: endpoints::events(body.get("events").unwrap_or(&Value::Null)).map_err(refused)?,
        site: endpoints::site(text(&body, "site")?.as_deref()).map_err(refused)?,
        enabled: enabled(&body)?.unwrap_or(true),
    };
    let (endpoint, secret) = endpoints::create(&state.store, &state.registry, new, now_ms())
        .await
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(with_secret(endpoint, secret)),
    ))
}

fn with_secret(endpoint: endpoints::EndpointView, secret: String) -> Value {
    let mut answer = json!(endpoint);
    answer["secret"] = Value::String(secret);
    answer
}

/// `PATCH /console/api/admin/webhooks/{endpoint}` with any of `url`, `events`, `site` (null for every
/// site) and `enabled`: the endpoint as changed. The file's endpoints are a 409, but for
/// `{"enabled": true}`, which enables one the server disabled for failing.
pub async fn change(
    State(state): State<EndpointsState>,
    signed: Signed,
    Path(name): Path<String>,
    Json(body): Body,
) -> Result<axum::Json<endpoints::EndpointView>, AppError> {
    signed.admin()?;
    only(&body, &["url", "events", "site", "enabled"], "a change")?;
    let change = EndpointChange {
        url: match text(&body, "url")? {
            Some(url) => Some(endpoints::url(&url, &state.registry).map_err(refused)?),
            None => None,
        },
        events: match body.get("events") {
            Some(events) => Some(endpoints::events(events).map_err(refused)?),
            None => None,
        },
        site: match body.contains_key("site") {
            true => Some(endpoints::site(text(&body, "site")?.as_deref()).map_err(refused)?),
            false => None,
        },
        enabled: enabled(&body)?,
    };
    let changed = endpoints::change(&state.store, name, change, now_ms())
        .await
        .map_err(refused)?;
    Ok(axum::Json(changed))
}

/// `POST /console/api/admin/webhooks/{endpoint}/rotate` with `{keepOldMinutes?}`: the endpoint and its
/// new `secret`, shown this once; the old ones keep signing alongside until removed, or for
/// `keepOldMinutes` (0 to 43200) when given.
pub async fn rotate(
    State(state): State<EndpointsState>,
    signed: Signed,
    Path(name): Path<String>,
    Json(body): Body,
) -> Result<axum::Json<Value>, AppError> {
    signed.admin()?;
    only(&body, &["keepOldMinutes"], "a rotation")?;
    let keep_old = match body.get("keepOldMinutes") {
        None | Some(Value::Null) => None,
        Some(minutes) => Some(
            minutes
                .as_i64()
                .filter(|m| (0..=KEEP_OLD_MAX_MINUTES).contains(m))
                .ok_or_else(|| {
                    ConsoleError::Field(
                        "keepOldMinutes",
                        format!(
                            "keepOldMinutes must be a whole number from 0 to {KEEP_OLD_MAX_MINUTES}"
                        ),
                    )
                })?,
        ),
    };
    let (endpoint, secret) =
        endpoints::rotate(&state.store, &state.registry, name, keep_old, now_ms())
            .await
            .map_err(refused)?;
    Ok(axum::Json(with_secret(endpoint, secret)))
}

/// `DELETE /console/api/admin/webhooks/{endpoint}/secrets/{id}`: 204; the secret stops signing. An
/// endpoint's last secret is a 409.
pub async fn remove_secret(
    State(state): State<EndpointsState>,
    signed: Signed,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    signed.admin()?;
    endpoints::remove_secret(&state.store, name, id, now_ms())
        .await
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /console/api/admin/webhooks/{endpoint}`: 204; the endpoint, its deliveries and their log are
/// gone. The file's endpoints are a 409.
pub async fn delete(
    State(state): State<EndpointsState>,
    signed: Signed,
    Path(name): Path<String>,
) -> Result<StatusCode, AppError> {
    signed.admin()?;
    endpoints::delete(&state.store, name)
        .await
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}
