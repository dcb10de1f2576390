//! What reaches the log: one line per request, and what the email worker says, without personal data.
//!
//! A test binary of its own: it installs the process's global subscriber (once, shared by its tests,
//! which only ever assert what is absent or present in it), which a thread-local one in a binary of
//! parallel tests cannot replace reliably (tracing caches each call site's interest across threads), so
//! these tests' verdicts never depend on what other tests run beside them.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use contact_server::protection::Protection;
use contact_server::{WidgetAssets, startup};
use tower::ServiceExt;

/// A log writer into memory, so a test can read what the server logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// What the process logs, from the one global subscriber this binary installs.
fn captured() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::INFO)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("the only subscriber of this binary");
            captured
        })
        .clone()
}

#[tokio::test]
async fn request_logs_name_the_path_but_not_the_query_string() {
    let captured = captured();

    let dir = tempfile::tempdir().unwrap();
    let app = startup::start(startup::Settings {
        database: contact_server::store::Database::Sqlite(dir.path().join("logs.sqlite3")),
        read_connections: 2,
        postgres: contact_server::store::PostgresOptions::default(),
        sites: Vec::new(),
        request_reasons: Default::default(),
        call_centers: Default::default(),
        protection: Protection::off(),
        query_limits: Default::default(),
        widget: WidgetAssets::load(&dir.path().join("no-widget")),
        webhooks: None,
        forwarding: contact_server::xdm::forward::Forwarding::new(false),
        mail: None,
        sessions: Default::default(),
        backoff: Default::default(),
        push_routing: false,
    })
    .await
    .unwrap()
    .router;
    let request = Request::get("/services/data/v62.0/query?q=SELECT+Id+FROM+ContactRequest+WHERE+Email__c='ada%40example.com'+OR+PreferredPhone='%2B442079460958'")
        .body(Body::empty())
        .unwrap();
    app.oneshot(request).await.unwrap();

    let log = captured.text();
    for personal in [
        "ada%40example.com",
        "ada@example.com",
        "442079460958",
        "q=SELECT",
    ] {
        assert!(!log.contains(personal), "{personal} in the log: {log}");
    }
    assert!(
        log.contains("path=/services/data/v62.0/query"),
        "the request is logged: {log}"
    );
}

#[tokio::test]
async fn a_failed_email_or_confirmation_is_logged_without_the_visitor_or_the_recipient() {
    use contact_server::access::directory;
    use contact_server::mail::{Mail, Security, Smtp};

    let captured = captured();
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on the port: every send fails, and is logged.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mail = Mail::new(
        Smtp::parse("127.0.0.1", Some(port), Security::None, None, None).unwrap(),
        "requests@crm.example.com".parse().unwrap(),
        "https://crm.example.com",
    );
    let call_centers = contact_server::call_centers::CallCenters::default();
    let sites = contact_server::sites::file::parse(
        std::path::Path::new("logs.toml"),
        "[[site]]\nkey = \"shop\"\nname = \"Shop\"\nallowed_origins = [\"https://shop.example.com\"]\nconfirmation_email = true\n",
        &|_| None,
        &call_centers,
    )
    .unwrap();
    let started = startup::start(startup::Settings {
        database: contact_server::store::Database::Sqlite(dir.path().join("mail.sqlite3")),
        read_connections: 2,
        postgres: contact_server::store::PostgresOptions::default(),
        sites: sites.sites,
        request_reasons: sites.reasons,
        call_centers,
        protection: Protection::off(),
        query_limits: Default::default(),
        widget: WidgetAssets::load(&dir.path().join("no-widget")),
        webhooks: None,
        forwarding: contact_server::xdm::forward::Forwarding::new(false),
        mail: Some(mail),
        sessions: Default::default(),
        backoff: Default::default(),
        push_routing: false,
    })
    .await
    .unwrap();
    let member = directory::add_user(
        &started.store,
        "rep@users.example.com".into(),
        "Rita Representative".into(),
        Some("rita.rep@example.com".into()),
        contact_shared::console::Role::Representative,
    )
    .await
    .unwrap();
    directory::set_membership(&started.store, "Contact Requests".into(), member.id, true)
        .await
        .unwrap();
    let form = serde_json::json!({
        "request_reason": "Billing",
        "preferred_channel": "Phone",
        "preferred_phone": "+44 20 7946 0958",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "request_description": "I was charged twice.",
        "is_callback": false
    });
    let request = Request::post(contact_shared::CONTACT_REQUESTS_PATH)
        .header("origin", "https://shop.example.com")
        .header("content-type", "application/json")
        .body(Body::from(form.to_string()))
        .unwrap();
    let answer = started.router.oneshot(request).await.unwrap();
    assert_eq!(answer.status(), 201);

    // A hang guard, not a timing: the failed try is logged within moments.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // The queue's email and the visitor's confirmation both fail.
    while !(captured.text().contains("email not sent")
        && captured.text().contains("confirmation not sent"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no failed email was logged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = captured.text();
    for personal in [
        "ada@example.com",
        "Ada Lovelace",
        "442079460958",
        "charged twice",
        "rita.rep@example.com",
        "Rita",
    ] {
        assert!(!log.contains(personal), "{personal} in the log: {log}");
    }
    assert!(
        log.contains("could not reach the SMTP server"),
        "the failure is said: {log}"
    );
}
