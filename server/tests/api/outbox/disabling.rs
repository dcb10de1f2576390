//! An endpoint failing every delivery for five days is disabled, against a real receiver and the real
//! SMTP server of `mail.rs`, on one clock the test turns for the deliveries and the mail alike: still
//! enabled after 4 days 23 hours of failures, disabled after 5 (shown by the admin API, with why) with
//! one email to the admins; a 2xx in between starts the streak over; enabling it again clears it; and
//! two processes failing it at once disable it once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU16, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use contact_server::access::{Scope, tokens};
use contact_server::webhooks::{SealKey, Webhooks, disable};
use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use super::mail::{PUBLIC_URL, SmtpServer, free_port, mail, real_now, staff, submit};
use super::until;
use crate::support::{Start, TestApp, call, valid_form};

const KEY: &str = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A receiver on 127.0.0.1 answering each delivery with the status `status` holds at that moment.
async fn receiver(status: Arc<AtomicU16>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let status = StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap();
            async move { (status, "answered") }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A server delivering webhooks (retried every hour or so) and mailing through 127.0.0.1:`port`, both
/// on the clock `now`; an admin's token, the admin having the address `admin@example.com`.
async fn app(port: u16, now: Arc<AtomicI64>) -> (TestApp, String) {
    let clock = Arc::clone(&now);
    let webhooks = Webhooks {
        key: Some(SealKey::parse(KEY).unwrap()),
        poll: Duration::from_millis(20),
        clock: Arc::new(move || clock.load(Ordering::SeqCst)),
        schedule: vec![Duration::from_secs(3_600); 200],
        ..Webhooks::new(Vec::new(), true)
    };
    let app = TestApp::start(Start {
        webhooks: Some(webhooks),
        mail: Some(mail(port, now)),
        ..Start::new(tempfile::tempdir().unwrap())
    })
    .await;
    let admin = staff(&app, "Ada Admin", Some("admin@example.com"), Role::Admin).await;
    let token = tokens::create(&app.store, admin, Scope::Write, None)
        .await
        .unwrap()
        .1;
    (app, token)
}

async fn admin(app: &TestApp, token: &str, method: &str, rest: &str, body: Option<Value>) -> Value {
    let mut request = call(method, &format!("{API_PREFIX}/admin/webhooks{rest}")).bearer(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = app.call(request).await;
    assert!(
        response.status == 200 || response.status == 201,
        "{} {rest}: {} {}",
        method,
        response.status,
        response.body
    );
    response.body
}

/// Creates the endpoint `crm` for new requests at `url`.
async fn create(app: &TestApp, token: &str, url: &str) {
    admin(
        app,
        token,
        "POST",
        "",
        Some(json!({"name": "crm", "url": url, "events": ["contact_request.created"]})),
    )
    .await;
}

/// How many times `crm`'s deliveries were tried.
async fn tries(app: &TestApp) -> u32 {
    app.store
        .read(|db| db.deliveries("crm"))
        .await
        .unwrap()
        .iter()
        .map(|d| d.attempts)
        .sum()
}

async fn tried(app: &TestApp, times: u32) {
    until(&format!("{times} tries were made"), || async {
        tries(app).await >= times
    })
    .await;
}

#[tokio::test]
async fn an_endpoint_failing_every_delivery_for_five_days_is_disabled_and_the_admins_are_emailed_once()
 {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let now = real_now();
    let (app, token) = app(port, Arc::clone(&now)).await;
    // Neither an inactive admin nor a representative is told.
    let gone = staff(&app, "Gone Admin", Some("gone@example.com"), Role::Admin).await;
    app.store
        .write(move |tx| tx.set_active(&gone, false))
        .await
        .unwrap();
    staff(
        &app,
        "Rita Rep",
        Some("rita@example.com"),
        Role::Representative,
    )
    .await;
    let url = receiver(Arc::new(AtomicU16::new(500))).await;
    create(&app, &token, &url).await;
    let started = now.load(Ordering::SeqCst);
    submit(&app, &valid_form()).await;
    tried(&app, 1).await;
    let shown = admin(&app, &token, "GET", "/crm", None).await;
    assert_eq!(shown["enabled"], true);
    assert!(shown["failingSince"].is_string(), "{shown}");
    assert_eq!(shown["disabledAt"], Value::Null);

    now.store(started + 4 * DAY_MS + 23 * HOUR_MS, Ordering::SeqCst);
    tried(&app, 2).await;
    let shown = admin(&app, &token, "GET", "/crm", None).await;
    assert_eq!(shown["enabled"], true, "4 days 23 hours: still enabled");

    now.store(started + 5 * DAY_MS + HOUR_MS, Ordering::SeqCst);
    tried(&app, 3).await;
    until("the endpoint is disabled", || async {
        admin(&app, &token, "GET", "/crm", None).await["enabled"] == false
    })
    .await;
    let shown = admin(&app, &token, "GET", "/crm", None).await;
    assert!(shown["disabledAt"].is_string(), "{shown}");
    let reason = shown["disabledReason"].as_str().unwrap();
    assert!(
        reason.contains("5 days") && reason.contains("answered 500"),
        "{reason}"
    );
    let listed = admin(&app, &token, "GET", "", None).await;
    assert_eq!(listed["endpoints"][0]["disabledAt"], shown["disabledAt"]);

    until("the admin is emailed", || async {
        !smtp.to("admin@example.com").is_empty()
    })
    .await;
    // Turned on well past every wait: a disabled endpoint is tried no more, and told once.
    now.fetch_add(DAY_MS, Ordering::SeqCst);
    submit(&app, &valid_form()).await;
    until("the alert is recorded as sent", || async {
        app.store
            .read(|db| db.mail_alerts())
            .await
            .unwrap()
            .iter()
            .all(|a| a.state == "sent")
    })
    .await;
    assert_eq!(tries(&app).await, 3, "not tried once disabled");
    let emails = smtp.to("admin@example.com");
    assert_eq!(emails.len(), 1, "one email");
    assert_eq!(smtp.messages().len(), 1, "to the active admins only");
    let email = &emails[0];
    assert_eq!(
        email["headers"]["subject"],
        "Webhook endpoint crm disabled: failing for 5 days"
    );
    let message_id = email["headers"]["message-id"].as_str().unwrap();
    assert!(message_id.starts_with("<alert."), "{message_id}");
    assert_eq!(
        email["headers"].get("list-unsubscribe"),
        None,
        "an admin's alert is not a notification one opts out of"
    );
    let link = format!("{PUBLIC_URL}/console/admin#webhooks-heading");
    // The SMTP server keeps the wire's CRLF line ends.
    let text = email["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.contains(&format!("  URL: {url}\n")), "{text}");
    assert!(
        text.contains(&format!(
            "  Failing since: {}\n",
            shown["failingSince"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(
        text.contains("  Last error: answered 500 Internal Server Error\n"),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    let html = email["html"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");

    let enabled = admin(
        &app,
        &token,
        "PATCH",
        "/crm",
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["disabledAt"], Value::Null);
    assert_eq!(enabled["disabledReason"], Value::Null);
    assert_eq!(enabled["failingSince"], Value::Null, "a new streak");
}

#[tokio::test]
async fn a_success_between_failures_starts_the_five_days_over() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let now = real_now();
    let (app, token) = app(port, Arc::clone(&now)).await;
    let status = Arc::new(AtomicU16::new(500));
    let url = receiver(Arc::clone(&status)).await;
    create(&app, &token, &url).await;
    let started = now.load(Ordering::SeqCst);
    submit(&app, &valid_form()).await;
    tried(&app, 1).await;

    status.store(204, Ordering::SeqCst);
    now.store(started + 3 * DAY_MS, Ordering::SeqCst);
    tried(&app, 2).await;
    until("the streak is over", || async {
        admin(&app, &token, "GET", "/crm", None).await["failingSince"] == Value::Null
    })
    .await;

    status.store(500, Ordering::SeqCst);
    submit(&app, &valid_form()).await;
    tried(&app, 3).await;
    now.store(started + 5 * DAY_MS + HOUR_MS, Ordering::SeqCst);
    tried(&app, 4).await;
    let shown = admin(&app, &token, "GET", "/crm", None).await;
    assert_eq!(shown["enabled"], true, "failing for 2 days only: {shown}");
    assert_eq!(shown["disabledAt"], Value::Null);
    assert!(
        app.store
            .read(|db| db.mail_alerts())
            .await
            .unwrap()
            .is_empty(),
        "no admin is told"
    );
    assert!(smtp.to("admin@example.com").is_empty());
}

#[tokio::test]
async fn two_processes_failing_an_endpoint_at_once_disable_it_once_and_tell_the_admins_once() {
    let app = TestApp::new().await;
    // SQLite is served by one process; the rule is PostgreSQL's to keep.
    let Some(other) = app.another_process().await else {
        return;
    };
    staff(&app, "Ada Admin", Some("admin@example.com"), Role::Admin).await;
    let file = contact_server::webhooks::Endpoint {
        name: "crm".into(),
        url: "https://crm.example.com/hook".parse().unwrap(),
        secrets: Vec::new(),
        events: vec!["contact_request.created".into()],
        site: None,
    };
    let rows = contact_server::webhooks::endpoints::file_rows(&[file]);
    app.store
        .write(move |tx| tx.record_file_endpoints(&rows))
        .await
        .unwrap();
    let fail = |store: contact_server::store::Store, at: i64| async move {
        store
            .write(move |tx| disable::after_failure(tx, "crm", at, "answered 500"))
            .await
            .unwrap()
    };
    let started = 1_000_000_000_000;
    fail(app.store.clone(), started).await;
    let later = started + 5 * DAY_MS;
    // Whichever commits first, the other finds it disabled.
    tokio::join!(
        fail(app.store.clone(), later),
        fail(other.store.clone(), later)
    );
    fail(other.store.clone(), later + HOUR_MS).await;

    let endpoint = app
        .store
        .read(|db| db.webhook_endpoint("crm"))
        .await
        .unwrap()
        .unwrap();
    assert!(!endpoint.enabled);
    assert_eq!(endpoint.failing_since_ms, Some(started));
    let alerts = app.store.read(|db| db.mail_alerts()).await.unwrap();
    assert_eq!(alerts.len(), 1, "one email to the one admin: {alerts:?}");
}
