//! The real binary on real sockets: it serves, answers over TCP, stops cleanly on SIGTERM, and keeps every
//! accepted request across a restart.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::valid_form;

/// The server binary, started on ports of its own; killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) api: String,
    pub(crate) demo: String,
}

impl Server {
    fn start(database: &Path) -> Self {
        Self::start_with(database.as_os_str(), &[])
    }

    /// The binary on `database` (a SQLite path or a PostgreSQL URL), with `extra` flags.
    pub(crate) fn start_with(database: &OsStr, extra: &[&OsStr]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--demo-listen",
                "127.0.0.1:0",
                "--database",
            ])
            .arg(database)
            .args(["--widget-dir", "/nonexistent", "--no-metrics"])
            .args(extra)
            // Rate limits and bot friction have tests of their own.
            .args([
                "--pow-difficulty",
                "0",
                "--min-fill-ms",
                "0",
                "--rate-limit-ip",
                "0",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The lines between (the console's address) are not these tests' concern.
        let mut url_after = |label: &str| -> String {
            let line = lines
                .by_ref()
                .map(|line| line.expect("utf-8"))
                .find(|line| line.starts_with(label))
                .unwrap_or_else(|| panic!("no {label:?} line"));
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
        sigterm(&self.child);
        self.child.wait().unwrap()
    }

    /// Kills the process at once (SIGKILL: no shutdown of any kind) and waits for it to be gone.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Sends SIGTERM to `child`.
fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Signs `username` in to the console of the server at `api`.
async fn sign_in(
    client: &reqwest::Client,
    api: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{api}/console/api/session"))
        .header("origin", api)
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A client that names the built-in demo site, as its widget does.
pub(crate) fn demo_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-crw-site",
        reqwest::header::HeaderValue::from_static("demo"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

impl Drop for Server {
    /// A failed test must not leave its server running (it would hold the test's output pipe open).
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test]
async fn the_binary_serves_over_tcp_and_keeps_requests_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("nested/folder/requests.sqlite3");
    let client = demo_client();

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

/// Sends the headers and half the body of a submission, and waits for the server's `100 Continue`: the
/// handler has started reading the body, so the request is in flight at the server, however long the
/// server took to get there.
async fn half_sent(api: &str) -> (tokio::net::TcpStream, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = api.trim_start_matches("http://");
    let mut body = valid_form().to_string().into_bytes();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nX-CRW-Site: demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        contact_shared::CONTACT_REQUESTS_PATH,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let continued = b"HTTP/1.1 100 Continue\r\n\r\n";
    let mut interim = vec![0; continued.len()];
    stream.read_exact(&mut interim).await.unwrap();
    assert_eq!(interim, continued, "{}", String::from_utf8_lossy(&interim));
    let rest = body.split_off(body.len() / 2);
    stream.write_all(&body).await.unwrap();
    (stream, rest)
}

#[tokio::test]
async fn sigterm_lets_in_flight_submissions_finish_then_exits_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("requests.sqlite3");
    let mut server = Server::start(&database);
    let mut in_flight = Vec::new();
    for _ in 0..8 {
        in_flight.push(half_sent(&server.api).await);
    }
    sigterm(&server.child);
    // The listener closes once the signal is handled; the deadline only keeps a server that never closes
    // it from hanging the test.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(server.api.trim_start_matches("http://")).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "a stopping server accepts no new connections"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    for (mut stream, rest) in in_flight {
        stream.write_all(&rest).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    }
    assert!(server.child.wait().unwrap().success(), "exit status 0");
    let conn = rusqlite::Connection::open(&database).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM contact_requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 8, "every in-flight submission was committed");
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_only() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--no-demo",
            "--widget-dir",
            "/nonexistent",
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{port}")])
        .args(["--pow-difficulty", "0", "--min-fill-ms", "0", "--database"])
        .arg(dir.path().join("m.sqlite3"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let api = line.trim_start_matches("API and widget:").trim().to_owned();
    let client = demo_client();
    let url = format!("{api}{}", contact_shared::CONTACT_REQUESTS_PATH);
    assert_eq!(
        client
            .post(&url)
            .json(&valid_form())
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        client
            .post(&url)
            .body("{")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let public = client.get(format!("{api}/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404, "not on the public listener");

    let text = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "crw_submissions_accepted_total{kind=\"created\"} 1",
        "crw_submissions_rejected_total{reason=\"malformed\"} 1",
        "crw_submission_seconds_bucket{status=\"201\"",
        "crw_store_batch_size_bucket",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    sigterm(&child);
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn a_sites_file_turns_the_demo_page_off() {
    let demo_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.toml");
    std::fs::write(&sites, crate::support::ONE_SITE).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["--listen", "127.0.0.1:0", "--no-metrics"])
        .args(["--demo-listen", &format!("127.0.0.1:{demo_port}")])
        .args(["--widget-dir", "/nonexistent", "--sites"])
        .arg(&sites)
        .arg("--database")
        .arg(dir.path().join("d.sqlite3"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Killed(child);
    let line = BufReader::new(server.0.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let api = line.trim_start_matches("API and widget:").trim().to_owned();
    // Once the API answers, every listener the server opens is open.
    let health = reqwest::get(format!("{api}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", demo_port)).is_err(),
        "nothing listens on the demo address when a sites file is given"
    );
}

/// A server process that a failed test does not leave running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server in `dir` with `--database database` and `flags`, on free ports, and waits (a hang guard, not a
/// timing) for it to exit: what it exited with, and what it wrote to stderr. A server that serves
/// instead is stopped and `None` answered.
fn exit_of_server_on(
    dir: &Path,
    database: &str,
    flags: &[&str],
) -> Option<(std::process::ExitStatus, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .current_dir(dir)
        .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
        .args(["--widget-dir", "/nonexistent", "--database", database])
        .args(flags)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    // A serving server prints its address first; an exiting one closes stdout without a line.
    stdout.read_line(&mut first).unwrap();
    if first.starts_with("API and widget:") {
        child.kill().unwrap();
        child.wait().unwrap();
        return None;
    }
    let output = child.wait_with_output().unwrap();
    Some((
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[test]
fn a_postgres_url_is_never_taken_for_a_path_and_an_unreachable_one_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr) = exit_of_server_on(dir.path(), "postgres://user@127.0.0.1:9/db", &[])
        .expect("the server refuses to start, not serve from a folder named postgres:");
    assert!(!status.success());
    assert!(
        stderr.contains("cannot reach PostgreSQL") && stderr.contains("127.0.0.1:9/db"),
        "says which database it could not reach: {stderr}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing is created in the working directory"
    );
}

#[test]
fn a_database_url_of_another_engine_is_refused_saying_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr) = exit_of_server_on(dir.path(), "mysql://root@127.0.0.1/db", &[])
        .expect("the server refuses to start");
    assert!(!status.success());
    assert!(
        stderr.contains("mysql://") && stderr.contains("postgres://"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_pooler_setting_the_live_feed_cannot_run_with_is_refused_before_any_connection() {
    let cases: [(&[&str], &[&str], &str); 2] = [
        (
            &["--database-transaction-pooler"],
            &["--database-listen-url", "LISTEN"],
            "the pooler flag without a direct URL for LISTEN",
        ),
        (
            &[
                "--database-transaction-pooler",
                "--database-listen-url",
                "data/feed.sqlite3",
            ],
            &["is not a PostgreSQL URL", "postgres://"],
            "a listen URL that is a file",
        ),
    ];
    for (flags, said, why) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (status, stderr) =
            exit_of_server_on(dir.path(), "postgres://user@127.0.0.1:9/db", flags)
                .unwrap_or_else(|| panic!("{why}: the server refuses to start"));
        assert!(!status.success(), "{why}");
        for words in said {
            assert!(stderr.contains(words), "{why}: says {words:?}: {stderr}");
        }
        assert!(
            !stderr.contains("cannot reach PostgreSQL"),
            "{why}: refused before connecting: {stderr}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{why}");
    }
}

/// A server with the demo's console users; answers it, its API's URL and the users it printed as
/// (role, username, password).
fn with_demo_users(database: &Path) -> (Child, String, Vec<(String, String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--demo-listen",
            "127.0.0.1:0",
            "--database",
        ])
        .arg(database)
        .args([
            "--widget-dir",
            "/nonexistent",
            "--no-metrics",
            "--demo-users",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut api = String::new();
    let mut users = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("API and widget:") {
            api = url.trim().to_owned();
        } else if let [role, username, "password", password] =
            line.split_whitespace().collect::<Vec<_>>()[..]
        {
            users.push((role.to_owned(), username.to_owned(), password.to_owned()));
        } else if line.starts_with("Demo host page:") {
            break;
        }
    }
    (child, api, users)
}

#[tokio::test]
async fn the_demo_prints_console_users_who_can_sign_in_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, api, users) = with_demo_users(&dir.path().join("demo.sqlite3"));
    let roles: Vec<_> = users.iter().map(|(role, ..)| role.as_str()).collect();
    assert_eq!(roles, ["admin", "representative", "representative"]);

    let client = reqwest::Client::new();
    for (role, username, password) in &users {
        let signed_in = sign_in(&client, &api, username, password).await;
        assert_eq!(signed_in.status(), 200, "{username}");
        let me: Value = signed_in.json().await.unwrap();
        assert_eq!(me["role"], role.as_str());
        if role == "representative" {
            assert_eq!(
                me["queues"][0]["name"], "Contact Requests",
                "in the demo's queue"
            );
        }
    }
    sigterm(&child);
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn sigterm_ends_open_live_feeds_so_that_consoles_reconnect_elsewhere_and_the_process_exits() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, api, users) = with_demo_users(&dir.path().join("feed.sqlite3"));
    let (_, username, password) = &users[1];
    let client = reqwest::Client::new();
    let signed_in = sign_in(&client, &api, username, password).await;
    assert_eq!(signed_in.status(), 200);
    let cookies: Vec<String> = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let mut feed = client
        .get(format!("{api}/console/api/events"))
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let first = feed.chunk().await.unwrap().unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("retry:"),
        "{first:?}"
    );

    sigterm(&child);
    // The stream ends as a stream ends (its last chunk sent), not cut off when shutdown gives up on it:
    // the browser's EventSource then reconnects, to another process behind the proxy, from its last event.
    while let Some(chunk) = feed.chunk().await.transpose() {
        assert!(chunk.is_ok(), "the feed ended cleanly: {chunk:?}");
    }
    assert!(child.wait().unwrap().success(), "exit status 0");
}

#[test]
fn a_second_server_on_one_sqlite_file_is_refused_saying_to_use_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .current_dir(dir.path())
        .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
        .args([
            "--widget-dir",
            "/nonexistent",
            "--database",
            "shared.sqlite3",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("API and widget:"),
        "the first serves: {line}"
    );
    let first = Killed(first);

    let (status, stderr) = exit_of_server_on(dir.path(), "shared.sqlite3", &[])
        .expect("the second refuses to start, not serve beside the first");
    assert!(!status.success());
    assert!(
        stderr.contains("another server process already serves the SQLite database")
            && stderr.contains("postgres://"),
        "says why and what to use instead: {stderr}"
    );

    drop(first);
    assert!(
        exit_of_server_on(dir.path(), "shared.sqlite3", &[]).is_none(),
        "once the first has stopped, a server starts on the file again"
    );
}
