//! AdditionalNumber as Salesforce describes it: created, changed, deleted and undeleted by admins for
//! a call center, read by everyone, found by SOQL; the file's numbers loaded into it and kept by it.

use serde_json::{Value, json};

use super::support::{Centers, error};

#[tokio::test]
async fn an_additional_number_is_created_for_its_call_center_and_listed_by_soql() {
    let t = Centers::new().await;
    let main = t.center_id("main").await;
    let id = t
        .create(
            "AdditionalNumber",
            json!({
                "CallCenterId": main, "Name": "Conference room B", "Phone": "+18005550199",
                "Description": "Second floor"
            }),
        )
        .await;
    assert!(id.starts_with("04m"), "{id}");
    let soql = format!(
        "SELECT Name, Phone, Description, FromFile__c FROM AdditionalNumber \
         WHERE CallCenterId = '{main}' ORDER BY Name"
    );
    let listed = t.soql(&t.ann, &soql).await;
    let rows: Vec<(&Value, &Value, &Value)> = listed
        .iter()
        .map(|r| (&r["Name"], &r["Phone"], &r["FromFile__c"]))
        .collect();
    assert_eq!(
        rows,
        [
            (&json!("Billing line"), &json!("+18005550100"), &json!(true)),
            (
                &json!("Conference room B"),
                &json!("+18005550199"),
                &json!(false)
            ),
        ]
    );

    let path = format!("/sobjects/AdditionalNumber/{id}");
    let changed = t
        .api(
            &t.ada,
            "PATCH",
            &path,
            Some(json!({"Phone": "+18005550198", "Description": null})),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    let record = t.api(&t.ann, "GET", &path, None).await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(
        (
            &record.body["Phone"],
            &record.body["Description"],
            &record.body["CallCenterId"]
        ),
        (&json!("+18005550198"), &Value::Null, &json!(main))
    );

    assert_eq!(t.api(&t.ada, "DELETE", &path, None).await.status, 204);
    assert_eq!(t.soql(&t.ann, &soql).await.len(), 1);
    let undeleted = t
        .api(&t.ada, "POST", &format!("{path}/undelete"), None)
        .await;
    assert_eq!(undeleted.status, 200, "{}", undeleted.body);
    assert_eq!(t.soql(&t.ann, &soql).await.len(), 2);

    // Without a call center, a number is in every center's directory, as Salesforce has it.
    t.create(
        "AdditionalNumber",
        json!({"Name": "Front desk", "Phone": "+18005550111"}),
    )
    .await;
    let everywhere = t
        .soql(
            &t.ann,
            "SELECT Name FROM AdditionalNumber WHERE CallCenterId = null",
        )
        .await;
    assert_eq!(everywhere.len(), 1);
}

#[tokio::test]
async fn additional_number_describes_the_reference_s_fields_and_calls() {
    let t = Centers::new().await;
    let describe = t
        .api(&t.ann, "GET", "/sobjects/AdditionalNumber/describe", None)
        .await;
    assert_eq!(describe.status, 200, "{}", describe.body);
    let d = &describe.body;
    assert_eq!(d["keyPrefix"], "04m");
    for call in [
        "createable",
        "updateable",
        "deletable",
        "undeletable",
        "queryable",
    ] {
        assert_eq!(d[call], true, "{call}");
    }
    let field = |name: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is described"))
    };
    // name, type, length, nillable (each is Create, Filter, Group, Sort, Update).
    for (name, ty, length, nillable) in [
        ("CallCenterId", "reference", 18, true),
        ("Description", "string", 255, true),
        ("Name", "string", 80, false),
        ("Phone", "phone", 40, true),
    ] {
        let f = field(name);
        assert_eq!(
            (&f["type"], &f["length"], &f["nillable"]),
            (&json!(ty), &json!(length), &json!(nillable)),
            "{name}"
        );
        for property in [
            "createable",
            "updateable",
            "filterable",
            "groupable",
            "sortable",
        ] {
            assert_eq!(f[property], true, "{name} {property}");
        }
    }
    assert_eq!(field("CallCenterId")["referenceTo"], json!(["CallCenter"]));
    assert_eq!(field("CallCenterId")["relationshipName"], "CallCenter");
}

