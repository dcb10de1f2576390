//! The crash test: 16 clients submit with idempotency keys while the server is killed with SIGKILL at
//! random moments and restarted, again and again. Afterwards every acknowledged submission must be in the
//! database exactly once, and the database must pass `PRAGMA integrity_check`.
//!
//! Then the same on PostgreSQL (when `CRW_TEST_POSTGRES_URL` names a test server, as `cargo xtask test`
//! does): three server processes on one database, each submission's tries sent to them in turn, a random
//! one of them killed and restarted again and again while the others serve, and PostgreSQL itself
//! restarted once in the middle (an immediate stop, so it recovers from its log as after a crash: it needs
//! the cluster's data folder, `CRW_TEST_POSTGRES_DATA`). No answer may be a 500, and afterwards every
//! acknowledged submission is stored once, with one `contact_request.created` event. Last, the database
//! is made unreachable (it refuses connections and its open ones are ended): readiness and the intake
//! answer 503 in their usual shape, and once it is back every process serves again by itself.
//!
//! A test binary of its own without libtest's harness, so its tally is printed on every run (libtest would
//! capture it) and its two-minute bound does not hold up the other tests' binary.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

#[path = "common/fresh_postgres.rs"]
#[allow(
    dead_code,
    reason = "the test suites' helper, of which this binary needs only `create`"
)]
mod fresh_postgres;

const CLIENTS: usize = 16;
const KILLS: usize = 25;
/// The server processes sharing one PostgreSQL database.
const PROCESSES: usize = 3;

/// One acknowledged submission: its idempotency key and the id the server answered.
type Acknowledged = Vec<(String, String)>;

