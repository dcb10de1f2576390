//! The routing view and the claim.

use serde_json::json;

use super::support::*;

const QUEUE: &str = "00G000000000001EAA";

#[tokio::test]
async fn the_view_lists_due_callbacks_by_schedule_then_age_and_skips_future_ones() {
    let t = Callbacks::new().await;
    let asap = t
        .callback("a", json!({"callbackNumber": "+18445791189"}))
        .await;
    let later = t
        .callback("b", json!({"callbackNumber": "+18445791189", "scheduledRoutingDateTime": (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 60)).to_string()}))
        .await;
    let asap2 = t
        .callback("c", json!({"callbackNumber": "+18445791189"}))
        .await;
    let view = t.routable(Some(QUEUE)).await;
    assert_eq!(view.status, 200, "{}", view.body);
    let ids: Vec<&str> = view.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [asap.as_str(), asap2.as_str()],
        "oldest first, {later} not yet due"
    );
    let claim = t.claim(&t.rita.1, &later).await;
    assert_eq!(claim.status, 409, "not due yet: {}", claim.body);
    let mine = t.routable(None).await;
    assert_eq!(mine.body["totalSize"], 0);
}

#[tokio::test]
async fn two_representatives_claiming_at_once_have_one_winner() {
    let t = Callbacks::new().await;
    for round in 0..10 {
        let id = t
            .callback(
                &format!("race-{round}"),
                json!({"callbackNumber": "+18445791189"}),
            )
            .await;
        let (a, b) = tokio::join!(t.claim(&t.rita.1, &id), t.claim(&t.sam.1, &id));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
        let winner = if a.status == 200 { &t.rita.0 } else { &t.sam.0 };
        let record = t
            .api(
                &t.rita.1,
                "GET",
                &format!("/services/data/v62.0/sobjects/ContactRequest/{id}?fields=OwnerId"),
                None,
            )
            .await;
        assert_eq!(record.body["OwnerId"], winner.as_str());
        let view = t.routable(Some(winner)).await;
        let listed = view.body["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["Id"] == id.as_str());
        assert!(listed, "the winner sees it in their view");
    }
}

#[tokio::test]
async fn claims_of_unknown_or_malformed_ids_say_so() {
    let t = Callbacks::new().await;
    let unknown = t
        .claim(&t.rita.1, &contact_server::ids::new_id("0SR"))
        .await;
    assert_eq!(unknown.status, 404);
    let malformed = t.claim(&t.rita.1, "nope").await;
    assert_eq!(malformed.status, 400);
    let bad_owner = t.routable(Some("xyz")).await;
    assert_eq!(bad_owner.status, 400);
}

/// Status and PreferredChannel are not restricted (the reference gives their values "for example"): a
/// value of the organisation's own is stored as written, and, not being New or Attempted, it ends the
/// request's routing, claims and call attempts; a status moved to or from it is a status change.
#[tokio::test]
async fn a_status_of_the_organisation_s_own_is_stored_and_ends_routing_claims_and_calls() {
    let t = Callbacks::new().await;
    let id = t
        .callback("own-status", json!({"callbackNumber": "+18445791189"}))
        .await;
    let record = format!("/services/data/v62.0/sobjects/ContactRequest/{id}");
    let moved = t
        .api(
            &t.rita.1,
            "PATCH",
            &record,
            Some(json!({"Status": "Scheduled", "PreferredChannel": "WhatsApp"})),
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    let read = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{record}?fields=Status,PreferredChannel"),
            None,
        )
        .await;
    assert_eq!(read.body["Status"], "Scheduled");
    assert_eq!(read.body["PreferredChannel"], "WhatsApp");
    let view = t.routable(Some(QUEUE)).await;
    assert_eq!(
        view.body["totalSize"], 0,
        "not open: not routed: {}",
        view.body
    );
    let claim = t.claim(&t.sam.1, &id).await;
    assert_eq!(claim.status, 409, "{}", claim.body);
    assert!(
        claim.body[0]["message"].as_str().is_some_and(
            |m| m.contains("is Scheduled; only New and Attempted requests can be claimed")
        ),
        "{}",
        claim.body
    );
    let attempt = t
        .api(
            &t.rita.1,
            "POST",
            "/services/data/v62.0/sobjects/Task",
            Some(json!({"WhatId": id, "CallResult__c": "Not Reached", "Subject": "Call"})),
        )
        .await;
    assert_eq!(attempt.status, 400, "{}", attempt.body);
    assert_eq!(attempt.body[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");
    // Back to New: a status change, and open again.
    let reopened = t
        .api(&t.rita.1, "PATCH", &record, Some(json!({"Status": "New"})))
        .await;
    assert_eq!(reopened.status, 204, "{}", reopened.body);
    let view = t.routable(Some(QUEUE)).await;
    assert_eq!(view.body["totalSize"], 1, "{}", view.body);
}
