//! Signing in and out of the console: the cookie, rotation, expiry, sign-out, sign-out everywhere and
//! deactivated users.

use contact_shared::console::API_PREFIX;

use super::support::*;
use crate::support::{call, error_body};

#[tokio::test]
async fn signing_in_answers_who_and_sets_an_http_only_strict_cookie() {
    let console = Console::new().await;
    let response = console.sign_in_as(USERNAME, PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["username"], USERNAME);
    assert_eq!(response.body["id"], console.api.user_id.as_str());
    assert!(
        response.body.get("password").is_none() && !response.body.to_string().contains("argon2")
    );
    let header = set_cookie(&response).unwrap();
    assert!(header.starts_with("crw_session="), "{header}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.contains(part), "{header} has {part}");
    }
    assert!(!header.contains("Secure"), "plain http: {header}");
    let id = header
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("crw_session=");
    assert_eq!(id.len(), 43, "256 bits in base64url");
    let stored: String = console
        .api
        .app
        .text("SELECT id_hash FROM console_sessions", &[]);
    assert_ne!(stored, id, "only the id's hash is stored");
    assert_eq!(stored.len(), 64);
}

#[tokio::test]
async fn behind_an_https_public_url_the_cookie_is_secure_with_the_host_prefix() {
    let console = Console::with(Options {
        public_url: Some("https://console.example.com"),
        ..Options::default()
    })
    .await;
    let response = console
        .call(
            call("POST", &format!("{API_PREFIX}/session"))
                .header("origin", "https://console.example.com")
                .json(&serde_json::json!({"username": USERNAME, "password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let header = set_cookie(&response).unwrap();
    assert!(header.starts_with("__Host-crw_session="), "{header}");
    assert!(
        header.contains("; Secure") && !header.contains("Domain="),
        "{header}"
    );
    let cookie = session_cookie(&response).unwrap();
    assert_eq!(console.me(&cookie).await.status, 200);
    let plain = cookie.replace("__Host-crw_session", "crw_session");
    assert_eq!(
        console.me(&plain).await.status,
        401,
        "the plain name is not read over https"
    );
}

#[tokio::test]
async fn me_answers_the_signed_in_user_and_401_without_a_session() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let me = console.me(&cookie).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["username"], USERNAME);
    assert_eq!(me.body["name"], "Rita Rep");
    assert_eq!(me.body["role"], "admin");
    assert_eq!(
        me.body["reasons"],
        serde_json::json!([
            "Account", "Billing", "Case", "General", "Order", "Other", "Product"
        ]),
        "the organisation's reasons, which the list's filter offers"
    );
    for cookie in [
        "",
        "crw_session=",
        "crw_session=not-a-session",
        &format!("crw_session={}", "A".repeat(43)),
    ] {
        let response = console.me(cookie).await;
        assert_eq!(response.status, 401, "{cookie:?}");
        assert!(error_body(&response).message.contains("Sign in"));
    }
}

#[tokio::test]
async fn signing_in_again_gives_a_new_id_and_ends_the_one_the_browser_brought() {
    let console = Console::new().await;
    let first = console.signed_in().await;
    let again = console
        .call(
            call("POST", &format!("{API_PREFIX}/session"))
                .header("origin", OWN_ORIGIN)
                .header("cookie", &first)
                .json(&serde_json::json!({"username": USERNAME, "password": PASSWORD})),
        )
        .await;
    assert_eq!(again.status, 200);
    let second = session_cookie(&again).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        console.me(&first).await.status,
        401,
        "the id brought is ended"
    );
    assert_eq!(console.me(&second).await.status, 200);
}

#[tokio::test]
async fn a_session_left_idle_past_its_limit_ends() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    console.advance(8 * 3_600 - 60);
    assert_eq!(
        console.me(&cookie).await.status,
        200,
        "just within the idle limit"
    );
    // That use refreshed it: idle time counts from there.
    console.advance(8 * 3_600 - 60);
    assert_eq!(console.me(&cookie).await.status, 200, "kept alive by use");
    console.advance(8 * 3_600);
    assert_eq!(console.me(&cookie).await.status, 401, "idle eight hours");
}

