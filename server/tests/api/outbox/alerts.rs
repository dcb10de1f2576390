//! A representative's callback falling due is emailed to them at once, against the real SMTP server of
//! `mail.rs`: with the request's number and reason in the subject, the scheduled time in UTC and in the
//! visitor's time zone, both bodies and the headers, never held back by the new-request digest window.
//! A callback a queue owns, or an inactive user, is told to no one; a down SMTP server delays the
//! email, which is then sent once. Rounds of the scheduler run at instants the test gives.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use contact_server::access::{Scope, tokens};
use contact_server::callbacks::due;
use contact_server::store::AlertState;
use contact_shared::console::Role;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::mail::{PUBLIC_URL, SmtpServer, app, free_port, person, real_now, staff, submit};
use super::until;
use crate::support::{TestApp, call, valid_form};

const V: &str = "/services/data/v62.0/sobjects/ContactRequest";
/// When the callbacks here are scheduled: far ahead, so the running scheduler leaves them to the test.
const SCHEDULED: &str = "2030-06-01T10:00:00Z";

/// A token of an admin without an address, to change requests through the API with.
async fn api_token(app: &TestApp) -> String {
    let admin = staff(app, "Api Admin", None, Role::Admin).await;
    tokens::create(&app.store, admin, Scope::Write, None)
        .await
        .unwrap()
        .1
}

/// A request from the widget (in the visitor's `time_zone`, if any), its callback scheduled at
/// [`SCHEDULED`] and, when `owner` is given, assigned to them; its id and number.
async fn scheduled(
    app: &TestApp,
    token: &str,
    time_zone: Option<&str>,
    owner: Option<&str>,
) -> (String, String) {
    let mut form = valid_form();
    if let Some(zone) = time_zone {
        form["time_zone"] = zone.into();
    }
    let (id, number) = submit(app, &form).await;
    let mut change = json!({ "ScheduledRoutingDateTime__c": SCHEDULED });
    if let Some(owner) = owner {
        change["OwnerId"] = owner.into();
    }
    let changed = app
        .call(
            call("PATCH", &format!("{V}/{id}"))
                .bearer(token)
                .json(&change),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    (id, number)
}

/// One round of the scheduler past [`SCHEDULED`]; the ids it told.
async fn fall_due(app: &TestApp) -> Vec<String> {
    let at: Timestamp = "2030-06-01T10:01:00Z".parse().unwrap();
    app.store.write(move |tx| due::fire(tx, at)).await.unwrap()
}

async fn alerts(app: &TestApp) -> Vec<AlertState> {
    app.store.read(|db| db.mail_alerts()).await.unwrap()
}

/// The emails to `address` whose subject starts with `Callback due`.
fn due_emails(smtp: &SmtpServer, address: &str) -> Vec<Value> {
    smtp.to(address)
        .into_iter()
        .filter(|m| {
            m["headers"]["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Callback due"))
        })
        .collect()
}

