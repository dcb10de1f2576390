//! Every error the API answers, in Salesforce's shape and status.

use serde_json::json;

use super::support::{Api, code};

/// Method, path, token, body, expected status, expected code, and what the row checks.
type Row<'a> = (
    &'a str,
    String,
    Option<&'a str>,
    Option<serde_json::Value>,
    u16,
    &'a str,
    &'a str,
);

#[tokio::test]
async fn each_error_has_salesforces_code_and_status() {
    let api = Api::new().await;
    let id = api.create(json!({})).await;
    let record = format!("/sobjects/ContactRequest/{id}");
    let table: Vec<Row> = vec![
        (
            "GET",
            "/sobjects".into(),
            None,
            None,
            401,
            "INVALID_SESSION_ID",
            "no token",
        ),
        (
            "GET",
            "/sobjects".into(),
            Some("crw_wrong"),
            None,
            401,
            "INVALID_SESSION_ID",
            "a wrong token",
        ),
        (
            "POST",
            "/sobjects/ContactRequest".into(),
            Some(api.read.as_str()),
            Some(json!({})),
            403,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "a read token writing",
        ),
        (
            "GET",
            "/sobjects/Account".into(),
            Some(api.write.as_str()),
            None,
            404,
            "NOT_FOUND",
            "an object the server does not have",
        ),
        (
            "GET",
            "/sobjects/ContactRequest/0SR000000000000AAA".into(),
            Some(api.write.as_str()),
            None,
            404,
            "NOT_FOUND",
            "an unknown id",
        ),
        (
            "PATCH",
            "/sobjects/ContactRequest/nope".into(),
            Some(api.write.as_str()),
            Some(json!({})),
            400,
            "MALFORMED_ID",
            "a malformed id",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"Name": "X"})),
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "writing the autonumber",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"Nope": 1})),
            400,
            "INVALID_FIELD",
            "an unknown field",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"Status": null})),
            400,
            "REQUIRED_FIELD_MISSING",
            "emptying Status",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"Status": "x".repeat(256)})),
            400,
            "STRING_TOO_LONG",
            "a status longer than a picklist value (Status is not restricted)",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"OwnerId": "005000000000009AAA"})),
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            "an owner that does not exist",
        ),
        (
            "PATCH",
            record.clone(),
            Some(api.write.as_str()),
            Some(json!({"RequestDescription": "before\u{0}after"})),
            400,
            "INVALID_FIELD",
            "text holding NUL",
        ),
        (
            "POST",
            format!("{record}/undelete"),
            Some(api.write.as_str()),
            None,
            400,
            "UNDELETE_FAILED",
            "undeleting a live record",
        ),
        (
            "PATCH",
            "/sobjects/ContactRequest/Status/New".into(),
            Some(api.write.as_str()),
            Some(json!({})),
            404,
            "NOT_FOUND",
            "upsert by a field that is no external id",
        ),
        (
            "GET",
            "/query?q=SELECT+Nope+FROM+ContactRequest".into(),
            Some(api.write.as_str()),
            None,
            400,
            "INVALID_FIELD",
            "a query of an unknown field",
        ),
        (
            "GET",
            "/query?q=SELECT+Id+FROM+ContactRequest%3B".into(),
            Some(api.write.as_str()),
            None,
            400,
            "MALFORMED_QUERY",
            "a semicolon",
        ),
        (
            "GET",
            "/query".into(),
            Some(api.write.as_str()),
            None,
            400,
            "MALFORMED_QUERY",
            "no query",
        ),
        (
            "GET",
            "/query/01gnope-200".into(),
            Some(api.write.as_str()),
            None,
            400,
            "INVALID_QUERY_LOCATOR",
            "a locator never issued",
        ),
        (
            "GET",
            "/sobjects/ContactRequest/updated/?start=yesterday&end=now".into(),
            Some(api.write.as_str()),
            None,
            400,
            "INVALID_REPLICATION_DATE",
            "a window that is not dates",
        ),
        (
            "PUT",
            record.clone(),
            Some(api.write.as_str()),
            None,
            405,
            "METHOD_NOT_ALLOWED",
            "a method the address does not take",
        ),
        (
            "GET",
            "/nothing/here".into(),
            Some(api.write.as_str()),
            None,
            404,
            "NOT_FOUND",
            "an address the API does not have",
        ),
        (
            "GET",
            "/sobjects/%FF/describe".into(),
            Some(api.write.as_str()),
            None,
            404,
            "NOT_FOUND",
            "an object name that is not UTF-8",
        ),
        (
            "GET",
            "/sobjects/ContactRequest/%FF%FE".into(),
            Some(api.write.as_str()),
            None,
            404,
            "NOT_FOUND",
            "a record id that is not UTF-8",
        ),
    ];
    for (method, path, token, body, status, expected, why) in table {
        let response = api.call(method, &path, token, body).await;
        assert_eq!(response.status.as_u16(), status, "{why}: {}", response.body);
        assert_eq!(code(&response), expected, "{why}: {}", response.body);
        assert!(
            response.body[0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{why}"
        );
    }
    let old = api.app.get("/services/data/v44.0/sobjects").await;
    assert_eq!(
        (old.status.as_u16(), code(&old)),
        (404, "NOT_FOUND"),
        "versions before 45.0 are not served"
    );
    let text = api
        .app
        .send(
            axum::http::Request::post(format!("{}/sobjects/ContactRequest", super::support::BASE))
                .header("authorization", format!("Bearer {}", api.write))
                .header("content-type", "text/plain")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (text.status.as_u16(), code(&text)),
        (415, "UNSUPPORTED_MEDIA_TYPE")
    );
    assert_eq!(
        api.app.stored_count(),
        1,
        "no refused change left anything behind"
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let api = Api::new().await;
    let list = contact_server::access::tokens::list(&api.app.store)
        .await
        .unwrap();
    for token in list {
        contact_server::access::tokens::revoke(&api.app.store, token.id)
            .await
            .unwrap();
    }
    assert_eq!(code(&api.get("/sobjects").await), "INVALID_SESSION_ID");
}
