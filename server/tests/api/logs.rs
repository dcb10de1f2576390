//! What reaches the log: one line per request, without personal data.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::TestApp;

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
    // This test's thread only (the test runtime runs on it), so other tests log as they did.
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::new();
    app.get("/services/data/v62.0/query?q=SELECT+Id+FROM+ContactRequest+WHERE+Email__c='ada%40example.com'+OR+PreferredPhone='%2B442079460958'")
        .await;

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
