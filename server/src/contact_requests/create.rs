//! Creating a contact request from a widget submission.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use contact_shared::{ContactRequestCreated, ContactRequestForm};

use crate::AppState;
use crate::error::{AppError, Json};
use crate::store::Submission;

/// The longest `Origin` header value kept with a record; browsers send far shorter ones.
const MAX_ORIGIN_LEN: usize = 255;

/// Parses the form with the shared rules, stores it durably, and answers `201` with its id and number.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(form): Json<ContactRequestForm>,
) -> Result<(StatusCode, axum::Json<ContactRequestCreated>), AppError> {
    let request = form.parse().map_err(AppError::Invalid)?;
    let source_origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_ORIGIN_LEN)
        .map(str::to_owned);
    let created = state
        .store
        .insert(Submission {
            request,
            source_origin,
        })
        .await?;
    tracing::info!(name = %created.name, "contact request stored");
    Ok((StatusCode::CREATED, axum::Json(created)))
}
