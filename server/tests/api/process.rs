//! The real binary on real sockets: it serves, answers over TCP, stops cleanly on SIGTERM, and keeps every
//! accepted request across a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::valid_form;

struct Server {
    child: Child,
    api: String,
    demo: String,
}

impl Server {
    fn start(database: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--demo-listen",
                "127.0.0.1:0",
                "--database",
            ])
            .arg(database)
            .args(["--widget-dir", "/nonexistent"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut url_after = |label: &str| -> String {
            let line = lines.next().expect("a line").expect("utf-8");
            assert!(line.starts_with(label), "expected {label:?}, got {line:?}");
            line[label.len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_owned()
        };
        let api = url_after("API and widget:");
        let demo = url_after("Demo host page:");
        Self { child, api, demo }
    }

    fn stop(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap()
    }
}

#[tokio::test]
async fn the_binary_serves_over_tcp_and_keeps_requests_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("nested/folder/requests.sqlite3");
    let client = reqwest::Client::new();

    let server = Server::start(&database);
    let health: Value = client
        .get(format!("{}/healthz", server.api))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let response = client
        .post(format!(
            "{}{}",
            server.api,
            contact_shared::CONTACT_REQUESTS_PATH
        ))
        .header("origin", &server.demo)
        .json(&valid_form())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap(),
        server.demo,
        "the demo page's origin is allowed by default"
    );
    let created: Value = response.json().await.unwrap();

    let page = client
        .get(&server.demo)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!(
        r#"<script src="{}/widget.js" data-site="demo" data-mode="inline" async></script>"#,
        server.api
    )));

    assert!(server.stop().success(), "SIGTERM stops the server cleanly");

    let server = Server::start(&database);
    let ready = client
        .get(format!("{}/readyz", server.api))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let again = client
        .post(format!(
            "{}{}",
            server.api,
            contact_shared::CONTACT_REQUESTS_PATH
        ))
        .json(&valid_form())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        again["name"], "CR-000002",
        "numbering continues after a restart"
    );
    assert!(server.stop().success());

    let shown = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args([
            "requests",
            "show",
            created["name"].as_str().unwrap(),
            "--database",
        ])
        .arg(&database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(shown.status.success());
    let stored: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(stored["id"], created["id"]);
    assert_eq!(stored["preferred_phone"], "+442079460958");

    let missing = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["requests", "show", "CR-999999", "--database"])
        .arg(&database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("no contact request with id or number CR-999999")
    );
}
