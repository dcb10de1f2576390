//! Wrong credentials: one answer whether or not the user exists, and a growing wait after repeated
//! failures per account and per client.

use contact_server::access::backoff::Backoff;
use contact_shared::console::API_PREFIX;
use serde_json::json;

use super::support::*;
use crate::support::{Start, TestApp, call, error_body, from};

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let console = Console::new().await;
    let wrong_password = console
        .sign_in_as(USERNAME, "not the password at all")
        .await;
    let unknown_user = console.sign_in_as("nobody@example.com", PASSWORD).await;
    let no_password = {
        contact_server::access::directory::add_user(
            &console.api.app.store,
            "integration@example.com".into(),
            "Integration".into(),
            None,
            contact_shared::console::Role::Representative,
        )
        .await
        .unwrap();
        console
            .sign_in_as("integration@example.com", PASSWORD)
            .await
    };
    for response in [&wrong_password, &unknown_user, &no_password] {
        assert_eq!(response.status, 401);
        assert_eq!(response.body, wrong_password.body);
        assert_eq!(error_body(response).message, "Wrong username or password.");
        assert!(set_cookie(response).is_none());
    }
}

#[tokio::test]
async fn repeated_failures_are_answered_429_with_retry_after_until_the_wait_is_over() {
    let console = Console::new().await;
    for _ in 0..5 {
        assert_eq!(
            console.sign_in_as(USERNAME, "wrong password!").await.status,
            401
        );
    }
    let refused = console.sign_in_as(USERNAME, PASSWORD).await;
    assert_eq!(refused.status, 429, "even the right password waits");
    assert_eq!(refused.headers["retry-after"], "2");
    assert_eq!(
        error_body(&refused).message,
        "Too many failed sign-ins. Try again in 2 seconds."
    );
    console.advance(2);
    assert_eq!(
        console.sign_in_as(USERNAME, "wrong password!").await.status,
        401
    );
    let longer = console.sign_in_as(USERNAME, PASSWORD).await;
    assert_eq!(longer.status, 429);
    assert_eq!(longer.headers["retry-after"], "4", "the wait doubles");
    console.advance(4);
    assert_eq!(console.sign_in_as(USERNAME, PASSWORD).await.status, 200);
    // The success cleared the account's count: five more failures before any wait.
    for _ in 0..5 {
        assert_eq!(
            console.sign_in_as(USERNAME, "wrong password!").await.status,
            401
        );
    }
    assert_eq!(console.sign_in_as(USERNAME, PASSWORD).await.status, 429);
}

#[tokio::test]
async fn an_account_under_attack_waits_whoever_asks_and_is_told_in_minutes() {
    let console = Console::new().await;
    let (mut failures, mut address) = (0, 0u8);
    // Each guess from a new address, waiting out each refusal, until the wait is over two minutes.
    while failures < 11 {
        address += 1;
        let response = console
            .api
            .app
            .send(from(
                [198, 51, 100, address],
                sign_in(USERNAME, "wrong password!"),
            ))
            .await;
        match response.status.as_u16() {
            401 => failures += 1,
            429 => console.advance(
                response.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            ),
            other => panic!("{other}: {}", response.body),
        }
    }
    let response = console
        .api
        .app
        .send(from([203, 0, 113, 7], sign_in(USERNAME, PASSWORD)))
        .await;
    assert_eq!(response.status, 429, "another address, the same account");
    assert_eq!(response.headers["retry-after"], "128");
    assert_eq!(
        error_body(&response).message,
        "Too many failed sign-ins. Try again in 3 minutes."
    );
}

#[tokio::test]
async fn one_client_failing_across_many_accounts_waits_too() {
    let console = Console::new().await;
    for i in 0..20 {
        let response = console
            .api
            .app
            .send(from(
                [192, 0, 2, 1],
                sign_in(&format!("user{i}@example.com"), "guess guess guess"),
            ))
            .await;
        assert_eq!(response.status, 401);
    }
    let response = console
        .api
        .app
        .send(from([192, 0, 2, 1], sign_in(USERNAME, PASSWORD)))
        .await;
    assert_eq!(response.status, 429);
    let elsewhere = console
        .api
        .app
        .send(from([192, 0, 2, 2], sign_in(USERNAME, PASSWORD)))
        .await;
    assert_eq!(elsewhere.status, 200, "the account itself failed nothing");
}

#[tokio::test]
async fn guesses_sent_at_once_get_through_only_as_many_as_are_free() {
    // Each guess is counted when it is let through, before its password is checked, so guesses at the
    // same moment (on PostgreSQL, on connections of their own) see each other's and the rest wait.
    let console = Console::new().await;
    let guesses = (0..12)
        .map(|_| sign_in(USERNAME, "wrong password!"))
        .collect();
    let mut statuses: Vec<u16> = console
        .api
        .app
        .send_all(guesses)
        .await
        .iter()
        .map(|response| response.status.as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [[401; 5].as_slice(), &[429; 7]].concat());
}

#[tokio::test]
async fn a_success_takes_back_the_failure_its_turn_counted_against_the_client() {
    let console = Console::new().await;
    let guess = |i: usize| {
        from(
            [192, 0, 2, 1],
            sign_in(&format!("user{i}@example.com"), "guess guess guess"),
        )
    };
    for i in 0..19 {
        assert_eq!(console.api.app.send(guess(i)).await.status, 401);
    }
    let signed_in = console
        .api
        .app
        .send(from([192, 0, 2, 1], sign_in(USERNAME, PASSWORD)))
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(
        console.api.app.send(guess(19)).await.status,
        401,
        "the success left the client at 19 failures, under its 20"
    );
    assert_eq!(console.api.app.send(guess(20)).await.status, 429);
}

#[tokio::test]
async fn the_counts_hold_across_a_restart() {
    let slow = || Backoff {
        account_free: 1,
        first_wait: std::time::Duration::from_secs(24 * 3_600),
        ..Backoff::default()
    };
    let console = Console::with(Options {
        backoff: slow(),
        ..Options::default()
    })
    .await;
    assert_eq!(
        console.sign_in_as(USERNAME, "wrong password!").await.status,
        401
    );
    let before = console.api.app;
    before.store.shutdown().await;
    let after = TestApp::start(Start {
        backoff: slow(),
        postgres: before.postgres,
        ..Start::new(before.dir)
    })
    .await;
    let response = after.send(sign_in(USERNAME, PASSWORD)).await;
    assert_eq!(response.status, 429, "{}", response.body);
}

fn sign_in(username: &str, password: &str) -> axum::http::Request<axum::body::Body> {
    call("POST", &format!("{API_PREFIX}/session"))
        .header("host", HOST)
        .json(&json!({"username": username, "password": password}))
        .build()
}
