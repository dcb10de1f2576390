//! Representatives (User) through the API: readable and queryable, and each one's call center
//! (CallCenterId) settable, checked to be a live CallCenter; nothing else about a user is writable.

use serde_json::{Value, json};

use super::support::*;

const V: &str = "/services/data/v62.0";

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

async fn user(t: &Callbacks, id: &str) -> Value {
    let response = t
        .api(&t.rita.1, "GET", &format!("{V}/sobjects/User/{id}"), None)
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

#[tokio::test]
async fn a_representative_s_call_center_is_set_read_and_queried_through_the_api() {
    let t = Callbacks::new().await;
    let main = center_id(&t, "main").await;
    let sam = user(&t, &t.sam.0).await;
    assert_eq!(sam["Username"], "sam@example.com");
    assert_eq!(sam["IsActive"], true);
    assert_eq!(sam["CallCenterId"], Value::Null);

    let set = t
        .api(
            &t.rita.1,
            "PATCH",
            &format!("{V}/sobjects/User/{}", t.sam.0),
            Some(json!({"CallCenterId": main})),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.body);
    let sam = user(&t, &t.sam.0).await;
    assert_eq!(sam["CallCenterId"], main.as_str());
    assert_eq!(sam["LastModifiedById"], t.rita.0.as_str());

    let q = t
        .api(
            &t.rita.1,
            "GET",
            &format!(
                "{V}/query?q=SELECT+Id,Name,CallCenterId+FROM+User+WHERE+CallCenterId+=+'{main}'"
            ),
            None,
        )
        .await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert_eq!(q.body["totalSize"], 1);
    assert_eq!(q.body["records"][0]["Id"], t.sam.0.as_str());

    let cleared = t
        .api(
            &t.rita.1,
            "PATCH",
            &format!("{V}/sobjects/User/{}", t.sam.0),
            Some(json!({"CallCenterId": null})),
        )
        .await;
    assert_eq!(cleared.status, 204);
    assert_eq!(user(&t, &t.sam.0).await["CallCenterId"], Value::Null);

    let describe = t
        .api(
            &t.rita.1,
            "GET",
            &format!("{V}/sobjects/User/describe"),
            None,
        )
        .await;
    assert_eq!(describe.body["createable"], false);
    assert_eq!(describe.body["updateable"], true);
    let field = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "CallCenterId")
        .unwrap();
    assert_eq!(field["referenceTo"], json!(["CallCenter"]));
    assert_eq!(field["updateable"], true);
}

#[tokio::test]
async fn only_an_existing_call_center_may_be_set_and_nothing_else_about_a_user() {
    let t = Callbacks::new().await;
    let request = t
        .callback("not-a-center", json!({"callbackNumber": "+18445791189"}))
        .await;
    let path = format!("{V}/sobjects/User/{}", t.sam.0);
    let table = [
        (
            json!({"CallCenterId": "04v000000000999AAA"}),
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            "an unknown call center",
        ),
        (
            json!({"CallCenterId": request}),
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "the id of another object",
        ),
        (
            json!({"CallCenterId": "main"}),
            400,
            "MALFORMED_ID",
            "a name, not an id",
        ),
        (
            json!({"Name": "Samuel"}),
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "another field",
        ),
    ];
    for (body, status, code, why) in table {
        let response = t.api(&t.rita.1, "PATCH", &path, Some(body)).await;
        assert_eq!(response.status, status, "{why}: {}", response.body);
        assert_eq!(response.body[0]["errorCode"], code, "{why}");
    }
    assert_eq!(user(&t, &t.sam.0).await["CallCenterId"], Value::Null);

    let create = t
        .api(
            &t.rita.1,
            "POST",
            &format!("{V}/sobjects/User"),
            Some(json!({"Username": "x@example.com"})),
        )
        .await;
    assert_eq!(create.status, 403);
    assert_eq!(
        create.body[0]["errorCode"],
        "INSUFFICIENT_ACCESS_OR_READONLY"
    );
    let delete = t.api(&t.rita.1, "DELETE", &path, None).await;
    assert_eq!(delete.status, 403);
}
