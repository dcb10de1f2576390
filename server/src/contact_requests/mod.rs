//! The public intake API: the widget posts a contact request here.

mod create;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

use crate::AppState;

/// `POST /api/v1/contact-requests`, with the body limit and CORS policy of the intake API.
pub fn routes(cors: tower_http::cors::CorsLayer) -> Router<AppState> {
    Router::new()
        .route(contact_shared::CONTACT_REQUESTS_PATH, post(create::create))
        // Set before the CORS layer so that a preflight (OPTIONS) still reaches it.
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .layer(cors)
}
