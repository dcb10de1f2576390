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
    let app = TestApp::new().await;
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
    let app = TestApp::new().await;
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
    let app = TestApp::new().await;
    let a = post_with_key(&app, "a", &valid_form()).await;
    let b = post_with_key(&app, "b", &valid_form()).await;
    let none = app.post_json(&valid_form()).await;
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(none.status, StatusCode::CREATED);
    assert_eq!(app.stored_count(), 3);
}

#[tokio::test]
async fn malformed_keys_are_refused_with_what_to_fix() {
    let app = TestApp::new().await;
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
    let app = TestApp::new().await;
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
    let app = TestApp::new().await;
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
    let app = TestApp::new().await;
    assert_eq!(
        app.store.synchronous().await.unwrap(),
        2,
        "synchronous = FULL"
    );
    // SQLite's log is the write-ahead log; PostgreSQL's commits wait for theirs (`synchronous_commit`).
    let (query, durable) = match app.postgres {
        Some(_) => ("SHOW synchronous_commit", "on"),
        None => ("PRAGMA journal_mode", "wal"),
    };
    assert_eq!(app.text(query, &[]), durable);
}

const SECRET: &str = "scope-secret-scope-secret-scope-secret!";

/// Two guest sites on the test page's origin, the first also taking signed-in visitors.
fn two_sites() -> String {
    let origin = crate::support::PAGE_ORIGIN;
    format!(
        "[[site]]\nkey = \"a\"\nname = \"A\"\nallowed_origins = [\"{origin}\"]\n\
         [[site.identity_keys]]\nkid = \"a-1\"\nalg = \"HS256\"\nsecret = \"{SECRET}\"\n\
         [[site]]\nkey = \"b\"\nname = \"B\"\nallowed_origins = [\"{origin}\"]\n"
    )
}

/// A submission of `form` to `site` with `key`, as the visitor `sub` proves (a guest for `None`).
fn scoped(site: &str, key: &str, form: &Value, sub: Option<&str>) -> Request<Body> {
    let mut request = submission(form, Some(key));
    request
        .headers_mut()
        .insert("x-crw-site", site.parse().unwrap());
    if let Some(sub) = sub {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = serde_json::json!({"sub": sub, "aud": site, "iat": now, "exp": now + 300});
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    request
}

/// Once, keys were global: the same key on another site replayed the first site's record (and stored
/// nothing for the second), and other content there was a 422 for an innocent visitor.
#[tokio::test]
async fn a_key_is_scoped_by_site_and_by_verified_visitor() {
    let app = TestApp::with_sites(&two_sites()).await;
    let mut other = valid_form();
    other["request_reason"] = "Order".into();
    let table: [(&str, &str, &Value, Option<&str>, &str); 6] = [
        ("a", "k", &valid_form(), None, "the first use"),
        (
            "b",
            "k",
            &valid_form(),
            None,
            "the same key and content on another site",
        ),
        ("b", "k2", &valid_form(), None, "another key"),
        (
            "a",
            "k2",
            &other,
            None,
            "that key with other content on the first site",
        ),
        (
            "a",
            "v",
            &valid_form(),
            Some("user-1"),
            "a verified visitor",
        ),
        (
            "a",
            "v",
            &valid_form(),
            Some("user-2"),
            "another visitor with the same key",
        ),
    ];
    let mut ids = Vec::new();
    for (site, key, form, sub, why) in table {
        let response = app.send(scoped(site, key, form, sub)).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{why}: {}",
            response.body
        );
        assert!(
            !response.headers.contains_key("idempotent-replayed"),
            "{why}: not a replay"
        );
        ids.push(response.body["id"].clone());
    }
    let distinct: std::collections::HashSet<String> = ids.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), 6, "each made its own record");
    let retry = app
        .send(scoped("a", "v", &valid_form(), Some("user-2")))
        .await;
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body["id"], ids[5], "a retry in its own scope");
    assert_eq!(app.stored_count(), 6);
}

/// Keys are kept for the retention window, then swept: the same key afterwards is a new submission.
#[tokio::test]
async fn a_swept_key_is_forgotten_and_its_next_use_is_new() {
    let app = TestApp::new().await;
    let first = post_with_key(&app, "old", &valid_form()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let now = jiff::Timestamp::now();
    let within = app
        .store
        .sweep(now - jiff::SignedDuration::from_hours(24), now)
        .await
        .unwrap();
    assert_eq!(within, (0, 0), "a fresh key is kept");
    let swept = app
        .store
        .sweep(now + jiff::SignedDuration::from_hours(1), now)
        .await
        .unwrap();
    assert_eq!(swept.0, 1);
    let again = post_with_key(&app, "old", &valid_form()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert!(!again.headers.contains_key("idempotent-replayed"));
    assert_ne!(again.body["id"], first.body["id"]);
}
