//! The webhook delivery log and replays, through the admin API and the CLI, against the real receiver
//! of `webhooks.rs`: each try logged with its status, latency and the first bytes of the answer; a
//! replay (of one delivery or a range) posted again with the same, verified, `webhook-id`; ranges past
//! the maximum and non-admins refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use contact_server::access::{Scope, directory, tokens};
use contact_server::webhooks::log::{ANSWER_BYTES, MAX_REPLAY};
use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use super::until;
use super::webhooks::{
    BUSY, NEW_SECRET, OLD_SECRET, Received, app_on, deliveries, expected_signature, header,
    real_now, receiver, receiver_answering, reference_verifies, webhooks,
};
use crate::sobjects::support::Api;
use crate::support::{TestResponse, call, error_body, submission, valid_form};

/// An app delivering to `url` on the clock `now`, with an admin's API ([`Api`]).
async fn admin_api(url: &str, now: &Arc<AtomicI64>) -> Api {
    Api::on(app_on(webhooks(url, Arc::clone(now), &["contact_request.created"])).await).await
}

fn log_path(rest: &str) -> String {
    format!("{API_PREFIX}/admin/webhooks/receiver{rest}")
}

async fn admin(api: &Api, method: &str, path: &str, body: Option<Value>) -> TestResponse {
    as_token(api, &api.write, method, path, body).await
}

