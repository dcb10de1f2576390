//! `GET /api/v1/sites/{key}`: a site's public settings, fetched by its widget each time it opens, and
//! `GET /api/v1/sites/{key}/callback-slots`, the times its call center offers (see [`super::callback_slots`]).
//!
//! Readable from any origin, so that a widget on a page its site does not allow can show why; the answer
//! then is a 403 naming the origin. The settings are cached by ETag: the widget asks with `If-None-Match`,
//! which browsers only send cross-origin once the preflight allows it.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{Any, CorsLayer};

use super::{KeyInPath, PageSite};
use crate::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&contact_shared::site_url("", "{key}"), get(settings))
        .route(
            &contact_shared::callback_slots_url("", "{key}"),
            get(super::callback_slots::callback_slots),
        )
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_headers([header::IF_NONE_MATCH])
                .expose_headers([header::ETAG])
                .max_age(std::time::Duration::from_secs(3600)),
        )
}

async fn settings(
    PageSite { site, .. }: PageSite<KeyInPath>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let body =
        serde_json::to_vec(&site.settings()).map_err(|e| AppError::Internal(e.to_string()))?;
    let etag = format!("\"{:016x}\"", fnv1a(&body));
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.to_string()))?;
    let cache = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// A stable 64-bit fingerprint of the settings, for the ETag.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
