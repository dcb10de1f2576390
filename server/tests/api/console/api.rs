//! The Salesforce-compatible API reached with the console's session cookie, and the refusal of
//! cross-site requests that carry it.

use contact_shared::console::API_PREFIX;
use serde_json::json;

use super::support::*;
use crate::sobjects::support::{BASE, query_path};
use crate::support::{call, error_body};

#[tokio::test]
async fn a_query_works_with_the_session_cookie_alone() {
    let console = Console::new().await;
    console
        .api
        .create(json!({"RequestReason": "Billing"}))
        .await;
    let cookie = console.signed_in().await;
    let response = console
        .call(
            call(
                "GET",
                &format!("{BASE}{}", query_path("SELECT Id FROM ContactRequest")),
            )
            .header("cookie", &cookie),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["totalSize"], 1);
    let signed_out = console
        .call(call(
            "GET",
            &format!("{BASE}{}", query_path("SELECT Id FROM ContactRequest")),
        ))
        .await;
    assert_eq!(signed_out.status, 401);
    assert_eq!(
        signed_out.body[0]["errorCode"], "INVALID_SESSION_ID",
        "the API's own 401 shape"
    );
}

#[tokio::test]
async fn a_change_with_the_cookie_from_the_servers_own_origin_is_made() {
    let console = Console::new().await;
    let id = console
        .api
        .create(json!({"RequestReason": "Billing"}))
        .await;
    let cookie = console.signed_in().await;
    let path = format!("{BASE}/sobjects/ContactRequest/{id}");
    let response = console
        .change(
            "PATCH",
            &path,
            &cookie,
            Some(json!({"RequestReason": "Order"})),
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.body);
    let record = console
        .api
        .get(&format!("/sobjects/ContactRequest/{id}"))
        .await;
    assert_eq!(record.body["RequestReason"], "Order");
    assert_eq!(
        record.body["LastModifiedById"],
        console.api.user_id.as_str(),
        "made as the signed-in user"
    );
}

#[tokio::test]
async fn a_cross_origin_post_carrying_the_cookie_changes_nothing() {
    let console = Console::new().await;
    let id = console
        .api
        .create(json!({"RequestReason": "Billing"}))
        .await;
    let cookie = console.signed_in().await;
    let record_path = format!("{BASE}/sobjects/ContactRequest/{id}");
    let forged = |method: &str, path: &str| {
        call(method, path)
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
    };
    let patch = console
        .call(forged("PATCH", &record_path).json(&json!({"RequestReason": "Order"})))
        .await;
    assert_eq!(patch.status, 403, "{}", patch.body);
    assert!(
        patch.body[0]["message"]
            .as_str()
            .unwrap()
            .contains("another site")
    );
    let form = console
        .call(
            forged("POST", &format!("{BASE}/sobjects/ContactRequest")).body(
                Some("application/x-www-form-urlencoded"),
                "RequestReason=Order",
            ),
        )
        .await;
    assert_eq!(form.status, 403);
    let sign_out = console
        .call(forged("DELETE", &format!("{API_PREFIX}/session")))
        .await;
    assert_eq!(sign_out.status, 403);
    assert!(set_cookie(&sign_out).is_none(), "the cookie is not cleared");
    assert!(error_body(&sign_out).message.contains("another site"));
    let everywhere = console
        .call(forged("DELETE", &format!("{API_PREFIX}/sessions")))
        .await;
    assert_eq!(everywhere.status, 403);

    let record = console
        .api
        .get(&format!("/sobjects/ContactRequest/{id}"))
        .await;
    assert_eq!(
        record.body["RequestReason"], "Billing",
        "the record is unchanged"
    );
    assert_eq!(console.api.app.stored_count(), 1, "no record was created");
    assert_eq!(
        console.me(&cookie).await.status,
        200,
        "the session still works"
    );
}

#[tokio::test]
async fn a_change_with_the_cookie_and_no_origin_is_refused() {
    let console = Console::new().await;
    let id = console
        .api
        .create(json!({"RequestReason": "Billing"}))
        .await;
    let cookie = console.signed_in().await;
    let response = console
        .call(
            call("PATCH", &format!("{BASE}/sobjects/ContactRequest/{id}"))
                .header("cookie", &cookie)
                .json(&json!({"RequestReason": "Order"})),
        )
        .await;
    assert_eq!(response.status, 403);
    let same_origin = console
        .call(
            call("PATCH", &format!("{BASE}/sobjects/ContactRequest/{id}"))
                .header("cookie", &cookie)
                .header("sec-fetch-site", "same-origin")
                .json(&json!({"RequestReason": "Order"})),
        )
        .await;
    assert_eq!(
        same_origin.status, 204,
        "a browser's same-origin fetch without Origin"
    );
}

#[tokio::test]
async fn bearer_tokens_need_no_origin_and_ignore_any_cookie() {
    let console = Console::new().await;
    let id = console
        .api
        .create(json!({"RequestReason": "Billing"}))
        .await;
    let response = console
        .call(
            call("PATCH", &format!("{BASE}/sobjects/ContactRequest/{id}"))
                .bearer(&console.api.write)
                .header("cookie", "crw_session=whatever")
                .json(&json!({"RequestReason": "Order"})),
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.body);
    let cookie = console.signed_in().await;
    let wrong_token = console
        .call(
            call("GET", &format!("{BASE}/sobjects/ContactRequest/{id}"))
                .bearer("crw_wrong")
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!(
        wrong_token.status, 401,
        "a request with a token is judged by the token alone"
    );
}
