//! A held callback transferred to another queue or to a representative, where it is offered
//! (`POST /console/api/requests/{id}/transfer`).

use contact_server::access::directory;
use contact_shared::console::API_PREFIX;
use serde_json::{Value, json};

use super::offers::Floor;
use crate::support::{TestResponse, error_body};

impl Floor {
    async fn transfer(&self, rep: usize, request: &str, to: Value) -> TestResponse {
        self.console
            .change(
                "POST",
                &format!("{API_PREFIX}/requests/{request}/transfer"),
                &self.reps[rep].2,
                Some(to),
            )
            .await
    }

    /// A request offered to `rep` and accepted by them.
    async fn held_by(&self, rep: usize) -> String {
        let request = self.request().await;
        self.round(0).await;
        let offer = self.offers_of(rep).await.remove(0);
        assert_eq!(self.answer(rep, &offer, "accept").await.status, 200);
        request
    }
}

#[tokio::test]
async fn a_callback_transferred_to_a_representative_goes_back_to_its_queue_and_is_offered_to_them_first()
 {
    let floor = Floor::new(3).await;
    floor.set_presence(0, "available").await;
    let request = floor.held_by(0).await;
    // The colleague idle longest is 2, but a transfer to 1 offers it to 1.
    floor.set_presence(2, "available").await;
    floor.set_presence(1, "available").await;

    let moved = floor
        .transfer(0, &request, json!({"to": floor.reps[1].1}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["queueId"], floor.queue.as_str());
    assert_eq!(moved.body["offeredTo"], floor.reps[1].1.as_str());
    assert_eq!(
        floor.owner_of(&request).await,
        floor.queue,
        "the queue owns it while it is offered"
    );
    let offered = floor.offers_of(1).await;
    assert_eq!(offered.len(), 1, "offered to whom it was transferred to");
    assert_eq!(offered[0]["requestId"], request.as_str());
    assert!(floor.offers_of(2).await.is_empty());
    assert_eq!(floor.round(0).await.offered, 0, "one offer at a time");

    // Declined, it is offered to the queue as any due request: to 2, the one left with room.
    assert_eq!(floor.answer(1, &offered[0], "decline").await.status, 204);
    assert_eq!(floor.round(0).await.offered, 1);
    let next = floor.offers_of(2).await;
    assert_eq!(next[0]["requestId"], request.as_str(), "{next:?}");
    assert_eq!(floor.answer(2, &next[0], "accept").await.status, 200);
    assert_eq!(floor.owner_of(&request).await, floor.reps[2].1);

    // The owner history has each move.
    let history = floor
        .console
        .call(
            crate::support::call("GET", &format!("{API_PREFIX}/requests/{request}/history"))
                .header("cookie", &floor.reps[2].2),
        )
        .await;
    let moves: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "owner")
        .filter_map(|e| e["toId"].as_str())
        .collect();
    assert_eq!(
        moves[..3],
        [
            floor.reps[2].1.as_str(),
            floor.queue.as_str(),
            floor.reps[0].1.as_str()
        ],
        "newest first: accepted by 2, transferred back to the queue, accepted by 0"
    );
}

#[tokio::test]
async fn a_callback_transferred_to_another_queue_is_owned_by_it_and_offered_to_its_members() {
    let floor = Floor::new(2).await;
    let store = &floor.console.api.app.store;
    let billing = directory::add_queue(store, "Billing".into(), false)
        .await
        .unwrap()
        .id;
    directory::set_membership(store, billing.clone(), floor.reps[1].0.clone(), true)
        .await
        .unwrap();
    floor.set_presence(0, "available").await;
    let request = floor.held_by(0).await;
    floor.set_presence(1, "available").await;
    let moved = floor.transfer(0, &request, json!({"to": billing})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["offeredTo"], Value::Null);
    assert_eq!(floor.owner_of(&request).await, billing);
    assert_eq!(floor.round(0).await.offered, 1);
    let offered = floor.offers_of(1).await;
    assert_eq!(offered[0]["requestId"], request.as_str());
    assert_eq!(offered[0]["queueName"], "Billing");
    assert!(
        floor.offers_of(0).await.is_empty(),
        "not back to who transferred it"
    );
}

