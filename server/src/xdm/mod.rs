//! Contact Request Details events (XDM ExperienceEvents): the schemas they are checked against, the
//! widget's batches (`POST /api/v1/events`), the event the intake writes with each stored request, and
//! reading them back through the API's bearer token (an NDJSON export, daily counts).

pub mod event;
mod export;
pub mod forward;
mod intake;
pub mod platform;
pub mod schema;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::AppState;
use crate::store::Store;

/// How many days events are kept unless `--events-retention-days` says otherwise: 13 months.
pub const DEFAULT_RETENTION_DAYS: u32 = 396;

/// The instant before which events are swept, `retention_days` before `now` (stored format).
pub fn swept_before(now: jiff::Timestamp, retention_days: u32) -> String {
    let age = jiff::SignedDuration::from_hours(24 * i64::from(retention_days));
    crate::instant::stored(now.checked_sub(age).unwrap_or(jiff::Timestamp::MIN))
}

/// The analytics session a submission names (`X-CRW-Session`), for its sent-request event: none when it
/// is not a usable id, or when the browser sends `Sec-GPC: 1` (counted in aggregate only, so no session
/// id of its is written).
pub fn submission_session(headers: &axum::http::HeaderMap) -> Option<&str> {
    let gpc = headers
        .get(intake::GPC)
        .is_some_and(|value| value.as_bytes().trim_ascii() == b"1");
    headers
        .get(contact_shared::SESSION_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|session| !gpc && event::is_id(session))
}

/// The address the widget posts its batches to.
pub const EVENTS_PATH: &str = "/api/v1/events";

/// `POST /api/v1/events`, with its body limit, its own per-IP rate limit and the intake's CORS policy.
pub fn routes(
    cors: tower_http::cors::CorsLayer,
    protection: &std::sync::Arc<crate::protection::Protection>,
) -> Router<AppState> {
    let routes = Router::new()
        .route(EVENTS_PATH, post(intake::post))
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(DefaultBodyLimit::max(intake::MAX_BODY_BYTES));
    protection.events_rate_limited(routes).layer(cors)
}

/// The read-back routes, under Salesforce's custom REST namespace, with the API's tokens and errors.
pub fn api_routes<S: Clone + Send + Sync + 'static>(store: Store) -> Router<S> {
    Router::new()
        .route("/services/apexrest/xdm/events", get(export::events))
        .route(
            "/services/apexrest/xdm/daily-counts",
            get(export::daily_counts),
        )
        .with_state(store)
}

/// A batch body past [`intake::MAX_BODY_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("The batch is larger than {} KB: send fewer events at a time.", intake::MAX_BODY_BYTES / 1024)]
pub struct BatchTooLarge;

impl crate::error::Refusal for BatchTooLarge {
    fn status(&self) -> StatusCode {
        StatusCode::PAYLOAD_TOO_LARGE
    }
}
