//! Logging call attempts as Tasks: the status they drive, retries, abandonment, and the
//! EngagementInteraction of a completed contact.

use serde_json::{Value, json};

use super::support::*;

const V: &str = "/services/data/v62.0";

async fn claimed(t: &Callbacks, call_id: &str) -> String {
    let id = t
        .callback(call_id, json!({"callbackNumber": "+18445791189"}))
        .await;
    let claim = t.claim(&t.rita.1, &id).await;
    assert_eq!(claim.status, 200, "{}", claim.body);
    id
}

async fn log(t: &Callbacks, request: &str, result: &str) -> crate::support::TestResponse {
    t.api(
        &t.rita.1,
        "POST",
        &format!("{V}/sobjects/Task"),
        Some(json!({
            "WhatId": request, "CallType": "Outbound", "CallResult__c": result,
            "CallDisposition": format!("{result} on first ring"), "CallDurationInSeconds": 95,
            "CallObject": "conn-42", "Subject": "Callback"
        })),
    )
    .await
}

async fn request(t: &Callbacks, id: &str) -> Value {
    t.api(
        &t.rita.1,
        "GET",
        &format!("{V}/sobjects/ContactRequest/{id}"),
        None,
    )
    .await
    .body
}

#[tokio::test]
async fn a_reached_customer_is_contacted_and_an_engagement_interaction_is_recorded() {
    let t = Callbacks::new().await;
    let id = claimed(&t, "reach").await;
    let task = log(&t, &id, "Reached").await;
    assert_eq!(task.status, 201, "{}", task.body);
    assert_eq!(request(&t, &id).await["Status"], "Contacted");
    let q = t
        .api(&t.rita.1, "GET", &format!("{V}/query?q=SELECT+Id,CallType,CallDisposition,CallDurationInSeconds,CallObject,WhatId,OwnerId+FROM+Task"), None)
        .await;
    let logged = &q.body["records"][0];
    assert_eq!(logged["CallDurationInSeconds"], 95);
    assert_eq!(logged["WhatId"], id.as_str());
    assert_eq!(logged["OwnerId"], t.rita.0.as_str());
    let q = t
        .api(&t.rita.1, "GET", &format!("{V}/query?q=SELECT+Id,Name,CommunicationChannel,Type,Status,MappedState,Duration,StartDateTime,EndDateTime,PhoneNumber,ExternalIdentifier,OwnerId,ContactRequestId__c,IsAttendeeAuthenticated,IsAttendeeVerified+FROM+EngagementInteraction"), None)
        .await;
    assert_eq!(q.status, 200, "{}", q.body);
    let ei = &q.body["records"][0];
    assert_eq!(ei["CommunicationChannel"], "Voice Call");
    assert_eq!(ei["Type"], "Outbound");
    assert_eq!(ei["Status"], "Completed");
    assert_eq!(ei["MappedState"], "Completed");
    assert_eq!(ei["Duration"], "0:01:35");
    assert_eq!(ei["PhoneNumber"], "+18445791189");
    assert_eq!(ei["ExternalIdentifier"], "reach");
    assert_eq!(ei["OwnerId"], t.rita.0.as_str());
    assert_eq!(ei["ContactRequestId__c"], id.as_str());
    assert_eq!(ei["IsAttendeeVerified"], false);
    let again = log(&t, &id, "Not Reached").await;
    assert_eq!(
        again.status, 400,
        "a contacted request takes no attempts: {}",
        again.body
    );
}

#[tokio::test]
async fn misses_retry_after_the_delay_until_the_last_one_abandons() {
    let t = Callbacks::new().await;
    let id = claimed(&t, "miss").await;
    for attempt in 1..=2 {
        assert_eq!(log(&t, &id, "Not Reached").await.status, 201);
        let r = request(&t, &id).await;
        assert_eq!(r["Status"], "Attempted", "attempt {attempt}");
        assert_eq!(r["CallAttempts__c"], attempt);
        let retry = r["ScheduledRoutingDateTime__c"]
            .as_str()
            .unwrap()
            .replace("+0000", "Z");
        let retry: jiff::Timestamp = retry.parse().unwrap();
        let wait = retry.duration_since(jiff::Timestamp::now()).as_secs();
        assert!(
            (590..=600).contains(&wait),
            "retry in the call center's 10 minutes, not {wait}s"
        );
    }
    let view = t.routable(None).await;
    assert_eq!(
        view.body["totalSize"], 0,
        "not routable before the retry is due"
    );
    assert_eq!(log(&t, &id, "Not Reached").await.status, 201);
    assert_eq!(request(&t, &id).await["Status"], "Abandoned");
}

