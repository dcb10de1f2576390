//! Webhook endpoints an admin configures through `/console/api/admin/webhooks`, against the real
//! receiver of `webhooks.rs`: the secret shown once signs the deliveries (verified by the reference
//! library), a rotation signs with both, a removed secret stops signing, a change or a disable applies
//! without a restart, bad bodies are refused naming their field, the file's endpoints stay read-only,
//! non-admins are refused, and on PostgreSQL an endpoint made through one process is delivered to by
//! every process's workers, each event once, until it is disabled.

use std::time::Duration;

use axum::http::HeaderMap;
use contact_server::access::{Scope, directory, tokens};
use contact_server::webhooks::{Endpoint, SealKey, Secret, Webhooks};
use contact_shared::console::{API_PREFIX, Role};
use serde_json::{Value, json};

use super::until;
use super::webhooks::{
    OLD_SECRET, Received, app_on, expected_signature, header, receiver, reference_verifies,
};
use crate::sobjects::support::Api;
use crate::support::{TestResponse, call, error_body, submission, valid_form};

const KEY: &str = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";

/// Webhooks with a sealing key, the `file` endpoints, private targets allowed, a quick poll.
fn with_key(file: Vec<Endpoint>) -> Webhooks {
    Webhooks {
        key: Some(SealKey::parse(KEY).unwrap()),
        poll: Duration::from_millis(20),
        ..Webhooks::new(file, true)
    }
}

async fn admin_api(webhooks: Webhooks) -> Api {
    Api::on(app_on(webhooks).await).await
}

fn path(rest: &str) -> String {
    format!("{API_PREFIX}/admin/webhooks{rest}")
}

async fn send(
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

async fn admin(api: &Api, method: &str, path: &str, body: Option<Value>) -> TestResponse {
    send(api, &api.write, method, path, body).await
}

/// Creates the endpoint `name` for `contact_request.created` at `url`; answers its secret.
async fn create(api: &Api, name: &str, url: &str) -> String {
    let response = admin(
        api,
        "POST",
        &path(""),
        Some(json!({"name": name, "url": url, "events": ["contact_request.created"]})),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body["secret"].as_str().unwrap().to_owned()
}

/// Submits a request; answers its id.
async fn submit(api: &Api) -> String {
    submit_to(&api.app).await
}

/// Submits a request to `app`; answers its id.
async fn submit_to(app: &crate::support::TestApp) -> String {
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body["id"].as_str().unwrap().to_owned()
}

/// Waits until `received` holds a delivery about the request `id`; answers it.
async fn arrival(received: &Received, id: &str) -> (HeaderMap, String) {
    until("the delivery arrives", || async {
        received.all().iter().any(|(_, body)| body.contains(id))
    })
    .await;
    received
        .all()
        .into_iter()
        .find(|(_, body)| body.contains(id))
        .unwrap()
}

/// Whether `secret` signed the delivery: by this test's HMAC, and by the reference library.
fn signed_with(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let (id, timestamp) = (
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp"),
    );
    let signed = header(headers, "webhook-signature")
        .split(' ')
        .any(|s| s == expected_signature(secret, id, timestamp, body));
    if let Some(verified) = reference_verifies(secret, headers, body) {
        assert_eq!(verified, signed, "the reference library agrees");
    }
    signed
}

#[tokio::test]
async fn an_endpoint_created_through_the_api_gets_submissions_signed_with_the_secret_shown_once() {
    let (url, received) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    let secret = create(&api, "crm", &url).await;
    assert!(Secret::parse(&secret).is_ok(), "{secret}");
    let shown = admin(&api, "GET", &path("/crm"), None).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.body["source"], "api");
    assert_eq!(shown.body["secrets"].as_array().unwrap().len(), 1);
    assert!(
        shown.body.get("secret").is_none(),
        "the secret is shown once"
    );
    let listed = admin(&api, "GET", &path(""), None).await;
    assert!(!listed.body.to_string().contains(&secret));
    let sealed = api.app.text(
        "SELECT sealed FROM webhook_secrets WHERE endpoint = ?1",
        &["crm"],
    );
    let encoded = secret.strip_prefix("whsec_").unwrap();
    assert!(
        !sealed.contains(encoded) && sealed != secret,
        "sealed at rest"
    );

    let id = submit(&api).await;
    let (headers, body) = arrival(&received, &id).await;
    assert!(signed_with(&secret, &headers, &body));
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["type"], "contact_request.created", "{body}");
}

