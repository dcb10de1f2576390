//! The error type of the widget's API, and the extractors whose rejections become it.
//!
//! The server speaks three wire dialects, each with one error type and one `IntoResponse`; a handler
//! returns the type of the address it serves, never another's:
//! - `/api/v1/…` (the widget's API: intake, challenge, site settings, callback slots), the probes, the
//!   widget's assets and every unknown address: [`AppError`] here, answered as the shared [`ErrorBody`]
//!   (`{"message", "fields"}`). The intake handler returns `contact_requests::IntakeError` instead, which
//!   names each way a submission is turned away so it is counted once by its variant, and then answers as
//!   an `AppError`.
//! - `/services/…` (the Salesforce-compatible REST and SOQL API, and the callback routes under
//!   `/services/apexrest/`): [`SfError`](crate::salesforce::SfError), Salesforce's array of
//!   `{"message", "errorCode", "fields"}`.
//! - `/telephony/…` (the call center's Request a Callback API): `telephony::TelephonyError`, the
//!   `ErrorBody` shape with the statuses that API's reference implies.
//!
//! Within [`AppError`]: use [`AppError::Invalid`] for a broken form rule (422, each field named),
//! [`AppError::BadRequest`] for a body that is not the JSON we take (400), [`AppError::BadPath`] for an
//! address whose parts cannot be read (400), and the dedicated variants for content type (415), size (413)
//! and routing (404, 405). A feature's own refusal (an unknown site, an identity token that does not
//! verify) implements [`Refusal`] beside its error type instead of adding a variant here. Handlers take
//! [`Json`] and [`Path`] from here, not axum's, so their rejections have this shape too; another dialect
//! gets its own `Path` from [`dialect_path!`]. Infrastructure failures arrive through `#[from]`; they answer
//! 503 with a generic message and are logged once with their cause.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contact_shared::ErrorBody;
use serde::de::DeserializeOwned;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("a form rule was broken")]
    Invalid(ErrorBody),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("bad address: {0}")]
    BadPath(String),
    #[error("bad header: {0}")]
    BadHeader(String),
    #[error("idempotency key reused for another submission")]
    IdempotencyConflict,
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("too many callback bookings from one client")]
    TooManyBookings { retry_after: u64 },
    #[error("bot friction failed: {0}")]
    Friction(String),
    #[error("the request took too long")]
    Timeout(Slow),
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the widget has not been built")]
    WidgetNotBuilt,
    #[error("the console has not been built")]
    ConsoleNotBuilt,
    #[error("internal error: {0}")]
    Internal(String),
    /// A refusal a feature defines for itself (see [`Refusal`]).
    #[error("{0}")]
    Refused(Box<dyn Refusal>),
    #[error("{0} requires sign-in")]
    SignInRequired(String),
    #[error("{0} has no call center")]
    NoCallbackTimes(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) | Self::BadPath(_) | Self::BadHeader(_) => StatusCode::BAD_REQUEST,
            Self::IdempotencyConflict => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } | Self::TooManyBookings { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Friction(_) => StatusCode::FORBIDDEN,
            Self::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound | Self::NoCallbackTimes(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Store(_) | Self::WidgetNotBuilt | Self::ConsoleNotBuilt => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::SignInRequired(_) => StatusCode::FORBIDDEN,
            Self::Refused(refusal) => refusal.status(),
        }
    }

    fn body(self) -> ErrorBody {
        match self {
            Self::Invalid(body) => body,
            Self::BadRequest(detail) => {
                ErrorBody::new(format!("The request body is not valid: {detail}"))
            }
            Self::BadPath(detail) => ErrorBody::new(format!(
                "The address is not valid: {detail}. Check the link."
            )),
            Self::BadHeader(message) => ErrorBody::new(message),
            Self::IdempotencyConflict => {
                let mut body = ErrorBody::new(
                    "This Idempotency-Key was already used for a different request. Send a new key with new content.",
                );
                body.fields.insert(
                    "idempotency_key".into(),
                    vec!["Already used for a request with other content.".into()],
                );
                body
            }
            Self::TooManyRequests { retry_after } => ErrorBody::new(format!(
                "Too many requests. Try again in {retry_after} second{}.",
                if retry_after == 1 { "" } else { "s" }
            )),
            Self::TooManyBookings { retry_after } => {
                let minutes = retry_after.div_ceil(60);
                let mut body = ErrorBody::new(format!(
                    "Too many callback times were booked from your network. Ask us to call you as soon as \
                     possible, or choose a time again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ));
                body.fields.insert(
                    contact_shared::field::CALLBACK_TIME.to_owned(),
                    vec!["Too many callback times were booked from your network.".into()],
                );
                body
            }
            Self::Friction(message) => ErrorBody::new(message),
            Self::Timeout(Slow::Arriving) => ErrorBody::new(
                "The request took too long to arrive. Check your connection and send it again.",
            ),
            Self::Timeout(Slow::Answering) => ErrorBody::new(
                "The server took too long to answer this request. Try again in a moment.",
            ),
            Self::UnsupportedMediaType => ErrorBody::new(
                "Send the request as JSON, with the header Content-Type: application/json.",
            ),
            Self::PayloadTooLarge => ErrorBody::new(format!(
                "The request body is larger than {} KB; shorten the description.",
                crate::MAX_BODY_BYTES / 1024
            )),
            Self::NotFound => ErrorBody::new("There is nothing at this address."),
            Self::MethodNotAllowed => ErrorBody::new("This address does not take that method."),
            Self::Store(error) => {
                tracing::error!(%error, "store unavailable");
                ErrorBody::new(
                    "We could not save your request just now. Please try again in a moment.",
                )
            }
            Self::WidgetNotBuilt => {
                tracing::error!("widget assets missing: build the widget with `cargo xtask run`");
                ErrorBody::new("The widget is not available on this server yet.")
            }
            // Not logged at error: a server run without building the console is a choice.
            Self::ConsoleNotBuilt => ErrorBody::new(
                "The console is not built on this server: run `cargo xtask build`, then restart the server.",
            ),
            Self::Refused(refusal) => refusal.body(),
            Self::SignInRequired(site) => {
                ErrorBody::new(format!("Sign in to {site} to send a contact request."))
            }
            Self::NoCallbackTimes(site) => ErrorBody::new(format!(
                "{site} does not offer callback times: ask to be called as soon as possible."
            )),
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                ErrorBody::new("Something went wrong on our side. Please try again.")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            Self::TooManyRequests { retry_after } | Self::TooManyBookings { retry_after } => {
                Some(*retry_after)
            }
            Self::Refused(refusal) => refusal.retry_after(),
            _ => None,
        };
        let challenge = matches!(&self, Self::Refused(refusal) if refusal.asks_for_token());
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if challenge {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

/// A refusal that a feature defines beside its own error type (an unknown site, an identity token that
/// does not verify): its message says what to fix, and it chooses its status. Features implement this,
/// so this module names none of them and depends on no feature.
pub trait Refusal: std::error::Error + Send + Sync + 'static {
    fn status(&self) -> StatusCode;
    /// The answer's body: the message, and what to fix in each field when the refusal is about fields.
    fn body(&self) -> ErrorBody {
        ErrorBody::new(self.to_string())
    }
    /// Whether the answer asks the client for a fresh bearer token (`WWW-Authenticate`).
    fn asks_for_token(&self) -> bool {
        false
    }
    /// The seconds to send in `Retry-After`, for a refusal that lifts with time.
    fn retry_after(&self) -> Option<u64> {
        None
    }
}

impl<R: Refusal> From<R> for AppError {
    fn from(refusal: R) -> Self {
        Self::Refused(Box::new(refusal))
    }
}

/// A rejection that cannot happen (a site key read from a header).
impl From<std::convert::Infallible> for AppError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::JsonDataError(e) => Self::BadRequest(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => Self::BadRequest(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            other => Self::BadRequest(other.body_text()),
        }
    }
}

/// `axum::Json`, but a body it cannot take is answered in our error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// Which side was slow when a request ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slow {
    /// The body was still arriving.
    Arriving,
    /// The whole request had arrived; the server's own work took the time.
    Answering,
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => Self::BadPath(e.body_text()),
            // The route and its handler disagree on the parameters: ours to fix, not the client's.
            other => Self::Internal(other.body_text()),
        }
    }
}

/// Defines `Path<T>`, axum's `Path` whose rejection (an address part that cannot be read) is answered in
/// the error type `$error` of one wire dialect: each dialect invokes it once beside its error type, which
/// must implement `From<PathRejection>`.
#[macro_export]
macro_rules! dialect_path {
    ($error:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Path<T>(pub T);

        impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = $error;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                let axum::extract::Path(value) =
                    axum::extract::Path::<T>::from_request_parts(parts, state).await?;
                Ok(Self(value))
            }
        }
    };
}

crate::dialect_path!(
    AppError,
    "`axum::extract::Path`, but an address part it cannot read is answered in the intake's error shape."
);

/// The answer to any address the server does not serve.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// The answer to a method an address does not take.
pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