#[tokio::test]
async fn the_file_s_additional_numbers_are_loaded_and_read_only_through_the_api() {
    let t = Centers::new().await;
    let billing = t
        .soql(
            &t.ada,
            "SELECT Id, FromFile__c FROM AdditionalNumber WHERE Name = 'Billing line'",
        )
        .await;
    assert_eq!(billing[0]["FromFile__c"], true);
    let path = format!(
        "/sobjects/AdditionalNumber/{}",
        billing[0]["Id"].as_str().unwrap()
    );
    for (method, body) in [("PATCH", Some(json!({"Phone": "+1"}))), ("DELETE", None)] {
        let refused = t.api(&t.ada, method, &path, body).await;
        assert_eq!(refused.status, 403, "{method}: {}", refused.body);
        let (code, _, message) = error(&refused);
        assert_eq!(code, "INSUFFICIENT_ACCESS_OR_READONLY", "{method}");
        assert!(message.contains("call-center file"), "{method}: {message}");
    }
}

#[tokio::test]
async fn a_representative_reads_additional_numbers_but_cannot_change_them() {
    let t = Centers::new().await;
    let id = t
        .create(
            "AdditionalNumber",
            json!({"Name": "Night line", "Phone": "+18005550122"}),
        )
        .await;
    let path = format!("/sobjects/AdditionalNumber/{id}");
    assert_eq!(t.api(&t.ann, "GET", &path, None).await.status, 200);
    for (method, path, body) in [
        (
            "POST",
            "/sobjects/AdditionalNumber".to_owned(),
            Some(json!({"Name": "Mine"})),
        ),
        ("PATCH", path.clone(), Some(json!({"Name": "Mine"}))),
        ("DELETE", path.clone(), None),
    ] {
        let refused = t.api(&t.ann, method, &path, body).await;
        assert_eq!(refused.status, 403, "{method}: {}", refused.body);
        assert_eq!(
            error(&refused).0,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "{method}"
        );
    }
    let kept = t.api(&t.ada, "GET", &path, None).await;
    assert_eq!(kept.body["Name"], "Night line");
}

#[tokio::test]
async fn bad_additional_number_input_is_refused_naming_the_field_and_writes_nothing() {
    let t = Centers::new().await;
    let ann = t.ann.id.clone();
    let table = [
        (
            json!({"Phone": "+18005550100"}),
            "REQUIRED_FIELD_MISSING",
            "Name",
            "Required fields are missing: [Name]",
        ),
        (
            json!({"Name": " "}),
            "REQUIRED_FIELD_MISSING",
            "Name",
            "Name: must not be empty",
        ),
        (
            json!({"Name": "x".repeat(81)}),
            "STRING_TOO_LONG",
            "Name",
            "Name: data value too large: 81 characters (max length=80)",
        ),
        (
            json!({"Name": "Line", "Phone": "1".repeat(41)}),
            "STRING_TOO_LONG",
            "Phone",
            "max length=40",
        ),
        (
            json!({"Name": "Line", "Description": "d".repeat(256)}),
            "STRING_TOO_LONG",
            "Description",
            "max length=255",
        ),
        (
            json!({"Name": "Line", "CallCenterId": "04v000000000099AAA"}),
            "INVALID_CROSS_REFERENCE_KEY",
            "CallCenterId",
            "invalid cross reference id",
        ),
        (
            json!({"Name": "Line", "CallCenterId": ann}),
            "FIELD_INTEGRITY_EXCEPTION",
            "CallCenterId",
            "it must refer to CallCenter",
        ),
        (
            json!({"Name": "Line", "FromFile__c": true}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "FromFile__c",
            "Unable to create/update fields: FromFile__c",
        ),
    ];
    for (body, code, field, says) in table {
        let refused = t
            .api(&t.ada, "POST", "/sobjects/AdditionalNumber", Some(body))
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
    assert_eq!(
        t.soql(&t.ada, "SELECT Id FROM AdditionalNumber")
            .await
            .len(),
        1
    );
}
