//! CallCenter created and updated through the API: by admins only, checked by the file's rules, never
//! deleted, and seen by routing and the softphone layout like a center of the file.

use serde_json::{Value, json};

use super::support::{Centers, error, west};

#[tokio::test]
async fn an_admin_creates_a_call_center_that_soql_describe_and_the_softphone_layout_see() {
    let t = Centers::new().await;
    let describe = t
        .api(&t.ann, "GET", "/sobjects/CallCenter/describe", None)
        .await;
    assert_eq!(describe.status, 200);
    assert_eq!(
        (
            &describe.body["createable"],
            &describe.body["updateable"],
            &describe.body["deletable"]
        ),
        (&json!(true), &json!(true), &json!(false))
    );
    let id = t.create("CallCenter", west()).await;
    assert!(id.starts_with("04v"), "{id}");
    let record = t
        .api(&t.ann, "GET", &format!("/sobjects/CallCenter/{id}"), None)
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(record.body["Name"], "West desk");
    assert_eq!(record.body["TimeZone__c"], "America/Los_Angeles");
    assert_eq!(record.body["RetryDelaySeconds__c"], 1200);
    assert_eq!(record.body["FromFile__c"], false);
    let listed = t
        .soql(
            &t.ann,
            "SELECT InternalName, FromFile__c FROM CallCenter ORDER BY InternalName",
        )
        .await;
    let names: Vec<(&str, bool)> = listed
        .iter()
        .map(|r| {
            (
                r["InternalName"].as_str().unwrap(),
                r["FromFile__c"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("legacy", true), ("main", true), ("west", false)]);
    let updated = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/CallCenter/{id}"),
            Some(json!({"Name": "West coast desk", "MaxAttempts__c": 4})),
        )
        .await;
    assert_eq!(updated.status, 204, "{}", updated.body);
    let layout = t
        .app
        .call(
            crate::support::call(
                "GET",
                &format!("/services/apexrest/callCenters/{id}/softphoneLayout"),
            )
            .bearer(&t.ann.token),
        )
        .await;
    assert_eq!(layout.status, 200, "{}", layout.body);
    assert_eq!(layout.body["softphoneUrl"], Value::Null);
    assert!(
        layout.body.to_string().contains("West coast desk"),
        "{}",
        layout.body
    );
    let deleted = t
        .api(
            &t.ada,
            "DELETE",
            &format!("/sobjects/CallCenter/{id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 403, "{}", deleted.body);
    assert_eq!(error(&deleted).0, "INSUFFICIENT_ACCESS_OR_READONLY");
}

#[tokio::test]
async fn a_representative_reads_call_centers_but_neither_creates_nor_updates_one() {
    let t = Centers::new().await;
    let created = t
        .api(&t.ann, "POST", "/sobjects/CallCenter", Some(west()))
        .await;
    assert_eq!(created.status, 403, "{}", created.body);
    let (code, _, message) = error(&created);
    assert_eq!(code, "INSUFFICIENT_ACCESS_OR_READONLY");
    assert!(message.contains("only admins"), "{message}");
    let id = t.create("CallCenter", west()).await;
    let updated = t
        .api(
            &t.ann,
            "PATCH",
            &format!("/sobjects/CallCenter/{id}"),
            Some(json!({"Name": "Mine now"})),
        )
        .await;
    assert_eq!(updated.status, 403, "{}", updated.body);
    assert_eq!(error(&updated).0, "INSUFFICIENT_ACCESS_OR_READONLY");
    let found = t
        .soql(
            &t.ann,
            &format!("SELECT Name FROM CallCenter WHERE Id = '{id}'"),
        )
        .await;
    assert_eq!(found[0]["Name"], "West desk");
}

#[tokio::test]
async fn a_call_center_of_the_file_is_read_only_through_the_api_even_for_an_admin() {
    let t = Centers::new().await;
    let main = t.center_id("main").await;
    let updated = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/CallCenter/{main}"),
            Some(json!({"MaxAttempts__c": 9})),
        )
        .await;
    assert_eq!(updated.status, 403, "{}", updated.body);
    let (code, _, message) = error(&updated);
    assert_eq!(code, "INSUFFICIENT_ACCESS_OR_READONLY");
    assert!(message.contains("call-center file"), "{message}");
    let found = t
        .soql(
            &t.ada,
            &format!("SELECT MaxAttempts__c FROM CallCenter WHERE Id = '{main}'"),
        )
        .await;
    assert_eq!(found[0]["MaxAttempts__c"], 3);
}

#[tokio::test]
async fn bad_call_center_input_is_refused_naming_the_field_and_writes_nothing() {
    let t = Centers::new().await;
    let with = |field: &str, value: Value| {
        let mut body = west();
        match value {
            Value::Null => body.as_object_mut().unwrap().remove(field),
            value => body
                .as_object_mut()
                .unwrap()
                .insert(field.to_owned(), value),
        };
        body
    };
    let table = [
        (
            with("InternalName", Value::Null),
            "REQUIRED_FIELD_MISSING",
            "InternalName",
            "Required fields are missing: [InternalName]",
        ),
        (
            with("Name", Value::Null),
            "REQUIRED_FIELD_MISSING",
            "Name",
            "Required fields are missing: [Name]",
        ),
        (
            with("TimeZone__c", Value::Null),
            "REQUIRED_FIELD_MISSING",
            "TimeZone__c",
            "Required fields are missing: [TimeZone__c]",
        ),
        (
            with("InternalName", json!("main")),
            "DUPLICATE_VALUE",
            "InternalName",
            "duplicate value found: InternalName",
        ),
        (
            with("InternalName", json!("  ")),
            "REQUIRED_FIELD_MISSING",
            "InternalName",
            "Internal Name: must not be empty",
        ),
        (
            with("Name", json!("")),
            "REQUIRED_FIELD_MISSING",
            "Name",
            "Call Center Name: must not be empty",
        ),
        (
            with("TimeZone__c", json!("Mars/Base")),
            "FIELD_INTEGRITY_EXCEPTION",
            "TimeZone__c",
            "Time Zone: \"Mars/Base\" is not an IANA time zone",
        ),
        (
            with("BusinessHours__c", json!("{\"funday\": \"09:00-17:00\"}")),
            "FIELD_INTEGRITY_EXCEPTION",
            "BusinessHours__c",
            "Business Hours: day \"funday\" must be one of mon, tue",
        ),
        (
            with("BusinessHours__c", json!("{\"mon\": \"17:00-09:00\"}")),
            "FIELD_INTEGRITY_EXCEPTION",
            "BusinessHours__c",
            "with the start before the end",
        ),
        (
            with("BusinessHours__c", json!("9 to 5")),
            "FIELD_INTEGRITY_EXCEPTION",
            "BusinessHours__c",
            "must be a JSON object of days and hours",
        ),
        (
            with("RetryDelaySeconds__c", json!(30)),
            "FIELD_INTEGRITY_EXCEPTION",
            "RetryDelaySeconds__c",
            "Retry Delay (seconds): must be between 60 and 604800",
        ),
        (
            with("MaxAttempts__c", json!(0)),
            "FIELD_INTEGRITY_EXCEPTION",
            "MaxAttempts__c",
            "Maximum Call Attempts: must be between 1 and 20",
        ),
        (
            with("FromFile__c", json!(true)),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "FromFile__c",
            "Unable to create/update fields: FromFile__c",
        ),
    ];
    for (body, code, field, says) in table {
        let refused = t
            .api(&t.ada, "POST", "/sobjects/CallCenter", Some(body))
            .await;
        assert_eq!(refused.status, 400, "{says}: {}", refused.body);
        let (got_code, fields, message) = error(&refused);
        assert_eq!(
            (got_code.as_str(), fields),
            (code, vec![field.to_owned()]),
            "{says}"
        );
        assert!(message.contains(says), "{says}: {message}");
    }
    assert_eq!(t.soql(&t.ada, "SELECT Id FROM CallCenter").await.len(), 2);

    let id = t.create("CallCenter", west()).await;
    let refused = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/CallCenter/{id}"),
            Some(json!({"Name": "Renamed", "TimeZone__c": "Europe/Nowhere"})),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(error(&refused).1, ["TimeZone__c"]);
    let kept = t
        .soql(
            &t.ada,
            &format!("SELECT Name, TimeZone__c FROM CallCenter WHERE Id = '{id}'"),
        )
        .await;
    assert_eq!(
        (&kept[0]["Name"], &kept[0]["TimeZone__c"]),
        (&json!("West desk"), &json!("America/Los_Angeles"))
    );
}

#[tokio::test]
async fn a_callback_through_a_call_center_of_the_api_is_retried_on_its_settings() {
    let t = Centers::new().await;
    let west = t.create("CallCenter", west()).await;
    let request = t
        .create(
            "ContactRequest",
            json!({"PreferredPhone": "+14155550100", "CallCenterId__c": west}),
        )
        .await;
    let log = || {
        t.api(
            &t.ada,
            "POST",
            "/sobjects/Task",
            Some(json!({
                "WhatId": request, "CallType": "Outbound", "CallResult__c": "Not Reached",
                "Subject": "Callback"
            })),
        )
    };
    assert_eq!(log().await.status, 201);
    let after = t
        .api(
            &t.ada,
            "GET",
            &format!("/sobjects/ContactRequest/{request}"),
            None,
        )
        .await;
    assert_eq!(after.body["Status"], "Attempted", "{}", after.body);
    let retry: jiff::Timestamp = after.body["ScheduledRoutingDateTime__c"]
        .as_str()
        .unwrap()
        .replace("+0000", "Z")
        .parse()
        .unwrap();
    let wait = retry.duration_since(jiff::Timestamp::now()).as_secs();
    assert!(
        (1190..=1200).contains(&wait),
        "west's 20 minutes, not {wait}s"
    );
    assert_eq!(log().await.status, 201);
    let after = t
        .api(
            &t.ada,
            "GET",
            &format!("/sobjects/ContactRequest/{request}"),
            None,
        )
        .await;
    assert_eq!(after.body["Status"], "Abandoned", "west's 2 attempts");
}

/// Upsert by an idLookup field two records share (CallCenter's Name is not unique): Salesforce's `300
/// Multiple Choices` with each record's address, and nothing changed; a Name one center holds updates it.
#[tokio::test]
async fn an_upsert_by_a_name_two_call_centers_share_answers_300_with_both_and_changes_neither() {
    let t = Centers::new().await;
    let mut east = west();
    east["InternalName"] = json!("east");
    let (first, second) = (
        t.create("CallCenter", west()).await,
        t.create("CallCenter", east).await,
    );
    let upsert = t
        .api(
            &t.ada,
            "PATCH",
            "/sobjects/CallCenter/Name/West%20desk",
            Some(json!({"MaxAttempts__c": 5})),
        )
        .await;
    assert_eq!(upsert.status, 300, "{}", upsert.body);
    let mut urls: Vec<&str> = upsert
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    urls.sort_unstable();
    let mut expected = [
        format!("/services/data/v62.0/sobjects/CallCenter/{first}"),
        format!("/services/data/v62.0/sobjects/CallCenter/{second}"),
    ];
    expected.sort_unstable();
    assert_eq!(urls, expected);
    for id in [&first, &second] {
        let record = t
            .api(&t.ada, "GET", &format!("/sobjects/CallCenter/{id}"), None)
            .await;
        assert_eq!(
            record.body["MaxAttempts__c"], 2,
            "unchanged: {}",
            record.body
        );
    }
    let renamed = t
        .api(
            &t.ada,
            "PATCH",
            &format!("/sobjects/CallCenter/{second}"),
            Some(json!({"Name": "East desk"})),
        )
        .await;
    assert_eq!(renamed.status, 204, "{}", renamed.body);
    let one = t
        .api(
            &t.ada,
            "PATCH",
            "/sobjects/CallCenter/Name/West%20desk",
            Some(json!({"MaxAttempts__c": 5})),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(
        (&one.body["id"], &one.body["created"]),
        (&json!(first), &json!(false))
    );
}
