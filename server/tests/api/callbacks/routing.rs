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
        .callback("b", json!({"callbackNumber": "+18445791189", "scheduledRoutingDateTime": "2099-01-01T00:00:00Z"}))
        .await;
    let asap2 = t
        .callback("c", json!({"callbackNumber": "+18445791189"}))
        .await;
    let view = t
        .api(
            &t.rita.1,
            "GET",
            &format!("/services/apexrest/callbacks/routable?owner={QUEUE}"),
            None,
        )
        .await;
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
    let claim = t
        .api(
            &t.rita.1,
            "POST",
            &format!("/services/apexrest/callbacks/{later}/claim"),
            None,
        )
        .await;
    assert_eq!(claim.status, 409, "not due yet: {}", claim.body);
    let mine = t
        .api(
            &t.rita.1,
            "GET",
            "/services/apexrest/callbacks/routable",
            None,
        )
        .await;
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
        let path = format!("/services/apexrest/callbacks/{id}/claim");
        let (a, b) = tokio::join!(
            t.api(&t.rita.1, "POST", &path, None),
            t.api(&t.sam.1, "POST", &path, None)
        );
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
        let view = t
            .api(
                &t.rita.1,
                "GET",
                &format!("/services/apexrest/callbacks/routable?owner={winner}"),
                None,
            )
            .await;
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
        .api(
            &t.rita.1,
            "POST",
            &format!(
                "/services/apexrest/callbacks/{}/claim",
                contact_server::ids::new_id("0SR")
            ),
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);
    let malformed = t
        .api(
            &t.rita.1,
            "POST",
            "/services/apexrest/callbacks/nope/claim",
            None,
        )
        .await;
    assert_eq!(malformed.status, 400);
    let bad_owner = t
        .api(
            &t.rita.1,
            "GET",
            "/services/apexrest/callbacks/routable?owner=xyz",
            None,
        )
        .await;
    assert_eq!(bad_owner.status, 400);
}