#[tokio::test]
async fn a_callback_falling_due_is_emailed_at_once_to_the_representative_it_is_assigned_to() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let token = api_token(&app).await;
    // A member of the queue too: the new request's digest email goes first, and its window does not
    // hold the callback's email back.
    let rita = person(&app, "Rita Rep", Some("rita@example.com"), true).await;
    let (id, number) = scheduled(&app, &token, Some("Europe/Paris"), Some(&rita)).await;
    until("the new request's digest email is sent", || async {
        !smtp.to("rita@example.com").is_empty()
    })
    .await;

    assert_eq!(fall_due(&app).await, [id.as_str()]);
    until("the callback's email is sent", || async {
        !due_emails(&smtp, "rita@example.com").is_empty()
    })
    .await;
    until("its success is recorded", || async {
        alerts(&app).await.iter().all(|a| a.state == "sent")
    })
    .await;

    let emails = due_emails(&smtp, "rita@example.com");
    assert_eq!(emails.len(), 1, "one email per callback falling due");
    let email = &emails[0];
    assert_eq!(email["rcpt_tos"], json!(["rita@example.com"]));
    assert_eq!(email["mail_from"], "requests@crm.example.com");
    let headers = &email["headers"];
    assert_eq!(
        headers["subject"],
        format!("Callback due: {number} - Billing")
    );
    assert!(
        headers["to"]
            .as_str()
            .is_some_and(|to| to.contains("Rita Rep") && to.contains("rita@example.com")),
        "{headers}"
    );
    assert_eq!(
        headers["from"],
        "Contact requests <requests@crm.example.com>"
    );
    let message_id = headers["message-id"].as_str().unwrap();
    assert!(
        message_id.starts_with("<alert.") && message_id.ends_with("@crm.example.com>"),
        "{message_id}"
    );
    assert!(
        headers["date"].as_str().is_some_and(|d| !d.is_empty()),
        "{headers}"
    );
    assert!(
        headers["list-unsubscribe"]
            .as_str()
            .is_some_and(|h| h.starts_with(&format!("<{PUBLIC_URL}/mail/unsubscribe/"))),
        "{headers}"
    );
    assert_eq!(
        headers["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    assert_eq!(email["content_type"], "multipart/alternative");
    let link = format!("{PUBLIC_URL}/console/requests/{id}");
    // The SMTP server keeps the wire's CRLF line ends.
    let text = email["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        text.starts_with("A callback assigned to you is due now."),
        "{text}"
    );
    assert!(text.contains(&format!("{number} - Billing\n")), "{text}");
    assert!(
        text.contains(
            "  Scheduled: 2030-06-01 10:00 UTC (2030-06-01 12:00 Europe/Paris, the visitor's time)\n"
        ),
        "{text}"
    );
    assert!(text.contains("  Phone: +442079460958\n"), "{text}");
    assert!(text.contains("  Name: Ada Lovelace\n"), "{text}");
    assert!(text.contains(&link), "{text}");
    let html = email["html"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(html.contains("2030-06-01 12:00 Europe/Paris"), "{html}");
    assert!(html.contains("+442079460958"), "{html}");
}

#[tokio::test]
async fn a_callback_a_queue_or_an_inactive_user_owns_is_emailed_to_no_one() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let token = api_token(&app).await;
    let gone = person(&app, "Gone Rep", Some("gone@example.com"), false).await;
    let rita = person(&app, "Rita Rep", Some("rita@example.com"), false).await;
    // The queue's members hear of the new request, never of its callback.
    person(&app, "Queue Member", Some("member@example.com"), true).await;
    let (queued, _) = scheduled(&app, &token, None, None).await;
    let (inactive, _) = scheduled(&app, &token, None, Some(&gone)).await;
    let (assigned, _) = scheduled(&app, &token, None, Some(&rita)).await;
    {
        let gone = gone.clone();
        app.store
            .write(move |tx| tx.set_active(&gone, false))
            .await
            .unwrap();
    }

    let mut told = fall_due(&app).await;
    told.sort();
    let mut expected = vec![queued, inactive, assigned];
    expected.sort();
    assert_eq!(told, expected, "all three fall due in one round");
    until("the assigned one's email is sent", || async {
        !due_emails(&smtp, "rita@example.com").is_empty()
    })
    .await;
    let made = alerts(&app).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].user_id, rita);
    assert!(due_emails(&smtp, "gone@example.com").is_empty());
    assert!(due_emails(&smtp, "member@example.com").is_empty());
}

#[tokio::test]
async fn a_down_smtp_server_delays_the_callbacks_email_which_is_then_sent_once() {
    let port = free_port();
    let now = real_now();
    let app = app(port, Arc::clone(&now)).await;
    let token = api_token(&app).await;
    let rita = person(&app, "Rita Rep", Some("rita@example.com"), false).await;
    let (id, number) = scheduled(&app, &token, None, Some(&rita)).await;
    assert_eq!(fall_due(&app).await, [id.as_str()]);
    until("a try fails while the server is down", || async {
        alerts(&app).await.first().is_some_and(|a| a.attempts >= 1)
    })
    .await;
    let failed = alerts(&app).await.remove(0);
    assert_eq!(failed.state, "pending", "kept, not lost");
    assert_eq!(
        failed.last_error.as_deref(),
        Some("could not reach the SMTP server")
    );

    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    // Past the first retry's wait (5 s and its jitter), never slept through.
    now.fetch_add(60_000, Ordering::SeqCst);
    until("the email is sent once the server is back", || async {
        alerts(&app)
            .await
            .first()
            .is_some_and(|a| a.state == "sent")
    })
    .await;
    let emails = due_emails(&smtp, "rita@example.com");
    assert_eq!(emails.len(), 1, "sent once");
    assert_eq!(
        emails[0]["headers"]["subject"],
        format!("Callback due: {number} - Billing")
    );
}
