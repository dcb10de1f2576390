//! Every path that creates a contact request writes exactly one `contact_request.created` in its own
//! transaction, every status change one `contact_request.status_changed`, every owner change one
//! `contact_request.assigned`, every Task with call fields one `call.logged`, every EngagementInteraction
//! whose status becomes Completed one `engagement.completed`, and a rolled-back or refused write none.

use contact_server::store::{OutboxEvent, StoreError};
use serde_json::{Value, json};

use crate::callbacks::support::Callbacks;
use crate::support::{submission, valid_form};

const V: &str = "/services/data/v62.0";

/// The main call center's queue, which a provider's callback goes to.
const QUEUE: &str = "00G000000000001EAA";

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
async fn a_reached_call_writes_status_changed_with_who_then_engagement_completed() {
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
    assert_eq!(
        types(&events),
        [
            "contact_request.created",
            "call.logged",
            "contact_request.status_changed",
            "engagement.completed"
        ]
    );
    let data = &payload(&events[2])["data"];
    assert_eq!(data["from"], "New");
    assert_eq!(data["to"], "Contacted");
    assert_eq!(data["who"], t.rita.0.as_str());
    assert_eq!(data["record"]["Status"], "Contacted");
    // The interaction the reached call leaves, after the status it moves.
    let data = &payload(&events[3])["data"];
    assert_eq!(data["attributes"]["type"], "EngagementInteraction");
    assert_eq!(data["ContactRequestId__c"], id.as_str());
    assert_eq!(
        (&data["Type"], &data["MappedState"]),
        (&json!("Outbound"), &json!("Completed"))
    );
    assert_eq!(data["CreatedById"], t.rita.0.as_str());
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
async fn a_move_to_or_from_a_status_of_the_organisation_s_own_is_a_status_change() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-own-status", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/ContactRequest/{id}");
    for status in ["Scheduled", "New"] {
        let updated = t
            .api(&t.rita.1, "PATCH", &path, Some(json!({"Status": status})))
            .await;
        assert_eq!(updated.status, 204, "{}", updated.body);
    }
    let events = events(&t, &id).await;
    let moves: Vec<(Value, Value)> = events[1..]
        .iter()
        .map(|e| {
            let data = &payload(e)["data"];
            (data["from"].clone(), data["to"].clone())
        })
        .collect();
    assert_eq!(
        moves,
        [
            (json!("New"), json!("Scheduled")),
            (json!("Scheduled"), json!("New"))
        ],
        "{events:?}"
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

fn types(events: &[OutboxEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

/// The only `contact_request.assigned` among `events`: it moved the request from `from` to `to`, by
/// `who`, and carries the record as it now stands.
fn assigned_once(events: &[OutboxEvent], from: &str, to: &str, who: &str) {
    let assigned: Vec<&OutboxEvent> = events
        .iter()
        .filter(|e| e.event_type == "contact_request.assigned")
        .collect();
    assert_eq!(assigned.len(), 1, "{events:?}");
    let data = &payload(assigned[0])["data"];
    assert_eq!(
        (&data["from"], &data["to"], &data["who"]),
        (&json!(from), &json!(to), &json!(who)),
        "{data}"
    );
    assert_eq!(data["record"]["OwnerId"], to);
    assert_eq!(data["record"]["attributes"]["type"], "ContactRequest");
}

#[tokio::test]
async fn an_api_update_writes_assigned_only_when_the_owner_moves() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-assign", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/ContactRequest/{id}");
    for body in [
        json!({"RequestDescription": "no owner here"}),
        json!({"OwnerId": QUEUE}),
        json!({"OwnerId": t.sam.0}),
    ] {
        let updated = t.api(&t.rita.1, "PATCH", &path, Some(body)).await;
        assert_eq!(updated.status, 204, "{}", updated.body);
    }
    let events = events(&t, &id).await;
    assert_eq!(
        types(&events),
        [
            "contact_request.created",
            "contact_request.updated",
            "contact_request.assigned"
        ]
    );
    assigned_once(&events, QUEUE, &t.sam.0, &t.rita.0);
}

#[tokio::test]
async fn a_refused_owner_change_writes_no_event() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-refuse", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/ContactRequest/{id}");
    let nobody = contact_server::ids::new_id("005");
    let refused = t
        .api(&t.rita.1, "PATCH", &path, Some(json!({"OwnerId": nobody})))
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    created_once(&t, &id).await;
}

