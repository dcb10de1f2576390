//! Every HTTP call the widget makes, and the one error type they answer with.
//!
//! The widget runs on the host site's origin and posts cross-origin to the intake server, so requests are
//! `mode: cors`; the JSON `Content-Type` makes the browser send a preflight, which the server answers.

use std::fmt;

use contact_shared::{CONTACT_REQUESTS_PATH, ContactRequestCreated, ContactRequestForm, ErrorBody};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, RequestMode, Response};

/// Why a submission did not create a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The request never got an answer (offline, DNS, CORS refused, connection reset): worth retrying as is.
    Network,
    /// The server refused the submission (a 4xx) and said why, possibly per field.
    Rejected(ErrorBody),
    /// Any other answer, such as a 5xx or a body that is not the documented JSON.
    Unexpected(u16),
}

impl SubmitError {
    /// Whether sending the same input again may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Rejected(_))
    }
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network => {
                f.write_str("We couldn't reach the server. Check your connection and try again.")
            }
            Self::Rejected(body) => f.write_str(&body.message),
            Self::Unexpected(_) => {
                f.write_str("Something went wrong on our side. Please try again in a moment.")
            }
        }
    }
}

/// Sends the form to the intake endpoint of the server at `api_base` (an origin, no trailing slash).
pub async fn submit(
    api_base: &str,
    form: &ContactRequestForm,
) -> Result<ContactRequestCreated, SubmitError> {
    let url = format!("{}{CONTACT_REQUESTS_PATH}", api_base.trim_end_matches('/'));
    let body = crate::wire::form_json(form);
    let (status, text) = post_json(&url, &body)
        .await
        .map_err(|_| SubmitError::Network)?;
    classify(status, &text)
}

/// POSTs `body` as JSON and reads the whole answer; any failure on the way is a JS exception.
async fn post_json(url: &str, body: &str) -> Result<(u16, String), JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set("Accept", "application/json")?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_mode(RequestMode::Cors);
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .unchecked_into();
    let text = JsFuture::from(response.text()?).await?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// Reads an answer: 2xx carries the created request, 4xx the error body, anything else is unexpected.
fn classify(status: u16, body: &str) -> Result<ContactRequestCreated, SubmitError> {
    match status {
        200..=299 => crate::wire::created(body).ok_or(SubmitError::Unexpected(status)),
        400..=499 => match crate::wire::error_body(body) {
            Some(error) => Err(SubmitError::Rejected(error)),
            None => Err(SubmitError::Unexpected(status)),
        },
        _ => Err(SubmitError::Unexpected(status)),
    }
}

#[cfg(test)]
mod tests {
    use contact_shared::Status;

    use super::*;

    #[test]
    fn a_201_carries_the_request_number() {
        let created = classify(201, r#"{"id":"a1b2","name":"CR-000001","status":"New"}"#).unwrap();
        assert_eq!(created.name, "CR-000001");
        assert_eq!(created.status, Status::New);
    }

    #[test]
    fn a_422_with_the_error_body_is_a_rejection_with_its_fields() {
        let body = r#"{"message":"One field needs fixing.","fields":{"email":["Enter an email address."]}}"#;
        let Err(SubmitError::Rejected(error)) = classify(422, body) else {
            panic!("expected a rejection");
        };
        assert_eq!(error.field("email"), Some("Enter an email address."));
        assert!(!SubmitError::Rejected(error).is_retryable());
    }

    #[test]
    fn answers_outside_the_contract_are_unexpected_and_retryable() {
        let table = [
            (
                500,
                r#"{"message":"Internal error."}"#,
                "a 5xx, even with a body",
            ),
            (502, "<html>Bad gateway</html>", "a proxy's HTML page"),
            (429, "Too many requests", "a 4xx without the JSON body"),
            (201, "{}", "a success without the request number"),
        ];
        for (status, body, why) in table {
            let error = classify(status, body).unwrap_err();
            assert_eq!(error, SubmitError::Unexpected(status), "{why}");
            assert!(error.is_retryable(), "{why}");
        }
    }

    #[test]
    fn the_network_message_says_what_to_do() {
        assert_eq!(
            SubmitError::Network.to_string(),
            "We couldn't reach the server. Check your connection and try again."
        );
    }
}
