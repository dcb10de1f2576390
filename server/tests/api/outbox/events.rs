//! Every path that creates a contact request writes exactly one `contact_request.created` in its own
//! transaction, every status change one `contact_request.status_changed`, and a rolled-back write none.

use contact_server::store::{OutboxEvent, StoreError};
use serde_json::{Value, json};

use crate::callbacks::support::Callbacks;
use crate::support::{submission, valid_form};

const V: &str = "/services/data/v62.0";

async fn events(t: &Callbacks, id: &str) -> Vec<OutboxEvent> {
    let id = id.to_owned();
    t.app
        .store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap()
}

fn payload(event: &OutboxEvent) -> Value {
    serde_json::from_str(&event.payload).expect("the payload is JSON")
}

/// The only event of `id` is its `contact_request.created`, with the record as the API shapes it.
async fn created_once(t: &Callbacks, id: &str) -> Value {
    let events = events(t, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event_type, "contact_request.created");
    assert!(events[0].event_id.starts_with("msg_"), "{:?}", events[0]);
    let body = payload(&events[0]);
    assert_eq!(body["type"], "contact_request.created");
    assert!(body["timestamp"].is_string(), "{body}");
    assert_eq!(body["data"]["Id"], id);
    assert_eq!(body["data"]["attributes"]["type"], "ContactRequest");
    body
}

#[tokio::test]
async fn a_widget_submission_writes_one_created_event() {
    let t = Callbacks::new().await;
    let response = t.app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let id = response.body["id"].as_str().unwrap();
    let body = created_once(&t, id).await;
    assert_eq!(body["data"]["Name"], response.body["name"]);
    assert_eq!(body["data"]["Status"], "New");
    assert!(
        body["data"]["CreatedDate"]
            .as_str()
            .unwrap()
            .ends_with("+0000"),
        "{body}"
    );
}

#[tokio::test]
async fn a_group_commit_writes_one_created_event_per_request() {
    let t = Callbacks::new().await;
    let answers = t
        .app
        .send_all((0..40).map(|_| submission(&valid_form(), None)).collect())
        .await;
    for answer in &answers {
        assert_eq!(answer.status, 201, "{}", answer.body);
        created_once(&t, answer.body["id"].as_str().unwrap()).await;
    }
    let total = t.app.store.read(|db| db.outbox_len()).await.unwrap();
    assert_eq!(total, 40);
}

#[tokio::test]
async fn an_api_create_writes_one_created_event() {
    let t = Callbacks::new().await;
    let created = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/ContactRequest"),
            Some(json!({"PreferredPhone": "+18445791189", "Status": "Attempted"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created_once(&t, created.body["id"].as_str().unwrap()).await;
    assert_eq!(body["data"]["Status"], "Attempted");
    assert_eq!(body["data"]["CreatedById"], t.rita.0.as_str());
}

#[tokio::test]
async fn a_provider_callback_writes_one_created_event() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-call", json!({"callbackNumber": "+18445791189"}))
        .await;
    let body = created_once(&t, &id).await;
    assert_eq!(body["data"]["PreferredPhone"], "+18445791189");
}

#[tokio::test]
async fn a_logged_call_that_moves_the_status_writes_status_changed_with_who() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-reach", json!({"callbackNumber": "+18445791189"}))
        .await;
    let task = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/Task"),
            Some(json!({"WhatId": id, "CallType": "Outbound", "CallResult__c": "Reached"})),
        )
        .await;
    assert_eq!(task.status, 201, "{}", task.body);
    let events = events(&t, &id).await;
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        ["contact_request.created", "contact_request.status_changed"]
    );
    let data = &payload(&events[1])["data"];
    assert_eq!(data["from"], "New");
    assert_eq!(data["to"], "Contacted");
    assert_eq!(data["who"], t.rita.0.as_str());
    assert_eq!(data["record"]["Status"], "Contacted");
}

#[tokio::test]
async fn an_api_update_writes_status_changed_only_when_the_status_moves() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-update", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/ContactRequest/{id}");
    for body in [
        json!({"RequestDescription": "no status here"}),
        json!({"Status": "New"}),
        json!({"Status": "Abandoned"}),
    ] {
        let updated = t.api(&t.rita.1, "PATCH", &path, Some(body)).await;
        assert_eq!(updated.status, 204, "{}", updated.body);
    }
    let events = events(&t, &id).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let data = &payload(&events[1])["data"];
    assert_eq!(
        (&data["from"], &data["to"], &data["who"]),
        (&json!("New"), &json!("Abandoned"), &json!(t.rita.0))
    );
}

#[tokio::test]
async fn a_rolled_back_write_leaves_no_event() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-rollback", json!({"callbackNumber": "+18445791189"}))
        .await;
    let again = id.clone();
    let refused = t
        .app
        .store
        .write(move |tx| -> Result<(), StoreError> {
            tx.record_created(&again)?;
            Err(StoreError::BatchFailed("refused after the event".into()))
        })
        .await;
    assert!(refused.is_err());
    created_once(&t, &id).await;
}
