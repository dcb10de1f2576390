//! Liveness and readiness probes.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .method_not_allowed_fallback(crate::error::method_not_allowed)
}

/// The process is up and serving.
async fn healthz() -> axum::Json<Value> {
    axum::Json(json!({ "status": "ok" }))
}

/// The database answers and its writer runs.
async fn readyz(State(state): State<AppState>) -> Result<axum::Json<Value>, AppError> {
    state.store.ping().await?;
    Ok(axum::Json(json!({ "status": "ready" })))
}
