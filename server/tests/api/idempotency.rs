//! `Idempotency-Key` on `POST /api/v1/contact-requests`: one record per key, whatever the retries.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

use crate::support::{TestApp, TestResponse, error_body, submission, valid_form};

async fn post_with_key(app: &TestApp, key: &str, form: &Value) -> TestResponse {
    app.send(submission(form, Some(key))).await
}

#[tokio::test]
async fn a_repeated_key_with_the_same_body_gets_the_first_answer_and_no_second_record() {
    let app = TestApp::new();
    let first = post_with_key(&app, "form-1", &valid_form()).await;
    let mut reformatted = valid_form();
    reformatted["preferred_phone"] = "+44 (20) 7946-0958".into();
    let again = post_with_key(&app, "form-1", &reformatted).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "same id, number and status");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert!(!first.headers.contains_key("idempotent-replayed"));
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn a_repeated_key_with_another_body_is_a_conflict_and_stores_nothing() {
    let app = TestApp::new();
    post_with_key(&app, "form-2", &valid_form()).await;
    let mut other = valid_form();
    other["request_reason"] = "Order".into();
    let response = post_with_key(&app, "form-2", &other).await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_body(&response);
    assert!(
        body.message.contains("Idempotency-Key was already used"),
        "{}",
        body.message
    );
    assert!(body.field("idempotency_key").is_some());
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn different_keys_and_no_key_each_make_a_record() {
    let app = TestApp::new();
    let a = post_with_key(&app, "a", &valid_form()).await;
    let b = post_with_key(&app, "b", &valid_form()).await;
    let none = app.post_json(&valid_form()).await;
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(none.status, StatusCode::CREATED);
    assert_eq!(app.stored_count(), 3);
}

#[tokio::test]
async fn malformed_keys_are_refused_with_what_to_fix() {
    let app = TestApp::new();
    let table = [
        ("", "is empty", "an empty key"),
        ("has space", "visible ASCII", "a space"),
        (&"k".repeat(300)[..], "longer than 255", "an over-long key"),
    ];
    for (key, message, why) in table {
        let response = post_with_key(&app, key, &valid_form()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{why}");
        assert!(error_body(&response).message.contains(message), "{why}");
    }
    assert_eq!(app.stored_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_key_make_one_record() {
    let app = TestApp::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let router = app.router.clone();
        tasks.spawn(async move {
            let request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
                .header(header::CONTENT_TYPE, "application/json")
                .header("idempotency-key", "double-click")
                .body(Body::from(valid_form().to_string()))
                .unwrap();
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            serde_json::from_slice::<Value>(&bytes).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        });
    }
    let ids: std::collections::BTreeSet<String> = tasks.join_all().await.into_iter().collect();
    assert_eq!(ids.len(), 1, "every attempt got the same id");
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_sent_at_once_with_two_bodies_makes_one_record_and_conflicts_for_the_other() {
    let app = TestApp::new();
    let reasons = ["Billing", "Order"];
    let forms: Vec<Value> = (0..40)
        .map(|i| {
            let mut form = valid_form();
            form["request_reason"] = reasons[i % 2].into();
            form
        })
        .collect();
    let requests = forms
        .iter()
        .map(|f| submission(f, Some("shared")))
        .collect();
    let answers = app.send_all(requests).await;

    let stored: std::collections::BTreeSet<&str> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .map(|a| a.body["id"].as_str().unwrap())
        .collect();
    assert_eq!(stored.len(), 1, "every accepted attempt got the same id");
    let id = stored.into_iter().next().unwrap();
    let record = app.store.find(id).await.unwrap().unwrap();
    for (form, answer) in forms.iter().zip(&answers) {
        let same_body = form["request_reason"] == record.request_reason.as_deref().unwrap();
        let expected = if same_body {
            StatusCode::CREATED
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(answer.status, expected, "{form}");
    }
    assert_eq!(app.stored_count(), 1);
}

#[tokio::test]
async fn commits_are_synced_to_disk() {
    let app = TestApp::new();
    assert_eq!(
        app.store.synchronous().await.unwrap(),
        2,
        "synchronous = FULL"
    );
    let conn = rusqlite::Connection::open(app.dir.path().join("test.sqlite3")).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