#[tokio::test]
async fn a_rotation_signs_with_both_secrets_until_the_old_one_is_removed() {
    let (url, received) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    let old = create(&api, "crm", &url).await;
    let rotated = admin(&api, "POST", &path("/crm/rotate"), Some(json!({}))).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let secrets = rotated.body["secrets"].as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2, "{secrets:?}");

    let first = submit(&api).await;
    let (headers, body) = arrival(&received, &first).await;
    assert!(
        signed_with(&old, &headers, &body),
        "the old secret still signs"
    );
    assert!(signed_with(&new, &headers, &body), "the new one signs too");

    let old_id = secrets[0]["id"].as_str().unwrap();
    let removed = admin(
        &api,
        "DELETE",
        &path(&format!("/crm/secrets/{old_id}")),
        None,
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let second = submit(&api).await;
    let (headers, body) = arrival(&received, &second).await;
    assert!(signed_with(&new, &headers, &body));
    assert!(
        !signed_with(&old, &headers, &body),
        "the removed secret no longer signs"
    );

    let new_id = rotated.body["secrets"][1]["id"].as_str().unwrap();
    let last = admin(
        &api,
        "DELETE",
        &path(&format!("/crm/secrets/{new_id}")),
        None,
    )
    .await;
    assert_eq!(last.status, 409, "the last secret stays: {}", last.body);
}

