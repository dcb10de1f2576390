//! Records through the API: create, retrieve, update, delete, undelete, upsert, query and changes.

use serde_json::json;

use super::support::{Api, code};
use crate::support::valid_form;

#[tokio::test]
async fn a_record_is_created_retrieved_updated_deleted_and_undeleted() {
    let api = Api::new().await;
    let id = api
        .create(json!({"RequestReason": "Billing", "PreferredPhone": "+442079460958"}))
        .await;
    assert!(id.starts_with("0SR") && id.len() == 18);

    let record = api.get(&format!("/sobjects/ContactRequest/{id}")).await;
    assert_eq!(record.status, 200);
    assert_eq!(record.body["Status"], "New", "Status defaults to New");
    assert_eq!(record.body["PreferredChannel"], "Phone");
    assert_eq!(
        record.body["OwnerId"], api.user_id,
        "the creator owns what it creates"
    );
    assert_eq!(record.body["CreatedById"], api.user_id);
    assert_eq!(record.body["Name"], "CR-000001");
    assert!(
        record.body["CreatedDate"]
            .as_str()
            .unwrap()
            .ends_with("+0000")
    );

    let some = api
        .get(&format!(
            "/sobjects/ContactRequest/{}?fields=Name,Status",
            &id[..15]
        ))
        .await;
    assert_eq!(some.status, 200, "the 15-character id is accepted");
    assert_eq!(
        some.body.as_object().unwrap().len(),
        3,
        "attributes, Name and Status: {}",
        some.body
    );

    let update = api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(&api.write),
            Some(json!({"Status": "Contacted"})),
        )
        .await;
    assert_eq!(update.status, 204);
    assert_eq!(
        api.get(&format!("/sobjects/ContactRequest/{id}"))
            .await
            .body["Status"],
        "Contacted"
    );

    let delete = api
        .call(
            "DELETE",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(&api.write),
            None,
        )
        .await;
    assert_eq!(delete.status, 204);
    assert_eq!(
        code(&api.get(&format!("/sobjects/ContactRequest/{id}")).await),
        "ENTITY_IS_DELETED"
    );
    assert_eq!(
        api.query("SELECT Id FROM ContactRequest").await.body["totalSize"],
        0
    );
    assert_eq!(
        api.get("/queryAll?q=SELECT+Id+FROM+ContactRequest")
            .await
            .body["totalSize"],
        1
    );

    let undelete = api
        .call(
            "POST",
            &format!("/sobjects/ContactRequest/{id}/undelete"),
            Some(&api.write),
            None,
        )
        .await;
    assert_eq!(undelete.status, 200);
    assert_eq!(undelete.body["success"], true);
    assert_eq!(
        api.get(&format!("/sobjects/ContactRequest/{id}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn upsert_creates_then_updates_by_external_id() {
    let api = Api::new().await;
    let path = "/sobjects/ContactRequest/ExternalId__c/crm-42";
    let first = api
        .call(
            "PATCH",
            path,
            Some(&api.write),
            Some(json!({"RequestReason": "Order"})),
        )
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.body["created"], true);
    let second = api
        .call(
            "PATCH",
            path,
            Some(&api.write),
            Some(json!({"Status": "Attempted"})),
        )
        .await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body["created"], false);
    assert_eq!(second.body["id"], first.body["id"]);
    let by_external = api.get(path).await;
    assert_eq!(by_external.body["Status"], "Attempted");
    assert_eq!(by_external.body["RequestReason"], "Order");
}

#[tokio::test]
async fn widget_requests_are_owned_by_the_default_queue_and_queryable() {
    let api = Api::new().await;
    assert_eq!(api.app.post_json(&valid_form()).await.status, 201);
    let result = api
        .query("SELECT Name, OwnerId, CreatedById, VisitorEmail__c FROM ContactRequest WHERE Status = 'new'")
        .await;
    assert_eq!(result.status, 200, "{}", result.body);
    assert_eq!(result.body["totalSize"], 1);
    let record = &result.body["records"][0];
    assert_eq!(record["OwnerId"], "00G000000000001EAA");
    assert_eq!(record["CreatedById"], "005000000000001AAA");
    assert_eq!(record["VisitorEmail__c"], "ada@example.com");
}

