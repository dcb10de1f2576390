//! The administration and directory routes: who may call each, and what each does.

use serde_json::{Value, json};

use super::support::Team;
use crate::support::error_body;

#[tokio::test]
async fn every_admin_route_refuses_representatives_and_supervisors_and_needs_a_sign_in() {
    let t = Team::new().await;
    let routes = [
        ("GET", "/console/api/admin/users".to_owned(), None),
        (
            "POST",
            "/console/api/admin/users".to_owned(),
            Some(json!({ "username": "x@example.com", "name": "X", "role": "admin" })),
        ),
        (
            "PATCH",
            format!("/console/api/admin/users/{}", t.bob.id),
            Some(json!({ "role": "admin" })),
        ),
        ("GET", "/console/api/admin/queues".to_owned(), None),
        (
            "POST",
            "/console/api/admin/queues".to_owned(),
            Some(json!({ "name": "Sales" })),
        ),
        (
            "PUT",
            format!(
                "/console/api/admin/queues/{}/members/{}",
                t.support, t.ann.id
            ),
            None,
        ),
        (
            "DELETE",
            format!(
                "/console/api/admin/queues/{}/members/{}",
                t.billing, t.ann.id
            ),
            None,
        ),
        ("GET", "/console/api/admin/tokens".to_owned(), None),
        (
            "POST",
            "/console/api/admin/tokens".to_owned(),
            Some(json!({ "user": "ann@example.com", "scope": "write" })),
        ),
        ("DELETE", "/console/api/admin/tokens/2".to_owned(), None),
    ];
    for (method, path, body) in &routes {
        for who in [&t.ann, &t.sue] {
            let refused = t.send(Some(who), method, path, body.clone()).await;
            assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
            assert!(
                error_body(&refused).message.contains("admin"),
                "{method} {path}"
            );
        }
        let anonymous = t.send(None, method, path, body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {path}: {}", anonymous.body);
        assert!(!error_body(&anonymous).message.is_empty());
    }
    for (method, path, body) in routes {
        let done = t.send(Some(&t.ada), method, &path, body).await;
        assert!(
            done.status.is_success(),
            "{method} {path} as admin: {} {}",
            done.status,
            done.body
        );
    }
    let not_a_member = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/{}", t.of_billing),
            None,
        )
        .await;
    assert_eq!(
        not_a_member.status, 404,
        "taken out of Billing, Ann no longer sees its requests"
    );
    let member = t
        .api(
            &t.ann,
            "GET",
            &format!("/sobjects/ContactRequest/{}", t.of_support),
            None,
        )
        .await;
    assert_eq!(member.status, 200, "put in Support, she sees its requests");
}

#[tokio::test]
async fn the_directory_lists_people_and_queues_with_who_is_active_and_a_representative_gets_names_only()
 {
    let t = Team::new().await;
    let deactivated = t
        .send(
            Some(&t.ada),
            "PATCH",
            &format!("/console/api/admin/users/{}", t.bob.id),
            Some(json!({ "isActive": false })),
        )
        .await;
    assert_eq!(deactivated.status, 200, "{}", deactivated.body);
    assert_eq!(deactivated.body["isActive"], false);
    for who in [&t.sue, &t.ada] {
        let listed = t
            .send(Some(who), "GET", "/console/api/directory", None)
            .await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let active: Vec<(&str, bool)> = listed.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["name"].as_str().unwrap(), u["isActive"] == true))
            .collect();
        assert!(
            active.contains(&("ann", true)) && active.contains(&("bob", false)),
            "{active:?}"
        );
        assert!(
            listed.body["users"][0]["username"].is_string(),
            "{}",
            listed.body
        );
        let queues: Vec<&str> = listed.body["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["name"].as_str().unwrap())
            .collect();
        assert!(
            queues.contains(&"Billing") && queues.contains(&"Support"),
            "{queues:?}"
        );
    }
    // A representative reads names, for the history and the transfer list: no usernames, no roles.
    let anns = t
        .send(Some(&t.ann), "GET", "/console/api/directory", None)
        .await;
    assert_eq!(anns.status, 200, "{}", anns.body);
    for user in anns.body["users"].as_array().unwrap() {
        assert_eq!(
            user.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["id", "isActive", "name"],
            "{user}"
        );
    }
    let bobs = t
        .send(Some(&t.bob), "GET", "/console/api/directory", None)
        .await;
    assert_eq!(bobs.status, 401, "a deactivated user's token stops working");
}

