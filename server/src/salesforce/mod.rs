//! The core of the Salesforce-compatible API, which every feature that serves objects builds on: the
//! schema types objects are declared with, the API's error shape, record ids, field values and their
//! stored form. It depends on no feature; the features declare their own objects with it (Task and
//! EngagementInteraction in `callbacks`, CallCenter in `call_centers`, User in `access`), and
//! `crate::objects` lists them all.

pub mod error;
pub mod reasons;
pub mod record_id;
pub mod rows;
pub mod schema;
pub mod values;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;

pub use error::{Path as SfPath, SfError};

/// Reads a JSON body, refusing other content types as Salesforce does.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, SfError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(SfError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "Content-Type header specified in HTTP request is not supported: {content_type}; send application/json"
            ),
        ));
    }
    serde_json::from_slice(body).map_err(SfError::json)
}
