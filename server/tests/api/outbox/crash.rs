//! The outbox survives a crash between the commit and the delivery: the server binary is killed (SIGKILL)
//! while a delivery is in flight, with the rest of the acknowledged requests' events committed and not
//! yet posted, and started again on the same database: every event arrives, the one in flight again
//! (once its lease is over) with the same `webhook-id`, each verified by the reference library.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::webhooks::{expected_signature, reference_verifies};
use super::{until, until_within};
use crate::process::{Server, demo_client};
use crate::support::{TestApp, on_postgres, valid_form};

/// The secret of the endpoint the binary is given (README's example).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Requests acknowledged before the crash.
const REQUESTS: usize = 12;

/// What a receiver got: each request's `webhook-id`, its headers and its body, in arrival order.
type Arrivals = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// A receiver that records every request and never answers the first one (so that delivery is in
/// flight when the server dies); 204 to the others.
async fn holding_receiver() -> (String, Arrivals) {
    let arrivals: Arrivals = Arc::default();
    let log = Arc::clone(&arrivals);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = Arc::clone(&log);
            async move {
                let id = headers["webhook-id"].to_str().unwrap().to_owned();
                let first = {
                    let mut log = log.lock().unwrap();
                    log.push((id, headers, body));
                    log.len() == 1
                };
                if first {
                    std::future::pending::<()>().await;
                }
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, arrivals)
}

#[tokio::test]
async fn a_server_killed_mid_delivery_delivers_every_acknowledged_event_after_its_restart() {
    let (url, arrivals) = holding_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("webhooks.toml");
    std::fs::write(
        &endpoints,
        format!(
            "[[endpoint]]\nname = \"crm\"\nurl = \"{url}\"\nsecrets = [\"{SECRET}\"]\n\
             events = [\"contact_request.created\"]\n"
        ),
    )
    .unwrap();
    // On PostgreSQL a fresh database of the suite's (the app beside is only its owner); on SQLite a file
    // of the test's own, which one server process at a time may open.
    let app = if on_postgres() {
        Some(TestApp::new().await)
    } else {
        None
    };
    let database = match &app {
        Some(app) => app.database_arg(),
        None => dir.path().join("requests.sqlite3").into(),
    };
    let flags = [endpoints.as_os_str(), "--webhooks-allow-private".as_ref()];
    let start = || {
        let mut extra = vec!["--webhooks".as_ref()];
        extra.extend(flags);
        Server::start_with(&database, &extra)
    };

    let server = start();
    let client = demo_client();
    let submit = || async {
        let response = client
            .post(format!(
                "{}{}",
                server.api,
                contact_shared::CONTACT_REQUESTS_PATH
            ))
            .header("origin", &server.demo)
            .json(&valid_form())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        created["id"].as_str().unwrap().to_owned()
    };
    // The first request's event is posted and held; the worker waits on it, so the others are
    // acknowledged, their events committed, and none of them posted when the server dies.
    let mut acknowledged = HashSet::from([submit().await]);
    until("the first delivery is in flight", || async {
        !arrivals.lock().unwrap().is_empty()
    })
    .await;
    for _ in 1..REQUESTS {
        acknowledged.insert(submit().await);
    }
    server.kill();
    let in_flight = arrivals.lock().unwrap()[0].0.clone();
    assert_eq!(
        arrivals.lock().unwrap().len(),
        1,
        "the crash came before the other events were posted"
    );

    let server = start();
    // The one in flight is posted again once its lease (15 s from its claim) is over: the guard is far
    // past that.
    until_within(
        "every acknowledged request's event has arrived, the one in flight again",
        std::time::Duration::from_secs(120),
        || async {
            let arrivals = arrivals.lock().unwrap();
            let ids: HashSet<&String> = arrivals.iter().map(|(id, _, _)| id).collect();
            let again = arrivals
                .iter()
                .filter(|(id, _, _)| *id == in_flight)
                .count();
            ids.len() >= REQUESTS && again >= 2
        },
    )
    .await;
    // Whatever arrived, arrived signed, and once per event but for redeliveries of the same one.
    let mut by_id: HashMap<String, (String, usize)> = HashMap::new();
    let mut requests = HashSet::new();
    for (id, headers, body) in arrivals.lock().unwrap().iter() {
        let timestamp = headers["webhook-timestamp"].to_str().unwrap();
        let signatures = headers["webhook-signature"].to_str().unwrap();
        assert!(
            signatures
                .split(' ')
                .any(|s| s == expected_signature(SECRET, id, timestamp, body)),
            "{signatures}"
        );
        assert_ne!(
            reference_verifies(SECRET, headers, body),
            Some(false),
            "the reference library verifies it"
        );
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["type"], "contact_request.created");
        requests.insert(event["data"]["Id"].as_str().unwrap().to_owned());
        let seen = by_id.entry(id.clone()).or_insert((body.clone(), 0));
        assert_eq!(
            &seen.0, body,
            "a redelivery is the same event, byte for byte"
        );
        seen.1 += 1;
    }
    assert_eq!(by_id.len(), REQUESTS, "one event per acknowledged request");
    assert!(
        by_id[&in_flight].1 >= 2,
        "the delivery in flight at the crash was posted again, with the same webhook-id"
    );
    let short: HashSet<String> = requests.iter().map(|id| id[..15].to_owned()).collect();
    let acknowledged: HashSet<String> = acknowledged.iter().map(|id| id[..15].to_owned()).collect();
    assert_eq!(
        short, acknowledged,
        "every acknowledged request was told of"
    );
    server.kill();
    drop(app);
}
