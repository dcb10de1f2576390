//! The visitor's confirmation email against a real SMTP server on loopback (aiosmtpd, as the queue's
//! email tests start it): a French page's request is confirmed in French with the booked callback in
//! the visitor's Paris time, an English one in English; no confirmation where the site has it off or no
//! address was given; a down SMTP server delays it until it is back, and it is sent once; a name typed
//! with HTML in it is escaped. The mail's clock is turned by the test, never slept through.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use contact_server::mail::{Mail, Security, Smtp};
use contact_server::store::ConfirmationState;
use serde_json::{Value, json};

use super::mail::{SmtpServer, free_port, real_now};
use super::until;
use crate::support::{PAGE_ORIGIN, Start, TestApp};

/// A center open around the clock, so a slot is always offered: half hours, an hour's lead.
const CENTERS: &str = r#"
[[call_center]]
internal_name = "always"
name = "Round the clock"
unified_routing = true
time_zone = "Asia/Tokyo"
business_hours = { mon = "00:00-24:00", tue = "00:00-24:00", wed = "00:00-24:00", thu = "00:00-24:00", fri = "00:00-24:00", sat = "00:00-24:00", sun = "00:00-24:00" }
slot_minutes = 30
lead_time_minutes = 60
slot_capacity = 5
booking_days = 2
[call_center.jwt]
issuer = "https://connect.example.com"
audience = "contact-server"
[[call_center.jwt.keys]]
kid = "always-1"
algorithm = "HS256"
secret = "0123456789abcdef0123456789abcdef"
"#;

/// `shop` confirms its visitors' requests; `blog` leaves it off.
const SITES: &str = r#"
[[site]]
key = "shop"
name = "Example Shop"
allowed_origins = ["https://shop.example.com"]
call_center = "always"
confirmation_email = true

[[site]]
key = "blog"
name = "Example Blog"
allowed_origins = ["https://shop.example.com"]
"#;

/// An app mailing through 127.0.0.1:`port` on a clock read from `now_ms`.
async fn app(port: u16, now_ms: Arc<AtomicI64>) -> TestApp {
    let smtp = Smtp::parse("127.0.0.1", Some(port), Security::None, None, None).unwrap();
    let mail = Mail {
        clock: Arc::new(move || now_ms.load(Ordering::SeqCst)),
        poll: Duration::from_millis(20),
        ..Mail::new(
            smtp,
            "Example Shop <requests@crm.example.com>".parse().unwrap(),
            "https://crm.example.com",
        )
    };
    TestApp::start(Start {
        sites: SITES,
        call_centers: Some(CENTERS),
        mail: Some(mail),
        ..Start::new(tempfile::tempdir().unwrap())
    })
    .await
}

/// Submits `form` to `site` from its page; answers the request's id and number.
async fn submit(app: &TestApp, site: &str, form: Value) -> (String, String) {
    let request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .header(contact_shared::SITE_HEADER, site)
        .header(header::ORIGIN, PAGE_ORIGIN)
        .body(Body::from(form.to_string()))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let field = |name: &str| response.body[name].as_str().unwrap().to_owned();
    (field("id"), field("name"))
}

/// The first callback slot `shop` offers now.
async fn first_slot(app: &TestApp) -> String {
    let request = Request::get("/api/v1/sites/shop/callback-slots")
        .header(header::ORIGIN, PAGE_ORIGIN)
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["slots"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn state(app: &TestApp, id: &str) -> Option<ConfirmationState> {
    let id = id.to_owned();
    app.store
        .read(move |db| db.confirmation_state(&id))
        .await
        .unwrap()
}

async fn sent(app: &TestApp, id: &str) -> bool {
    state(app, id).await.is_some_and(|s| s.state == "sent")
}

fn email_form(name: &str, email: &str, locale: &str) -> Value {
    json!({"request_reason": "Billing", "preferred_channel": "Email", "name": name, "email": email,
           "locale": locale})
}

#[tokio::test]
async fn a_french_page_s_request_is_confirmed_in_french_with_the_callback_in_paris_time() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let slot = first_slot(&app).await;
    let (id, number) = submit(
        &app,
        "shop",
        json!({"request_reason": "Order", "preferred_phone": "+33 1 23 45 67 89", "callback_time": slot,
               "name": "Anaïs Dupont", "email": "anais@example.fr", "time_zone": "Europe/Paris",
               "locale": "fr"}),
    )
    .await;
    until("the confirmation is accepted", || sent(&app, &id)).await;

    let messages = smtp.to("anais@example.fr");
    assert_eq!(messages.len(), 1, "one confirmation");
    let message = &messages[0];
    assert_eq!(message["mail_from"], "requests@crm.example.com");
    let headers = &message["headers"];
    assert_eq!(
        headers["subject"],
        format!("Votre demande {number} a bien été reçue")
    );
    assert_eq!(headers["to"], "Anaïs Dupont <anais@example.fr>");
    assert_eq!(headers["from"], "Example Shop <requests@crm.example.com>");
    assert_eq!(
        headers["message-id"],
        format!("<confirmation.{id}@crm.example.com>")
    );
    assert!(
        headers["date"].as_str().is_some_and(|d| !d.is_empty()),
        "{headers}"
    );
    assert!(
        headers.get("list-unsubscribe").is_none(),
        "a one-off email: {headers}"
    );
    assert_eq!(message["content_type"], "multipart/alternative");

    // The slot as a visitor in Paris reads it, worked out here with the time crate, not the server's words.
    let paris = slot
        .parse::<jiff::Timestamp>()
        .unwrap()
        .in_tz("Europe/Paris")
        .unwrap();
    let when = format!(
        "{} {} {} à {} (heure de Europe/Paris)",
        paris.day(),
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre"
        ][paris.month() as usize - 1],
        paris.year(),
        paris.strftime("%H:%M")
    );
    // Line ends as written on the wire (CRLF) read as the server wrote them.
    let text = message["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.starts_with("Bonjour Anaïs Dupont,\n"), "{text}");
    assert!(
        text.contains(&format!(
            "Merci — votre demande {number} a bien été reçue. Nous vous rappellerons par téléphone."
        )),
        "{text}"
    );
    assert!(text.contains("Motif: Commande\n"), "{text}");
    assert!(text.contains(&when), "{when} in {text}");
    assert!(text.contains("demandé à Example Shop"), "{text}");
    let html = message["html"].as_str().unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains(&number) && html.contains(&when), "{html}");
}

