//! What Salesforce's own CLI (`sf`) needs of the API: tokens of the form `<org id>!<token>`, the caller's
//! userinfo, a query's columns, and addresses joined to an instance URL with its trailing slash.

use axum::http::StatusCode;
use contact_server::ids::ORGANIZATION_ID;
use serde_json::json;

use super::support::{Api, BASE, code, query_path};
use crate::support::call;

#[tokio::test]
async fn tokens_are_made_in_the_form_the_sf_cli_accepts() {
    let api = Api::new().await;
    let (organisation, bare) = api.write.split_once('!').expect("an org id and a token");
    assert_eq!(organisation, ORGANIZATION_ID);
    assert!(bare.starts_with("crw_"), "{}", api.write);
    assert_eq!(api.get("/sobjects").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_is_accepted_bare_or_after_this_organisations_id_and_refused_after_anothers() {
    let api = Api::new().await;
    let (_, bare) = api.write.split_once('!').unwrap();
    let table = [
        (
            bare.to_owned(),
            StatusCode::OK,
            "bare, as tokens were shown before",
        ),
        (
            api.write.clone(),
            StatusCode::OK,
            "after the 18-character org id",
        ),
        (
            format!("{}!{bare}", &ORGANIZATION_ID[..15]),
            StatusCode::OK,
            "after the 15-character org id",
        ),
        (
            format!("00D000000000002EAA!{bare}"),
            StatusCode::UNAUTHORIZED,
            "after another org's id",
        ),
        (
            format!("{ORGANIZATION_ID}!"),
            StatusCode::UNAUTHORIZED,
            "the org id alone",
        ),
    ];
    for (token, status, why) in table {
        let response = api.call("GET", "/sobjects", Some(&token), None).await;
        assert_eq!(response.status, status, "{why}: {}", response.body);
    }
}

#[tokio::test]
async fn userinfo_names_the_tokens_user_its_organisation_and_the_rest_base() {
    let api = Api::new().await;
    let response = api
        .app
        .call(
            call("GET", "/services/oauth2/userinfo")
                .bearer(&api.read)
                .header("host", "127.0.0.1:4000"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let body = &response.body;
    assert_eq!(body["user_id"], api.user_id.as_str());
    assert_eq!(body["organization_id"], ORGANIZATION_ID);
    assert_eq!(body["preferred_username"], "rep@example.com");
    assert_eq!(body["name"], "Rita Rep");
    assert_eq!(
        body["urls"]["rest"],
        "http://127.0.0.1:4000/services/data/v{version}/"
    );
}

#[tokio::test]
async fn userinfo_without_a_valid_token_is_an_invalid_session() {
    let api = Api::new().await;
    for token in [None, Some("crw_nope")] {
        let mut request = call("GET", "/services/oauth2/userinfo");
        if let Some(token) = token {
            request = request.bearer(token);
        }
        let response = api.app.call(request).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(code(&response), "INVALID_SESSION_ID");
    }
}

#[tokio::test]
async fn columns_true_answers_the_querys_column_metadata_and_no_records() {
    let api = Api::new().await;
    api.create(json!({ "PreferredChannel": "Email", "VisitorEmail__c": "ada@example.com" }))
        .await;
    let path = format!(
        "{}&columns=true",
        query_path("SELECT Id, Status, CallAttempts__c, IsCallback FROM ContactRequest")
    );
    let response = api.get(&path).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let body = &response.body;
    assert!(body.get("records").is_none(), "{body}");
    assert_eq!(body["entityName"], "ContactRequest");
    assert_eq!(body["idSelected"], true);
    let columns: Vec<(&str, &str)> = body["columnMetadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["columnName"].as_str().unwrap(),
                c["apexType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("Id", "Id"),
            ("Status", "String"),
            ("CallAttempts__c", "Integer"),
            ("IsCallback", "Boolean"),
        ]
    );
    assert_eq!(body["columnMetadata"][0]["joinColumns"], json!([]));
    assert_eq!(body["columnMetadata"][0]["aggregate"], false);
}

#[tokio::test]
async fn columns_other_than_true_or_false_is_refused_saying_so() {
    let api = Api::new().await;
    let path = format!(
        "{}&columns=yes",
        query_path("SELECT Id FROM ContactRequest")
    );
    let response = api.get(&path).await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.body
    );
    assert!(
        response.body[0]["message"]
            .as_str()
            .unwrap()
            .contains("columns must be true or false"),
        "{}",
        response.body
    );
    let normal = api
        .get(&format!(
            "{}&columns=false",
            query_path("SELECT Id FROM ContactRequest")
        ))
        .await;
    assert_eq!(normal.status, StatusCode::OK, "{}", normal.body);
    assert_eq!(normal.body["records"], json!([]));
}

#[tokio::test]
async fn an_address_with_a_doubled_leading_slash_is_served_as_with_one() {
    let api = Api::new().await;
    let response = api
        .app
        .call(call("GET", &format!("/{BASE}/sobjects?x=1")).bearer(&api.write))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response.body["sobjects"].is_array(), "{}", response.body);
}