async fn as_token(
    api: &Api,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut request = call(method, path).bearer(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    api.app.call(request).await
}

/// Submits a request and waits until its delivery is delivered; answers its event id.
async fn delivered(api: &Api) -> String {
    let response = api.app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let id = response.body["id"].as_str().unwrap().to_owned();
    until("the delivery is delivered", || async {
        let rows = deliveries(&api.app).await;
        let event = api
            .app
            .store
            .read({
                let id = id.clone();
                move |db| db.outbox_events(&id)
            })
            .await
            .unwrap();
        rows.iter()
            .any(|d| d.state == "delivered" && d.event_id == event[0].event_id)
    })
    .await;
    let events = api
        .app
        .store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap();
    events[0].event_id.clone()
}

/// Moves the deliveries' clock past every instant a replay made so far could have set.
fn past_the_replay(now: &AtomicI64) {
    now.store(
        jiff::Timestamp::now().as_millisecond() + 1_000,
        Ordering::SeqCst,
    );
}

async fn received_at_least(received: &Received, n: usize) {
    until("the receiver gets the posts", || async {
        received.all().len() >= n
    })
    .await;
}

#[tokio::test]
async fn the_log_records_a_500_then_a_2xx_with_status_latency_and_the_answers_first_bytes() {
    let (url, _received) = receiver_answering(1, "thanks".into()).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let response = api.app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("the first try is recorded", || async {
        deliveries(&api.app)
            .await
            .first()
            .is_some_and(|d| d.attempts == 1)
    })
    .await;
    now.store(deliveries(&api.app).await[0].next_at_ms, Ordering::SeqCst);
    until("the retry is delivered", || async {
        deliveries(&api.app).await[0].state == "delivered"
    })
    .await;

    let page = admin(&api, "GET", &log_path("/deliveries"), None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let delivery = &page.body["deliveries"][0];
    assert_eq!(delivery["state"], "delivered");
    assert_eq!(delivery["tries"], 2);
    assert_eq!(delivery["eventType"], "contact_request.created");
    assert_eq!(delivery["nextAttemptAt"], Value::Null);
    let tries = delivery["attempts"].as_array().unwrap();
    assert_eq!(tries.len(), 2, "{delivery}");
    assert_eq!(
        (
            &tries[0]["attempt"],
            &tries[0]["status"],
            &tries[0]["answer"]
        ),
        (&json!(1), &json!(500), &json!(BUSY))
    );
    assert!(
        tries[0]["error"].as_str().unwrap().contains("500"),
        "{delivery}"
    );
    assert_eq!(
        (
            &tries[1]["attempt"],
            &tries[1]["status"],
            &tries[1]["answer"]
        ),
        (&json!(2), &json!(200), &json!("thanks"))
    );
    assert_eq!(tries[1]["error"], Value::Null);
    for attempt in tries {
        assert!(attempt["latencyMs"].as_i64().unwrap() >= 0, "{attempt}");
        assert!(
            contact_server::instant::parse(attempt["at"].as_str().unwrap()).is_some(),
            "{attempt}"
        );
    }

    let id = delivery["eventId"].as_str().unwrap();
    let one = admin(&api, "GET", &log_path(&format!("/deliveries/{id}")), None).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(
        &one.body, delivery,
        "one delivery reads as it does in the page"
    );
}

#[tokio::test]
async fn an_answer_is_logged_to_its_first_bytes_only() {
    let long = "é".repeat(ANSWER_BYTES);
    let (url, _received) = receiver_answering(0, long.clone()).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    delivered(&api).await;
    let page = admin(&api, "GET", &log_path("/deliveries"), None).await;
    let answer = page.body["deliveries"][0]["attempts"][0]["answer"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        answer,
        long[..ANSWER_BYTES],
        "the first {ANSWER_BYTES} bytes"
    );
}

#[tokio::test]
async fn an_answer_holding_nul_is_logged_with_a_replacement_and_the_delivery_is_recorded() {
    // PostgreSQL's text cannot hold NUL: kept as it came, the log's write, and with it the delivery's
    // outcome, would fail there, and the event be posted again and again.
    let (url, _received) = receiver_answering(0, "ok\0done".to_owned()).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    delivered(&api).await;
    let page = admin(&api, "GET", &log_path("/deliveries"), None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.body["deliveries"][0]["attempts"][0]["answer"],
        "ok\u{fffd}done"
    );
}

#[tokio::test]
async fn the_log_is_newest_first_in_pages() {
    let (url, _received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(delivered(&api).await);
    }
    let first = admin(&api, "GET", &log_path("/deliveries?limit=2"), None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let listed = |page: &TestResponse| -> Vec<String> {
        page.body["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["eventId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed(&first), [ids[2].clone(), ids[1].clone()]);
    let before = first.body["nextBefore"].as_i64().unwrap();
    let second = admin(
        &api,
        "GET",
        &log_path(&format!("/deliveries?limit=2&before={before}")),
        None,
    )
    .await;
    assert_eq!(listed(&second), [ids[0].clone()]);
    assert_eq!(second.body["nextBefore"], Value::Null, "the last page");
}

#[tokio::test]
async fn a_replay_of_a_delivered_event_arrives_again_with_the_same_verified_webhook_id() {
    let (url, received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let id = delivered(&api).await;
    let replayed = admin(
        &api,
        "POST",
        &log_path(&format!("/deliveries/{id}/replay")),
        None,
    )
    .await;
    assert_eq!(replayed.status, 202, "{}", replayed.body);
    assert_eq!(replayed.body["replayed"], 1);
    past_the_replay(&now);
    received_at_least(&received, 2).await;
    until("the replay is recorded", || async {
        deliveries(&api.app).await[0].state == "delivered"
            && deliveries(&api.app).await[0].attempts == 2
    })
    .await;

    let all = received.all();
    assert_eq!(all.len(), 2);
    let (headers, body) = &all[1];
    assert_eq!(header(headers, "webhook-id"), id);
    assert_eq!(header(&all[0].0, "webhook-id"), id);
    assert_eq!(body, &all[0].1, "the same event");
    let timestamp = header(headers, "webhook-timestamp");
    let signatures: Vec<&str> = header(headers, "webhook-signature").split(' ').collect();
    for secret in [OLD_SECRET, NEW_SECRET] {
        assert!(signatures.contains(&expected_signature(secret, &id, timestamp, body).as_str()));
        if let Some(verified) = reference_verifies(secret, headers, body) {
            assert!(verified, "the reference library verifies the replay");
        }
    }
    let one = admin(&api, "GET", &log_path(&format!("/deliveries/{id}")), None).await;
    assert_eq!(
        one.body["attempts"].as_array().unwrap().len(),
        2,
        "a new try in the log"
    );
}

#[tokio::test]
async fn a_delivery_that_failed_for_good_is_replayed_and_delivered() {
    let (url, received) = receiver(1).await;
    let now = real_now();
    let mut webhooks = webhooks(&url, Arc::clone(&now), &["contact_request.created"]);
    // No retries: the first failure is final.
    webhooks.schedule = Vec::new();
    let api = Api::on(app_on(webhooks).await).await;
    let response = api.app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("the delivery fails", || async {
        deliveries(&api.app)
            .await
            .first()
            .is_some_and(|d| d.state == "failed")
    })
    .await;
    let id = deliveries(&api.app).await[0].event_id.clone();
    let replayed = admin(
        &api,
        "POST",
        &log_path(&format!("/deliveries/{id}/replay")),
        None,
    )
    .await;
    assert_eq!(replayed.status, 202, "{}", replayed.body);
    past_the_replay(&now);
    until("the replay is delivered", || async {
        deliveries(&api.app).await[0].state == "delivered"
    })
    .await;
    assert_eq!(received.all().len(), 2);
}

#[tokio::test]
async fn a_range_replay_sends_again_the_deliveries_of_events_written_in_it() {
    let (url, received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let since = contact_server::instant::now();
    let ids = [delivered(&api).await, delivered(&api).await];
    let until_ = contact_server::instant::stored(
        jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
    );
    let empty = admin(
        &api,
        "POST",
        &log_path("/replay"),
        Some(json!({"since": "2020-01-01T00:00:00Z", "until": since})),
    )
    .await;
    assert_eq!(empty.status, 202, "{}", empty.body);
    assert_eq!(empty.body["replayed"], 0, "no event before the first");

    let replayed = admin(
        &api,
        "POST",
        &log_path("/replay"),
        Some(json!({"since": since, "until": until_})),
    )
    .await;
    assert_eq!(replayed.status, 202, "{}", replayed.body);
    assert_eq!(replayed.body["replayed"], 2);
    past_the_replay(&now);
    received_at_least(&received, 4).await;
    let resent: Vec<String> = received.all()[2..]
        .iter()
        .map(|(headers, _)| header(headers, "webhook-id").to_owned())
        .collect();
    assert_eq!(resent, ids, "each again, in order, with its webhook-id");
}

#[tokio::test]
async fn a_range_holding_more_than_the_maximum_is_refused_and_replays_none() {
    let (url, _received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let bulk = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
         INSERT INTO outbox_events (event_id, type, record_id, payload, created_at)
         SELECT 'msg_bulk' || i, 'contact_request.created', 'bulk' || i, '{{}}',
                '2026-01-01T00:00:00.000Z' FROM n;
         INSERT INTO webhook_deliveries (endpoint, event_seq, record_id, state, attempts, next_at_ms)
         SELECT 'receiver', seq, record_id, 'delivered', 1, 0 FROM outbox_events
          WHERE event_id LIKE 'msg_bulk%';",
        count = MAX_REPLAY + 1
    );
    api.app.execute(&bulk, &bulk).await;
    let range = json!({"since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"});
    let refused = admin(&api, "POST", &log_path("/replay"), Some(range)).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let message = error_body(&refused).message;
    assert!(
        message.contains(&(MAX_REPLAY + 1).to_string())
            && message.contains(&MAX_REPLAY.to_string()),
        "says how many and the maximum: {message}"
    );
    let pending = api.app.text(
        "SELECT CAST(count(*) AS TEXT) FROM webhook_deliveries WHERE state = 'pending'",
        &[],
    );
    assert_eq!(pending, "0", "none replayed");
}

#[tokio::test]
async fn parameters_to_fix_are_a_400_naming_them() {
    let (url, _received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let good = "2026-02-26T15:40:52Z";
    for (body, field, why) in [
        (
            json!({"since": "yesterday", "until": good}),
            "since",
            "not an instant",
        ),
        (
            json!({"since": good, "until": "2026-02-25T00:00:00Z"}),
            "until",
            "backwards",
        ),
        (json!({"since": good}), "until", "no end"),
        (json!({"since": good, "until": 7}), "until", "not text"),
        (
            json!({"since": good, "until": good, "to": good}),
            "body",
            "an unknown field",
        ),
    ] {
        let response = admin(&api, "POST", &log_path("/replay"), Some(body)).await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        assert!(
            error_body(&response).fields.contains_key(field),
            "{why}: {}",
            response.body
        );
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("before=x", "before"),
        ("page=2", "query"),
    ] {
        let response = admin(
            &api,
            "GET",
            &log_path(&format!("/deliveries?{query}")),
            None,
        )
        .await;
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        assert!(error_body(&response).fields.contains_key(field), "{query}");
    }
    let unknown = admin(
        &api,
        "GET",
        &format!("{API_PREFIX}/admin/webhooks/nobody/deliveries"),
        None,
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(error_body(&unknown).message.contains("nobody"));
    let no_delivery = admin(&api, "POST", &log_path("/deliveries/msg_none/replay"), None).await;
    assert_eq!(no_delivery.status, 404, "{}", no_delivery.body);
}

#[tokio::test]
async fn only_an_admin_reads_the_log_or_replays() {
    let (url, received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let id = delivered(&api).await;
    for role in [Role::Representative, Role::Supervisor] {
        let username = format!("{}@example.com", role.as_str());
        let user = directory::add_user(&api.app.store, username.clone(), username, None, role)
            .await
            .unwrap();
        let (_, token) = tokens::create(&api.app.store, user.id, Scope::Write, None)
            .await
            .unwrap();
        let range = json!({"since": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"});
        for (method, path, body) in [
            ("GET", log_path("/deliveries"), None),
            ("GET", log_path(&format!("/deliveries/{id}")), None),
            ("POST", log_path(&format!("/deliveries/{id}/replay")), None),
            ("POST", log_path("/replay"), Some(range)),
        ] {
            let response = as_token(&api, &token, method, &path, body).await;
            assert_eq!(response.status, 403, "{role:?} {method} {path}");
            assert_eq!(
                error_body(&response).message,
                "Only admins manage users, queues, tokens and webhooks."
            );
        }
    }
    assert_eq!(
        deliveries(&api.app).await[0].state,
        "delivered",
        "nothing replayed"
    );
    assert_eq!(received.all().len(), 1);
}

#[tokio::test]
async fn old_tries_are_swept_and_the_delivery_stays() {
    let (url, _received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let id = delivered(&api).await;
    let swept = api
        .app
        .store
        .write(|tx| tx.sweep_delivery_attempts(i64::MAX))
        .await
        .unwrap();
    assert_eq!(swept, 1);
    let one = admin(&api, "GET", &log_path(&format!("/deliveries/{id}")), None).await;
    assert_eq!(one.body["state"], "delivered");
    assert_eq!(one.body["attempts"], json!([]));
}

fn cli(api: &Api, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(args)
        .arg("--database")
        .arg(api.app.database_arg())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

// Several threads: the CLI's process is waited for on this one while the server's tasks run on.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_lists_the_log_and_replays_by_id_and_by_range() {
    let (url, received) = receiver(0).await;
    let now = real_now();
    let api = admin_api(&url, &now).await;
    let since = contact_server::instant::now();
    let id = delivered(&api).await;

    let listed = tokio::task::block_in_place(|| cli(&api, &["webhooks", "deliveries", "receiver"]));
    assert!(listed.status.success(), "{listed:?}");
    let page: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(page["deliveries"][0]["eventId"], id.as_str());
    assert_eq!(page["deliveries"][0]["attempts"][0]["status"], 204);

    let replayed =
        tokio::task::block_in_place(|| cli(&api, &["webhooks", "replay", "receiver", "--id", &id]));
    assert!(replayed.status.success(), "{replayed:?}");
    assert_eq!(String::from_utf8_lossy(&replayed.stdout).trim(), "1");
    past_the_replay(&now);
    received_at_least(&received, 2).await;
    assert_eq!(header(&received.all()[1].0, "webhook-id"), id);

    let until_ = contact_server::instant::stored(
        jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
    );
    let ranged = tokio::task::block_in_place(|| {
        cli(
            &api,
            &[
                "webhooks", "replay", "receiver", "--since", &since, "--until", &until_,
            ],
        )
    });
    assert!(ranged.status.success(), "{ranged:?}");
    assert_eq!(String::from_utf8_lossy(&ranged.stdout).trim(), "1");
    past_the_replay(&now);
    received_at_least(&received, 3).await;

    let refused = tokio::task::block_in_place(|| {
        cli(
            &api,
            &[
                "webhooks",
                "replay",
                "receiver",
                "--since",
                "yesterday",
                "--until",
                &until_,
            ],
        )
    });
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("since must be an ISO 8601"),
        "{refused:?}"
    );
}
