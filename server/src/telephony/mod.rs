//! The telephony API a provider (Amazon Connect and the like) calls, shaped as Salesforce Voice's:
//! `POST /telephony/v1/voiceCalls/{CALL ID}/requestCallback`, authenticated by a JWT signed with a key of
//! the provider's call center.

mod error;
mod request_callback;
mod token;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

use crate::AppState;

/// The telephony routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/telephony/v1/voiceCalls/{call_id}/requestCallback",
            post(request_callback::request_callback),
        )
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
}
