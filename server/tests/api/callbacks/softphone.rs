//! The softphone layout resource (`/services/apexrest/callCenters/{id}/softphoneLayout`): a call center's
//! layout from the call-center file, the default without one, 404 and 401 in the API's shape; and
//! Task's IsCallback__c, which tells a Callback call from an Outbound call dialled at once.

use serde_json::{Value, json};

use super::support::*;

const V: &str = "/services/data/v62.0";

/// The main center's Outbound calls show two request fields and the call's outcome; the other call
/// types keep their defaults.
const LAYOUT: &str = r#"
[call_center.softphone_layout.outbound]
info_fields = ["PhoneNumber"]
sections = [
  { object = "ContactRequest", fields = ["PreferredPhone", "Name"] },
  { object = "Task", fields = ["CallResult__c"] },
]
"#;

async fn with_layout() -> Callbacks {
    with_main_center(LAYOUT).await
}

async fn center_id(t: &Callbacks, name: &str) -> String {
    let q = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/query?q=SELECT+Id+FROM+CallCenter+WHERE+InternalName+=+'{name}'"),
            None,
        )
        .await;
    q.body["records"][0]["Id"].as_str().unwrap().to_owned()
}

async fn layout(t: &Callbacks, id: &str) -> crate::support::TestResponse {
    let path = format!("/services/apexrest/callCenters/{id}/softphoneLayout");
    t.api(&t.rita.1, "GET", &path, None).await
}

fn call_type<'a>(layout: &'a Value, name: &str) -> &'a Value {
    layout["callTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

/// The item names of the section of `object`, in order.
fn items(call_type: &Value, object: &str) -> Vec<String> {
    call_type["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["entityApiName"] == object)
        .map(|s| {
            s["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["itemApiName"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_call_center_s_softphone_layout_is_the_one_its_file_sets_in_order() {
    let t = with_layout().await;
    let main = center_id(&t, "main").await;
    let answer = layout(&t, &main).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["id"], main.as_str());
    assert_eq!(answer.body["name"], "Main support");
    let names: Vec<&str> = answer.body["callTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inbound", "Outbound", "Internal"]);
    let outbound = call_type(&answer.body, "Outbound");
    assert_eq!(outbound["infoFields"], json!([{"name": "PhoneNumber"}]));
    assert_eq!(
        items(outbound, "ContactRequest"),
        ["PreferredPhone", "Name"]
    );
    assert_eq!(items(outbound, "Task"), ["CallResult__c"]);
    assert_eq!(
        outbound["screenPopOptions"][0]["screenPopType"],
        "PopToEntity"
    );
    // Inbound was not configured: it keeps the default.
    let inbound = call_type(&answer.body, "Inbound");
    assert_eq!(items(inbound, "ContactRequest")[0], "Name");
    // The 15-character id names the same center.
    assert_eq!(layout(&t, &main[..15]).await.body, answer.body);
    assert_eq!(answer.body["softphoneUrl"], Value::Null, "tel: links");
}

#[tokio::test]
async fn a_call_center_s_softphone_url_is_beside_its_layout_for_the_console_to_dial_through() {
    let t = with_main_center(
        "softphone_url = \"https://softphone.example.com/dial?to={number}&ref={request}\"",
    )
    .await;
    let main = center_id(&t, "main").await;
    let answer = layout(&t, &main).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["softphoneUrl"],
        "https://softphone.example.com/dial?to={number}&ref={request}"
    );
    let legacy = center_id(&t, "legacy").await;
    assert_eq!(layout(&t, &legacy).await.body["softphoneUrl"], Value::Null);
}

#[tokio::test]
async fn a_call_center_without_a_layout_in_its_file_has_the_default() {
    let t = Callbacks::new().await;
    let legacy = center_id(&t, "legacy").await;
    let answer = layout(&t, &legacy).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let outbound = call_type(&answer.body, "Outbound");
    assert_eq!(
        items(outbound, "ContactRequest"),
        [
            "Name",
            "VisitorName__c",
            "PreferredPhone",
            "RequestReason",
            "RequestDescription",
            "IsCallback"
        ]
    );
    assert_eq!(
        items(outbound, "Task"),
        [
            "CallType",
            "IsCallback__c",
            "CallResult__c",
            "CallDisposition"
        ]
    );
    assert_eq!(
        outbound["infoFields"],
        json!([{"name": "PhoneNumber"}, {"name": "Queue"}, {"name": "ScheduledTime"}])
    );
    let internal = call_type(&answer.body, "Internal");
    assert!(items(internal, "Task").is_empty());
}

#[tokio::test]
async fn an_unknown_or_malformed_call_center_is_refused_in_the_api_s_shape() {
    let t = Callbacks::new().await;
    let main = center_id(&t, "main").await;
    // A CallCenter id no center has: the last characters changed.
    let unknown = format!("{}AAAAAAAAA", &main[..6]);
    let answer = layout(&t, &unknown).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(answer.body[0]["errorCode"], "NOT_FOUND");
    let answer = layout(&t, "not-an-id").await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body[0]["errorCode"], "MALFORMED_ID");
    let answer = t
        .app
        .call(crate::support::call(
            "GET",
            &format!("/services/apexrest/callCenters/{main}/softphoneLayout"),
        ))
        .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.body[0]["errorCode"], "INVALID_SESSION_ID");
    let answer = t
        .api(
            "not-a-token",
            "GET",
            &format!("/services/apexrest/callCenters/{main}/softphoneLayout"),
            None,
        )
        .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
}

