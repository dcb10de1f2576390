//! What reaches the log: one line per request, without personal data.
//!
//! A test binary of its own: it installs the process's global subscriber, which a thread-local one in a
//! binary of parallel tests cannot replace reliably (tracing caches each call site's interest across
//! threads), so this test's verdict never depends on what other tests run beside it.

use std::io::Write;
use std::sync::{Arc, Mutex};

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

#[tokio::test]
async fn request_logs_name_the_path_but_not_the_query_string() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");

    let dir = tempfile::tempdir().unwrap();
    let app = startup::start(startup::Settings {
        database: contact_server::store::Database::Sqlite(dir.path().join("logs.sqlite3")),
        read_connections: 2,
        database_pool_size: contact_server::store::DEFAULT_POOL_SIZE,
        sites: Vec::new(),
        call_centers: Default::default(),
        protection: Protection::off(),
        query_limits: Default::default(),
        widget: WidgetAssets::load(&dir.path().join("no-widget")),
        webhooks: None,
        mail: None,
        sessions: Default::default(),
        backoff: Default::default(),
    })
    .await
    .unwrap()
    .router;
    let request = Request::get("/services/data/v62.0/query?q=SELECT+Id+FROM+ContactRequest+WHERE+Email__c='ada%40example.com'+OR+PreferredPhone='%2B442079460958'")
        .body(Body::empty())
        .unwrap();
    app.oneshot(request).await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
