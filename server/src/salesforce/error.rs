//! Errors of the Salesforce-compatible API, in Salesforce's shape: a JSON array of
//! `{"message", "errorCode", "fields"}` with the status Salesforce answers with.
//!
//! Use the constructor named for the case; each carries Salesforce's `errorCode`. Store failures answer
//! 503 `SERVER_UNAVAILABLE` and are logged once with their cause; the two a client's query can cause are
//! its own 400s: a statement past the database's limits (`QUERY_TOO_COMPLICATED`) and one past its time
//! (`QUERY_TIMEOUT`).

use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// One API error; answered as a one-element array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
}

#[derive(Serialize)]
struct Item<'a> {
    message: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [String]>,
}

impl SfError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// Names the fields the error is about.
    pub fn on(mut self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    pub fn session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn read_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "This access token has the read scope only; create a token with --scope write to change records.",
        )
    }

    pub fn malformed_id(label: &str, value: &str) -> Self {
        Self::bad_request(
            "MALFORMED_ID",
            format!("{label}: id value of incorrect type: {value}"),
        )
    }

    /// An address with a part that cannot be read (not UTF-8, say) names nothing.
    pub fn unreadable_address(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("The requested resource does not exist: {detail}"),
        )
    }

    /// The caller already runs as many queries as it may at once.
    pub fn too_many_queries(limit: usize) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            format!(
                "ConcurrentQueries Limit exceeded: this user already runs {limit} queries at once; send the next when one has been answered."
            ),
        )
    }

    pub fn json(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "JSON_PARSER_ERROR",
            format!("The request body is not a JSON object of field values: {detail}"),
        )
    }
}

impl From<StoreError> for SfError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(reason) => {
                tracing::warn!(%reason, "a query was refused by the database");
                return Self::bad_request(
                    "QUERY_TOO_COMPLICATED",
                    format!(
                        "Query is too complicated for the database ({reason}); use fewer conditions or fields, or split it into several queries."
                    ),
                );
            }
            StoreError::Interrupted => {
                return Self::bad_request(
                    "QUERY_TIMEOUT",
                    "Your query request was running for too long and was stopped: filter on fewer \
                     conditions (a LIKE starting with % reads every record), or add a LIMIT.",
                );
            }
            _ => {}
        }
        tracing::error!(%error, "store unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "The database is unavailable just now; try again in a moment.",
        )
    }
}

impl IntoResponse for SfError {
    fn into_response(self) -> Response {
        let item = Item {
            message: &self.message,
            error_code: self.code,
            fields: (!self.fields.is_empty() || self.status == StatusCode::BAD_REQUEST)
                .then_some(self.fields.as_slice()),
        };
        (self.status, axum::Json([item])).into_response()
    }
}

/// An address part that cannot be read names nothing: Salesforce's `NOT_FOUND`, saying why.
impl From<PathRejection> for SfError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => {
                Self::unreadable_address(e.body_text())
            }
            other => {
                tracing::error!(cause = %other.body_text(), "a route and its handler disagree");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred.",
                )
            }
        }
    }
}

crate::dialect_path!(
    SfError,
    "`axum::extract::Path`, but an address part it cannot read is answered in Salesforce's shape."
);

/// The answer to an address under `/services/data` that the API does not have.
pub async fn not_found() -> SfError {
    SfError::not_found()
}

/// The answer to a method an API address does not take.
pub async fn method_not_allowed(method: axum::http::Method) -> SfError {
    SfError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{method}' not allowed at this address"),
    )
}
