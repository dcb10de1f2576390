//! `/healthz` and `/readyz`.

use axum::http::StatusCode;

use crate::support::{TestApp, error_body};

#[tokio::test]
async fn healthz_says_the_process_is_up() {
    let app = TestApp::new().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["status"], "ok");
}

#[tokio::test]
async fn readyz_checks_the_database_and_fails_once_the_store_is_stopped() {
    let app = TestApp::new().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");

    app.store.shutdown().await;
    let stopped = app.get("/readyz").await;
    assert_eq!(stopped.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = error_body(&stopped);
    assert!(
        !body.message.contains("database"),
        "5xx says nothing about internals: {}",
        body.message
    );
}

/// A process whose writer has stopped can never store another request: it is not healthy, so that a
/// supervisor restarts it. (Once, `/healthz` kept answering 200 while every write answered 503.)
#[tokio::test]
async fn healthz_fails_once_the_writer_has_stopped() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    app.store.shutdown().await;
    let stopped = app.get("/healthz").await;
    assert_eq!(stopped.status, StatusCode::SERVICE_UNAVAILABLE);
    error_body(&stopped);
}