#[tokio::test]
async fn the_visitors_time_zone_is_a_read_only_field_the_widget_sets() {
    let api = Api::new().await;
    let describe = api.get("/sobjects/ContactRequest/describe/").await;
    let fields = describe.body["fields"].as_array().unwrap();
    let zone = fields
        .iter()
        .find(|f| f["name"] == "VisitorTimeZone__c")
        .expect("described");
    assert_eq!(zone["createable"], false);
    assert_eq!(zone["updateable"], false);
    assert_eq!(zone["nillable"], true);
    assert_eq!(zone["custom"], true);
    assert_eq!(zone["type"], "string");

    let mut form = valid_form();
    form["time_zone"] = json!("Europe/Paris");
    let submitted = api.app.post_json(&form).await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.body["id"].as_str().unwrap();
    let record = api.get(&format!("/sobjects/ContactRequest/{id}")).await;
    assert_eq!(record.body["VisitorTimeZone__c"], "Europe/Paris");
    let found = api
        .query("SELECT Id FROM ContactRequest WHERE VisitorTimeZone__c = 'Europe/Paris'")
        .await;
    assert_eq!(found.body["totalSize"], 1, "{}", found.body);

    let made = api.create(json!({"RequestReason": "Billing"})).await;
    let record = api.get(&format!("/sobjects/ContactRequest/{made}")).await;
    assert_eq!(
        record.body["VisitorTimeZone__c"],
        serde_json::Value::Null,
        "the API's own have none"
    );
    for (method, path) in [
        ("POST", "/sobjects/ContactRequest".to_owned()),
        ("PATCH", format!("/sobjects/ContactRequest/{made}")),
    ] {
        let refused = api
            .call(
                method,
                &path,
                Some(&api.write),
                Some(json!({"RequestReason": "Billing", "VisitorTimeZone__c": "Asia/Tokyo"})),
            )
            .await;
        assert_eq!(refused.status, 400, "{method}: {}", refused.body);
        assert_eq!(
            code(&refused),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "{method}"
        );
    }
}

