//! Webhook deliveries against a real receiver on loopback: signed so that the Standard Webhooks reference
//! library verifies them with either secret of a rotation, delivered once, only the events the endpoint
//! asks for, and retried after a 500 on a clock the test turns (the backoff is stepped over, never slept
//! through).

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use contact_server::store::DeliveryRow;
use contact_server::webhooks::{Endpoint, Secret, Webhooks};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::until;
use crate::support::{Start, TestApp, call, submission, valid_form};

pub(super) const OLD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub(super) const NEW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// What the receiver got: each request's headers and body.
#[derive(Clone, Default)]
pub(super) struct Received(Arc<Mutex<Vec<(HeaderMap, String)>>>);

impl Received {
    pub(super) fn all(&self) -> Vec<(HeaderMap, String)> {
        self.0.lock().unwrap().clone()
    }
}

/// What the receiver answers a failed request with.
pub(super) const BUSY: &str = "busy, try later";

/// A receiver on 127.0.0.1 that answers 500 to its first `failures` requests and 204 after.
pub(super) async fn receiver(failures: usize) -> (String, Received) {
    receiver_answering(failures, String::new()).await
}

/// A receiver on 127.0.0.1 that answers 500 and [`BUSY`] to its first `failures` requests, and after
/// them `answer` (204 when it is empty, else 200).
pub(super) async fn receiver_answering(failures: usize, answer: String) -> (String, Received) {
    let received = Received::default();
    let answered = Arc::new(AtomicUsize::new(0));
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (log, answered, answer) = (log.clone(), Arc::clone(&answered), answer.clone());
            async move {
                log.0.lock().unwrap().push((headers, body));
                match answered.fetch_add(1, Ordering::SeqCst) < failures {
                    true => (StatusCode::INTERNAL_SERVER_ERROR, BUSY.to_owned()),
                    false if answer.is_empty() => (StatusCode::NO_CONTENT, answer),
                    false => (StatusCode::OK, answer),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// An app delivering `contact_request.created` to `url` on a clock read from `now_ms`.
async fn app(url: &str, now_ms: Arc<AtomicI64>) -> TestApp {
    app_for(url, now_ms, &["contact_request.created"]).await
}

/// An app delivering the `events` of the site `shop` to `url` on a clock read from `now_ms`.
async fn app_for(url: &str, now_ms: Arc<AtomicI64>, events: &[&str]) -> TestApp {
    app_on(webhooks(url, now_ms, events)).await
}

/// The webhooks of [`app_for`]: the endpoint `receiver` at `url` for the `events` of the site `shop`,
/// signed with both secrets of a rotation, on a clock read from `now_ms`.
pub(super) fn webhooks(url: &str, now_ms: Arc<AtomicI64>, events: &[&str]) -> Webhooks {
    let endpoint = Endpoint {
        name: "receiver".into(),
        url: url.parse().unwrap(),
        secrets: vec![
            Secret::parse(OLD_SECRET).unwrap(),
            Secret::parse(NEW_SECRET).unwrap(),
        ],
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        site: Some("shop".into()),
    };
    Webhooks {
        clock: Arc::new(move || now_ms.load(Ordering::SeqCst)),
        poll: Duration::from_millis(20),
        ..Webhooks::new(vec![endpoint], true)
    }
}

/// An app delivering by `webhooks`.
pub(super) async fn app_on(webhooks: Webhooks) -> TestApp {
    TestApp::start(Start {
        webhooks: Some(webhooks),
        ..Start::new(tempfile::tempdir().unwrap())
    })
    .await
}

pub(super) async fn deliveries(app: &TestApp) -> Vec<DeliveryRow> {
    app.store
        .read(|db| db.deliveries("receiver"))
        .await
        .unwrap()
}

pub(super) fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

/// The HMAC-SHA256 signature of the specification, computed here independently of the server's code.
pub(super) fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Whether the reference library verifies the delivery with `secret`; `None` when it is not installed
/// (`pip install standardwebhooks`).
pub(super) fn reference_verifies(secret: &str, headers: &HeaderMap, body: &str) -> Option<bool> {
    use std::io::Write;
    let installed = std::process::Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        assert!(
            std::env::var_os("CRW_REQUIRE_REFERENCE_VERIFIER").is_none(),
            "standardwebhooks is not installed for python3, and this run requires it (cargo xtask test installs it)"
        );
        eprintln!(
            "standardwebhooks is not installed for python3; verified with this test's own HMAC only"
        );
        return None;
    }
    let names = ["webhook-id", "webhook-timestamp", "webhook-signature"];
    let message = serde_json::json!({
        "secret": secret,
        "headers": names.iter().map(|n| (n.to_string(), serde_json::Value::from(header(headers, n))))
            .collect::<serde_json::Map<_, _>>(),
        "body": body,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/verify.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.to_string().as_bytes())
        .unwrap();
    Some(child.wait().unwrap().success())
}

/// Whether the delivery verifies with [`NEW_SECRET`], by this test's HMAC and by the reference library.
fn verifies(headers: &HeaderMap, body: &str) {
    let (id, timestamp) = (
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp"),
    );
    let signatures: Vec<&str> = header(headers, "webhook-signature").split(' ').collect();
    assert!(
        signatures.contains(&expected_signature(NEW_SECRET, id, timestamp, body).as_str()),
        "{signatures:?}"
    );
    if let Some(verified) = reference_verifies(NEW_SECRET, headers, body) {
        assert!(verified, "the reference library verifies it");
    }
}

pub(super) fn real_now() -> Arc<AtomicI64> {
    Arc::new(AtomicI64::new(jiff::Timestamp::now().as_millisecond()))
}

#[tokio::test]
async fn a_submission_reaches_the_receiver_once_signed_with_both_secrets_of_a_rotation() {
    let (url, received) = receiver(0).await;
    let app = app(&url, real_now()).await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("the delivery is recorded", || async {
        deliveries(&app)
            .await
            .iter()
            .any(|d| d.state == "delivered")
    })
    .await;

    let all = received.all();
    assert_eq!(all.len(), 1, "delivered once");
    let (headers, body) = &all[0];
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["type"], "contact_request.created");
    assert_eq!(payload["data"]["Id"], response.body["id"]);
    let (id, timestamp) = (
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp"),
    );
    assert_eq!(id, deliveries(&app).await[0].event_id);
    let signatures: Vec<&str> = header(headers, "webhook-signature").split(' ').collect();
    for secret in [OLD_SECRET, NEW_SECRET] {
        assert!(
            signatures.contains(&expected_signature(secret, id, timestamp, body).as_str()),
            "signed with {secret}: {signatures:?}"
        );
        if let Some(verified) = reference_verifies(secret, headers, body) {
            assert!(verified, "the reference library verifies it with {secret}");
        }
    }
    let other = "whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCBhdCBhbGw=";
    if let Some(verified) = reference_verifies(other, headers, body) {
        assert!(!verified, "another secret does not verify it");
    }
}

#[tokio::test]
async fn a_delivery_answered_500_is_retried_after_the_backoff_with_the_same_webhook_id() {
    let (url, received) = receiver(1).await;
    let now = real_now();
    let app = app(&url, Arc::clone(&now)).await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("the first try is recorded", || async {
        deliveries(&app)
            .await
            .first()
            .is_some_and(|d| d.attempts == 1)
    })
    .await;
    let first = deliveries(&app).await.remove(0);
    assert_eq!(first.state, "pending");
    assert_eq!(first.last_status, Some(500));
    let started = now.load(Ordering::SeqCst);
    // The first wait is 5 s with up to a fifth more of jitter.
    assert!(
        (started + 5_000..=started + 6_000).contains(&first.next_at_ms),
        "retried 5 to 6 s later: {first:?}"
    );
    assert_eq!(
        received.all().len(),
        1,
        "not retried before the clock moves"
    );

    now.store(first.next_at_ms, Ordering::SeqCst);
    until("the retry is delivered", || async {
        deliveries(&app).await[0].state == "delivered"
    })
    .await;
    let all = received.all();
    assert_eq!(all.len(), 2);
    assert_eq!(
        header(&all[0].0, "webhook-id"),
        header(&all[1].0, "webhook-id"),
        "a redelivery keeps its webhook-id"
    );
    assert_eq!(deliveries(&app).await[0].attempts, 2);
}

#[tokio::test]
async fn a_delivery_failing_past_the_schedule_is_marked_failed() {
    let (url, received) = receiver(usize::MAX).await;
    let now = real_now();
    let app = app(&url, Arc::clone(&now)).await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let tries = contact_server::webhooks::SCHEDULE.len() as u32 + 1;
    for attempt in 1..=tries {
        until("the next try is recorded", || async {
            deliveries(&app)
                .await
                .first()
                .is_some_and(|d| d.attempts == attempt)
        })
        .await;
        now.store(deliveries(&app).await[0].next_at_ms, Ordering::SeqCst);
    }
    let last = deliveries(&app).await.remove(0);
    assert_eq!(last.state, "failed", "{last:?}");
    assert_eq!(received.all().len(), tries as usize);
}

#[tokio::test]
async fn an_assignment_a_due_callback_and_a_logged_call_reach_an_endpoint_that_asks_for_them_in_order()
 {
    let (url, received) = receiver(0).await;
    let app = app_for(
        &url,
        real_now(),
        &["contact_request.assigned", "callback.due", "call.logged"],
    )
    .await;
    let (rita, token) = crate::callbacks::support::rep(&app.store, "rita@example.com").await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let id = response.body["id"].as_str().unwrap();
    let v = "/services/data/v62.0/sobjects";
    let moved = app
        .call(
            call("PATCH", &format!("{v}/ContactRequest/{id}"))
                .bearer(&token)
                .json(&serde_json::json!({"OwnerId": rita,
                    "ScheduledRoutingDateTime__c": "2026-01-01T09:00:00Z"})),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let request = id.to_owned();
    until("the scheduler tells the callback due", || async {
        let request = request.clone();
        app.store
            .read(move |db| db.outbox_events(&request))
            .await
            .unwrap()
            .iter()
            .any(|e| e.event_type == "callback.due")
    })
    .await;
    let logged = app
        .call(call("POST", &format!("{v}/Task")).bearer(&token).json(
            &serde_json::json!({"WhatId": id, "CallType": "Outbound", "CallResult__c": "Not Reached"}),
        ))
        .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    // Not Reached sends the request back to the queue rita took it from, for its retry: a second
    // assignment, after the call that caused it.
    until("the four deliveries are recorded", || async {
        let all = deliveries(&app).await;
        all.len() == 4 && all.iter().all(|d| d.state == "delivered")
    })
    .await;

    let all = received.all();
    let payloads: Vec<serde_json::Value> = all
        .iter()
        .map(|(headers, body)| {
            verifies(headers, body);
            serde_json::from_str(body).unwrap()
        })
        .collect();
    let types: Vec<&str> = payloads
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "contact_request.assigned",
            "callback.due",
            "call.logged",
            "contact_request.assigned"
        ],
        "not created nor status_changed"
    );
    assert_eq!(payloads[0]["data"]["to"], rita.as_str());
    assert_eq!(payloads[3]["data"]["from"], rita.as_str());
    assert_eq!(
        payloads[3]["data"]["to"], payloads[0]["data"]["from"],
        "back to the queue it came from"
    );
    assert_eq!(payloads[0]["data"]["record"]["Id"], id);
    assert_eq!(payloads[1]["data"]["Id"], id);
    assert_eq!(payloads[2]["data"]["Id"], logged.body["id"]);
    assert_eq!(payloads[2]["data"]["WhatId"], id);
}

#[tokio::test]
async fn an_interaction_completed_reaches_an_endpoint_once_per_move_to_completed_verified() {
    let (url, received) = receiver(0).await;
    let app = app_for(&url, real_now(), &["engagement.completed"]).await;
    let (_, token) = crate::callbacks::support::rep(&app.store, "rita@example.com").await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let request = response.body["id"].as_str().unwrap();
    let v = "/services/data/v62.0/sobjects/EngagementInteraction";
    let created = app
        .call(call("POST", v).bearer(&token).json(&serde_json::json!({
            "Status": "Completed", "ContactRequestId__c": request, "CommunicationChannel": "Voice Call",
            "StartDateTime": "2024-05-01T09:00:00Z", "EndDateTime": "2024-05-01T09:02:00Z"
        })))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    // Left Completed: nothing more to tell.
    let kept = app
        .call(
            call("PATCH", &format!("{v}/{id}"))
                .bearer(&token)
                .json(&serde_json::json!({"Status": "Completed", "Sentiment": "Positive"})),
        )
        .await;
    assert_eq!(kept.status, 204, "{}", kept.body);
    // A later event of the same request, delivered after it in order, shows the update told nothing.
    let reopened = app
        .call(
            call("PATCH", &format!("{v}/{id}"))
                .bearer(&token)
                .json(&serde_json::json!({"Status": "In Progress"})),
        )
        .await;
    assert_eq!(reopened.status, 204, "{}", reopened.body);
    let again = app
        .call(
            call("PATCH", &format!("{v}/{id}"))
                .bearer(&token)
                .json(&serde_json::json!({"Status": "Completed"})),
        )
        .await;
    assert_eq!(again.status, 204, "{}", again.body);
    until("both deliveries are recorded", || async {
        let all = deliveries(&app).await;
        all.len() == 2 && all.iter().all(|d| d.state == "delivered")
    })
    .await;

    let all = received.all();
    assert_eq!(all.len(), 2, "once per move to Completed");
    let payloads: Vec<serde_json::Value> = all
        .iter()
        .map(|(headers, body)| {
            verifies(headers, body);
            serde_json::from_str(body).unwrap()
        })
        .collect();
    for payload in &payloads {
        assert_eq!(payload["type"], "engagement.completed");
        assert_eq!(payload["data"]["Id"], id);
        assert_eq!(payload["data"]["ContactRequestId__c"], request);
        assert_eq!(payload["data"]["Duration"], "0:02:00");
    }
    assert_eq!(payloads[0]["data"]["Sentiment"], serde_json::Value::Null);
    assert_eq!(payloads[1]["data"]["Sentiment"], "Positive");
    assert_ne!(
        header(&all[0].0, "webhook-id"),
        header(&all[1].0, "webhook-id"),
        "two events"
    );
}
