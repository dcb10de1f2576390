//! ContactRequest's picklists as the reference writes them: RequestReason's values "customizable in Object
//! Manager" (the sites file's `[[request_reason]]`), "Defaulted on create" and Nillable; none of the three
//! restricted, as the reference does not say Restricted (PreferredChannel's and Status's values are given
//! "for example"), on both engines.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::support::Api;
use crate::support::{TestApp, error_body};

const SHOP: &str = "https://shop.example.com";

const SITES: &str = r#"
[[request_reason]]
value = "Warranty"
label = "A warranty claim"

[[request_reason]]
value = "Case"
active = false

[[request_reason]]
value = "Order"
label = "An order"
default = true

[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["https://shop.example.com"]
reasons = ["Warranty", "Order"]
"#;

async fn configured() -> Api {
    Api::on(TestApp::with_sites(SITES).await).await
}

fn reason_field(describe: &Value) -> Value {
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "RequestReason")
        .cloned()
        .expect("RequestReason is described")
}

/// (value, label, defaultValue) of each described value.
fn values(field: &Value) -> Vec<(String, String, bool)> {
    field["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert_eq!(v["active"], true, "only active values are described");
            (
                v["value"].as_str().unwrap().to_owned(),
                v["label"].as_str().unwrap().to_owned(),
                v["defaultValue"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn request_reason_values_are_customizable_in_configuration_and_described_as_configured() {
    let api = configured().await;
    let describe = api.get("/sobjects/ContactRequest/describe/").await;
    assert_eq!(describe.status, 200, "{}", describe.body);
    let field = reason_field(&describe.body);
    assert_eq!(
        field["restrictedPicklist"], false,
        "the reference does not say Restricted"
    );
    assert_eq!(field["defaultedOnCreate"], true);
    assert_eq!(field["nillable"], true);
    assert_eq!(field["defaultValue"], "Order");
    let own = |v: &str, l: &str, d| (v.to_owned(), l.to_owned(), d);
    assert_eq!(
        values(&field),
        [
            own("Account", "Account", false),
            own("Billing", "Billing", false),
            own("General", "General", false),
            own("Order", "An order", true),
            own("Other", "Other", false),
            own("Product", "Product", false),
            own("Warranty", "A warranty claim", false),
        ],
        "Case is inactive; the organisation's own value follows the reference's"
    );
    // The layout's field details are the same description.
    let layouts = api.get("/sobjects/ContactRequest/describe/layouts/").await;
    let item = &layouts.body["layouts"][0]["editLayoutSections"][0]["layoutRows"][0]["layoutItems"]
        [0]["layoutComponents"][0];
    assert_eq!(item["value"], "RequestReason");
    assert_eq!(values(&item["details"]), values(&field));

    let plain = Api::new().await;
    let field = reason_field(&plain.get("/sobjects/ContactRequest/describe/").await.body);
    let listed: Vec<String> = values(&field).into_iter().map(|(v, _, _)| v).collect();
    assert_eq!(
        listed,
        contact_shared::RequestReason::DEFAULTS,
        "without configuration, the reference's"
    );
    assert_eq!(
        field["defaultValue"], "General",
        "a default on create, where there was none"
    );
}

#[tokio::test]
async fn request_reason_is_defaulted_on_create_nillable_and_takes_any_value_of_a_picklist_s_length()
{
    let api = configured().await;
    let reason_of = |id: String| {
        let api = &api;
        async move {
            let record = api.get(&format!("/sobjects/ContactRequest/{id}")).await;
            assert_eq!(record.status, 200, "{}", record.body);
            record.body["RequestReason"].clone()
        }
    };
    let table = [
        (
            json!({}),
            json!("Order"),
            "left out: the configured default",
        ),
        (
            json!({"RequestReason": null}),
            Value::Null,
            "null is a value: Nillable",
        ),
        (
            json!({"RequestReason": "Case"}),
            json!("Case"),
            "an inactive value stays writable",
        ),
        (
            json!({"RequestReason": "Returns (EU)"}),
            json!("Returns (EU)"),
            "not restricted: a value nobody configured, as Salesforce stores it",
        ),
    ];
    for (body, stored, why) in table {
        let id = api.create(body).await;
        assert_eq!(reason_of(id).await, stored, "{why}");
    }
    let found = api
        .query("SELECT Id FROM ContactRequest WHERE RequestReason = 'Returns (EU)'")
        .await;
    assert_eq!(found.body["totalSize"], 1, "{}", found.body);

    let id = api.create(json!({"RequestReason": "Billing"})).await;
    let patched = api
        .call(
            "PATCH",
            &format!("/sobjects/ContactRequest/{id}"),
            Some(&api.write),
            Some(json!({"RequestReason": "Warranty"})),
        )
        .await;
    assert_eq!(patched.status, 204, "{}", patched.body);
    assert_eq!(reason_of(id).await, "Warranty");

    for (value, code) in [
        (json!("x".repeat(256)), "STRING_TOO_LONG"),
        (json!("a\u{7}b"), "INVALID_FIELD"),
        (json!(7), "JSON_PARSER_ERROR"),
    ] {
        let refused = api
            .call(
                "POST",
                "/sobjects/ContactRequest",
                Some(&api.write),
                Some(json!({"RequestReason": value})),
            )
            .await;
        assert_eq!(refused.status, 400, "{value}: {}", refused.body);
        assert_eq!(
            refused.body[0]["fields"],
            json!(["RequestReason"]),
            "{}",
            refused.body
        );
        assert_eq!(refused.body[0]["errorCode"], code, "{}", refused.body);
    }
}

#[tokio::test]
async fn a_site_offers_the_organisation_s_own_reasons_with_their_labels_and_takes_only_those() {
    let api = configured().await;
    let settings = api
        .app
        .send(
            Request::get("/api/v1/sites/shop")
                .header(header::ORIGIN, SHOP)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK);
    assert_eq!(
        settings.body["reasons"],
        json!([{"value": "Warranty", "label": "A warranty claim"}, {"value": "Order", "label": "An order"}])
    );
    let submit = |reason: &str| {
        let form = json!({"request_reason": reason, "preferred_phone": "+14155550100"});
        api.app.send(
            Request::post(contact_shared::CONTACT_REQUESTS_PATH)
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-crw-site", "shop")
                .header(header::ORIGIN, SHOP)
                .body(Body::from(form.to_string()))
                .unwrap(),
        )
    };
    let created = submit("Warranty").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let stored = api
        .app
        .store
        .find(created.body["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.request_reason.as_deref(), Some("Warranty"));
    for reason in ["Case", "Billing", "Returns (EU)"] {
        let refused = submit(reason).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert_eq!(
            error_body(&refused).field("request_reason"),
            Some("Choose one of: Warranty, Order."),
            "{reason}: a visitor picks among the site's"
        );
    }
}

#[tokio::test]
async fn preferred_channel_and_status_are_not_restricted_and_keep_their_reference_defaults() {
    let api = Api::new().await;
    let describe = api.get("/sobjects/ContactRequest/describe/").await;
    for (name, default) in [("PreferredChannel", "Phone"), ("Status", "New")] {
        let field = describe.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap();
        assert_eq!(field["restrictedPicklist"], false, "{name}");
        assert_eq!(field["defaultValue"], default, "{name}");
    }
    let id = api
        .create(json!({"Status": "Scheduled", "PreferredChannel": "WhatsApp"}))
        .await;
    let record = api.get(&format!("/sobjects/ContactRequest/{id}")).await;
    assert_eq!(record.body["Status"], "Scheduled");
    assert_eq!(record.body["PreferredChannel"], "WhatsApp");
    let defaults = api.create(json!({})).await;
    let record = api
        .get(&format!("/sobjects/ContactRequest/{defaults}"))
        .await;
    assert_eq!(
        (&record.body["Status"], &record.body["PreferredChannel"]),
        (&json!("New"), &json!("Phone")),
        "left out, the reference's defaults"
    );
    let grouped = api
        .query("SELECT Status, COUNT(Id) n FROM ContactRequest GROUP BY Status ORDER BY Status")
        .await;
    assert_eq!(grouped.status, 200, "{}", grouped.body);
    assert_eq!(
        grouped.body["records"][1]["Status"], "Scheduled",
        "{}",
        grouped.body
    );
    for (field, value) in [("Status", Value::Null), ("PreferredChannel", json!(""))] {
        let refused = api
            .call(
                "PATCH",
                &format!("/sobjects/ContactRequest/{id}"),
                Some(&api.write),
                Some(json!({ field: value })),
            )
            .await;
        assert_eq!(refused.status, 400, "{field}: {}", refused.body);
    }
}
