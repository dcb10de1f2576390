//! The webhook delivery log and its replays under `/console/api/admin/webhooks/{endpoint}` (admins
//! only): the same rule as the CLI's `webhooks` subcommands, in `webhooks::log`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{ConsoleError, Signed, required};
use crate::error::{AppError, Json, Path};
use crate::store::Store;
use crate::webhooks::log::{self, Delivery, LogError, Page, Replay};

/// The answer to a refusal of the log's, in the console's shape.
fn refused(error: LogError) -> AppError {
    match error {
        LogError::Store(error) => error.into(),
        LogError::NoEndpoint(_) | LogError::NoDelivery(_) => {
            ConsoleError::NoSuch(error.to_string()).into()
        }
        LogError::Invalid(field, message) => ConsoleError::Field(field, message).into(),
        LogError::TooMany { .. } => ConsoleError::Field("until", error.to_string()).into(),
    }
}

/// The query's `limit` and `before`; any other parameter is refused.
fn paging(query: Option<&str>) -> Result<(u32, Option<i64>), AppError> {
    let (mut limit, mut before) = (None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "limit" => limit = Some(value),
            "before" => before = Some(value),
            _ => {
                return Err(ConsoleError::Field(
                    "query",
                    format!("unknown parameter {key:?}; a page takes limit and before"),
                )
                .into());
            }
        }
    }
    Ok((
        log::page_size(limit).map_err(refused)?,
        log::page_start(before).map_err(refused)?,
    ))
}

/// `GET …/webhooks/{endpoint}/deliveries?limit=&before=`: the endpoint's deliveries, newest first, each
/// with its tries; `nextBefore` is the next page's `before`.
pub async fn list(
    State(store): State<Store>,
    signed: Signed,
    Path(endpoint): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<axum::Json<Page>, AppError> {
    signed.admin()?;
    let (limit, before) = paging(query.as_deref())?;
    let page = log::page(&store, endpoint, before, limit)
        .await
        .map_err(refused)?;
    Ok(axum::Json(page))
}

/// `GET …/webhooks/{endpoint}/deliveries/{eventId}`: one delivery with its tries.
pub async fn show(
    State(store): State<Store>,
    signed: Signed,
    Path((endpoint, event_id)): Path<(String, String)>,
) -> Result<axum::Json<Delivery>, AppError> {
    signed.admin()?;
    let delivery = log::one(&store, endpoint, event_id)
        .await
        .map_err(refused)?;
    Ok(axum::Json(delivery))
}

/// `POST …/webhooks/{endpoint}/deliveries/{eventId}/replay`: 202 `{"replayed": 1}`; the delivery is
/// posted again with the same `webhook-id`.
pub async fn replay_one(
    State(store): State<Store>,
    signed: Signed,
    Path((endpoint, event_id)): Path<(String, String)>,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    signed.admin()?;
    replayed(&store, endpoint, Replay::One(event_id)).await
}

/// `POST …/webhooks/{endpoint}/replay` with `{since, until}`: 202 `{"replayed": n}`, the deliveries of
/// events written from `since` until before `until`; a range holding more than
/// [`log::MAX_REPLAY`] is a 400 and replays none.
pub async fn replay_range(
    State(store): State<Store>,
    signed: Signed,
    Path(endpoint): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    signed.admin()?;
    let since = required(&body, "since", 64)?;
    let until = required(&body, "until", 64)?;
    if let Some(unknown) = body
        .keys()
        .find(|k| !["since", "until"].contains(&k.as_str()))
    {
        return Err(ConsoleError::Field(
            "body",
            format!("unknown field {unknown:?}; a range replay takes since and until"),
        )
        .into());
    }
    let replay = Replay::range(&since, &until).map_err(refused)?;
    replayed(&store, endpoint, replay).await
}

async fn replayed(
    store: &Store,
    endpoint: String,
    replay: Replay,
) -> Result<(StatusCode, axum::Json<Value>), AppError> {
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let replayed = log::replay(store, endpoint, replay, now_ms)
        .await
        .map_err(refused)?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({ "replayed": replayed })),
    ))
}
