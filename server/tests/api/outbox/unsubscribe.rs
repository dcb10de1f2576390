//! One-click unsubscribe (RFC 8058) from the staff notifications, against the real SMTP server of
//! `mail.rs`: the link of a new-request email, posted, stops that kind for that person (a `GET` only
//! shows the button); an unknown token is a 404 saying so; a signed-in person reads and changes their
//! notifications through the console API.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use contact_server::access::{Scope, tokens};
use contact_shared::console::API_PREFIX;
use serde_json::{Value, json};

use super::mail::{PUBLIC_URL, SmtpServer, app, free_port, person, real_now, state, submit};
use super::until;
use crate::support::{TestApp, TestResponse, call, error_body, valid_form};

/// The path of the unsubscribe link in `email`'s `List-Unsubscribe`, checking the header's form.
fn unsubscribe_path(email: &Value) -> String {
    let header = email["headers"]["list-unsubscribe"].as_str().unwrap();
    let url = header
        .strip_prefix('<')
        .and_then(|h| h.strip_suffix('>'))
        .unwrap_or_else(|| panic!("{header}"));
    let path = url.strip_prefix(PUBLIC_URL).unwrap();
    assert!(path.starts_with("/mail/unsubscribe/"), "{path}");
    assert!(
        path.len() > "/mail/unsubscribe/".len() + 40,
        "a long token: {path}"
    );
    path.to_owned()
}

/// The body of `answer` as text.
fn text(answer: &TestResponse) -> String {
    String::from_utf8_lossy(&answer.bytes).into_owned()
}

/// Opens the unsubscribe link at `path` as a mail client's one click does (`POST`), or as a person's
/// browser or a link scanner does (`GET`).
async fn visit(app: &TestApp, method: &str, path: &str) -> TestResponse {
    let mut request = call(method, path);
    if method == "POST" {
        request = request.body(
            Some("application/x-www-form-urlencoded"),
            "List-Unsubscribe=One-Click",
        );
    }
    app.call(request).await
}

#[tokio::test]
async fn the_one_click_link_of_a_new_request_email_stops_those_emails_for_that_person_only() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let now = real_now();
    let app = app(port, Arc::clone(&now)).await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    let bob = person(&app, "Bob Agent", Some("bob@example.com"), true).await;
    // The clock is turned only once the emails are recorded sent: their window starts then.
    let sent = |times: u32| {
        let (app, ann, bob) = (&app, ann.clone(), bob.clone());
        async move {
            until(&format!("both are emailed {times} times"), || async {
                state(app, &ann).await.is_some_and(|s| s.sent == times)
                    && state(app, &bob).await.is_some_and(|s| s.sent == times)
            })
            .await
        }
    };
    submit(&app, &valid_form()).await;
    sent(1).await;
    let email = smtp.to("ann@example.com").remove(0);
    assert_eq!(
        email["headers"]["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    let path = unsubscribe_path(&email);
    assert_ne!(
        path,
        unsubscribe_path(&smtp.to("bob@example.com")[0]),
        "a token per person"
    );

    let shown = visit(&app, "GET", &path).await;
    assert_eq!(shown.status, 200);
    let page = text(&shown);
    assert!(page.contains("<form method=\"post\">"), "{page}");
    assert!(page.contains("new requests in your queues"), "{page}");
    // Only looked at: a second email still goes to Ann.
    now.fetch_add(
        contact_server::mail::DIGEST_WINDOW.as_millis() as i64 + 1_000,
        Ordering::SeqCst,
    );
    submit(&app, &valid_form()).await;
    sent(2).await;
    assert_eq!(smtp.messages().len(), 4);

    let done = visit(&app, "POST", &path).await;
    assert_eq!(done.status, 200, "{}", text(&done));
    assert!(text(&done).contains("no more emails"), "{}", text(&done));
    now.fetch_add(
        contact_server::mail::DIGEST_WINDOW.as_millis() as i64 + 1_000,
        Ordering::SeqCst,
    );
    submit(&app, &valid_form()).await;
    until("Bob is emailed a third time", || async {
        smtp.to("bob@example.com").len() == 3
    })
    .await;
    assert_eq!(smtp.to("ann@example.com").len(), 2, "Ann unsubscribed");
    // Posting again changes nothing and still answers.
    assert_eq!(visit(&app, "POST", &path).await.status, 200);
}

#[tokio::test]
async fn an_unknown_unsubscribe_token_is_a_404_that_says_so() {
    let app = TestApp::new().await;
    for method in ["GET", "POST"] {
        let answer = visit(&app, method, "/mail/unsubscribe/not-a-token").await;
        assert_eq!(answer.status, 404, "{method}");
        assert!(
            text(&answer).contains("This unsubscribe link is not valid"),
            "{method}: {}",
            text(&answer)
        );
    }
}

#[tokio::test]
async fn a_signed_in_person_reads_and_changes_their_notifications() {
    let app = TestApp::new().await;
    let ann = person(&app, "Ann Agent", Some("ann@example.com"), true).await;
    let token = tokens::create(&app.store, ann, Scope::Write, None)
        .await
        .unwrap()
        .1;
    let path = format!("{API_PREFIX}/me/notifications");
    let send = |method: &'static str, body: Option<Value>| {
        let mut request = call(method, &path).bearer(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        app.call(request)
    };
    let shown = send("GET", None).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(
        shown.body,
        json!({"newRequests": true, "callbackDue": true})
    );

    let changed = send("PATCH", Some(json!({"callbackDue": false}))).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        changed.body,
        json!({"newRequests": true, "callbackDue": false})
    );
    assert_eq!(send("GET", None).await.body, changed.body);

    for (body, field, says) in [
        (
            json!({"newRequests": "no"}),
            "newRequests",
            "must be true or false",
        ),
        (json!({"digest": true}), "body", "unknown field \"digest\""),
    ] {
        let refused = send("PATCH", Some(body.clone())).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        let error = error_body(&refused);
        assert!(
            error.fields[field].iter().any(|m| m.contains(says)),
            "{body}: {error:?}"
        );
    }
}
