//! `callback.due`: a scheduled callback is told once when its time comes, by the scheduler of whichever
//! process looks first, and never again after a restart. Rounds run at instants the test gives
//! (`callbacks::due::fire`), except where the running scheduler itself is watched.

use contact_server::callbacks::due;
use contact_server::protection::Protection;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::until;
use crate::callbacks::support::rep;
use crate::support::{TestApp, call};

const V: &str = "/services/data/v62.0/sobjects/ContactRequest";

fn hours(n: i64) -> Timestamp {
    Timestamp::now() + SignedDuration::from_hours(n)
}

/// A request made through the API, scheduled at `at`; its id.
async fn scheduled(app: &TestApp, token: &str, at: Timestamp) -> String {
    let created = app
        .call(call("POST", V).bearer(token).json(&json!({
            "PreferredPhone": "+18445791189", "IsCallback": true,
            "ScheduledRoutingDateTime__c": at.to_string()})))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

/// One round at `at`; the ids it told.
async fn fire(app: &TestApp, at: Timestamp) -> Vec<String> {
    app.store.write(move |tx| due::fire(tx, at)).await.unwrap()
}

/// The data of `id`'s `callback.due` events.
async fn told(app: &TestApp, id: &str) -> Vec<Value> {
    let id = id.to_owned();
    app.store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event_type == "callback.due")
        .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap()["data"].clone())
        .collect()
}

#[tokio::test]
async fn a_callback_whose_time_passed_while_the_server_was_down_is_told_once_after_it_starts() {
    let app = TestApp::with_protection(Protection::off()).await;
    let (_, token) = rep(&app.store, "rita@example.com").await;
    let id = scheduled(&app, &token, hours(1)).await;
    assert_eq!(fire(&app, Timestamp::now()).await, Vec::<String>::new());

    let app = app.restart(Protection::off()).await;
    assert_eq!(fire(&app, hours(2)).await, [id.as_str()]);
    let data = told(&app, &id).await;
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["Id"], id.as_str());
    assert_eq!(data[0]["attributes"]["type"], "ContactRequest");
    assert!(
        data[0]["ScheduledRoutingDateTime__c"]
            .as_str()
            .unwrap()
            .ends_with("+0000"),
        "{}",
        data[0]
    );

    let app = app.restart(Protection::off()).await;
    assert_eq!(fire(&app, hours(3)).await, Vec::<String>::new());
    assert_eq!(told(&app, &id).await.len(), 1, "told once");
}

#[tokio::test]
async fn the_running_scheduler_tells_a_callback_already_due_once() {
    let app = TestApp::with_protection(Protection::off()).await;
    let (_, token) = rep(&app.store, "rita@example.com").await;
    let id = scheduled(&app, &token, hours(-1)).await;
    until("the scheduler tells it", || async {
        !told(&app, &id).await.is_empty()
    })
    .await;
    let app = app.restart(Protection::off()).await;
    assert_eq!(fire(&app, Timestamp::now()).await, Vec::<String>::new());
    assert_eq!(told(&app, &id).await.len(), 1);
}

#[tokio::test]
async fn a_closed_request_is_not_told_and_a_rescheduled_one_is_told_again() {
    let app = TestApp::with_protection(Protection::off()).await;
    let (_, token) = rep(&app.store, "rita@example.com").await;
    let closed = scheduled(&app, &token, hours(1)).await;
    let moved = scheduled(&app, &token, hours(1)).await;
    let abandoned = app
        .call(
            call("PATCH", &format!("{V}/{closed}"))
                .bearer(&token)
                .json(&json!({"Status": "Abandoned"})),
        )
        .await;
    assert_eq!(abandoned.status, 204, "{}", abandoned.body);
    assert_eq!(fire(&app, hours(2)).await, [moved.as_str()]);

    let again = app
        .call(
            call("PATCH", &format!("{V}/{moved}"))
                .bearer(&token)
                .json(&json!({"ScheduledRoutingDateTime__c": hours(3).to_string()})),
        )
        .await;
    assert_eq!(again.status, 204, "{}", again.body);
    assert_eq!(fire(&app, hours(2)).await, Vec::<String>::new(), "not yet");
    assert_eq!(fire(&app, hours(4)).await, [moved.as_str()]);
    assert_eq!(told(&app, &moved).await.len(), 2);
    assert!(told(&app, &closed).await.is_empty());
}

#[tokio::test]
async fn two_processes_telling_at_once_tell_each_callback_once() {
    let app = TestApp::with_protection(Protection::off()).await;
    let Some(other) = app.another_process().await else {
        return; // SQLite serves one process.
    };
    let (_, token) = rep(&app.store, "rita@example.com").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(scheduled(&app, &token, hours(1)).await);
    }
    let at = hours(2);
    let (mine, theirs) = tokio::join!(fire(&app, at), fire(&other, at));
    let mut all: Vec<String> = mine.into_iter().chain(theirs).collect();
    all.sort();
    ids.sort();
    assert_eq!(all, ids, "each told by one process");
    for id in &ids {
        assert_eq!(told(&app, id).await.len(), 1, "{id}");
    }
}
