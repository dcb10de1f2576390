//! Saved views: each person saves views of the list pages under names of their own, lists only theirs,
//! and deletes only theirs.

use contact_shared::console::{API_PREFIX, Role};
use serde_json::json;

use super::support::*;
use crate::support::{call, error_body};

fn views() -> String {
    format!("{API_PREFIX}/views")
}

async fn listed(console: &Console, cookie: &str) -> serde_json::Value {
    let response = console
        .call(call("GET", &views()).header("cookie", cookie))
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

#[tokio::test]
async fn a_view_is_saved_listed_by_name_and_deleted() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    for (name, path, query) in [
        ("Waiting billing", "/console/", "status=New&reason=Billing"),
        (
            "Everything, newest",
            "/console/all",
            "?status=any&sort=newest",
        ),
    ] {
        let response = console
            .change(
                "POST",
                &views(),
                &cookie,
                Some(json!({"name": name, "path": path, "query": query})),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.body);
        assert_eq!(response.body["name"], name);
        assert!(response.body["id"].is_i64());
    }
    let list = listed(&console, &cookie).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Everything, newest", "Waiting billing"], "by name");
    assert_eq!(list[0]["path"], "/console/all");
    assert_eq!(list[0]["query"], "status=any&sort=newest", "without its ?");
    assert!(list[0]["createdAt"].is_string());

    let id = list[1]["id"].as_i64().unwrap();
    let path = format!("{}/{id}", views());
    let deleted = console.change("DELETE", &path, &cookie, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(listed(&console, &cookie).await.as_array().unwrap().len(), 1);
    let again = console.change("DELETE", &path, &cookie, None).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn nobody_sees_or_deletes_another_persons_view_and_names_are_per_person() {
    let console = Console::new().await;
    let mine = console.signed_in().await;
    console
        .add_user("grace@example.com", Role::Representative)
        .await;
    let graces = session_cookie(&console.sign_in_as("grace@example.com", PASSWORD).await).unwrap();
    let body = json!({"name": "Mine", "path": "/console/", "query": ""});
    let saved = console
        .change("POST", &views(), &mine, Some(body.clone()))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    assert_eq!(listed(&console, &graces).await, json!([]));
    let path = format!("{}/{}", views(), saved.body["id"]);
    let theirs = console.change("DELETE", &path, &graces, None).await;
    assert_eq!(theirs.status, 404, "{}", theirs.body);
    assert_eq!(listed(&console, &mine).await.as_array().unwrap().len(), 1);
    // The same name is Grace's to use too.
    let same_name = console.change("POST", &views(), &graces, Some(body)).await;
    assert_eq!(same_name.status, 201, "{}", same_name.body);
}

#[tokio::test]
async fn a_bad_view_is_refused_at_its_field() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let good = json!({"name": "Open", "path": "/console/", "query": "status=open"});
    let saved = console
        .change("POST", &views(), &cookie, Some(good.clone()))
        .await;
    assert_eq!(saved.status, 201);
    let table = [
        (
            good.clone(),
            409,
            "name",
            "You already have a view named \"Open\".",
        ),
        (
            json!({"name": "  ", "path": "/console/", "query": ""}),
            400,
            "name",
            "name is required",
        ),
        (
            json!({"name": "x".repeat(81), "path": "/console/", "query": ""}),
            400,
            "name",
            "name must be at most 80 characters",
        ),
        (
            json!({"name": "Open\u{0}", "path": "/console/", "query": ""}),
            400,
            "name",
            "name must not hold the NUL character (U+0000)",
        ),
        (
            json!({"name": "Admin", "path": "/console/admin", "query": ""}),
            400,
            "path",
            "path must be a list page of the console: /console/, /console/all or /console/queues/{queue id}",
        ),
        (
            json!({"name": "Spaces", "path": "/console/all", "query": "q=two words"}),
            400,
            "query",
            "query must be a view's URL query (at most 2000 characters, percent-encoded, no #)",
        ),
    ];
    for (body, status, field, message) in table {
        let response = console.change("POST", &views(), &cookie, Some(body)).await;
        assert_eq!(response.status, status, "{field}: {}", response.body);
        assert_eq!(error_body(&response).fields[field], [message], "{field}");
    }
    assert_eq!(
        listed(&console, &cookie).await.as_array().unwrap().len(),
        1,
        "nothing half-saved"
    );
}

#[tokio::test]
async fn views_need_a_sign_in_and_a_change_from_the_consoles_own_origin() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let anonymous = console.call(call("GET", &views())).await;
    assert_eq!(anonymous.status, 401);
    let cross_site = console
        .call(
            call("POST", &views())
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .json(&json!({"name": "x", "path": "/console/", "query": ""})),
        )
        .await;
    assert_eq!(cross_site.status, 403, "{}", cross_site.body);
    assert_eq!(listed(&console, &cookie).await, json!([]));
}