fn start(database: &OsStr, log: Stdio) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
        .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
        .args(["--widget-dir", "/nonexistent", "--database"])
        .arg(database)
        // This test is about durability: no rate limits, no bot friction.
        .args(["--rate-limit-ip", "0", "--rate-limit-site", "0"])
        .args(["--pow-difficulty", "0", "--min-fill-ms", "0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(log)
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

/// A submission of `form` with idempotency key `key` to the server at `base`, for the demo site.
fn submission(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    form: &Value,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}{}", contact_shared::CONTACT_REQUESTS_PATH))
        .header("idempotency-key", key)
        .header("x-crw-site", "demo")
        .json(form)
}

/// The servers' URLs, by process.
type Urls = Arc<RwLock<Vec<String>>>;

/// Submits until stopped; each submission is retried with its key until a server acknowledges it, each
/// try sent to the next server in turn. Answers that are server errors other than 503 are counted in
/// `failures`.
async fn client(
    id: usize,
    urls: Urls,
    stop: Arc<AtomicBool>,
    failures: Arc<AtomicUsize>,
) -> Acknowledged {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut acknowledged = Vec::new();
    let mut n = 0;
    let mut tries = id;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let key = format!("crash-{id}-{n}");
        loop {
            tries += 1;
            let base = {
                let urls = urls.read().unwrap();
                urls[tries % urls.len()].clone()
            };
            let sent = submission(&http, &base, &key, &form(id, n)).send().await;
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
                Ok(response) if response.status() != 503 && response.status().is_server_error() => {
                    failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!("{key}: answered {}", response.status());
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
    acknowledged
}

/// The clients, started on `urls`, and what stops them.
struct Clients {
    stop: Arc<AtomicBool>,
    failures: Arc<AtomicUsize>,
    running: Vec<tokio::task::JoinHandle<Acknowledged>>,
}

impl Clients {
    fn start(urls: &Urls) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let failures = Arc::new(AtomicUsize::new(0));
        let running = (0..CLIENTS)
            .map(|id| {
                tokio::spawn(client(
                    id,
                    Arc::clone(urls),
                    Arc::clone(&stop),
                    Arc::clone(&failures),
                ))
            })
            .collect();
        Self {
            stop,
            failures,
            running,
        }
    }

    /// Stops them once they are done with the submission at hand; answers what was acknowledged and how
    /// many answers were server errors other than 503.
    async fn stop(self) -> (Acknowledged, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        for client in self.running {
            acknowledged.extend(client.await.expect("a client panicked"));
        }
        (acknowledged, self.failures.load(Ordering::Relaxed))
    }
}

/// Stops `server` with SIGTERM and checks it stopped cleanly.
fn terminate(mut server: Child) {
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(
        server.wait().unwrap().success(),
        "a server stops cleanly on SIGTERM"
    );
}

/// What the database holds against what was acknowledged: (present, lost, duplicated).
fn tally(acknowledged: &Acknowledged, rows: &[(String, String)]) -> (usize, usize, usize) {
    let mut rows_per_description: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<&str, &str> = HashMap::new();
    for (id, description) in rows {
        *rows_per_description.entry(description).or_default() += 1;
        ids.insert(id, description);
    }
    let present = acknowledged
        .iter()
        .filter(|(_, id)| ids.contains_key(id.as_str()))
        .count();
    let duplicated = rows_per_description.values().map(|n| n - 1).sum();
    (present, acknowledged.len() - present, duplicated)
}

/// Checks the counts every run must show.
fn check(acknowledged: &Acknowledged, rows: usize, lost: usize, duplicated: usize) {
    assert!(
        acknowledged.len() >= CLIENTS * 5,
        "the clients got work done between kills"
    );
    assert_eq!(lost, 0, "acknowledged submissions were lost");
    assert_eq!(duplicated, 0, "submissions were stored twice");
    assert_eq!(
        rows,
        acknowledged.len(),
        "every stored row was acknowledged once it was retried"
    );
}

async fn on_sqlite() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.sqlite3");
    let (mut server, first_url) = start(database.as_os_str(), Stdio::inherit());
    let urls = Arc::new(RwLock::new(vec![first_url]));
    let clients = Clients::start(&urls);

    for _ in 0..KILLS {
        let alive = rand::rng().random_range(50..400);
        tokio::time::sleep(Duration::from_millis(alive)).await;
        server.kill().expect("SIGKILL");
        server.wait().unwrap();
        let (next, next_url) = start(database.as_os_str(), Stdio::inherit());
        server = next;
        urls.write().unwrap()[0] = next_url;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (acknowledged, failures) = clients.stop().await;
    terminate(server);

    let conn = rusqlite::Connection::open(&database).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let mut query = conn
        .prepare("SELECT id, request_description FROM contact_requests")
        .unwrap();
    let rows: Vec<(String, String)> = query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (present, lost, duplicated) = tally(&acknowledged, &rows);
    println!(
        "crash test (SQLite): {KILLS} kills in {:.1} s; acknowledged {}, present {present}, lost {lost}, duplicated {duplicated}; rows {}; integrity_check {integrity}",
        started.elapsed().as_secs_f64(),
        acknowledged.len(),
        rows.len(),
    );
    check(&acknowledged, rows.len(), lost, duplicated);
    assert_eq!(failures, 0, "answers were server errors other than 503");
    assert_eq!(integrity, "ok");
}

/// The test cluster's `pg_ctl`, run as the data folder's owner (PostgreSQL refuses to run as root, so a
/// root test runs it through `runuser`).
fn pg_ctl(data: &Path) -> Command {
    let version =
        std::fs::read_to_string(data.join("PG_VERSION")).expect("a PostgreSQL data folder");
    let program = PathBuf::from(format!("/usr/lib/postgresql/{}/bin/pg_ctl", version.trim()));
    let owner = std::fs::metadata(data).unwrap().uid();
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let mut command = if owner == me {
        Command::new(program)
    } else {
        let name = std::fs::read_to_string("/etc/passwd")
            .unwrap()
            .lines()
            .find_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                (fields.get(2) == Some(&owner.to_string().as_str())).then(|| fields[0].to_owned())
            })
            .expect("the data folder's owner is a user");
        let mut runuser = Command::new("runuser");
        runuser.args(["-u", &name, "--"]).arg(program);
        runuser
    };
    command.arg("-D").arg(data);
    command
}