#[tokio::test]
async fn bad_admin_bodies_name_the_field_to_fix() {
    let t = Team::new().await;
    let table: [(&str, String, Value, &str, u16); 8] = [
        (
            "POST",
            "/console/api/admin/users".into(),
            json!({ "name": "X", "role": "admin" }),
            "username",
            400,
        ),
        (
            "POST",
            "/console/api/admin/users".into(),
            json!({ "username": "x@example.com", "role": "admin" }),
            "name",
            400,
        ),
        (
            "POST",
            "/console/api/admin/users".into(),
            json!({ "username": "x@example.com", "name": "X", "role": "boss" }),
            "role",
            400,
        ),
        (
            "POST",
            "/console/api/admin/users".into(),
            json!({ "username": "x@example.com", "name": "X", "role": "admin", "email": "nope" }),
            "email",
            400,
        ),
        (
            "POST",
            "/console/api/admin/users".into(),
            json!({ "username": "ann@example.com", "name": "Ann", "role": "admin" }),
            "username",
            409,
        ),
        (
            "PATCH",
            format!("/console/api/admin/users/{}", t.ann.id),
            json!({ "isActive": "no" }),
            "isActive",
            400,
        ),
        (
            "POST",
            "/console/api/admin/queues".into(),
            json!({ "name": "Billing" }),
            "name",
            409,
        ),
        (
            "POST",
            "/console/api/admin/tokens".into(),
            json!({ "user": "ann@example.com", "scope": "all" }),
            "scope",
            400,
        ),
    ];
    for (method, path, body, field, status) in table {
        let refused = t
            .send(Some(&t.ada), method, &path, Some(body.clone()))
            .await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        assert!(
            error_body(&refused).fields.contains_key(field),
            "{body}: names {field}: {}",
            refused.body
        );
    }
}

#[tokio::test]
async fn an_admin_makes_a_user_and_a_token_shown_once_that_works_until_revoked() {
    let t = Team::new().await;
    let made = t
        .send(
            Some(&t.ada),
            "POST",
            "/console/api/admin/users",
            Some(json!({ "username": "cy@example.com", "name": "Cy", "role": "representative" })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["role"], "representative");
    let token = t
        .send(
            Some(&t.ada),
            "POST",
            "/console/api/admin/tokens",
            Some(json!({ "user": "cy@example.com", "scope": "read", "label": "laptop" })),
        )
        .await;
    assert_eq!(token.status, 201, "{}", token.body);
    let secret = token.body["token"].as_str().unwrap().to_owned();
    let listed = t
        .send(Some(&t.ada), "GET", "/console/api/admin/tokens", None)
        .await;
    assert!(!listed.body.to_string().contains(&secret), "never listed");
    let cy = super::support::Member {
        id: made.body["id"].as_str().unwrap().to_owned(),
        token: secret,
    };
    let works = t
        .api(&cy, "GET", "/sobjects/ContactRequest/describe", None)
        .await;
    assert_eq!(works.status, 200);
    let revoked = t
        .send(
            Some(&t.ada),
            "DELETE",
            &format!("/console/api/admin/tokens/{}", token.body["id"]),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    let stopped = t
        .api(&cy, "GET", "/sobjects/ContactRequest/describe", None)
        .await;
    assert_eq!(stopped.status, 401);
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out() {
    let t = Team::new().await;
    for body in [
        json!({ "role": "supervisor" }),
        json!({ "isActive": false }),
    ] {
        let refused = t
            .send(
                Some(&t.ada),
                "PATCH",
                &format!("/console/api/admin/users/{}", t.ada.id),
                Some(body),
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.body);
    }
}
