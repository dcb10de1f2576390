//! Creating a contact request from a widget submission, exactly once per idempotency key.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use contact_shared::ContactRequestForm;

use crate::AppState;
use crate::error::{AppError, Json};
use crate::store::{IdempotencyKey, Inserted, KeyError, Submission};

/// The longest `Origin` header value kept with a record; browsers send far shorter ones.
const MAX_ORIGIN_LEN: usize = 255;
/// The header a client names its attempt with (IETF draft "The Idempotency-Key HTTP Header Field").
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on an answer replayed for a repeated key, as Stripe and others do.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Parses the form with the shared rules, stores it durably, and answers `201` with its id and number.
/// A repeated `Idempotency-Key` with the same content gets the first answer again; with other content, `422`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Json<ContactRequestForm>, AppError>,
) -> Result<Response, AppError> {
    let Json(form) = form.inspect_err(|_| crate::metrics::rejected("malformed"))?;
    let request = form.parse().map_err(|body| {
        crate::metrics::rejected("invalid");
        AppError::Invalid(body)
    })?;
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            value
                .to_str()
                .map_err(|_| KeyError::InvalidCharacter)
                .and_then(|text| IdempotencyKey::new(text, &request))
        })
        .transpose()
        .map_err(|e| {
            crate::metrics::rejected("idempotency_key");
            AppError::BadHeader(e.to_string())
        })?;
    state
        .protection
        .check_friction(&headers, key.as_ref().map(IdempotencyKey::as_str))?;
    let source_origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_ORIGIN_LEN)
        .map(str::to_owned);
    let submission = Submission {
        request,
        source_origin,
    };
    match state.store.insert_once(submission, key).await? {
        Inserted::Created(created) => {
            crate::metrics::accepted("created");
            tracing::info!(name = %created.name, "contact request stored");
            Ok((StatusCode::CREATED, axum::Json(created)).into_response())
        }
        Inserted::Replayed(created) => {
            crate::metrics::accepted("replayed");
            tracing::info!(name = %created.name, "repeated submission answered from its key");
            let replayed = [(REPLAYED, HeaderValue::from_static("true"))];
            Ok((StatusCode::CREATED, replayed, axum::Json(created)).into_response())
        }
        Inserted::Conflict => {
            crate::metrics::rejected("idempotency_conflict");
            Err(AppError::IdempotencyConflict)
        }
    }
}