#[tokio::test]
async fn a_claim_writes_assigned_from_the_queue_to_the_claimer() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-claim", json!({"callbackNumber": "+18445791189"}))
        .await;
    let claim = t.claim(&t.sam.1, &id).await;
    assert_eq!(claim.status, 200, "{}", claim.body);
    let refused = t.claim(&t.rita.1, &id).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let events = events(&t, &id).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assigned_once(&events, QUEUE, &t.sam.0, &t.sam.0);
}

/// Logs a call on `id` as Rita with these fields; the answer.
async fn log_call(t: &Callbacks, id: &str, fields: Value) -> crate::support::TestResponse {
    let mut body = json!({"WhatId": id, "Subject": "Call back"});
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    t.api(&t.rita.1, "POST", &format!("{V}/sobjects/Task"), Some(body))
        .await
}

#[tokio::test]
async fn a_task_with_call_fields_writes_call_logged_before_the_status_it_moves() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-logged", json!({"callbackNumber": "+18445791189"}))
        .await;
    let task = log_call(
        &t,
        &id,
        json!({"CallType": "Outbound", "CallResult__c": "Not Reached", "CallDurationInSeconds": 42}),
    )
    .await;
    assert_eq!(task.status, 201, "{}", task.body);
    let events = events(&t, &id).await;
    assert_eq!(
        types(&events),
        [
            "contact_request.created",
            "call.logged",
            "contact_request.status_changed"
        ]
    );
    let data = &payload(&events[1])["data"];
    assert_eq!(data["attributes"]["type"], "Task");
    assert_eq!(data["Id"], task.body["id"]);
    assert_eq!(data["WhatId"], id.as_str());
    assert_eq!(data["CallResult__c"], "Not Reached");
    assert_eq!(data["CallDurationInSeconds"], 42);
    assert_eq!(data["CreatedById"], t.rita.0.as_str());
    assert!(
        data["CreatedDate"].as_str().unwrap().ends_with("+0000"),
        "{data}"
    );
}

#[tokio::test]
async fn a_task_without_call_fields_or_updated_later_writes_no_call_logged() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-plain", json!({"callbackNumber": "+18445791189"}))
        .await;
    let task = log_call(&t, &id, json!({})).await;
    assert_eq!(task.status, 201, "{}", task.body);
    let path = format!("{V}/sobjects/Task/{}", task.body["id"].as_str().unwrap());
    let updated = t
        .api(
            &t.rita.1,
            "PATCH",
            &path,
            Some(json!({"CallType": "Outbound"})),
        )
        .await;
    assert_eq!(updated.status, 204, "{}", updated.body);
    created_once(&t, &id).await;
}

#[tokio::test]
async fn a_call_refused_on_a_closed_request_writes_no_call_logged() {
    let t = Callbacks::new().await;
    let id = t
        .callback("evt-closed", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/ContactRequest/{id}");
    let closed = t
        .api(
            &t.rita.1,
            "PATCH",
            &path,
            Some(json!({"Status": "Abandoned"})),
        )
        .await;
    assert_eq!(closed.status, 204, "{}", closed.body);
    let refused = log_call(&t, &id, json!({"CallResult__c": "Reached"})).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let events = events(&t, &id).await;
    assert_eq!(
        types(&events),
        ["contact_request.created", "contact_request.status_changed"]
    );
}

/// The `engagement.completed` events among `events`.
fn completed(events: &[OutboxEvent]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e.event_type == "engagement.completed")
        .map(payload)
        .collect()
}

/// Writes the EngagementInteraction `path` (a POST to the collection, else a PATCH) as Rita; the answer.
async fn write_interaction(t: &Callbacks, method: &str, path: &str, body: Value) -> Value {
    let response = t.api(&t.rita.1, method, path, Some(body)).await;
    assert!(
        response.status == 201 || response.status == 204,
        "{}",
        response.body
    );
    response.body
}