#[tokio::test]
async fn an_english_page_s_request_is_confirmed_in_english_without_a_callback_time() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let (id, number) = submit(
        &app,
        "shop",
        email_form("Ada Lovelace", "ada@example.com", "en-GB"),
    )
    .await;
    until("the confirmation is accepted", || sent(&app, &id)).await;

    let messages = smtp.to("ada@example.com");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["headers"]["subject"],
        format!("Your request {number} has been received")
    );
    let text = messages[0]["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.starts_with("Hello Ada Lovelace,\n"), "{text}");
    assert!(
        text.contains("We'll be in touch by email.") && text.contains("Reason: Billing\n"),
        "{text}"
    );
    assert!(!text.contains("Callback"), "nothing was booked: {text}");
}

#[tokio::test]
async fn no_confirmation_is_sent_where_the_site_has_it_off_or_no_address_was_given() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let (off, _) = submit(&app, "blog", email_form("Bo Blog", "bo@example.com", "en")).await;
    let (no_address, _) = submit(
        &app,
        "shop",
        json!({"request_reason": "Billing", "preferred_phone": "+44 20 7946 0958", "locale": "fr"}),
    )
    .await;
    // A later request that is confirmed: once it is, the two before it have been looked at.
    let (later, _) = submit(&app, "shop", email_form("Cy Shop", "cy@example.com", "en")).await;
    until("the later confirmation is accepted", || sent(&app, &later)).await;

    assert_eq!(state(&app, &off).await, None, "the blog does not confirm");
    assert_eq!(
        state(&app, &no_address).await,
        None,
        "no address to send to"
    );
    let all = smtp.messages();
    assert_eq!(all.len(), 1, "only the later request's: {all:?}");
    assert_eq!(all[0]["rcpt_tos"], json!(["cy@example.com"]));
}

#[tokio::test]
async fn a_down_smtp_server_delays_the_confirmation_until_it_is_back_and_it_is_sent_once() {
    let port = free_port();
    let now = real_now();
    let app = app(port, Arc::clone(&now)).await;
    let (id, number) = submit(
        &app,
        "shop",
        email_form("Ada Lovelace", "ada@example.com", "en"),
    )
    .await;
    until("a try fails while the server is down", || async {
        state(&app, &id).await.is_some_and(|s| s.attempts >= 1)
    })
    .await;
    let failed = state(&app, &id).await.unwrap();
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
    until("the confirmation is sent once the server is back", || {
        sent(&app, &id)
    })
    .await;
    // Further looks, with the clock past every retry, send nothing more.
    now.fetch_add(30 * 24 * 60 * 60 * 1000, Ordering::SeqCst);
    let (later, _) = submit(&app, "shop", email_form("Cy Shop", "cy@example.com", "en")).await;
    until("a later confirmation is accepted", || sent(&app, &later)).await;
    let mine = smtp.to("ada@example.com");
    assert_eq!(mine.len(), 1, "delivered once");
    assert_eq!(
        mine[0]["headers"]["subject"],
        format!("Your request {number} has been received")
    );
    let after = state(&app, &id).await.unwrap();
    assert_eq!((after.state.as_str(), after.last_error), ("sent", None));
}

#[tokio::test]
async fn a_visitor_name_with_html_in_it_is_escaped_in_the_html_body() {
    let port = free_port();
    let Some(smtp) = SmtpServer::start(port) else {
        return;
    };
    let app = app(port, real_now()).await;
    let (id, _) = submit(
        &app,
        "shop",
        email_form("<b>Ada</b> & Co", "ada@example.com", "en"),
    )
    .await;
    until("the confirmation is accepted", || sent(&app, &id)).await;

    let message = &smtp.to("ada@example.com")[0];
    let html = message["html"].as_str().unwrap();
    assert!(
        html.contains("Hello &lt;b&gt;Ada&lt;/b&gt; &amp; Co,"),
        "{html}"
    );
    assert!(!html.contains("<b>Ada"), "{html}");
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .starts_with("Hello <b>Ada</b> & Co,"),
        "the plain text shows it as typed"
    );
}