#[tokio::test]
async fn queries_page_with_next_records_url_and_for_view_sets_the_callers_view_date() {
    let api = Api::new().await;
    for _ in 0..205 {
        api.create(json!({"RequestReason": "Product"})).await;
    }
    let first = api
        .app
        .send(
            axum::http::Request::get(format!(
                "{}/query?q=SELECT+Id,Name+FROM+ContactRequest+ORDER+BY+Name+DESC",
                super::support::BASE
            ))
            .header("authorization", format!("Bearer {}", api.write))
            .header("sforce-query-options", "batchSize=200")
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(first.body["totalSize"], 205);
    assert_eq!(first.body["done"], false);
    assert_eq!(first.body["records"].as_array().unwrap().len(), 200);
    assert_eq!(first.body["records"][0]["Name"], "CR-000205");
    let next = first.body["nextRecordsUrl"].as_str().unwrap();
    let rest = api
        .get(next.strip_prefix(super::support::BASE).unwrap())
        .await;
    assert_eq!(rest.body["done"], true);
    assert_eq!(rest.body["records"].as_array().unwrap().len(), 5);
    assert_eq!(rest.body["records"][4]["Name"], "CR-000001");
    assert_eq!(
        code(
            &api.get(next.strip_prefix(super::support::BASE).unwrap())
                .await
        ),
        "INVALID_QUERY_LOCATOR"
    );

    api.query("SELECT Id FROM ContactRequest WHERE Name = 'CR-000007' FOR VIEW")
        .await;
    let viewed = api
        .query("SELECT Name FROM ContactRequest WHERE LastViewedDate != null")
        .await;
    assert_eq!(viewed.body["totalSize"], 1);
    assert_eq!(viewed.body["records"][0]["Name"], "CR-000007");
    let count = api
        .query("SELECT COUNT() FROM ContactRequest WHERE CreatedDate = TODAY")
        .await;
    assert_eq!(count.body["totalSize"], 205);
}

#[tokio::test]
async fn updated_and_deleted_list_changes_in_the_window() {
    let api = Api::new().await;
    let kept = api.create(json!({})).await;
    let gone = api.create(json!({})).await;
    api.call(
        "DELETE",
        &format!("/sobjects/ContactRequest/{gone}"),
        Some(&api.write),
        None,
    )
    .await;
    let window = "start=2000-01-01T00%3A00%3A00%2B00%3A00&end=2100-01-01T00%3A00%3A00%2B00%3A00";
    let updated = api
        .get(&format!("/sobjects/ContactRequest/updated/?{window}"))
        .await;
    assert_eq!(updated.body["ids"], json!([kept]));
    let deleted = api
        .get(&format!("/sobjects/ContactRequest/deleted/?{window}"))
        .await;
    assert_eq!(deleted.body["deletedRecords"][0]["id"], gone.as_str());
    assert!(deleted.body["earliestDateAvailable"].is_string());
    assert!(deleted.body["latestDateCovered"].is_string());
}

#[tokio::test]
async fn describe_calls_come_from_the_schema() {
    let api = Api::new().await;
    let versions = api.app.get("/services/data").await;
    assert_eq!(versions.body[0]["version"], "45.0");
    // With the slash too, as README writes it; before, it was a 404 in the intake's shape.
    let with_slash = api.app.get("/services/data/").await;
    assert_eq!(with_slash.status, 200, "{}", with_slash.body);
    assert_eq!(with_slash.body, versions.body);
    let global = api.get("/sobjects/").await;
    assert_eq!(global.body["sobjects"][0]["name"], "ContactRequest");
    let basic = api.get("/sobjects/ContactRequest/").await;
    assert_eq!(basic.body["objectDescribe"]["keyPrefix"], "0SR");
    let describe = api.get("/sobjects/ContactRequest/describe/").await;
    let fields = describe.body["fields"].as_array().unwrap();
    let status = fields.iter().find(|f| f["name"] == "Status").unwrap();
    assert_eq!(
        status["restrictedPicklist"], false,
        "the reference gives its values \"for example\" and does not say Restricted"
    );
    assert_eq!(status["picklistValues"][0]["defaultValue"], true);
    let layouts = api.get("/sobjects/ContactRequest/describe/layouts/").await;
    assert_eq!(
        layouts.body["layouts"][0]["editLayoutSections"][0]["layoutRows"][0]["layoutItems"][0]["layoutComponents"]
            [0]["value"],
        "RequestReason"
    );
    assert_eq!(
        api.app.get("/services/data/v64.0/sobjects").await.status,
        401,
        "any version from 45 up is served"
    );
}

#[tokio::test]
async fn describe_layout_lists_each_field_once_titles_each_object_s_section_and_answers_the_master_record_type()
 {
    let api = Api::new().await;
    for (object, heading) in [
        ("ContactRequest", "Contact Request"),
        ("EngagementInteraction", "Engagement Interaction"),
    ] {
        let layouts = api
            .get(&format!("/sobjects/{object}/describe/layouts/"))
            .await;
        assert_eq!(layouts.status, 200, "{}", layouts.body);
        let layout = &layouts.body["layouts"][0];
        let detail: Vec<&str> = layout["detailLayoutSections"][0]["layoutRows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row["layoutItems"][0]["layoutComponents"][0]["value"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        let mut once = detail.clone();
        once.sort_unstable();
        once.dedup();
        assert_eq!(
            once.len(),
            detail.len(),
            "{object}: each field once: {detail:?}"
        );
        assert_eq!(
            layout["editLayoutSections"][0]["heading"], heading,
            "{object}"
        );
        let id = layout["id"].as_str().unwrap();
        assert!(id.starts_with("00h") && id.len() == 18, "{object}: {id}");
        // The Master record type's layout is the object's one layout, by its 18 or 15 characters.
        for master in ["012000000000000AAA", "012000000000000"] {
            let one = api
                .get(&format!("/sobjects/{object}/describe/layouts/{master}"))
                .await;
            assert_eq!(one.status, 200, "{object} {master}: {}", one.body);
            assert_eq!(&one.body, layout, "{object} {master}");
        }
        let other = api
            .get(&format!(
                "/sobjects/{object}/describe/layouts/0124x000000AbCdAAA"
            ))
            .await;
        assert_eq!(other.status, 404, "{}", other.body);
        assert_eq!(code(&other), "NOT_FOUND");
    }
}
