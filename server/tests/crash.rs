//! The crash test: 16 clients submit with idempotency keys while the server is killed with SIGKILL at
//! random moments and restarted, again and again. Afterwards every acknowledged submission must be in the
//! database exactly once, and the database must pass `PRAGMA integrity_check`.
//!
//! A test binary of its own without libtest's harness, so its tally is printed on every run (libtest would
//! capture it) and its two-minute bound does not hold up the other tests' binary.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

const CLIENTS: usize = 16;
const KILLS: usize = 25;

/// One acknowledged submission: its idempotency key and the id the server answered.
type Acknowledged = Vec<(String, String)>;

fn start(database: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
        .args(["--widget-dir", "/nonexistent", "--database"])
        .arg(database)
        // This test is about durability: no rate limits, no bot friction.
        .args(["--rate-limit-ip", "0", "--rate-limit-site", "0"])
        .args(["--pow-difficulty", "0", "--min-fill-ms", "0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("the server prints its URL").unwrap();
    let url = line
        .strip_prefix("API and widget:")
        .expect("the URL line")
        .trim()
        .to_owned();
    (child, url)
}

fn form(client: usize, n: usize) -> Value {
    json!({
        "request_reason": "General",
        "preferred_phone": "+44 20 7946 0958",
        // Unique per submission, so a duplicate would show as two rows with one description.
        "request_description": format!("client {client} submission {n}"),
    })
}

/// Submits until stopped; each submission is retried with its key until the server acknowledges it.
async fn client(id: usize, url: Arc<RwLock<String>>, stop: Arc<AtomicBool>) -> Acknowledged {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut acknowledged = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let key = format!("crash-{id}-{n}");
        loop {
            let base = url.read().unwrap().clone();
            let sent = http
                .post(format!("{base}{}", contact_shared::CONTACT_REQUESTS_PATH))
                .header("idempotency-key", &key)
                .header("x-crw-site", "demo")
                .json(&form(id, n))
                .send()
                .await;
            match sent {
                Ok(response) if response.status() == 201 => {
                    if let Ok(body) = response.json::<Value>().await {
                        acknowledged.push((key, body["id"].as_str().unwrap().to_owned()));
                        break;
                    }
                }
                Ok(response) if response.status().is_client_error() => {
                    panic!(
                        "{key}: the server refused a valid submission: {}",
                        response.status()
                    )
                }
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
    acknowledged
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.sqlite3");
    let (mut server, first_url) = start(&database);
    let url = Arc::new(RwLock::new(first_url));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(id, Arc::clone(&url), Arc::clone(&stop))))
        .collect();

    for _ in 0..KILLS {
        let alive = rand::rng().random_range(50..400);
        tokio::time::sleep(Duration::from_millis(alive)).await;
        server.kill().expect("SIGKILL");
        server.wait().unwrap();
        let (next, next_url) = start(&database);
        server = next;
        *url.write().unwrap() = next_url;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for client in clients {
        acknowledged.extend(client.await.expect("a client panicked"));
    }
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(
        server.wait().unwrap().success(),
        "the last server stops cleanly"
    );

    let conn = rusqlite::Connection::open(&database).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let mut rows_per_description: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut query = conn
        .prepare("SELECT id, request_description FROM contact_requests")
        .unwrap();
    for row in query
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (id, description) = row.unwrap();
        *rows_per_description.entry(description.clone()).or_default() += 1;
        ids.insert(id, description);
    }
    let present = acknowledged
        .iter()
        .filter(|(_, id)| ids.contains_key(id))
        .count();
    let lost = acknowledged.len() - present;
    let duplicated: usize = rows_per_description.values().map(|n| n - 1).sum();

    println!(
        "crash test: {KILLS} kills in {:.1} s; acknowledged {}, present {present}, lost {lost}, duplicated {duplicated}; rows {}; integrity_check {integrity}",
        started.elapsed().as_secs_f64(),
        acknowledged.len(),
        ids.len(),
    );
    assert!(
        acknowledged.len() >= CLIENTS * 5,
        "the clients got work done between kills"
    );
    assert_eq!(lost, 0, "acknowledged submissions were lost");
    assert_eq!(duplicated, 0, "submissions were stored twice");
    assert_eq!(
        ids.len(),
        acknowledged.len(),
        "every stored row was acknowledged once it was retried"
    );
    assert_eq!(integrity, "ok");
}
