//! `PUT /console/api/admin/users/{id}/password`: an admin sets a user's password.

use contact_shared::console::{API_PREFIX, Role};
use serde_json::json;

use super::support::*;
use crate::support::{call, error_body};

fn path(id: &str) -> String {
    format!("{API_PREFIX}/admin/users/{id}/password")
}

#[tokio::test]
async fn an_admin_sets_a_password_and_the_users_sessions_end() {
    let console = Console::new().await;
    let rep = console
        .add_user("ray@example.com", Role::Representative)
        .await;
    let rays = session_cookie(&console.sign_in_as("ray@example.com", PASSWORD).await).unwrap();
    let admin = console.signed_in().await;
    let response = console
        .change(
            "PUT",
            &path(&rep),
            &admin,
            Some(json!({"password": "a new long passphrase"})),
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.body);
    assert_eq!(console.me(&rays).await.status, 401, "Ray's session ended");
    assert_eq!(
        console.sign_in_as("ray@example.com", PASSWORD).await.status,
        401
    );
    assert_eq!(
        console
            .sign_in_as("ray@example.com", "a new long passphrase")
            .await
            .status,
        200
    );
    assert_eq!(
        console.me(&admin).await.status,
        200,
        "the admin's own session stays"
    );
}

#[tokio::test]
async fn only_an_admin_may_set_a_password() {
    let console = Console::new().await;
    let admin_id = console.api.user_id.clone();
    for role in [Role::Representative, Role::Supervisor] {
        let username = format!("{}@example.com", role.as_str());
        console.add_user(&username, role).await;
        let cookie = session_cookie(&console.sign_in_as(&username, PASSWORD).await).unwrap();
        let response = console
            .change(
                "PUT",
                &path(&admin_id),
                &cookie,
                Some(json!({"password": "taken over now!"})),
            )
            .await;
        assert_eq!(response.status, 403, "{role:?}");
        assert_eq!(
            error_body(&response).message,
            "Only an admin may set another user's password."
        );
    }
    assert_eq!(
        console.sign_in_as(USERNAME, PASSWORD).await.status,
        200,
        "unchanged"
    );
}

#[tokio::test]
async fn a_password_the_rules_refuse_is_a_422_naming_the_field() {
    let console = Console::new().await;
    let admin = console.signed_in().await;
    let id = console.api.user_id.clone();
    let short = console
        .change(
            "PUT",
            &path(&id),
            &admin,
            Some(json!({"password": "too short"})),
        )
        .await;
    assert_eq!(short.status, 422);
    let body = error_body(&short);
    assert!(
        body.message.contains("at least 12 characters"),
        "{}",
        body.message
    );
    assert!(body.fields.contains_key("password"));
    let missing = console
        .change("PUT", &path(&id), &admin, Some(json!({})))
        .await;
    assert_eq!(missing.status, 400);
    let nobody = console
        .change(
            "PUT",
            &path("005000000000099AAA"),
            &admin,
            Some(json!({"password": "long enough passphrase"})),
        )
        .await;
    assert_eq!(nobody.status, 404);
    assert_eq!(console.me(&admin).await.status, 200, "nothing changed");
}

#[tokio::test]
async fn setting_a_password_from_another_site_is_refused() {
    let console = Console::new().await;
    let admin = console.signed_in().await;
    let response = console
        .call(
            call("PUT", &path(&console.api.user_id))
                .header("cookie", &admin)
                .header("origin", "https://evil.example")
                .json(&json!({"password": "attacker's passphrase"})),
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(
        console.sign_in_as(USERNAME, PASSWORD).await.status,
        200,
        "unchanged"
    );
}
