//! Short and multi-byte text through every write path of the API. One such value once panicked the
//! database writer, and every write after it (the widget's submissions included) answered 503 until the
//! process was restarted; so each case here ends with a widget submission that must still be stored.

use serde_json::json;

use super::support::Api;
use crate::support::{submission, valid_form};

/// Text values that are shorter than a key prefix, or whose first bytes are not a character boundary.
const SHORT_TEXTS: [&str; 5] = ["Al", "", "Zoë", "Noël", "名前"];

async fn intake_still_stores(api: &Api, after: &str) {
    let answer = api.app.send(submission(&valid_form(), None)).await;
    assert_eq!(answer.status, 201, "after {after}: {}", answer.body);
}

/// Every write the API offers, with `text` in a text field.
async fn write_everywhere(api: &Api, text: &str) -> Vec<(String, u16)> {
    let mut answers = Vec::new();
    let mut record = |what: &str, status: axum::http::StatusCode| {
        answers.push((format!("{what} with {text:?}"), status.as_u16()));
    };
    let created = api
        .call(
            "POST",
            "/sobjects/ContactRequest",
            Some(&api.write),
            Some(json!({"VisitorName__c": text, "RequestDescription": text})),
        )
        .await;
    record("ContactRequest create", created.status);
    let id = created.body["id"].as_str().map(str::to_owned);
    let phone = api
        .call(
            "POST",
            "/sobjects/ContactRequest",
            Some(&api.write),
            Some(json!({"PreferredPhone": text})),
        )
        .await;
    record("ContactRequest create with PreferredPhone", phone.status);
    if let Some(id) = &id {
        let updated = api
            .call(
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(&api.write),
                Some(json!({"VisitorName__c": text, "PreferredPhone": "12"})),
            )
            .await;
        record("ContactRequest update", updated.status);
        let task = api
            .call(
                "POST",
                "/sobjects/Task",
                Some(&api.write),
                Some(json!({"WhatId": id, "CallDisposition": text, "Subject": text})),
            )
            .await;
        record("Task create", task.status);
        let task = api
            .call(
                "POST",
                "/sobjects/Task",
                Some(&api.write),
                Some(json!({"WhatId": id, "CallDisposition": "OK"})),
            )
            .await;
        record("Task create with CallDisposition OK", task.status);
    }
    for external in ["ab", "é"] {
        let upsert = api
            .call(
                "PATCH",
                &format!(
                    "/sobjects/ContactRequest/ExternalId__c/{}",
                    utf8_percent(external)
                ),
                Some(&api.write),
                Some(json!({"VisitorName__c": text})),
            )
            .await;
        record(
            &format!("upsert by ExternalId__c/{external}"),
            upsert.status,
        );
    }
    answers
}

fn utf8_percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn short_and_multibyte_text_on_every_write_path_is_answered_and_the_intake_keeps_storing() {
    let api = Api::new().await;
    for text in SHORT_TEXTS {
        for (what, status) in write_everywhere(&api, text).await {
            assert!(
                (200..300).contains(&status) || status == 400,
                "{what}: answered {status}, neither stored nor refused with a reason"
            );
        }
        intake_still_stores(&api, text).await;
    }
    let names = api
        .query("SELECT VisitorName__c FROM ContactRequest WHERE VisitorName__c = 'Zoë'")
        .await;
    assert_eq!(names.status, 200, "{}", names.body);
    assert!(
        names.body["totalSize"].as_i64().unwrap_or(0) >= 1,
        "{}",
        names.body
    );
    assert!(
        names.body["records"]
            .as_array()
            .is_some_and(|records| { records.iter().all(|r| r["VisitorName__c"] == "Zoë") })
    );
}