#[tokio::test]
async fn a_rotation_keeping_the_old_secret_zero_minutes_stops_it_at_once() {
    let (url, received) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    let old = create(&api, "crm", &url).await;
    let rotated = admin(
        &api,
        "POST",
        &path("/crm/rotate"),
        Some(json!({"keepOldMinutes": 0})),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(rotated.body["secrets"].as_array().unwrap().len(), 1);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    let id = submit(&api).await;
    let (headers, body) = arrival(&received, &id).await;
    assert!(signed_with(&new, &headers, &body));
    assert!(!signed_with(&old, &headers, &body));
}

#[tokio::test]
async fn a_disabled_endpoint_gets_nothing_and_once_enabled_only_what_comes_after() {
    let (url, received) = receiver(0).await;
    let (sentinel_url, sentinel) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    create(&api, "crm", &url).await;
    create(&api, "sentinel", &sentinel_url).await;
    let off = admin(
        &api,
        "PATCH",
        &path("/crm"),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(off.body["enabled"], false);

    let while_off = submit(&api).await;
    // The sentinel endpoint wants the same events: once it has this one, the disabled endpoint had it
    // to take too.
    arrival(&sentinel, &while_off).await;
    let made = api.app.store.read(|db| db.deliveries("crm")).await.unwrap();
    assert!(made.is_empty(), "no delivery for a disabled endpoint");
    assert!(received.all().is_empty());

    let on = admin(&api, "PATCH", &path("/crm"), Some(json!({"enabled": true}))).await;
    assert_eq!(on.status, 200, "{}", on.body);
    let after = submit(&api).await;
    arrival(&received, &after).await;
    assert!(
        received
            .all()
            .iter()
            .all(|(_, body)| !body.contains(&while_off)),
        "what was written while it was off is not delivered to it"
    );
}

#[tokio::test]
async fn a_changed_url_and_events_apply_to_the_next_delivery_without_a_restart() {
    let (url, received) = receiver(0).await;
    let (moved_url, moved) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    let secret = create(&api, "crm", &url).await;
    let first = submit(&api).await;
    arrival(&received, &first).await;
    let changed = admin(
        &api,
        "PATCH",
        &path("/crm"),
        Some(json!({"url": moved_url, "events": ["contact_request.created", "call.logged"], "site": "shop"})),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["site"], "shop");
    assert_eq!(
        changed.body["events"],
        json!(["contact_request.created", "call.logged"])
    );
    let second = submit(&api).await;
    let (headers, body) = arrival(&moved, &second).await;
    assert!(signed_with(&secret, &headers, &body));
    assert!(received.all().iter().all(|(_, b)| !b.contains(&second)));

    let deleted = admin(&api, "DELETE", &path("/crm"), None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(admin(&api, "GET", &path("/crm"), None).await.status, 404);
    assert_eq!(
        admin(&api, "GET", &path("/crm/deliveries"), None)
            .await
            .status,
        404,
        "its log is gone with it"
    );
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field_to_fix() {
    let api = admin_api(with_key(Vec::new())).await;
    let good = json!({"name": "crm", "url": "http://127.0.0.1:9/hook", "events": ["call.logged"]});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        match value {
            Value::Null => drop(body.as_object_mut().unwrap().remove(key)),
            value => body[key] = value,
        }
        body
    };
    for (body, field, why) in [
        (with("name", Value::Null), "name", "no name"),
        (
            with("name", json!("crm hooks")),
            "name",
            "a space in the name",
        ),
        (with("name", json!(7)), "name", "a name that is not text"),
        (with("url", Value::Null), "url", "no url"),
        (
            with("url", json!("ftp://crm.example.com")),
            "url",
            "not http(s)",
        ),
        (with("events", Value::Null), "events", "no events"),
        (with("events", json!([])), "events", "an empty list"),
        (
            with("events", json!(["call.eaten"])),
            "events",
            "an unknown event",
        ),
        (
            with("site", json!("s".repeat(65))),
            "site",
            "a site too long",
        ),
        (
            with("enabled", json!("yes")),
            "enabled",
            "enabled not a flag",
        ),
        (with("color", json!("red")), "body", "an unknown field"),
    ] {
        let response = admin(&api, "POST", &path(""), Some(body)).await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        assert!(
            error_body(&response).fields.contains_key(field),
            "{why}: {}",
            response.body
        );
    }
    create(&api, "crm", "http://127.0.0.1:9/hook").await;
    let taken = admin(&api, "POST", &path(""), Some(good.clone())).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(error_body(&taken).fields.contains_key("name"));
    for (method, rest, body, field) in [
        ("PATCH", "/crm", json!({"url": "gopher://x"}), "url"),
        ("PATCH", "/crm", json!({"events": "call.logged"}), "events"),
        ("PATCH", "/crm", json!({"name": "other"}), "body"),
        (
            "POST",
            "/crm/rotate",
            json!({"keepOldMinutes": -1}),
            "keepOldMinutes",
        ),
        (
            "POST",
            "/crm/rotate",
            json!({"keepOldMinutes": "soon"}),
            "keepOldMinutes",
        ),
    ] {
        let response = admin(&api, method, &path(rest), Some(body)).await;
        assert_eq!(response.status, 400, "{method} {rest}: {}", response.body);
        assert!(
            error_body(&response).fields.contains_key(field),
            "{}",
            response.body
        );
    }
    let strict = admin_api(Webhooks {
        allow_private: false,
        ..with_key(Vec::new())
    })
    .await;
    let internal = admin(&strict, "POST", &path(""), Some(good)).await;
    assert_eq!(
        internal.status, 400,
        "an internal address without the flag: {}",
        internal.body
    );
    assert!(error_body(&internal).fields.contains_key("url"));
}

#[tokio::test]
async fn the_files_endpoints_are_listed_read_only_and_keep_their_names() {
    let file = Endpoint {
        name: "ledger".into(),
        url: "http://127.0.0.1:9/hook".parse().unwrap(),
        secrets: vec![Secret::parse(OLD_SECRET).unwrap()],
        events: vec!["call.logged".into()],
        site: None,
    };
    let api = admin_api(with_key(vec![file])).await;
    let listed = admin(&api, "GET", &path(""), None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["endpoints"][0]["name"], "ledger");
    assert_eq!(listed.body["endpoints"][0]["source"], "file");
    assert!(!listed.body.to_string().contains(OLD_SECRET));
    let again = admin(
        &api,
        "POST",
        &path(""),
        Some(json!({"name": "ledger", "url": "http://127.0.0.1:9/x", "events": ["call.logged"]})),
    )
    .await;
    assert_eq!(again.status, 409, "a name of the file's: {}", again.body);
    for (method, rest, body) in [
        ("PATCH", "/ledger", Some(json!({"enabled": false}))),
        ("POST", "/ledger/rotate", Some(json!({}))),
        ("DELETE", "/ledger", None),
    ] {
        let response = admin(&api, method, &path(rest), body).await;
        assert_eq!(response.status, 409, "{method} {rest}: {}", response.body);
        assert!(error_body(&response).message.contains("webhooks file"));
    }
}

#[tokio::test]
async fn without_a_key_no_endpoint_is_created_through_the_api() {
    let api = admin_api(Webhooks::new(Vec::new(), true)).await;
    let response = admin(
        &api,
        "POST",
        &path(""),
        Some(json!({"name": "crm", "url": "http://127.0.0.1:9/hook", "events": ["call.logged"]})),
    )
    .await;
    assert_eq!(response.status, 409, "{}", response.body);
    assert!(error_body(&response).message.contains("--webhooks-key"));
    assert_eq!(
        admin(&api, "GET", &path(""), None).await.body["endpoints"],
        json!([])
    );
}

#[tokio::test]
async fn non_admins_are_refused_every_endpoint_route() {
    let api = admin_api(with_key(Vec::new())).await;
    create(&api, "crm", "http://127.0.0.1:9/hook").await;
    for role in [Role::Representative, Role::Supervisor] {
        let username = format!("{}@example.com", role.as_str());
        let user = directory::add_user(&api.app.store, username.clone(), username, None, role)
            .await
            .unwrap();
        let (_, token) = tokens::create(&api.app.store, user.id, Scope::Write, None)
            .await
            .unwrap();
        let new =
            json!({"name": "mine", "url": "http://127.0.0.1:9/hook", "events": ["call.logged"]});
        for (method, rest, body) in [
            ("GET", "", None),
            ("POST", "", Some(new)),
            ("GET", "/crm", None),
            ("PATCH", "/crm", Some(json!({"enabled": false}))),
            ("POST", "/crm/rotate", Some(json!({}))),
            ("DELETE", "/crm/secrets/sec_0", None),
            ("DELETE", "/crm", None),
        ] {
            let response = send(&api, &token, method, &path(rest), body).await;
            assert_eq!(response.status, 403, "{role:?} {method} {rest}");
            assert_eq!(
                error_body(&response).message,
                "Only admins manage users, queues, tokens and webhooks."
            );
        }
    }
    let still = admin(&api, "GET", &path("/crm"), None).await;
    assert_eq!(still.body["enabled"], true);
    assert_eq!(still.body["secrets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_endpoint_made_through_one_process_gets_each_event_once_from_both_until_disabled_there()
{
    let (url, received) = receiver(0).await;
    let (sentinel_url, sentinel) = receiver(0).await;
    let api = admin_api(with_key(Vec::new())).await;
    let Some(database) = api.app.postgres.as_ref().map(|db| db.url.clone()) else {
        return; // SQLite serves one process.
    };
    let other = crate::support::TestApp::start(crate::support::Start {
        webhooks: Some(with_key(Vec::new())),
        beside: Some(database),
        ..crate::support::Start::new(tempfile::tempdir().unwrap())
    })
    .await;
    create(&api, "crm", &url).await;
    create(&api, "sentinel", &sentinel_url).await;

    let mut ids = Vec::new();
    for n in 0..10 {
        let writer = if n % 2 == 0 { &api.app } else { &other };
        ids.push(submit_to(writer).await);
    }
    until("every request is delivered to the endpoint", || async {
        let made = api.app.store.read(|db| db.deliveries("crm")).await.unwrap();
        made.len() == 10 && made.iter().all(|d| d.state == "delivered")
    })
    .await;
    let delivered = api.app.store.read(|db| db.deliveries("crm")).await.unwrap();
    assert!(delivered.iter().all(|d| d.attempts == 1), "{delivered:?}");
    let all = received.all();
    assert!(
        ids.iter()
            .all(|id| all.iter().any(|(_, body)| body.contains(id)))
    );
    let mut webhook_ids: Vec<String> = received
        .all()
        .iter()
        .map(|(headers, _)| header(headers, "webhook-id").to_owned())
        .collect();
    webhook_ids.sort();
    webhook_ids.dedup();
    assert_eq!(webhook_ids.len(), 10, "each event posted once");
    assert_eq!(received.all().len(), 10, "each event posted once");

    let off = admin(
        &api,
        "PATCH",
        &path("/crm"),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let while_off = [submit_to(&other).await, submit(&api).await];
    for id in &while_off {
        // The sentinel wants the same events: once it has them, both processes had them to take.
        arrival(&sentinel, id).await;
    }
    assert_eq!(received.all().len(), 10, "nothing more once disabled");
    let made = api.app.store.read(|db| db.deliveries("crm")).await.unwrap();
    assert_eq!(made.len(), 10, "no delivery made while it is disabled");
}
