//! The live feed: what the store commits reaches each open console that may see it, and a dropped
//! connection resumes where it left off.

use std::time::Duration;

use axum::body::Body;
use contact_server::access::directory;
use contact_shared::console::{API_PREFIX, Role};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::support::{Console, HOST, PASSWORD, session_cookie};
use crate::support::{call, valid_form};

/// A hang guard only: each event is awaited until it comes, and a broken feed fails here instead of
/// hanging the suite.
const GUARD: Duration = Duration::from_secs(30);

/// One event as the feed wrote it.
#[derive(Debug)]
pub(super) struct Sent {
    pub(super) id: Option<String>,
    pub(super) event: Option<String>,
    pub(super) data: Value,
}

/// An open feed, read as a browser's EventSource reads it.
pub(super) struct Feed {
    body: Body,
    buffer: String,
}

impl Feed {
    pub(super) async fn open(console: &Console, cookie: &str, last_event_id: Option<&str>) -> Self {
        let mut request = call("GET", &format!("{API_PREFIX}/events"))
            .header("cookie", cookie)
            .header("host", HOST);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = console
            .api
            .app
            .router
            .clone()
            .oneshot(request.build())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event with a name (comments, keep-alives and the `retry:` advice skipped).
    pub(super) async fn next(&mut self) -> Sent {
        tokio::time::timeout(GUARD, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut sent = Sent {
                        id: None,
                        event: None,
                        data: Value::Null,
                    };
                    for line in block.lines() {
                        if let Some(id) = line.strip_prefix("id:") {
                            sent.id = Some(id.trim().to_owned());
                        } else if let Some(event) = line.strip_prefix("event:") {
                            sent.event = Some(event.trim().to_owned());
                        } else if let Some(data) = line.strip_prefix("data:") {
                            sent.data = serde_json::from_str(data.trim()).unwrap();
                        }
                    }
                    if sent.event.is_some() {
                        return sent;
                    }
                    continue;
                }
                let frame = self
                    .body
                    .frame()
                    .await
                    .expect("the feed stays open")
                    .unwrap();
                if let Ok(data) = frame.into_data() {
                    self.buffer.push_str(std::str::from_utf8(&data).unwrap());
                }
            }
        })
        .await
        .expect("an event within the guard")
    }
}

/// Signs `username` in and answers the cookie.
async fn cookie_of(console: &Console, username: &str) -> String {
    let response = console.sign_in_as(username, PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.body);
    session_cookie(&response).unwrap()
}

#[tokio::test]
async fn a_request_the_widget_stores_reaches_an_open_console() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let mut feed = Feed::open(&console, &cookie, None).await;

    let stored = console.api.app.post_json(&valid_form()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let sent = feed.next().await;
    assert_eq!(sent.event.as_deref(), Some("contact_request.created"));
    assert_eq!(sent.data["id"], stored.body["id"]);
    assert_eq!(sent.data["status"], "New");
    assert!(sent.data["ownerId"].as_str().unwrap().starts_with("00G"));

    // A change made by someone else follows, with who made it.
    let id = stored.body["id"].as_str().unwrap();
    let changed = console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(&console.api.write),
            Some(json!({"Status": "Attempted"})),
        )
        .await;
    assert_eq!(changed.status, 204);
    let sent = feed.next().await;
    assert_eq!(
        sent.event.as_deref(),
        Some("contact_request.status_changed")
    );
    assert_eq!(sent.data["status"], "Attempted");
    assert_eq!(sent.data["by"], console.api.user_id.as_str());
}

