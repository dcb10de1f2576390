//! The public intake API: the widget posts a contact request here.

mod create;
mod error;
mod events;
pub mod objects;
pub mod shares;

pub use create::IDEMPOTENCY_KEY;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

use crate::AppState;

/// `POST /api/v1/contact-requests`, with the body limit, rate limits and CORS policy of the intake API.
/// The rate limits sit inside CORS, so a preflight is never limited and a 429 still reaches the page's script.
pub fn routes(
    cors: tower_http::cors::CorsLayer,
    protection: &std::sync::Arc<crate::protection::Protection>,
) -> Router<AppState> {
    let routes = Router::new()
        .route(contact_shared::CONTACT_REQUESTS_PATH, post(create::create))
        // Set before the CORS layer so that a preflight (OPTIONS) still reaches it.
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(crate::metrics::record_latency));
    protection.rate_limited(routes).layer(cors)
}
