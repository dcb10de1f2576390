//! Each object and field from the API version its reference says it came in ("Available in API
//! version 60.0 and later"): a client at an older version is served as Salesforce serves it, without them.

use serde_json::{Value, json};

use super::support::*;
use crate::support::call;

impl Api {
    /// `method path` at API version `major`, with the write token.
    async fn at(
        &self,
        major: u32,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> crate::support::TestResponse {
        let mut request =
            call(method, &format!("/services/data/v{major}.0{path}")).bearer(&self.write);
        if let Some(json) = body {
            request = request.json(&json);
        }
        self.app.call(request).await
    }
}

fn field_names(describe: &Value) -> Vec<String> {
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn engagement_interaction_is_available_in_api_version_55_and_later() {
    let api = Api::new().await;
    let global = |major| api.at(major, "GET", "/sobjects", None);
    let listed = |body: &Value| {
        body["sobjects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "EngagementInteraction")
    };
    assert!(!listed(&global(54).await.body));
    assert!(listed(&global(55).await.body));
    for (method, path) in [
        ("GET", "/sobjects/EngagementInteraction/describe"),
        ("GET", "/sobjects/EngagementInteraction"),
        ("POST", "/sobjects/EngagementInteraction"),
    ] {
        let old = api.at(54, method, path, Some(json!({}))).await;
        assert_eq!(old.status, 404, "{method} {path} at 54.0: {}", old.body);
        assert_eq!(old.body[0]["errorCode"], "NOT_FOUND");
    }
    let query = api
        .at(
            54,
            "GET",
            "/query?q=SELECT+Id+FROM+EngagementInteraction",
            None,
        )
        .await;
    assert_eq!(query.status, 400, "{}", query.body);
    assert_eq!(query.body[0]["errorCode"], "INVALID_TYPE");
    let search = api
        .at(
            54,
            "GET",
            "/search?q=FIND+%7Bacme%7D+RETURNING+EngagementInteraction",
            None,
        )
        .await;
    assert_eq!(search.status, 400, "{}", search.body);
    assert_eq!(search.body[0]["errorCode"], "INVALID_TYPE");
    assert_eq!(
        api.at(55, "GET", "/sobjects/EngagementInteraction/describe", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn engagement_interaction_reason_phone_number_and_record_type_come_in_56_57_and_62() {
    let api = Api::new().await;
    let table = [
        (55, [false, false, false]),
        (56, [true, false, false]),
        (57, [true, true, false]),
        (61, [true, true, false]),
        (62, [true, true, true]),
    ];
    for (major, expected) in table {
        let describe = api
            .at(
                major,
                "GET",
                "/sobjects/EngagementInteraction/describe",
                None,
            )
            .await;
        let names = field_names(&describe.body);
        let seen = ["Reason", "PhoneNumber", "RecordTypeId"].map(|f| names.iter().any(|n| n == f));
        assert_eq!(seen, expected, "at {major}.0");
    }
    // Written at 55.0, Reason is no field; the same write at 56.0 is taken.
    let body = json!({"CommunicationChannel": "Voice Call", "StartDateTime": "2026-03-01T10:00:00Z", "Reason": "Billing"});
    let old = api
        .at(
            55,
            "POST",
            "/sobjects/EngagementInteraction",
            Some(body.clone()),
        )
        .await;
    assert_eq!(old.status, 400, "{}", old.body);
    assert_eq!(old.body[0]["errorCode"], "INVALID_FIELD");
    assert_eq!(old.body[0]["fields"], json!(["Reason"]));
    let new = api
        .at(56, "POST", "/sobjects/EngagementInteraction", Some(body))
        .await;
    assert_eq!(new.status, 201, "{}", new.body);
    let id = new.body["id"].as_str().unwrap().to_owned();
    // Retrieved at 55.0 the record has no Reason; at 56.0 it has.
    let at55 = api
        .at(
            55,
            "GET",
            &format!("/sobjects/EngagementInteraction/{id}"),
            None,
        )
        .await;
    assert_eq!(at55.status, 200, "{}", at55.body);
    assert!(at55.body.get("Reason").is_none(), "{}", at55.body);
    let named = api
        .at(
            55,
            "GET",
            &format!("/sobjects/EngagementInteraction/{id}?fields=Reason"),
            None,
        )
        .await;
    assert_eq!(named.status, 400, "{}", named.body);
    assert_eq!(named.body[0]["errorCode"], "INVALID_FIELD");
    let at56 = api
        .at(
            56,
            "GET",
            &format!("/sobjects/EngagementInteraction/{id}"),
            None,
        )
        .await;
    assert_eq!(at56.body["Reason"], "Billing");
    let query = api
        .at(
            56,
            "GET",
            "/query?q=SELECT+Id+FROM+EngagementInteraction+WHERE+PhoneNumber+!%3D+null",
            None,
        )
        .await;
    assert_eq!(query.status, 400, "{}", query.body);
    assert_eq!(query.body[0]["errorCode"], "INVALID_FIELD");
    let message = query.body[0]["message"].as_str().unwrap();
    assert!(
        message.contains("No such column 'PhoneNumber'"),
        "{message}"
    );
}

#[tokio::test]
async fn is_callback_is_available_in_api_version_60_and_later_and_the_callback_attempts_in_66() {
    let api = Api::new().await;
    let id = api.create(json!({"PreferredPhone": "+442079460958"})).await;
    for (major, callback, attempts) in [
        (59, false, false),
        (60, true, false),
        (65, true, false),
        (66, true, true),
    ] {
        let describe = api
            .at(major, "GET", "/sobjects/ContactRequest/describe", None)
            .await;
        let names = field_names(&describe.body);
        assert_eq!(
            names.iter().any(|n| n == "IsCallback"),
            callback,
            "at {major}.0"
        );
        assert_eq!(
            names.iter().any(|n| n == "AvailableCallbackAttempts"),
            attempts,
            "at {major}.0"
        );
        let record = api
            .at(
                major,
                "GET",
                &format!("/sobjects/ContactRequest/{id}"),
                None,
            )
            .await;
        assert_eq!(
            record.body.get("IsCallback").is_some(),
            callback,
            "{}",
            record.body
        );
        let layout = api
            .at(
                major,
                "GET",
                "/sobjects/ContactRequest/describe/layouts",
                None,
            )
            .await
            .body
            .to_string();
        assert_eq!(
            layout.contains("\"IsCallback\""),
            callback,
            "layout at {major}.0"
        );
    }
    let old = api
        .at(
            59,
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(json!({"IsCallback": true})),
        )
        .await;
    assert_eq!(old.status, 400, "{}", old.body);
    assert_eq!(old.body[0]["errorCode"], "INVALID_FIELD");
    let query = api
        .at(
            59,
            "GET",
            "/query?q=SELECT+Id,IsCallback+FROM+ContactRequest",
            None,
        )
        .await;
    assert_eq!(
        query.body[0]["errorCode"], "INVALID_FIELD",
        "{}",
        query.body
    );
    let now = api
        .at(
            60,
            "GET",
            "/query?q=SELECT+Id,IsCallback+FROM+ContactRequest",
            None,
        )
        .await;
    assert_eq!(now.status, 200, "{}", now.body);
    let versions = api.app.get("/services/data/").await;
    let last = versions.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["version"], "66.0", "{last}");
    assert_eq!(last["label"], "Spring '26");
}
