//! `POST /telephony/v1/voiceCalls/{CALL ID}/requestCallback`: a telephony provider asks for a callback;
//! a ContactRequest is created (once per CALL ID) and its id returned as `recordId`.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use contact_shared::PreferredPhone;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::error::{Path, TelephonyError};
use super::token;
use crate::AppState;
use crate::ids;
use crate::instant::{now, plus_seconds, stored};
use crate::store::ProviderCallback;

/// How far ahead a callback may be scheduled: further than any call center plans, and a record
/// scheduled years ahead would sit in the store unroutable.
pub const MAX_SCHEDULE_DAYS: i64 = 90;

/// The checked body.
#[derive(Debug)]
struct Body {
    callback_number: PreferredPhone,
    is_preview: bool,
    scheduled_at: Option<Timestamp>,
}

fn field(field: &'static str, message: impl Into<String>) -> TelephonyError {
    TelephonyError::Field {
        field,
        message: message.into(),
    }
}

/// Reads the body; a `callbackNumber` without `+` or `00` is a national number of the call center's
/// `country` (its calling code), when it has one.
fn parse_body(bytes: &[u8], now: Timestamp, country: Option<&str>) -> Result<Body, TelephonyError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| TelephonyError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(TelephonyError::BadRequest(
            "Send a JSON object such as {\"callbackNumber\": \"+18445791189\"}.".into(),
        ));
    };
    let callback_number = match map.get("callbackNumber") {
        None | Some(Value::Null) => {
            return Err(field("callbackNumber", "callbackNumber is required."));
        }
        Some(Value::String(s)) => PreferredPhone::parse_with_country(s, country)
            .map_err(|e| field("callbackNumber", e.to_string()))?,
        Some(_) => {
            return Err(field(
                "callbackNumber",
                "callbackNumber must be a string such as \"+18445791189\".",
            ));
        }
    };
    let is_preview = match map.get("isPreviewCallback") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(field(
                "isPreviewCallback",
                "isPreviewCallback must be true or false.",
            ));
        }
    };
    let scheduled_at = match map.get("scheduledRoutingDateTime") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let moment = crate::instant::parse(s).ok_or_else(|| {
                field(
                    "scheduledRoutingDateTime",
                    format!("{s:?} is not an ISO 8601 date and time with a zone, such as 2026-02-26T15:40:52Z."),
                )
            })?;
            // A time already past (the reference's own example, or a provider's clock a little behind
            // ours) asks for the callback now: it is stored as given, and so is routable at once.
            if moment > plus_seconds(now, MAX_SCHEDULE_DAYS * 86_400) {
                return Err(field(
                    "scheduledRoutingDateTime",
                    format!(
                        "{s} is more than {MAX_SCHEDULE_DAYS} days ahead; schedule the callback within {MAX_SCHEDULE_DAYS} days."
                    ),
                ));
            }
            Some(moment)
        }
        Some(_) => {
            return Err(field(
                "scheduledRoutingDateTime",
                "scheduledRoutingDateTime must be an ISO 8601 string such as 2026-02-26T15:40:52Z.",
            ));
        }
    };
    Ok(Body {
        callback_number,
        is_preview,
        scheduled_at,
    })
}

fn bearer(headers: &HeaderMap) -> Result<&str, TelephonyError> {
    match crate::bearer::token(headers) {
        Ok(Some(token)) if !token.is_empty() => Ok(token),
        _ => Err(TelephonyError::Unauthorized(
            "Send the call center's JWT as Authorization: Bearer <token>.".into(),
        )),
    }
}

/// A telephony text header or address part: one line, at most 255 characters.
fn one_line(value: &str, what: &str) -> Result<String, TelephonyError> {
    if value.is_empty() || value.chars().count() > 255 || value.chars().any(char::is_control) {
        return Err(TelephonyError::BadRequest(format!(
            "{what} must be 1 to 255 characters on one line."
        )));
    }
    Ok(value.to_owned())
}

