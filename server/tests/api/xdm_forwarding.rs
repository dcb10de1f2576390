//! Forwarding a site's events to Adobe Experience Platform, against a real HTTP server on loopback standing
//! in for the platform's streaming inlet: the envelope and the bearer token, each `xdmEntity` in the
//! platform's form (and valid once converted back), a 500 retried on a clock the test turns (the backoff
//! is stepped over, never slept through), a restart keeping the cursor, a message refused for good, GPC
//! browsers never forwarded, and on PostgreSQL two processes never sending one event twice.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use contact_server::store::PlatformCursor;
use contact_server::xdm::forward::Forwarding;
use contact_server::xdm::{platform, schema};
use serde_json::{Value, json};

use crate::support::{PAGE_ORIGIN, Start, TestApp, call, submission, valid_form};

const SCHEMA_ID: &str = "https://ns.adobe.com/acme/schemas/0123abcd";
const DATASET_ID: &str = "65a1b2c3d4e5f60718293a4b";
const IMS_ORG: &str = "0123456789ABCDEF01234567@AdobeOrg";
const TOKEN_ENV: &str = "SHOP_AEP_TOKEN";
const TOKEN: &str = "eyJhbGciOi.test-token.sig";
const ENV: &[(&str, &str)] = &[(TOKEN_ENV, TOKEN)];

/// The site `shop`, forwarding to the inlet at `url`.
fn sites(url: &str) -> String {
    format!(
        r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["{PAGE_ORIGIN}"]

[site.experience_platform]
inlet_url = "{url}"
schema_id = "{SCHEMA_ID}"
dataset_id = "{DATASET_ID}"
ims_org = "{IMS_ORG}"
token_env = "{TOKEN_ENV}"
"#
    )
}

/// What the inlet got: each request's headers and JSON body.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, Value)>>>);

impl Received {
    fn all(&self) -> Vec<(HeaderMap, Value)> {
        self.0.lock().unwrap().clone()
    }