#[tokio::test]
async fn a_logged_call_says_whether_it_was_a_callback_call_or_an_outbound_call() {
    let t = Callbacks::new().await;
    let id = t
        .callback("soft-1", json!({"callbackNumber": "+18445791189"}))
        .await;
    let claim = t.claim(&t.rita.1, &id).await;
    assert_eq!(claim.status, 200, "{}", claim.body);
    for (is_callback, result) in [(true, "Not Reached"), (false, "Reached")] {
        let task = t
            .api(
                &t.rita.1,
                "POST",
                &format!("{V}/sobjects/Task"),
                Some(json!({
                    "WhatId": id, "CallType": "Outbound", "IsCallback__c": is_callback,
                    "CallResult__c": result, "Subject": "Call"
                })),
            )
            .await;
        assert_eq!(task.status, 201, "{}", task.body);
    }
    // Left out, a call is an Outbound call.
    let plain = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/Task"),
            Some(json!({"WhatId": id, "CallType": "Outbound", "Subject": "Call"})),
        )
        .await;
    assert_eq!(plain.status, 201, "{}", plain.body);
    let q = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/query?q=SELECT+CallType,IsCallback__c,CallResult__c+FROM+Task+WHERE+IsCallback__c+=+true"),
            None,
        )
        .await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert_eq!(q.body["totalSize"], 1);
    assert_eq!(q.body["records"][0]["CallType"], "Outbound");
    assert_eq!(q.body["records"][0]["CallResult__c"], "Not Reached");
    let q = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/query?q=SELECT+Id+FROM+Task+WHERE+IsCallback__c+=+false"),
            None,
        )
        .await;
    assert_eq!(q.body["totalSize"], 2, "{}", q.body);
    // CallType keeps its reference values; describe lists the new field.
    let describe = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/sobjects/Task/describe"),
            None,
        )
        .await;
    let fields = describe.body["fields"].as_array().unwrap();
    let field = fields
        .iter()
        .find(|f| f["name"] == "IsCallback__c")
        .unwrap();
    assert_eq!(field["type"], "boolean");
    assert_eq!(field["label"], "Callback Call");
    assert_eq!(field["custom"], true);
    let call_type = fields.iter().find(|f| f["name"] == "CallType").unwrap();
    let values: Vec<&str> = call_type["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Inbound", "Internal", "Outbound"]);
}
