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

/// The process is up and serving, and can still write: a store whose writer has stopped can never store
/// another request, so the process is not healthy and a supervisor should restart it.
async fn healthz(State(state): State<AppState>) -> Result<axum::Json<Value>, AppError> {
    if !state.store.writer_running() {
        return Err(crate::store::StoreError::WriterStopped.into());
    }
    Ok(axum::Json(json!({ "status": "ok" })))
}

/// The database answers and its writer runs.
async fn readyz(State(state): State<AppState>) -> Result<axum::Json<Value>, AppError> {
    state.store.ping().await?;
    Ok(axum::Json(json!({ "status": "ready" })))
}