#[tokio::test]
async fn an_interaction_writes_engagement_completed_each_time_its_status_becomes_completed() {
    let t = Callbacks::new().await;
    let request = t
        .callback("evt-engaged", json!({"callbackNumber": "+18445791189"}))
        .await;
    let collection = format!("{V}/sobjects/EngagementInteraction");
    let created = write_interaction(
        &t,
        "POST",
        &collection,
        json!({"Status": "New", "ContactRequestId__c": request, "CommunicationChannel": "Voice Call",
               "StartDateTime": "2024-05-01T09:00:00Z"}),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = format!("{collection}/{id}");
    for (body, expected) in [
        (json!({"Sentiment": "Neutral"}), 0),
        (
            json!({"Status": "Completed", "EndDateTime": "2024-05-01T09:05:00Z"}),
            1,
        ),
        (json!({"Status": "Completed", "Sentiment": "Positive"}), 1),
        (json!({"Reason": "still completed"}), 1),
        (json!({"Status": "In Progress"}), 1),
        (json!({"Status": "Completed"}), 2),
    ] {
        write_interaction(&t, "PATCH", &path, body.clone()).await;
        let told = completed(&events(&t, &request).await);
        assert_eq!(told.len(), expected, "after {body}: {told:?}");
    }
    let told = completed(&events(&t, &request).await);
    let data = &told[0]["data"];
    assert_eq!(data["attributes"]["type"], "EngagementInteraction");
    assert_eq!(data["Id"], id);
    assert_eq!(data["ContactRequestId__c"], request.as_str());
    assert_eq!(
        (&data["Status"], &data["MappedState"], &data["Duration"]),
        (&json!("Completed"), &json!("Completed"), &json!("0:05:00"))
    );
    assert_eq!(data["EndDateTime"], "2024-05-01T09:05:00.000+0000");
    assert_eq!(told[1]["data"]["Sentiment"], "Positive");

    let alone = write_interaction(
        &t,
        "POST",
        &collection,
        json!({"Status": "Completed", "CommunicationChannel": "Web Chat",
               "StartDateTime": "2024-05-01T09:00:00Z"}),
    )
    .await;
    let alone = alone["id"].as_str().unwrap();
    let told = completed(&events(&t, alone).await);
    assert_eq!(told.len(), 1, "created Completed, about itself: {told:?}");
    assert_eq!(told[0]["data"]["IsAttendeeVerified"], false);
}

#[tokio::test]
async fn a_refused_or_rolled_back_interaction_write_leaves_no_engagement_completed() {
    let t = Callbacks::new().await;
    let request = t
        .callback("evt-unengaged", json!({"callbackNumber": "+18445791189"}))
        .await;
    let collection = format!("{V}/sobjects/EngagementInteraction");
    let created = write_interaction(
        &t,
        "POST",
        &collection,
        json!({"Status": "In Progress", "ContactRequestId__c": request, "CommunicationChannel": "Voice Call",
               "StartDateTime": "2024-05-01T09:00:00Z"}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let refused = t
        .api(
            &t.rita.1,
            "PATCH",
            &format!("{collection}/{id}"),
            Some(json!({"Status": "Completed", "EndDateTime": "2024-05-01T08:00:00Z"})),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(
        types(&events(&t, &request).await),
        ["contact_request.created"]
    );

    let done = write_interaction(
        &t,
        "POST",
        &collection,
        json!({"Status": "Completed", "CommunicationChannel": "Voice Call",
               "StartDateTime": "2024-05-01T09:00:00Z"}),
    )
    .await;
    let done = done["id"].as_str().unwrap().to_owned();
    let again = done.clone();
    let rolled_back = t
        .app
        .store
        .write(move |tx| -> Result<(), StoreError> {
            tx.record_engagement_completed(&again)?;
            Err(StoreError::BatchFailed("refused after the event".into()))
        })
        .await;
    assert!(rolled_back.is_err());
    assert_eq!(
        completed(&events(&t, &done).await).len(),
        1,
        "only its creation's"
    );
}