    /// The `_id` of every message of every request, in the order received.
    fn ids(&self) -> Vec<String> {
        self.all()
            .iter()
            .flat_map(|(_, body)| messages(body))
            .map(|m| m["body"]["xdmEntity"]["_id"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn messages(body: &Value) -> Vec<Value> {
    body["messages"].as_array().cloned().unwrap_or_default()
}

/// How the inlet answers its `n`th request (from 0), given its body.
type Script = Arc<dyn Fn(usize, &Value) -> (StatusCode, Value) + Send + Sync>;

/// The platform's answer taking every message: `207` with an `xactionId` each.
fn taken(body: &Value) -> (StatusCode, Value) {
    let responses: Vec<Value> = (0..messages(body).len())
        .map(|i| json!({ "xactionId": format!("1565628583792:1485:153:{i}") }))
        .collect();
    (
        StatusCode::MULTI_STATUS,
        json!({ "inletId": "inlet", "batchId": "1565628583792:1485:153", "responses": responses }),
    )
}

/// An inlet on 127.0.0.1 answering by `script`; its batch URL and what it got.
async fn inlet(script: Script) -> (String, Received) {
    let received = Received::default();
    let count = Arc::new(AtomicUsize::new(0));
    let log = received.clone();
    let app = axum::Router::new().route(
        "/collection/batch/{connection}",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (log, count, script) = (log.clone(), Arc::clone(&count), Arc::clone(&script));
            async move {
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (status, answer) = script(n, &body);
                log.0.lock().unwrap().push((headers, body));
                (status, axum::Json(answer))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/collection/batch/test-connection",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// Forwarding on a clock read from `now_ms`, to loopback.
fn forwarding(now_ms: &Arc<AtomicI64>) -> Forwarding {
    let now_ms = Arc::clone(now_ms);
    Forwarding {
        clock: Arc::new(move || now_ms.load(Ordering::SeqCst)),
        poll: Duration::from_millis(20),
        ..Forwarding::new(true)
    }
}

fn real_now() -> Arc<AtomicI64> {
    Arc::new(AtomicI64::new(jiff::Timestamp::now().as_millisecond()))
}

/// An app forwarding the site `shop` to `url`, on the clock `now_ms`; on `postgres` when given (a
/// restart's database), in `dir`.
async fn app_in(
    url: &str,
    now_ms: &Arc<AtomicI64>,
    dir: tempfile::TempDir,
    postgres: Option<crate::support::FreshDatabase>,
) -> TestApp {
    let sites = sites(url);
    TestApp::start(Start {
        sites: &sites,
        env: ENV,
        forwarding: Some(forwarding(now_ms)),
        postgres,
        ..Start::new(dir)
    })
    .await
}

async fn app(url: &str, now_ms: &Arc<AtomicI64>) -> TestApp {
    app_in(url, now_ms, tempfile::tempdir().unwrap(), None).await
}

/// A browser event counting `measure` of the `contactRequest.…` type `kind`.
fn event(id: &str, kind: &str, measure: &str) -> Value {
    json!({
        "@id": id,
        "xdm:timestamp": (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1)).to_string(),
        "xdm:eventType": format!("contactRequest.{kind}"),
        "xdm:producedBy": "self",
        "xdm:customerFeedback": { "xdm:chatSessionID": "s-1", (format!("xdm:{measure}")): 1 },
    })
}

async fn post(app: &TestApp, events: &[Value], headers: &[(&str, &str)]) {
    let mut request = call("POST", "/api/v1/events")
        .header(header::ORIGIN.as_str(), PAGE_ORIGIN)
        .header("x-crw-site", "shop");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = app.call(request.json(&json!({ "events": events }))).await;
    assert_eq!(response.status, 202, "{}", response.body);
}

async fn cursor(app: &TestApp) -> PlatformCursor {
    app.store
        .read(|db| db.platform_cursor("shop"))
        .await
        .unwrap()
        .expect("the site's cursor is open")
}

/// Waits until `done` holds, failing after a generous deadline (a hang guard, not a timing).
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn events_reach_the_inlet_in_the_platforms_envelope_with_the_sites_bearer_token() {
    let (url, received) = inlet(Arc::new(|_, body| taken(body))).await;
    let now = real_now();
    let app = app(&url, &now).await;
    post(
        &app,
        &[
            event("e-offered", "offered", "chatOffered"),
            event("e-started", "started", "chatStart"),
        ],
        &[],
    )
    .await;
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("the three events are forwarded", || async {
        cursor(&app).await.forwarded == 3
    })
    .await;
    let all = received.all();
    for (headers, _) in &all {
        assert_eq!(
            headers[header::AUTHORIZATION.as_str()],
            format!("Bearer {TOKEN}").as_str()
        );
        assert!(
            headers[header::CONTENT_TYPE.as_str()]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    let sent: Vec<Value> = all.iter().flat_map(|(_, body)| messages(body)).collect();
    assert_eq!(sent.len(), 3, "each event once: {sent:?}");
    let schema_ref = json!({
        "id": SCHEMA_ID,
        "contentType": "application/vnd.adobe.xed-full+json;version=1",
    });
    for message in &sent {
        assert_eq!(
            message["header"],
            json!({
                "schemaRef": schema_ref,
                "imsOrgId": IMS_ORG,
                "datasetId": DATASET_ID,
                "source": { "name": "contact-request-widget" },
            })
        );
        assert_eq!(
            message["body"]["xdmMeta"],
            json!({ "schemaRef": schema_ref })
        );
        let entity = &message["body"]["xdmEntity"];
        assert!(
            entity["_id"].is_string() && entity["timestamp"].is_string(),
            "{entity}"
        );
        assert!(
            entity.as_object().unwrap().keys().all(|k| !k.contains(':')),
            "the platform's form has no prefixed field: {entity}"
        );
        let json_ld = platform::from_platform(entity).unwrap();
        assert_eq!(schema::check(&json_ld), Ok(()), "{json_ld}");
    }
    assert_eq!(received.ids()[..2], ["e-offered", "e-started"], "in order");
    let entities: Vec<&Value> = sent.iter().map(|m| &m["body"]["xdmEntity"]).collect();
    assert_eq!(
        entities[0]["customerFeedback"],
        json!({ "chatSessionID": "s-1", "chatOffered": 1 })
    );
    assert_eq!(entities[2]["eventType"], "web.formFilledOut");
    assert_eq!(entities[2]["customerFeedback"]["clickToDirectMessage"], 1);
    let stored: Value = serde_json::from_str(&app.text(
        "SELECT body FROM experience_events WHERE event_type = 'web.formFilledOut'",
        &[],
    ))
    .unwrap();
    assert_eq!(
        platform::from_platform(entities[2]).unwrap(),
        stored,
        "the stored JSON-LD event, converted without loss"
    );
    let cursor = cursor(&app).await;
    assert_eq!((cursor.attempts, cursor.last_status), (0, Some(207)));
}

#[tokio::test]
async fn a_500_is_retried_on_the_schedule_across_a_restart_and_the_batch_delivered_once_in_order() {
    let (url, received) = inlet(Arc::new(|n, body| match n {
        0 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "message": "busy" }),
        ),
        _ => taken(body),
    }))
    .await;
    let now = real_now();
    let app = app(&url, &now).await;
    post(
        &app,
        &[
            event("e-1", "offered", "chatOffered"),
            event("e-2", "started", "chatStart"),
            event("e-3", "ended", "chatEnd"),
        ],
        &[],
    )
    .await;
    until("the 500 is recorded", || async {
        cursor(&app).await.attempts == 1
    })
    .await;
    let failed = cursor(&app).await;
    assert_eq!(failed.last_status, Some(500));
    assert_eq!(failed.forwarded, 0);
    let waiting_from = now.load(Ordering::SeqCst);
    assert!(
        failed.next_at_ms >= waiting_from + 5_000,
        "the first retry waits the schedule's 5 s: {failed:?}"
    );

    // A restart in the middle: the store shut down, a new server on the same database.
    let TestApp {
        store,
        dir,
        postgres,
        ..
    } = app;
    store.shutdown().await;
    let app = app_in(&url, &now, dir, postgres).await;
    assert_eq!(cursor(&app).await, failed, "the cursor is kept as it was");
    assert_eq!(
        received.all().len(),
        1,
        "nothing is sent before the retry is due"
    );

    now.fetch_add(60_000, Ordering::SeqCst);
    until("the batch is delivered", || async {
        cursor(&app).await.forwarded == 3
    })
    .await;
    let all = received.all();
    assert_eq!(all.len(), 2, "one failed try and one delivery");
    assert_eq!(received.ids(), ["e-1", "e-2", "e-3", "e-1", "e-2", "e-3"]);
    let delivered = cursor(&app).await;
    assert_eq!((delivered.attempts, delivered.last_status), (0, Some(207)));
    assert_eq!(delivered.last_error, None);
}

#[tokio::test]
async fn a_message_the_platform_refuses_with_a_4xx_is_recorded_as_failed_for_good() {
    let (url, received) = inlet(Arc::new(|_, body| {
        let (status, mut answer) = taken(body);
        if messages(body).len() > 1 {
            answer["responses"][1] = json!({
                "statusCode": 400,
                "message": "inletId: [inlet] imsOrgId: [org] Message has unknown xdm format",
            });
        }
        (status, answer)
    }))
    .await;
    let now = real_now();
    let app = app(&url, &now).await;
    post(
        &app,
        &[
            event("e-1", "offered", "chatOffered"),
            event("e-2", "started", "chatStart"),
            event("e-3", "ended", "chatEnd"),
        ],
        &[],
    )
    .await;
    until("the batch is settled", || async {
        let cursor = cursor(&app).await;
        cursor.forwarded == 2 && cursor.last_error.is_some()
    })
    .await;
    let failures = app
        .store
        .read(|db| db.platform_failures("shop"))
        .await
        .unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].event_id, "e-2");
    assert_eq!(failures[0].status, Some(400));
    assert!(failures[0].error.contains("unknown xdm format"));
    assert_eq!(
        received.all().len(),
        1,
        "a refused message is not sent again"
    );
    assert_eq!(cursor(&app).await.attempts, 0);
}

#[tokio::test]
async fn a_browser_that_sends_sec_gpc_is_never_forwarded_event_by_event() {
    let (url, received) = inlet(Arc::new(|_, body| taken(body))).await;
    let now = real_now();
    let app = app(&url, &now).await;
    post(
        &app,
        &[event("e-gpc", "offered", "chatOffered")],
        &[("sec-gpc", "1")],
    )
    .await;
    post(&app, &[event("e-after", "offered", "chatOffered")], &[]).await;
    until("the tracked event is forwarded", || async {
        cursor(&app).await.forwarded == 1
    })
    .await;
    assert_eq!(received.ids(), ["e-after"]);
}

#[tokio::test]
async fn two_processes_on_postgresql_never_send_one_event_twice() {
    let (url, received) = inlet(Arc::new(|_, body| taken(body))).await;
    let now = real_now();
    let app = app(&url, &now).await;
    let Some(url_of_db) = app.postgres.as_ref().map(|db| db.url.clone()) else {
        return; // SQLite serves one process.
    };
    let sites = sites(&url);
    let other = TestApp::start(Start {
        sites: &sites,
        env: ENV,
        forwarding: Some(forwarding(&now)),
        beside: Some(url_of_db),
        ..Start::new(tempfile::tempdir().unwrap())
    })
    .await;
    let mut expected = Vec::new();
    for batch in 0..10 {
        let events: Vec<Value> = (0..3)
            .map(|i| {
                let id = format!("e-{batch}-{i}");
                expected.push(id.clone());
                event(&id, "offered", "chatOffered")
            })
            .collect();
        let writer = if batch % 2 == 0 { &app } else { &other };
        post(writer, &events, &[]).await;
    }
    until("every event is forwarded", || async {
        cursor(&app).await.forwarded == 30
    })
    .await;
    assert_eq!(received.ids(), expected, "each once, in order");
}
