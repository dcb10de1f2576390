//! The telephony API's errors: the server's JSON error shape (`{"message", "fields"}`) with the status
//! the Request a Callback reference implies.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contact_shared::ErrorBody;

use crate::store::StoreError;

/// Why a telephony call was refused.
#[derive(Debug, thiserror::Error)]
pub enum TelephonyError {
    /// Missing, malformed, expired or wrongly signed token: 401.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The body is not JSON: 415.
    #[error("unsupported content type")]
    UnsupportedMediaType,
    /// A field is missing or wrong: 400, naming it.
    #[error("invalid field {field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// The body is larger than the server reads: 413.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body or address is unusable as a whole: 400.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The token's call center does not process callbacks: 403.
    #[error("unified routing is off: {0}")]
    RoutingDisabled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for TelephonyError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::Unauthorized(message) => (StatusCode::UNAUTHORIZED, ErrorBody::new(message)),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorBody::new(
                    "Send the request body as JSON, with Content-Type: application/json.",
                ),
            ),
            Self::Field { field, message } => {
                let mut body = ErrorBody::with_fields([(field.to_owned(), vec![message])].into());
                body.message = format!("{field} is not valid; see fields.");
                (StatusCode::BAD_REQUEST, body)
            }
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorBody::new(format!(
                    "The request body is larger than {} KB.",
                    crate::MAX_BODY_BYTES / 1024
                )),
            ),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, ErrorBody::new(message)),
            Self::RoutingDisabled(center) => (
                StatusCode::FORBIDDEN,
                ErrorBody::new(format!(
                    "Call center {center:?} does not have unified routing enabled; callbacks are requested only for call centers that route them. Set unified_routing = true in its configuration."
                )),
            ),
            Self::Store(error) => {
                tracing::error!(%error, "store unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorBody::new("The callback could not be stored just now; retry shortly."),
                )
            }
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<PathRejection> for TelephonyError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(format!(
            "The address is not valid: {}.",
            rejection.body_text()
        ))
    }
}

impl From<BytesRejection> for TelephonyError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::PayloadTooLarge
        } else {
            Self::BadRequest(format!(
                "The request body could not be read: {}.",
                rejection.body_text()
            ))
        }
    }
}

crate::dialect_path!(
    TelephonyError,
    "`axum::extract::Path`, but an address part it cannot read is answered in the telephony shape."
);