#[tokio::test]
async fn a_busy_session_still_ends_at_its_lifetime() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    for _ in 0..(7 * 24 / 4 - 1) {
        console.advance(4 * 3_600);
        assert_eq!(console.me(&cookie).await.status, 200);
    }
    console.advance(4 * 3_600);
    assert_eq!(
        console.me(&cookie).await.status,
        401,
        "seven days after sign-in"
    );
}

#[tokio::test]
async fn last_use_is_written_at_most_once_a_minute() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let seen = || -> String {
        console
            .api
            .app
            .text("SELECT last_seen_at FROM console_sessions", &[])
    };
    let at_sign_in = seen();
    console.advance(30);
    console.me(&cookie).await;
    assert_eq!(seen(), at_sign_in, "half a minute later: not written");
    console.advance(31);
    console.me(&cookie).await;
    assert!(seen() > at_sign_in, "over a minute later: written");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_and_clears_the_cookie() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let response = console
        .change("DELETE", &format!("{API_PREFIX}/session"), &cookie, None)
        .await;
    assert_eq!(response.status, 204);
    let removal = set_cookie(&response).unwrap();
    assert!(removal.starts_with("crw_session=;"), "{removal}");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(
        console.me(&cookie).await.status,
        401,
        "a copy of the cookie no longer works"
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    let console = Console::new().await;
    let laptop = console.signed_in().await;
    let phone = console.signed_in().await;
    console
        .add_user(
            "sam@example.com",
            contact_shared::console::Role::Representative,
        )
        .await;
    let sams = session_cookie(&console.sign_in_as("sam@example.com", PASSWORD).await).unwrap();
    let response = console
        .change("DELETE", &format!("{API_PREFIX}/sessions"), &phone, None)
        .await;
    assert_eq!(response.status, 204);
    assert_eq!(console.me(&laptop).await.status, 401);
    assert_eq!(console.me(&phone).await.status, 401);
    assert_eq!(
        console.me(&sams).await.status,
        200,
        "another user's session stays"
    );
}

#[tokio::test]
async fn a_deactivated_user_has_no_working_session_and_cannot_sign_in() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    let id = console.api.user_id.clone();
    console
        .api
        .app
        .run("UPDATE users SET is_active = 0 WHERE id = ?1", &[&id])
        .await;
    assert_eq!(console.me(&cookie).await.status, 401);
    let response = console.sign_in_as(USERNAME, PASSWORD).await;
    assert_eq!(response.status, 401);
    assert_eq!(error_body(&response).message, "Wrong username or password.");
}

#[tokio::test]
async fn setting_a_password_ends_the_users_sessions() {
    let console = Console::new().await;
    let cookie = console.signed_in().await;
    contact_server::access::password::set(
        &console.api.app.store,
        console.api.user_id.clone(),
        contact_server::access::password::Password::parse("a brand new passphrase".into()).unwrap(),
        contact_server::instant::now(),
    )
    .await
    .unwrap();
    assert_eq!(console.me(&cookie).await.status, 401);
    assert_eq!(console.sign_in_as(USERNAME, PASSWORD).await.status, 401);
    assert_eq!(
        console
            .sign_in_as(USERNAME, "a brand new passphrase")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_sign_in_from_another_sites_page_is_refused() {
    let console = Console::new().await;
    let response = console
        .call(
            call("POST", &format!("{API_PREFIX}/session"))
                .header("origin", "https://evil.example")
                .json(&serde_json::json!({"username": USERNAME, "password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status, 403);
    assert!(set_cookie(&response).is_none());
}

#[tokio::test]
async fn a_sign_in_body_that_is_not_the_json_we_take_is_a_400_in_the_console_shape() {
    let console = Console::new().await;
    let response = console
        .call(
            call("POST", &format!("{API_PREFIX}/session"))
                .header("origin", OWN_ORIGIN)
                .json(&serde_json::json!({"username": USERNAME})),
        )
        .await;
    assert_eq!(response.status, 400);
    assert!(
        error_body(&response).message.contains("password"),
        "{}",
        response.body
    );
}