/// Waits until every server answers `/readyz` with 200 (at most 30 s: they reconnect by themselves).
async fn all_ready(urls: &Urls) {
    let http = reqwest::Client::new();
    let urls = urls.read().unwrap().clone();
    for url in urls {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http.get(format!("{url}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{url} did not become ready again"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn on_postgres() {
    let Some(database) = fresh_postgres::FreshDatabase::create("crash test (PostgreSQL)").await
    else {
        return;
    };
    let data = std::env::var_os("CRW_TEST_POSTGRES_DATA").map(PathBuf::from);
    let started = Instant::now();
    let logs = tempfile::tempdir().unwrap();
    let log = |n: usize| {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.path().join(format!("server-{n}.log")))
            .unwrap();
        Stdio::from(file)
    };
    let url = OsStr::new(database.url.expose()).to_owned();
    // The three start at once on a database nobody has migrated yet.
    let starting: Vec<_> = (0..PROCESSES)
        .map(|n| {
            let (url, log) = (url.clone(), log(n));
            std::thread::spawn(move || start(&url, log))
        })
        .collect();
    let (mut servers, first_urls): (Vec<Child>, Vec<String>) =
        starting.into_iter().map(|t| t.join().unwrap()).unzip();
    let urls = Arc::new(RwLock::new(first_urls));
    let clients = Clients::start(&urls);

    let mut restarted_postgres = false;
    for kill in 0..KILLS {
        let alive = rand::rng().random_range(50..400);
        tokio::time::sleep(Duration::from_millis(alive)).await;
        if kill == KILLS / 2
            && let Some(data) = &data
        {
            let status = pg_ctl(data)
                .args(["-w", "-m", "immediate", "restart"])
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "PostgreSQL restarts");
            restarted_postgres = true;
        }
        for (n, server) in servers.iter_mut().enumerate() {
            assert!(
                server.try_wait().unwrap().is_none(),
                "server {n} stopped by itself (its log: {})",
                logs.path().join(format!("server-{n}.log")).display()
            );
        }
        let victim = rand::rng().random_range(0..PROCESSES);
        servers[victim].kill().expect("SIGKILL");
        servers[victim].wait().unwrap();
        let (next, next_url) = start(&url, log(victim));
        servers[victim] = next;
        urls.write().unwrap()[victim] = next_url;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (acknowledged, failures) = clients.stop().await;

    let client = database.client().await;
    let rows: Vec<(String, String)> = client
        .query("SELECT id, request_description FROM contact_requests", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let events: i64 = client
        .query_one(
            "SELECT count(*) FROM outbox_events WHERE type = 'contact_request.created'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let (present, lost, duplicated) = tally(&acknowledged, &rows);
    println!(
        "crash test (PostgreSQL, {PROCESSES} processes): {KILLS} kills{} in {:.1} s; acknowledged {}, present {present}, lost {lost}, duplicated {duplicated}; rows {}; created events {events}; answers that were server errors other than 503: {failures}",
        if restarted_postgres {
            " and one restart of PostgreSQL"
        } else {
            " (PostgreSQL not restarted: CRW_TEST_POSTGRES_DATA is not set)"
        },
        started.elapsed().as_secs_f64(),
        acknowledged.len(),
        rows.len(),
    );
    check(&acknowledged, rows.len(), lost, duplicated);
    assert_eq!(failures, 0, "answers were server errors other than 503");
    assert_eq!(
        usize::try_from(events).unwrap(),
        rows.len(),
        "one created event per stored request"
    );
    if std::env::var_os("CRW_REQUIRE_POSTGRES_RESTART").is_some() {
        assert!(restarted_postgres, "PostgreSQL was restarted");
    }

    unreachable_and_back(&database, &urls).await;
    for server in servers {
        terminate(server);
    }
}

/// The database refuses connections and ends the open ones: readiness and the intake answer 503 in their
/// usual shapes; when it takes connections again, every process serves again without a restart.
async fn unreachable_and_back(database: &fresh_postgres::FreshDatabase, urls: &Urls) {
    let name: String = database
        .client()
        .await
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    // From the server's own database: a database's connections cannot be refused from within it.
    let (admin, connection) =
        tokio_postgres::connect(&fresh_postgres::admin_url().unwrap(), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let first = urls.read().unwrap()[0].clone();
    let ready = http.get(format!("{first}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "readiness says the database is gone");
    let body: Value = ready.json().await.unwrap();
    assert!(body["message"].is_string(), "{body}");
    let submitted = submission(&http, &first, "unreachable-1", &form(99, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 503, "a submission is not acknowledged");
    let body: Value = submitted.json().await.unwrap();
    assert!(body["message"].is_string(), "{body}");

    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    all_ready(urls).await;
    let every = urls.read().unwrap().clone();
    for url in every {
        let submitted = submission(&http, &url, &format!("back-{url}"), &form(99, 2))
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status(), 201, "{url} stores again");
    }
    println!(
        "PostgreSQL unreachable: /readyz and the intake answered 503; back: every process ready and storing again"
    );
}

#[tokio::main]
async fn main() {
    on_sqlite().await;
    on_postgres().await;
}
