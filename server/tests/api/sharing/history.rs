//! Notes and the request history at `/console/api/requests/{id}/…`, and the live events they write.

use contact_shared::console::HistoryEntry;
use serde_json::json;

use super::support::Team;
use crate::support::error_body;

fn notes(id: &str) -> String {
    format!("/console/api/requests/{id}/notes")
}

fn history(id: &str) -> String {
    format!("/console/api/requests/{id}/history")
}

#[tokio::test]
async fn a_note_is_kept_and_shown_first_in_the_history_with_the_owner_and_status_changes() {
    let t = Team::new().await;
    let claimed = t
        .api(
            &t.ann,
            "PATCH",
            &format!("/sobjects/ContactRequest/{}", t.of_billing),
            Some(json!({ "OwnerId": t.ann.id })),
        )
        .await;
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    let noted = t
        .send(
            Some(&t.ann),
            "POST",
            &notes(&t.of_billing),
            Some(json!({ "body": "  Left a voicemail\n" })),
        )
        .await;
    assert_eq!(noted.status, 201, "{}", noted.body);
    let note: HistoryEntry = serde_json::from_value(noted.body).unwrap();
    assert!(
        matches!(&note, HistoryEntry::Note { body, by_name, .. } if body == "Left a voicemail" && by_name == "ann")
    );

    let answer = t
        .send(Some(&t.ann), "GET", &history(&t.of_billing), None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let entries: Vec<HistoryEntry> = serde_json::from_value(answer.body).unwrap();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0], note, "newest first");
    let HistoryEntry::Owner {
        by_id,
        from_id,
        from_name,
        to_id,
        to_name,
        ..
    } = &entries[1]
    else {
        panic!("the claim: {:?}", entries[1]);
    };
    assert_eq!(
        (by_id, to_id, to_name.as_str()),
        (&t.ann.id, &t.ann.id, "ann")
    );
    assert_eq!(
        (from_id.as_ref(), from_name.as_deref()),
        (Some(&t.billing), Some("Billing"))
    );
    assert!(
        matches!(&entries[2], HistoryEntry::Status { from: None, to, by_name, .. } if to == "New" && by_name == "ada")
    );
}

#[tokio::test]
async fn notes_and_history_of_a_request_the_caller_cannot_see_are_not_found() {
    let t = Team::new().await;
    let missing = contact_server::ids::new_id(contact_server::ids::CONTACT_REQUEST_PREFIX);
    for id in [t.of_support.as_str(), missing.as_str(), "not-an-id"] {
        let noted = t
            .send(
                Some(&t.ann),
                "POST",
                &notes(id),
                Some(json!({ "body": "x" })),
            )
            .await;
        assert_eq!(noted.status, 404, "{id}: {}", noted.body);
        assert!(!error_body(&noted).message.is_empty());
        let read = t.send(Some(&t.ann), "GET", &history(id), None).await;
        assert_eq!(read.status, 404, "{id}: {}", read.body);
    }
    let supervised = t
        .send(Some(&t.sue), "GET", &history(&t.of_support), None)
        .await;
    assert_eq!(supervised.status, 200);
}

#[tokio::test]
async fn a_note_must_have_between_1_and_32000_characters() {
    let t = Team::new().await;
    let table = [
        (json!({ "body": "   " }), "only spaces"),
        (json!({}), "missing"),
        (json!({ "body": 7 }), "not text"),
        (json!({ "body": "a".repeat(32_001) }), "too long"),
    ];
    for (body, why) in table {
        let refused = t
            .send(Some(&t.ann), "POST", &notes(&t.of_billing), Some(body))
            .await;
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        assert!(
            error_body(&refused).fields.contains_key("body"),
            "{why}: names the field"
        );
    }
    let entries = t
        .send(Some(&t.ann), "GET", &history(&t.of_billing), None)
        .await;
    assert_eq!(
        entries.body.as_array().unwrap().len(),
        1,
        "nothing was kept"
    );
}

#[tokio::test]
async fn a_note_and_an_owner_change_tell_the_live_feed_who_changed_what() {
    let t = Team::new().await;
    let id = t.of_billing.clone();
    t.send(
        Some(&t.ann),
        "POST",
        &notes(&id),
        Some(json!({ "body": "Busy line" })),
    )
    .await;
    let claimed = t
        .send(
            Some(&t.ann),
            "POST",
            &format!("/services/apexrest/callbacks/{id}/claim"),
            None,
        )
        .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let returned = t
        .api(
            &t.ann,
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(json!({ "OwnerId": t.billing })),
        )
        .await;
    assert_eq!(returned.status, 204);
    let events = t
        .app
        .store
        .read(move |db| db.outbox_events(&id))
        .await
        .unwrap();
    let updated: Vec<serde_json::Value> = events
        .iter()
        .filter(|e| e.event_type == contact_shared::console::live::UPDATED)
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.payload).unwrap()["data"].clone())
        .collect();
    let owners: Vec<&str> = updated
        .iter()
        .map(|d| d["ownerId"].as_str().unwrap())
        .collect();
    assert_eq!(
        owners,
        [t.billing.as_str(), t.ann.id.as_str(), t.billing.as_str()],
        "note, claim, return"
    );
    for data in &updated {
        assert_eq!(data["id"], t.of_billing.as_str());
        assert_eq!(data["status"], "New");
        assert_eq!(data["by"], t.ann.id.as_str());
    }
    let entries = t
        .send(Some(&t.ann), "GET", &history(&t.of_billing), None)
        .await;
    let kinds: Vec<&str> = entries
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["owner", "owner", "note", "status"]);
}