#[tokio::test]
async fn a_representative_hears_only_of_requests_they_may_see() {
    let console = Console::new().await;
    let store = &console.api.app.store;
    let billing = directory::add_queue(store, "Billing".into(), false)
        .await
        .unwrap();
    let sales = directory::add_queue(store, "Sales".into(), false)
        .await
        .unwrap();
    console
        .add_user("rita@example.com", Role::Representative)
        .await;
    directory::set_membership(store, "Billing".into(), "rita@example.com".into(), true)
        .await
        .unwrap();
    let mut feed = Feed::open(
        &console,
        &cookie_of(&console, "rita@example.com").await,
        None,
    )
    .await;

    let elsewhere = console
        .api
        .create(json!({"RequestReason": "Order", "OwnerId": sales.id}))
        .await;
    let mine = console
        .api
        .create(json!({"RequestReason": "Billing", "OwnerId": billing.id}))
        .await;
    let sent = feed.next().await;
    assert_eq!(
        sent.data["id"], mine,
        "the Sales request ({elsewhere}) is not told to a Billing representative"
    );

    // A supervisor moves it to Sales: Rita's view hears it leave, then nothing more of it.
    let moved = console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{mine}"),
            Some(&console.api.write),
            Some(json!({"OwnerId": sales.id})),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let left = feed.next().await;
    assert_eq!(left.event.as_deref(), Some("contact_request.updated"));
    assert_eq!(left.data["id"], mine);
    assert_eq!(left.data["ownerId"], sales.id.as_str());
    let in_sales = console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{mine}"),
            Some(&console.api.write),
            Some(json!({"Status": "Attempted"})),
        )
        .await;
    assert_eq!(in_sales.status, 204);
    let again = console
        .api
        .create(json!({"RequestReason": "Billing", "OwnerId": billing.id}))
        .await;
    assert_eq!(
        feed.next().await.data["id"],
        again,
        "its later changes in Sales are not told"
    );
}

#[tokio::test]
async fn a_dropped_feed_resumes_after_the_last_event_it_had() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let mut feed = Feed::open(&console, &cookie, None).await;
    let first = console.api.app.post_json(&valid_form()).await;
    let had = feed.next().await;
    assert_eq!(had.data["id"], first.body["id"]);
    drop(feed);

    // While nobody listens, two more arrive.
    let mut missed = Vec::new();
    for phone in ["+442079460001", "+442079460002"] {
        let mut form = valid_form();
        form["preferred_phone"] = json!(phone);
        missed.push(console.api.app.post_json(&form).await.body["id"].clone());
    }

    let mut resumed = Feed::open(&console, &cookie, had.id.as_deref()).await;
    for id in missed {
        assert_eq!(resumed.next().await.data["id"], id);
    }
}

#[tokio::test]
async fn the_feed_needs_a_session_and_a_well_formed_last_event_id() {
    let console = Console::new().await;
    let anonymous = console
        .call(call("GET", &format!("{API_PREFIX}/events")))
        .await;
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous.body["message"]
            .as_str()
            .unwrap()
            .contains("Sign in")
    );

    let cookie = console.signed_in().await;
    let malformed = console
        .call(
            call("GET", &format!("{API_PREFIX}/events"))
                .header("cookie", &cookie)
                .header("last-event-id", "yesterday"),
        )
        .await;
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.body["message"]
            .as_str()
            .unwrap()
            .contains("Last-Event-ID")
    );
}

#[tokio::test]
async fn events_for_webhooks_only_are_passed_over_live_and_on_resuming() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let mut feed = Feed::open(&console, &cookie, None).await;

    let stored = console.api.app.post_json(&valid_form()).await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let created = feed.next().await;
    let id = stored.body["id"].as_str().unwrap();
    // An owner's move writes `updated` and `assigned`; a call logged on it `call.logged` and
    // `status_changed`: the console is told the first of each pair only.
    let moved = console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(&console.api.write),
            Some(json!({"OwnerId": console.api.user_id})),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let logged = console
        .api
        .call(
            "POST",
            "/sobjects/Task",
            Some(&console.api.write),
            Some(json!({"WhatId": id, "CallResult__c": "Not Reached"})),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    let live: Vec<Option<String>> = vec![feed.next().await.event, feed.next().await.event];
    let expected = [
        Some("contact_request.updated".to_owned()),
        Some("contact_request.status_changed".to_owned()),
    ];
    assert_eq!(live, expected);

    let mut resumed = Feed::open(&console, &cookie, created.id.as_deref()).await;
    let replayed: Vec<Option<String>> =
        vec![resumed.next().await.event, resumed.next().await.event];
    assert_eq!(replayed, expected);
}