#[tokio::test]
async fn a_transfer_is_refused_with_what_to_do_to_someone_unavailable_by_a_non_holder_and_of_a_closed_request()
 {
    let floor = Floor::new(3).await;
    floor.set_presence(0, "available").await;
    let request = floor.held_by(0).await;

    floor.set_presence(1, "busy").await;
    let busy = floor
        .transfer(0, &request, json!({"to": floor.reps[1].1}))
        .await;
    assert_eq!(busy.status, 409, "{}", busy.body);
    assert!(
        error_body(&busy).message.contains("is Busy: transfer"),
        "{}",
        busy.body
    );
    let offline = floor
        .transfer(0, &request, json!({"to": floor.reps[2].1}))
        .await;
    assert_eq!(offline.status, 409, "{}", offline.body);
    assert!(
        error_body(&offline).message.contains("is Offline"),
        "{}",
        offline.body
    );
    assert_eq!(
        floor.owner_of(&request).await,
        floor.reps[0].1,
        "nothing moved"
    );

    for (body, says) in [
        (json!({}), "to must be the id"),
        (json!({"to": "00GXXXXXXXXXXXXXXX"}), "There is no queue"),
        (
            json!({"to": "005XXXXXXXXXXXXXXX"}),
            "no active representative",
        ),
        (json!({"to": floor.reps[0].1}), "already holds"),
    ] {
        let refused = floor.transfer(0, &request, body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert!(
            refused.body["fields"]["to"][0]
                .as_str()
                .unwrap()
                .contains(says),
            "{body}: {}",
            refused.body
        );
    }

    // Rep 0's request is not rep 1's to see (the default is private): not found. A request the queue
    // owns they see, and may not transfer: they do not hold it.
    let not_theirs = floor
        .transfer(1, &request, json!({"to": floor.queue}))
        .await;
    assert_eq!(not_theirs.status, 404, "{}", not_theirs.body);
    let queued = floor.request().await;
    let not_held = floor.transfer(1, &queued, json!({"to": floor.queue})).await;
    assert_eq!(not_held.status, 403, "{}", not_held.body);
    assert!(
        error_body(&not_held).message.contains("who holds"),
        "{}",
        not_held.body
    );

    let closed = floor
        .console
        .api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{request}"),
            Some(&floor.console.api.write),
            Some(json!({"Status": "Contacted"})),
        )
        .await;
    assert_eq!(closed.status, 204, "{}", closed.body);
    let late = floor
        .transfer(0, &request, json!({"to": floor.queue}))
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(
        error_body(&late).message.contains("only an open request"),
        "{}",
        late.body
    );
    let nothing = floor
        .transfer(0, "0SRXXXXXXXXXXXXXXX", json!({"to": floor.queue}))
        .await;
    assert_eq!(nothing.status, 404, "{}", nothing.body);
}

#[tokio::test]
async fn a_callback_not_due_yet_is_transferred_to_a_queue_and_not_offered_to_a_representative() {
    let floor = Floor::new(2).await;
    floor.set_presence(1, "available").await;
    let later = floor
        .console
        .api
        .create(
            json!({"RequestReason": "Billing", "PreferredPhone": "+442079460123",
                       "IsCallback": true, "OwnerId": floor.reps[0].1,
                       "ScheduledRoutingDateTime__c": "2099-01-01T09:00:00.000Z"}),
        )
        .await;
    let to_rep = floor
        .transfer(0, &later, json!({"to": floor.reps[1].1}))
        .await;
    assert_eq!(to_rep.status, 409, "{}", to_rep.body);
    assert!(
        error_body(&to_rep)
            .message
            .contains("is not due until 2099-01-01T09:00:00"),
        "{}",
        to_rep.body
    );
    let to_queue = floor.transfer(0, &later, json!({"to": floor.queue})).await;
    assert_eq!(to_queue.status, 200, "{}", to_queue.body);
    assert_eq!(floor.owner_of(&later).await, floor.queue);
    assert_eq!(
        floor.round(0).await.offered,
        0,
        "offered when it is due, not before"
    );
}
