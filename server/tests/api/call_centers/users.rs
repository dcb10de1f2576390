//! The User's call-center fields as the reference lists them: CallCenterId (reference; Create, Filter,
//! Nillable, Update) and UserPermissionsCallCenterAutoLogin (boolean; Create, Update).

use serde_json::json;

use super::support::{Centers, error};

#[tokio::test]
async fn a_user_s_call_center_fields_are_described_and_updated_as_the_reference_lists_them() {
    let t = Centers::new().await;
    let describe = t.api(&t.ann, "GET", "/sobjects/User/describe", None).await;
    assert_eq!(describe.status, 200, "{}", describe.body);
    let field = |name: &str| {
        describe.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is described"))
    };
    // type, createable, updateable, filterable, nillable
    for (name, ty, filterable, nillable) in [
        ("CallCenterId", "reference", true, true),
        (
            "UserPermissionsCallCenterAutoLogin",
            "boolean",
            false,
            false,
        ),
    ] {
        let f = field(name);
        assert_eq!(
            (
                &f["type"],
                &f["createable"],
                &f["updateable"],
                &f["filterable"],
                &f["nillable"]
            ),
            (
                &json!(ty),
                &json!(true),
                &json!(true),
                &json!(filterable),
                &json!(nillable)
            ),
            "{name}"
        );
    }

    let main = t.center_id("main").await;
    let path = format!("/sobjects/User/{}", t.ann.id);
    let before = t.api(&t.ann, "GET", &path, None).await;
    assert_eq!(
        (
            &before.body["CallCenterId"],
            &before.body["UserPermissionsCallCenterAutoLogin"]
        ),
        (&serde_json::Value::Null, &json!(false)),
        "a user the CLI adds"
    );
    let updated = t
        .api(
            &t.ada,
            "PATCH",
            &path,
            Some(json!({"CallCenterId": main, "UserPermissionsCallCenterAutoLogin": true})),
        )
        .await;
    assert_eq!(updated.status, 204, "{}", updated.body);
    let after = t.api(&t.ann, "GET", &path, None).await;
    assert_eq!(
        (
            &after.body["CallCenterId"],
            &after.body["UserPermissionsCallCenterAutoLogin"]
        ),
        (&json!(main), &json!(true))
    );
    let found = t
        .soql(
            &t.ada,
            &format!("SELECT Username FROM User WHERE CallCenterId = '{main}'"),
        )
        .await;
    assert_eq!(found.len(), 1);

    let refused = t
        .api(
            &t.ada,
            "PATCH",
            &path,
            Some(json!({"UserPermissionsCallCenterAutoLogin": "yes"})),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(error(&refused).1, ["UserPermissionsCallCenterAutoLogin"]);
    let not_filterable = t
        .api(
            &t.ada,
            "GET",
            &crate::sobjects::support::query_path(
                "SELECT Id FROM User WHERE UserPermissionsCallCenterAutoLogin = true",
            ),
            None,
        )
        .await;
    assert_eq!(not_filterable.status, 400, "{}", not_filterable.body);
    // "Create" is the field's property: the API creates no user, the CLI does.
    let created = t
        .api(
            &t.ada,
            "POST",
            "/sobjects/User",
            Some(json!({"CallCenterId": main, "UserPermissionsCallCenterAutoLogin": true})),
        )
        .await;
    assert_eq!(created.status, 403, "{}", created.body);
}