#[tokio::test]
async fn a_give_up_abandons_and_every_change_is_in_the_history() {
    let t = Callbacks::new().await;
    let id = claimed(&t, "give-up").await;
    assert_eq!(log(&t, &id, "Gave Up").await.status, 201);
    assert_eq!(request(&t, &id).await["Status"], "Abandoned");
    let rita = t.rita.0.clone();
    let history: Vec<(Option<String>, String, String)> = t
        .app
        .rows(
            "SELECT old_status, new_status, changed_by FROM contact_request_status_history
              WHERE record_id = ?1 ORDER BY seq",
            &[&id],
        )
        .into_iter()
        .map(|row| {
            let text = |i: usize| row[i].as_text().map(str::to_owned);
            (text(0), text(1).unwrap(), text(2).unwrap())
        })
        .collect();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].1, "New");
    assert_eq!(history[1], (Some("New".into()), "Abandoned".into(), rita));
}

#[tokio::test]
async fn engagement_interactions_derive_duration_state_and_verification_time() {
    let t = Callbacks::new().await;
    let created = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/EngagementInteraction"),
            Some(json!({
                "CommunicationChannel": "Web Chat", "Status": "In Progress",
                "StartDateTime": "2024-05-01T09:00:00Z", "IsAttendeeVerified": true
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("{V}/sobjects/EngagementInteraction/{id}");
    let ei = t.api(&t.rita.1, "GET", &path, None).await.body;
    assert_eq!(ei["MappedState"], "InProgress");
    assert_eq!(ei["Duration"], Value::Null, "no end yet");
    assert!(
        ei["AttendeeVerificationTime"].is_string(),
        "defaults to now: {ei}"
    );
    let update = t
        .api(
            &t.rita.1,
            "PATCH",
            &path,
            Some(json!({"EndDateTime": "2024-05-01T10:02:03+01:00", "Status": "Completed"})),
        )
        .await;
    assert_eq!(update.status, 204, "{}", update.body);
    let ei = t.api(&t.rita.1, "GET", &path, None).await.body;
    assert_eq!(ei["Duration"], "0:02:03");
    assert_eq!(ei["MappedState"], "Completed");
    let table = [
        (
            json!({"EndDateTime": "2024-05-01T08:00:00Z"}),
            "FIELD_INTEGRITY_EXCEPTION",
            "end before start",
        ),
        (
            json!({"Duration": "1:00:00"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "duration is read-only",
        ),
        (
            json!({"MappedState": "New"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "mapped state is derived",
        ),
        (
            json!({"StartDateTime": "yesterday"}),
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "malformed time",
        ),
        // "Required." in the reference, though described nillable: never emptied.
        (
            json!({"StartDateTime": null}),
            "REQUIRED_FIELD_MISSING",
            "the start emptied",
        ),
        (
            json!({"CommunicationChannel": null}),
            "REQUIRED_FIELD_MISSING",
            "the channel emptied",
        ),
    ];
    for (body, code, why) in table {
        let response = t.api(&t.rita.1, "PATCH", &path, Some(body)).await;
        assert_eq!(
            response.body[0]["errorCode"], code,
            "{why}: {}",
            response.body
        );
    }
    let explicit = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/EngagementInteraction"),
            Some(json!({
                "CommunicationChannel": "Voice Call", "StartDateTime": "2024-01-02T03:00:00Z",
                "IsAttendeeVerified": true, "AttendeeVerificationTime": "2024-01-02T03:04:05Z"
            })),
        )
        .await;
    let ei = t
        .api(
            &t.rita.1,
            "GET",
            &format!(
                "{V}/sobjects/EngagementInteraction/{}",
                explicit.body["id"].as_str().unwrap()
            ),
            None,
        )
        .await
        .body;
    assert_eq!(
        ei["AttendeeVerificationTime"], "2024-01-02T03:04:05.000+0000",
        "a given time is kept"
    );
    let describe = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/sobjects/EngagementInteraction/describe"),
            None,
        )
        .await;
    assert_eq!(describe.status, 200);
    let names: Vec<&str> = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for field in [
        "AttendeeVerificationTime",
        "CommunicationChannel",
        "ContextId",
        "Duration",
        "EndDateTime",
        "ExternalIdentifier",
        "InitiatingAttendeeId",
        "IsAttendeeAuthenticated",
        "IsAttendeeVerified",
        "LastReferencedDate",
        "LastViewedDate",
        "MappedState",
        "Name",
        "OwnerId",
        "PhoneNumber",
        "Reason",
        "RecordTypeId",
        "Sentiment",
        "StartDateTime",
        "Status",
        "Type",
    ] {
        assert!(names.contains(&field), "{field}");
    }
    // The reference's "Required." fields: described nillable, as its properties say, but required, and an
    // interaction without them is refused naming both.
    let fields = describe.body["fields"].as_array().unwrap();
    for name in ["CommunicationChannel", "StartDateTime"] {
        let field = fields.iter().find(|f| f["name"] == name).unwrap();
        assert_eq!(field["nillable"], true, "{name}");
    }
    let bare = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/EngagementInteraction"),
            Some(json!({"Status": "New"})),
        )
        .await;
    assert_eq!(bare.status, 400, "{}", bare.body);
    assert_eq!(bare.body[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(
        bare.body[0]["fields"],
        json!(["CommunicationChannel", "StartDateTime"])
    );
}

#[tokio::test]
async fn the_interaction_of_a_verified_visitor_s_request_is_authenticated_and_a_guest_s_is_not() {
    let t = Callbacks::new().await;
    let verified = claimed(&t, "verified-visitor").await;
    let guest = claimed(&t, "guest-visitor").await;
    // As the intake records a visitor its site verified (see the sites tests).
    let verify = format!(
        "UPDATE contact_requests SET site_key = 'shop', visitor_sub = 'user-9' WHERE id = '{verified}'"
    );
    t.app.execute(&verify, &verify).await;
    for id in [&verified, &guest] {
        assert_eq!(log(&t, id, "Reached").await.status, 201);
    }
    let q = t
        .api(&t.rita.1, "GET", &format!("{V}/query?q=SELECT+ContactRequestId__c,IsAttendeeAuthenticated+FROM+EngagementInteraction"), None)
        .await;
    let authenticated: std::collections::BTreeMap<String, bool> = q.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ContactRequestId__c"].as_str().unwrap().to_owned(),
                r["IsAttendeeAuthenticated"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(authenticated[&verified], "a verified visitor");
    assert!(!authenticated[&guest], "a guest");
}

#[tokio::test]
async fn the_call_log_is_filtered_by_duration_with_number_literals() {
    let t = Callbacks::new().await;
    let id = t
        .callback("durations", json!({"callbackNumber": "+18445791189"}))
        .await;
    for seconds in [30, 60, 61, 95, 600] {
        let task = t
            .api(
                &t.rita.1,
                "POST",
                &format!("{V}/sobjects/Task"),
                Some(
                    json!({"WhatId": id, "CallType": "Outbound", "CallDurationInSeconds": seconds}),
                ),
            )
            .await;
        assert_eq!(task.status, 201, "{}", task.body);
    }
    let durations = |soql: &'static str| {
        let t = &t;
        async move {
            let q = t
                .api(
                    &t.rita.1,
                    "GET",
                    &format!("{V}/query?q={}", encoded(soql)),
                    None,
                )
                .await;
            assert_eq!(q.status, 200, "{soql}: {}", q.body);
            let mut found: Vec<i64> = q.body["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["CallDurationInSeconds"].as_i64().unwrap())
                .collect();
            found.sort_unstable();
            found
        }
    };
    let table = [
        (
            "SELECT CallDurationInSeconds FROM Task WHERE CallDurationInSeconds > 60",
            vec![61, 95, 600],
        ),
        (
            "SELECT CallDurationInSeconds FROM Task WHERE CallDurationInSeconds >= 60 AND CallDurationInSeconds < 95.5",
            vec![60, 61, 95],
        ),
        (
            "SELECT CallDurationInSeconds FROM Task WHERE CallDurationInSeconds = 600",
            vec![600],
        ),
        (
            "SELECT CallDurationInSeconds FROM Task WHERE CallDurationInSeconds IN (30, 95)",
            vec![30, 95],
        ),
        (
            "SELECT CallDurationInSeconds FROM Task WHERE CallDurationInSeconds != 30 AND CallDurationInSeconds <= 60.0",
            vec![60],
        ),
    ];
    for (soql, expected) in table {
        assert_eq!(durations(soql).await, expected, "{soql}");
    }
    let quoted = t
        .api(
            &t.rita.1,
            "GET",
            &format!(
                "{V}/query?q={}",
                encoded("SELECT Id FROM Task WHERE CallDurationInSeconds > '60'")
            ),
            None,
        )
        .await;
    assert_eq!(quoted.status, 400);
    assert_eq!(quoted.body[0]["errorCode"], "INVALID_FIELD");
    let message = quoted.body[0]["message"].as_str().unwrap();
    assert!(
        message.contains("must be of type integer and should not be enclosed in quotes"),
        "{message}"
    );
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_miss_returns_the_request_to_its_queue_routable_after_the_retry_delay_until_abandoned() {
    let t = Callbacks::new().await;
    let id = claimed(&t, "back").await;
    let queue = t.app.text(
        "SELECT old_owner FROM contact_request_owner_history WHERE record_id = ?1",
        &[&id],
    );
    assert!(queue.starts_with("00G"), "claimed from a queue: {queue}");
    for attempt in 1..=2 {
        assert_eq!(log(&t, &id, "Not Reached").await.status, 201);
        let r = request(&t, &id).await;
        assert_eq!(r["Status"], "Attempted", "attempt {attempt}");
        assert_eq!(r["OwnerId"], queue.as_str(), "back in its queue");
        let view = t.routable(Some(&queue)).await;
        assert_eq!(view.body["totalSize"], 0, "not before the retry delay");
        // Claimable again once the retry is due: the claim's own rule, checked at its time.
        assert_eq!(t.claim(&t.sam.1, &id).await.status, 409, "not due yet");
        // The retry's time comes (the claim reads the clock, so the test moves the time, not the clock).
        let due = format!(
            "UPDATE contact_requests SET scheduled_routing_at = '2020-01-01T00:00:00.000Z'
              WHERE id = '{id}'"
        );
        t.app.execute(&due, &due).await;
        let view = t.routable(Some(&queue)).await;
        assert_eq!(view.body["records"][0]["Id"], id.as_str(), "due again");
        let who = if attempt == 1 { &t.sam } else { &t.rita };
        let claim = t.claim(&who.1, &id).await;
        assert_eq!(claim.status, 200, "{}", claim.body);
    }
    // Rita holds it for the third and last attempt: it ends Abandoned, and stays hers.
    assert_eq!(log(&t, &id, "Not Reached").await.status, 201);
    let r = request(&t, &id).await;
    assert_eq!(r["Status"], "Abandoned");
    assert_eq!(r["OwnerId"], t.rita.0.as_str());
}

/// ContactRequest's AvailableCallbackAttempts and DelayBetweenCallbackAttempts (API 66.0), set on a
/// request, override the call center's retries (3 attempts, 10 minutes apart here).
#[tokio::test]
async fn available_callback_attempts_and_the_delay_between_them_override_the_call_centers_retries()
{
    let t = Callbacks::new().await;
    let v66 = "/services/data/v66.0";
    let once = claimed(&t, "once").await;
    let set = t
        .api(
            &t.rita.1,
            "PATCH",
            &format!("{v66}/sobjects/ContactRequest/{once}"),
            Some(json!({"AvailableCallbackAttempts": 1, "DelayBetweenCallbackAttempts": 0})),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.body);
    assert_eq!(log(&t, &once, "Not Reached").await.status, 201);
    let r = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{v66}/sobjects/ContactRequest/{once}"),
            None,
        )
        .await
        .body;
    assert_eq!(r["Status"], "Attempted");
    assert_eq!(
        (
            &r["AvailableCallbackAttempts"],
            &r["DelayBetweenCallbackAttempts"]
        ),
        (&json!(1), &json!(0))
    );
    let retry: jiff::Timestamp = r["ScheduledRoutingDateTime__c"]
        .as_str()
        .unwrap()
        .replace("+0000", "Z")
        .parse()
        .unwrap();
    assert!(
        retry <= jiff::Timestamp::now(),
        "a delay of 0 minutes makes the retry due at once, not at {retry}"
    );
    // One retry allowed: the second unanswered call is the last.
    assert_eq!(log(&t, &once, "Not Reached").await.status, 201);
    assert_eq!(request(&t, &once).await["Status"], "Abandoned");

    let none = claimed(&t, "none").await;
    let none_at = format!("{v66}/sobjects/ContactRequest/{none}");
    let set = t
        .api(
            &t.rita.1,
            "PATCH",
            &none_at,
            Some(json!({"AvailableCallbackAttempts": 0})),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.body);
    assert_eq!(log(&t, &none, "Not Reached").await.status, 201);
    assert_eq!(
        request(&t, &none).await["Status"],
        "Abandoned",
        "no retry: the first unanswered call abandons"
    );

    // Outside the reference's ranges: 400 naming the field and the range.
    let other = claimed(&t, "ranges").await;
    for (body, field, range) in [
        (
            json!({"AvailableCallbackAttempts": 6}),
            "AvailableCallbackAttempts",
            "0 through 5",
        ),
        (
            json!({"AvailableCallbackAttempts": -1}),
            "AvailableCallbackAttempts",
            "0 through 5",
        ),
        (
            json!({"DelayBetweenCallbackAttempts": 10_081}),
            "DelayBetweenCallbackAttempts",
            "0 through 10080",
        ),
    ] {
        let refused = t
            .api(
                &t.rita.1,
                "PATCH",
                &format!("{v66}/sobjects/ContactRequest/{other}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(
            refused.body[0]["errorCode"], "NUMBER_OUTSIDE_VALID_RANGE",
            "{body}"
        );
        assert_eq!(refused.body[0]["fields"], json!([field]), "{body}");
        let message = refused.body[0]["message"].as_str().unwrap();
        assert!(message.contains(range), "{message}");
    }
    let describe = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{v66}/sobjects/ContactRequest/describe"),
            None,
        )
        .await;
    let fields = describe.body["fields"].as_array().unwrap();
    for name in ["AvailableCallbackAttempts", "DelayBetweenCallbackAttempts"] {
        let field = fields.iter().find(|f| f["name"] == name).expect(name);
        assert_eq!(
            (
                &field["type"],
                &field["nillable"],
                &field["createable"],
                &field["updateable"]
            ),
            (&json!("int"), &json!(true), &json!(true), &json!(true)),
            "{name}"
        );
    }
}

/// EngagementInteraction's ExternalIdentifier, "the unique external identifier" (idLookup): a second
/// record cannot take a value one holds, and an upsert by it creates the record, then updates it.
#[tokio::test]
async fn the_external_identifier_of_an_engagement_interaction_is_unique_and_names_it_in_an_upsert()
{
    let t = Callbacks::new().await;
    let rita = &t.rita.1;
    let at = "/sobjects/EngagementInteraction/ExternalIdentifier/amzn-contact-7";
    let created = t
        .api(
            rita,
            "PATCH",
            &format!("{V}{at}"),
            Some(json!({"CommunicationChannel": "Voice Call", "StartDateTime": "2026-03-01T10:00:00Z", "Status": "In Progress"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["created"], true);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let updated = t
        .api(
            rita,
            "PATCH",
            &format!("{V}{at}"),
            Some(json!({"Status": "Completed"})),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(
        (&updated.body["id"], &updated.body["created"]),
        (&json!(id), &json!(false))
    );
    let got = t
        .api(
            rita,
            "GET",
            &format!("{V}/sobjects/EngagementInteraction/{id}"),
            None,
        )
        .await;
    assert_eq!(got.body["Status"], "Completed");
    assert_eq!(got.body["ExternalIdentifier"], "amzn-contact-7");
    // A second record with the same identifier, by create or by update, is a duplicate.
    let second = json!({"CommunicationChannel": "Voice Call", "StartDateTime": "2026-03-01T11:00:00Z", "ExternalIdentifier": "amzn-contact-7"});
    let again = t
        .api(
            rita,
            "POST",
            &format!("{V}/sobjects/EngagementInteraction"),
            Some(second),
        )
        .await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert_eq!(again.body[0]["errorCode"], "DUPLICATE_VALUE");
    assert_eq!(again.body[0]["fields"], json!(["ExternalIdentifier"]));
    let other = t
        .api(
            rita,
            "POST",
            &format!("{V}/sobjects/EngagementInteraction"),
            Some(json!({"CommunicationChannel": "Voice Call", "StartDateTime": "2026-03-01T12:00:00Z", "ExternalIdentifier": "amzn-contact-8"})),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let other = other.body["id"].as_str().unwrap().to_owned();
    let taken = t
        .api(
            rita,
            "PATCH",
            &format!("{V}/sobjects/EngagementInteraction/{other}"),
            Some(json!({"ExternalIdentifier": "amzn-contact-7"})),
        )
        .await;
    assert_eq!(taken.status, 400, "{}", taken.body);
    assert_eq!(taken.body[0]["errorCode"], "DUPLICATE_VALUE");
    let describe = t
        .api(
            rita,
            "GET",
            &format!("{V}/sobjects/EngagementInteraction/describe"),
            None,
        )
        .await;
    let field = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "ExternalIdentifier")
        .unwrap()
        .clone();
    assert_eq!(
        (&field["unique"], &field["idLookup"]),
        (&json!(true), &json!(true))
    );
}