/// The handler.
pub async fn request_callback(
    State(state): State<AppState>,
    Path(call_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, axum::Json<Value>), TelephonyError> {
    let center = token::verify(&state.call_centers, bearer(&headers)?)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(TelephonyError::UnsupportedMediaType);
    }
    if !center.unified_routing {
        return Err(TelephonyError::RoutingDisabled(center.name.clone()));
    }
    let call_id = one_line(&call_id, "The CALL ID")?;
    let provider = headers
        .get("telephony-provider-name")
        .map(|v| {
            v.to_str()
                .map_err(|_| {
                    TelephonyError::BadRequest("Telephony-Provider-Name must be text.".into())
                })
                .and_then(|v| one_line(v, "Telephony-Provider-Name"))
        })
        .transpose()?;
    // Read only now, so a caller without a valid token learns nothing about the body.
    let body = parse_body(
        &body?,
        Timestamp::now(),
        center.default_country_code.as_deref(),
    )?;
    let internal_name = center.internal_name.clone();
    let queue = center.queue.clone();
    let request_reason = state
        .request_reasons
        .default_value()
        .map(|r| r.as_str().to_owned());
    let (id, created) = state
        .store
        .write(move |tx| {
            let call_center_id = tx.call_center_id(&internal_name)?;
            // Once per call: a provider retrying its request gets the record it created before.
            if let Some(id) = tx.callback_of_call(&call_center_id, &call_id)? {
                return Ok::<_, TelephonyError>((id, false));
            }
            let callback = ProviderCallback {
                id: ids::new_id(ids::CONTACT_REQUEST_PREFIX),
                callback_number: body.callback_number.as_str().to_owned(),
                is_preview: body.is_preview,
                scheduled_at: body.scheduled_at.map(stored),
                call_id,
                provider,
                call_center_id,
                queue,
                at: now(),
                request_reason,
            };
            let id = tx.insert_provider_callback(&callback)?;
            let created = id == callback.id;
            Ok((id, created))
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(json!({ "recordId": id }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_checked_field_by_field() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let ok = parse_body(
            br#"{"callbackNumber": "+1 844 579 1189", "isPreviewCallback": true, "scheduledRoutingDateTime": "2026-02-26T15:40:52Z"}"#, now, None)
        .unwrap();
        assert_eq!(ok.callback_number.as_str(), "+18445791189");
        assert!(ok.is_preview);
        assert_eq!(
            ok.scheduled_at.map(stored).as_deref(),
            Some("2026-02-26T15:40:52.000Z")
        );
        let last = parse_body(
            br#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "2026-04-01T00:00:00Z"}"#, now, None)
        .expect("exactly 90 days ahead");
        assert_eq!(
            last.scheduled_at.map(stored).as_deref(),
            Some("2026-04-01T00:00:00.000Z")
        );
        let past = parse_body(
            br#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "2025-12-31T23:59:59Z"}"#, now, None)
        .expect("a time in the past means now");
        assert_eq!(
            past.scheduled_at.map(stored).as_deref(),
            Some("2025-12-31T23:59:59.000Z")
        );
        let table = [
            (r#"{}"#, "callbackNumber", "missing number"),
            (
                r#"{"callbackNumber": 18445791189}"#,
                "callbackNumber",
                "number not a string",
            ),
            (
                r#"{"callbackNumber": "call me"}"#,
                "callbackNumber",
                "not a phone number",
            ),
            (
                r#"{"callbackNumber": "+18445791189", "isPreviewCallback": "yes"}"#,
                "isPreviewCallback",
                "preview not a boolean",
            ),
            (
                r#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "tomorrow"}"#,
                "scheduledRoutingDateTime",
                "malformed time",
            ),
            (
                r#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "2026-04-01T00:00:01Z"}"#,
                "scheduledRoutingDateTime",
                "more than 90 days ahead",
            ),
            (
                r#"{"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "9999-12-31T23:59:59Z"}"#,
                "scheduledRoutingDateTime",
                "the end of time",
            ),
        ];
        for (body, expected, why) in table {
            match parse_body(body.as_bytes(), now, None) {
                Err(TelephonyError::Field { field, .. }) => assert_eq!(field, expected, "{why}"),
                other => panic!("{why}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_body(b"[1]", now, None),
            Err(TelephonyError::BadRequest(_))
        ));
        assert!(matches!(
            parse_body(b"{", now, None),
            Err(TelephonyError::BadRequest(_))
        ));
    }

    #[test]
    fn a_callback_number_without_plus_is_read_in_the_call_centers_country() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let body = br#"{"callbackNumber": "1-408-888-8888"}"#;
        let us = parse_body(body, now, Some("1")).expect("a North American number");
        assert_eq!(us.callback_number.as_str(), "+14088888888");
        // Without a country the number is still refused, saying it needs its country code.
        match parse_body(body, now, None) {
            Err(TelephonyError::Field { field, message }) => {
                assert_eq!(field, "callbackNumber");
                assert!(message.contains("country code"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let international =
            parse_body(br#"{"callbackNumber": "+44 20 7946 0958"}"#, now, Some("1"));
        assert_eq!(
            international.unwrap().callback_number.as_str(),
            "+442079460958"
        );
    }
}
