//! Conditional requests: the second of two people changing one record at once is told, never overwrites.

use serde_json::json;

use super::support::{Api, BASE, code};
use crate::support::call;

#[tokio::test]
async fn a_change_made_from_a_stale_copy_is_refused_and_changes_nothing() {
    let api = Api::new().await;
    let id = api.create(json!({"RequestReason": "Billing"})).await;
    let path = format!("/sobjects/ContactRequest/{id}");
    let read = api.get(&path).await;
    let tag = read.headers["etag"].to_str().unwrap().to_owned();

    // The first representative's change, made from the copy both read.
    let first = api
        .app
        .call(
            call("PATCH", &format!("{BASE}{path}"))
                .bearer(&api.write)
                .header("if-match", &tag)
                .json(&json!({"Status": "Attempted"})),
        )
        .await;
    assert_eq!(first.status, 204);

    // The second, from the same copy: refused, with what to do.
    let second = api
        .app
        .call(
            call("PATCH", &format!("{BASE}{path}"))
                .bearer(&api.write)
                .header("if-match", &tag)
                .json(&json!({"Status": "Abandoned"})),
        )
        .await;
    assert_eq!(second.status, 412);
    assert_eq!(code(&second), "PRECONDITION_FAILED");
    let now = api.get(&path).await;
    assert_eq!(now.body["Status"], "Attempted", "the first change stands");
    assert_ne!(
        now.headers["etag"],
        tag.as_str(),
        "a change makes a new tag"
    );
}

#[tokio::test]
async fn a_current_copy_is_not_sent_again() {
    let api = Api::new().await;
    let id = api.create(json!({"RequestReason": "Billing"})).await;
    let path = format!("{BASE}/sobjects/ContactRequest/{id}");
    let read = api.app.call(call("GET", &path).bearer(&api.write)).await;
    let tag = read.headers["etag"].to_str().unwrap().to_owned();
    let again = api
        .app
        .call(
            call("GET", &path)
                .bearer(&api.write)
                .header("if-none-match", &tag),
        )
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.headers["etag"], tag.as_str());
}

#[tokio::test]
async fn a_malformed_condition_is_a_bad_request_that_changes_nothing() {
    let api = Api::new().await;
    let id = api.create(json!({"RequestReason": "Billing"})).await;
    let path = format!("{BASE}/sobjects/ContactRequest/{id}");
    let refused = api
        .app
        .call(
            call("PATCH", &path)
                .bearer(&api.write)
                .header("if-unmodified-since", "last tuesday")
                .json(&json!({"Status": "Attempted"})),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(code(&refused), "INVALID_HEADER_VALUE");
    let now = api.app.call(call("GET", &path).bearer(&api.write)).await;
    assert_eq!(now.body["Status"], "New");
}
