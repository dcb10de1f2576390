//! `cargo xtask bench`: durable submissions per second against a bare hello-world ceiling.
//!
//! Builds the server and the hello-world example in the `server` profile, starts each on loopback (the
//! server with a fresh database, metrics on as by default, rate limits and bot friction off, request
//! logging at `warn`), and drives each from a separate process with `oha` (installed if missing), with the
//! same settings. Then it runs the intake again at half the rate it reached, for the latency a normally
//! loaded server gives, and reads the store's batch sizes and commit times from its metrics. Last, the
//! intake once more at full rate with a server built with `bench-no-events`, which stores the requests
//! without their `contact_request.created` outbox events: the intake's throughput with events on and off.
//!
//! With `--postgres` it then does the same on a throwaway PostgreSQL cluster on this machine, with one
//! server process and then with two on the same database (each driven by an `oha` of its own with half
//! the connections, at once), and prints them beside SQLite's and the ceiling.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::{cargo, step};

const DURATION: &str = "10s";
/// Connections each load keeps open. A commit waits for one sync of the log (about 4 ms on the disk this
/// was tuned on), so the rate a group commit reaches is the submissions in flight over that time: 64 cap
/// it near 10,000/s whatever the server does. A public form on thousands of sites has far more visitors
/// than that sending at once; the hello-world ceiling gets the same number.
const CONNECTIONS: &str = "512";
/// The page origin the submissions claim, as a browser sends it; the server is told to allow it.
const ORIGIN: &str = "http://bench.invalid";
const FORM: &str = r#"{"request_reason":"Billing","preferred_channel":"Phone","preferred_phone":"+44 20 7946 0958","name":"Ada Lovelace","email":"ada@example.com","request_description":"I was charged twice.","is_callback":false}"#;

/// One load run's figures.
struct Run {
    ok_per_sec: f64,
    ok: u64,
    total: u64,
    p50_ms: f64,
    p99_ms: f64,
}

/// The store's group commits so far, from its Prometheus metrics.
#[derive(Default, Clone, Copy)]
struct Commits {
    count: f64,
    rows: f64,
    seconds: f64,
}

impl Commits {
    /// Mean rows per commit and mean milliseconds per commit since `before`.
    fn since(self, before: Self) -> (f64, f64) {
        let count = (self.count - before.count).max(1.0);
        (
            (self.rows - before.rows) / count,
            (self.seconds - before.seconds) / count * 1000.0,
        )
    }
}

pub fn bench(postgres: bool) -> Result<()> {
    if Command::new("oha").arg("--version").output().is_err() {
        step(
            "installing oha",
            cargo().args(["install", "--locked", "oha"]),
        )?;
    }
    // The intake without its events first (the feature leaves out the `contact_request.created` rows
    // written with each batch), kept under a name of its own, then the server as it ships.
    let no_events = build_server_without_events()?;
    let bin = build_server(&["--example", "hello"])?;

    let hello = Started::spawn(Command::new(bin.join("examples/hello")), "Hello world:")?;
    eprintln!("\n==> hello-world ceiling: {}", hello.url);
    let cpu_before = hello.cpu_seconds()?;
    let ceiling = load(&format!("{}/", hello.url), None, 200, CONNECTIONS)?;
    let hello_cpu = per_request(hello.cpu_seconds()? - cpu_before, ceiling.ok);
    drop(hello);

    let dir = std::env::temp_dir().join(format!("crw-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let metrics = free_local_address()?;
    let mut server = intake_server(&bin, dir.join("bench.sqlite3").as_os_str());
    server.args(["--metrics-listen", &metrics]);
    let server = Started::spawn(server, "API and widget:")?;
    let intake = format!("{}/api/v1/contact-requests", server.url);
    eprintln!("\n==> durable submissions: POST {intake}");
    let start = commits(&metrics)?;
    let cpu_before = server.cpu_seconds()?;
    let full = load(&intake, None, 201, CONNECTIONS)?;
    let server_cpu = per_request(server.cpu_seconds()? - cpu_before, full.ok);
    let after_full = commits(&metrics)?;
    let half_rate = (full.ok_per_sec / 2.0).max(1.0).round() as u64;
    eprintln!("\n==> durable submissions at half that rate ({half_rate}/s)");
    let half = load(&intake, Some(half_rate), 201, CONNECTIONS)?;
    let after_half = commits(&metrics)?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let metrics = free_local_address()?;
    let mut server = intake_program(&no_events, dir.join("bench.sqlite3").as_os_str());
    server.args(["--metrics-listen", &metrics]);
    let server = Started::spawn(server, "API and widget:")?;
    let intake = format!("{}/api/v1/contact-requests", server.url);
    eprintln!(
        "\n==> durable submissions without their events (built with bench-no-events): POST {intake}"
    );
    let bare_start = commits(&metrics)?;
    let cpu_before = server.cpu_seconds()?;
    let bare = load(&intake, None, 201, CONNECTIONS)?;
    let bare_cpu = per_request(server.cpu_seconds()? - cpu_before, bare.ok);
    let (bare_rows, bare_ms) = commits(&metrics)?.since(bare_start);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let ratio = full.ok_per_sec / ceiling.ok_per_sec * 100.0;
    let (full_rows, full_ms) = after_full.since(start);
    let (half_rows, half_ms) = after_half.since(after_full);
    println!("\nbenchmark ({DURATION} each, {CONNECTIONS} connections, loopback, oha)");
    println!(
        "  hello-world ceiling:         {:>9.0} req/s   p50 {:.2} ms   p99 {:.2} ms",
        ceiling.ok_per_sec, ceiling.p50_ms, ceiling.p99_ms
    );
    println!(
        "  durable submissions:         {:>9.0} req/s   p50 {:.2} ms   p99 {:.2} ms   ({} of {} answered 201)",
        full.ok_per_sec, full.p50_ms, full.p99_ms, full.ok, full.total
    );
    println!("  ratio to the ceiling:        {ratio:>9.1} %   (goal: at least 50 %)");
    println!(
        "  without their events:        {:>9.0} req/s   p50 {:.2} ms   p99 {:.2} ms   ({} of {} answered 201; events on give {:.1} % of this; {bare_rows:.0} rows in {bare_ms:.1} ms a commit; server CPU {bare_cpu:.1} µs per answer)",
        bare.ok_per_sec,
        bare.p50_ms,
        bare.p99_ms,
        bare.ok,
        bare.total,
        full.ok_per_sec / bare.ok_per_sec.max(1.0) * 100.0
    );
    println!(
        "  at half rate ({half_rate:>6}/s):    p50 {:.2} ms   p99 {:.2} ms   (goal: p99 under 25 ms; {} of {} answered 201)",
        half.p50_ms, half.p99_ms, half.ok, half.total
    );
    println!(
        "  group commits:               {full_rows:.0} rows in {full_ms:.1} ms each at full rate, {half_rows:.0} rows in {half_ms:.1} ms at half"
    );
    println!(
        "  server CPU per answer:       {hello_cpu:>9.1} µs hello-world, {server_cpu:.1} µs durable submission (all threads, user + system)"
    );
    if full.ok != full.total || half.ok != half.total || bare.ok != bare.total {
        bail!("some submissions were not accepted; see the counts above");
    }
    if postgres {
        bench_postgres(&bin, &ceiling)?;
    }
    Ok(())
}

/// The intake server's command on `database`: loopback, no widget, rate limits, bot friction and the
/// per-address connection cap off, the bench's origin allowed, request logging at `warn`.
fn intake_server(bin: &std::path::Path, database: &std::ffi::OsStr) -> Command {
    intake_program(&bin.join("contact-server"), database)
}

/// [`intake_server`]'s command for the server binary at `program`.
fn intake_program(program: &std::path::Path, database: &std::ffi::OsStr) -> Command {
    let mut server = Command::new(program);
    server
        .args([
            "--listen",
            "127.0.0.1:0",
            "--no-demo",
            "--widget-dir",
            "/nonexistent",
            "--allowed-origin",
            ORIGIN,
        ])
        .args([
            "--rate-limit-ip",
            "0",
            "--rate-limit-site",
            "0",
            "--pow-difficulty",
            "0",
            "--min-fill-ms",
            "0",
            // Every load connection comes from 127.0.0.1, past the per-address cap a public server keeps.
            "--max-connections-per-ip",
            "0",
        ])
        .arg("--database")
        .arg(database)
        .env("RUST_LOG", "warn");
    server
}

/// Durable submissions on PostgreSQL (a throwaway cluster on this machine, removed at the end): one server
/// process, then two on the same database driven at once; printed beside the ceiling.
fn bench_postgres(bin: &std::path::Path, ceiling: &Run) -> Result<()> {
    let cluster = crate::postgres::Cluster::start()?;
    let database = std::ffi::OsString::from(&cluster.url);
    let spawn = || {
        let mut server = intake_server(bin, &database);
        // Two processes would both want the default metrics port.
        server.arg("--no-metrics");
        Started::spawn(server, "API and widget:")
    };
    let intake = |server: &Started| format!("{}/api/v1/contact-requests", server.url);

    let one = spawn()?;
    eprintln!(
        "
==> durable submissions on PostgreSQL, one process: POST {}",
        intake(&one)
    );
    let cpu_before = one.cpu_seconds()?;
    let single = load(&intake(&one), None, 201, CONNECTIONS)?;
    let single_cpu = per_request(one.cpu_seconds()? - cpu_before, single.ok);
    let two = spawn()?;
    eprintln!(
        "
==> durable submissions on PostgreSQL, two processes at once: {} and {}",
        intake(&one),
        intake(&two)
    );
    let half_connections = (CONNECTIONS.parse::<u32>()? / 2).to_string();
    let runs = std::thread::scope(|scope| {
        let loads: Vec<_> = [&one, &two]
            .map(|server| {
                let (url, connections) = (intake(server), half_connections.as_str());
                scope.spawn(move || load(&url, None, 201, connections))
            })
            .into_iter()
            .collect();
        loads
            .into_iter()
            .map(|l| l.join().expect("a load thread panicked"))
            .collect::<Result<Vec<_>>>()
    })?;
    drop((one, two));
    // One process again, behind PgBouncer in transaction mode, as a deployment behind one runs: every
    // statement unnamed, each transaction on whichever of PgBouncer's connections is free.
    let pooler = std::ffi::OsString::from(cluster.pooler()?);
    let mut behind = intake_server(bin, &pooler);
    behind
        .args(["--no-metrics", "--database-transaction-pooler"])
        .arg("--database-listen-url")
        .arg(&database);
    let behind = Started::spawn(behind, "API and widget:")?;
    eprintln!(
        "
==> durable submissions on PostgreSQL behind PgBouncer (transaction mode), one process: POST {}",
        intake(&behind)
    );
    let pooled = load(&intake(&behind), None, 201, CONNECTIONS)?;
    drop(behind);
    drop(cluster);

    let both: f64 = runs.iter().map(|r| r.ok_per_sec).sum();
    let worst = |f: fn(&Run) -> f64| runs.iter().map(f).fold(0.0, f64::max);
    println!(
        "
PostgreSQL 15 on this machine ({DURATION} each, {CONNECTIONS} connections in all, loopback, oha)"
    );
    println!(
        "  one process:                 {:>9.0} req/s   p50 {:.2} ms   p99 {:.2} ms   ({} of {} answered 201; {:.1} % of the ceiling; server CPU {single_cpu:.1} µs per answer)",
        single.ok_per_sec,
        single.p50_ms,
        single.p99_ms,
        single.ok,
        single.total,
        single.ok_per_sec / ceiling.ok_per_sec * 100.0
    );
    println!(
        "  two processes, together:     {both:>9.0} req/s   p50 {:.2} ms   p99 {:.2} ms   (the worse of the two; {} of {} answered 201)",
        worst(|r| r.p50_ms),
        worst(|r| r.p99_ms),
        runs.iter().map(|r| r.ok).sum::<u64>(),
        runs.iter().map(|r| r.total).sum::<u64>(),
    );
    println!(
        "  one process behind PgBouncer: {:>8.0} req/s   p50 {:.2} ms   p99 {:.2} ms   ({} of {} answered 201; transaction mode, statements unnamed)",
        pooled.ok_per_sec, pooled.p50_ms, pooled.p99_ms, pooled.ok, pooled.total,
    );
    if single.ok != single.total
        || pooled.ok != pooled.total
        || runs.iter().any(|r| r.ok != r.total)
    {
        bail!("some submissions on PostgreSQL were not accepted; see the counts above");
    }
    Ok(())
}

/// Builds the server in the `server` profile with `bench-no-events` (no `contact_request.created` written
/// with the requests) and copies it beside the others as `contact-server-no-events`; answers its path.
fn build_server_without_events() -> Result<std::path::PathBuf> {
    let folder = build_server(&["--features", "bench-no-events"])?;
    let copy = folder.join("contact-server-no-events");
    std::fs::copy(folder.join("contact-server"), &copy).with_context(|| {
        format!(
            "copying the server built without events to {}",
            copy.display()
        )
    })?;
    Ok(copy)
}

/// Builds the server (and `more` targets) in the `server` profile; answers the folder they are in.
fn build_server(more: &[&str]) -> Result<std::path::PathBuf> {
    step(
        "building the server (profile server)",
        cargo()
            .args([
                "build",
                "--profile",
                "server",
                "--package",
                "contact-server",
            ])
            .args(["--bin", "contact-server"])
            .args(more),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| "target".into(), std::path::PathBuf::from);
    Ok(target.join("server"))
}

/// A loopback address no one listens on now, for the server's metrics.
fn free_local_address() -> Result<String> {
    let probe = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(probe.local_addr()?.to_string())
}

/// Reads the store's commit count, rows and time from the server's `/metrics`.
fn commits(metrics: &str) -> Result<Commits> {
    // The server starts its metrics listener just after the API's, so the first read may have to wait.
    let mut tries = 0;
    let mut stream = loop {
        match TcpStream::connect(metrics) {
            Ok(stream) => break stream,
            Err(_) if tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(error) => return Err(error).context("connecting to the metrics listener"),
        }
    };
    write!(
        stream,
        "GET /metrics HTTP/1.0\r\nHost: {metrics}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    };
    Ok(Commits {
        count: value("crw_store_batch_size_count"),
        rows: value("crw_store_batch_size_sum"),
        seconds: value("crw_store_commit_seconds_sum"),
    })
}

/// Drives `url` for the run's duration over `connections`, at `rate` requests per second if given,
/// counting `ok` answers.
fn load(url: &str, rate: Option<u64>, ok: u16, connections: &str) -> Result<Run> {
    let mut oha = Command::new("oha");
    oha.args([
        "-z",
        DURATION,
        "-c",
        connections,
        "--no-tui",
        "--output-format",
        "json",
    ]);
    if ok == 201 {
        oha.args([
            "-m",
            "POST",
            "-T",
            "application/json",
            "-H",
            "X-CRW-Site: demo",
            "-H",
            &format!("Origin: {ORIGIN}"),
            "-d",
            FORM,
        ]);
    }
    if let Some(rate) = rate {
        oha.args(["-q", &rate.to_string(), "--latency-correction"]);
    }
    let out = oha
        .arg(url)
        .stderr(Stdio::inherit())
        .output()
        .context("running oha")?;
    if !out.status.success() {
        bail!("oha failed ({})", out.status);
    }
    let report: Value = serde_json::from_slice(&out.stdout).context("reading oha's JSON")?;
    let codes = &report["statusCodeDistribution"];
    let count = |code: &str| codes[code].as_u64().unwrap_or(0);
    let total: u64 = codes
        .as_object()
        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
    let ok_count = count(&ok.to_string());
    let seconds = report["summary"]["total"].as_f64().unwrap_or(1.0);
    let ms = |p: &str| report["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
    Ok(Run {
        ok_per_sec: ok_count as f64 / seconds,
        ok: ok_count,
        total,
        p50_ms: ms("p50"),
        p99_ms: ms("p99"),
    })
}

/// A child process that prints `label URL` once it listens, and is killed when dropped.
struct Started {
    child: Child,
    url: String,
}

impl Started {
    fn spawn(mut command: Command, label: &str) -> Result<Self> {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the process to measure")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .context("the process exited before it listened")??;
            if let Some(url) = line.strip_prefix(label) {
                break url.trim().to_owned();
            }
        };
        Ok(Self { child, url })
    }
}

impl Started {
    /// The CPU time, user and system, all the process's threads have used so far (proc(5): the 14th and
    /// 15th fields of `/proc/PID/stat`, in clock ticks).
    fn cpu_seconds(&self) -> Result<f64> {
        let path = format!("/proc/{}/stat", self.child.id());
        let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        // The command name, in parentheses, may hold spaces: count the fields after it (the 3rd onwards).
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |field: usize| -> Result<f64> {
            fields
                .get(field - 3)
                .and_then(|v| v.parse::<f64>().ok())
                .with_context(|| format!("{path} has no field {field}"))
        };
        Ok((ticks(14)? + ticks(15)?) / clock_ticks())
    }
}

/// Clock ticks per second (`getconf CLK_TCK`), which `/proc` counts CPU time in; 100 on Linux if unknown.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Microseconds of CPU per answered request.
fn per_request(cpu_seconds: f64, answered: u64) -> f64 {
    cpu_seconds * 1e6 / answered.max(1) as f64
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many submissions `cargo xtask bench feed` times.
const FEED_SAMPLES: usize = 100;

/// `cargo xtask bench feed`: the time from a widget submission to its event on an open console's live
/// feed. Starts the server (profile `server`, fresh database, bot friction and rate limits off), signs an
/// admin in as the console does, keeps `GET /console/api/events` open, then posts submissions one at a
/// time and times each from the moment its request is sent to the moment its event arrives. Reports the
/// median and the 99th percentile; asserts nothing about them.
pub fn feed() -> Result<()> {
    let bin = build_server(&[])?.join("contact-server");
    let dir = std::env::temp_dir().join(format!("crw-feed-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let database = dir.join("feed.sqlite3");
    let password = "bench-password-for-the-feed";
    let mut add = Command::new(&bin)
        .args([
            "users",
            "add",
            "--username",
            "bench@example.com",
            "--name",
            "Bench",
        ])
        .args(["--role", "admin", "--password-stdin", "--database"])
        .arg(&database)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("adding the bench's console user")?;
    writeln!(add.stdin.take().context("no stdin")?, "{password}")?;
    if !add.wait()?.success() {
        bail!("cannot add the bench's console user");
    }
    let mut server = Command::new(&bin);
    server
        .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
        .args(["--widget-dir", "/nonexistent", "--allowed-origin", ORIGIN])
        .args(["--rate-limit-ip", "0", "--rate-limit-site", "0"])
        .args(["--pow-difficulty", "0", "--min-fill-ms", "0", "--database"])
        .arg(&database)
        .env("RUST_LOG", "warn");
    let server = Started::spawn(server, "API and widget:")?;
    let address = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();

    let sign_in = format!(r#"{{"username":"bench@example.com","password":"{password}"}}"#);
    let (status, head, _) = http(
        &address,
        "POST",
        "/console/api/session",
        &[
            ("Origin", &server.url),
            ("Content-Type", "application/json"),
        ],
        &sign_in,
    )?;
    if status != 200 {
        bail!("signing in answered {status}");
    }
    let cookie = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        })
        .and_then(|(_, value)| value.trim().split(';').next())
        .context("no session cookie")?
        .to_owned();

    let (arrivals, arrived) = std::sync::mpsc::channel();
    let mut feed = TcpStream::connect(&address)?;
    write!(
        feed,
        "GET /console/api/events HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    )?;
    std::thread::spawn(move || follow_feed(feed, &arrivals));

    eprintln!("\n==> {FEED_SAMPLES} submissions, one at a time, each timed to its live event");
    let mut early = std::collections::HashMap::new();
    let mut samples = Vec::with_capacity(FEED_SAMPLES);
    for _ in 0..FEED_SAMPLES {
        let sent = std::time::Instant::now();
        let (status, _, body) = http(
            &address,
            "POST",
            "/api/v1/contact-requests",
            &[
                ("Origin", ORIGIN),
                ("Content-Type", "application/json"),
                ("X-CRW-Site", "demo"),
            ],
            FORM,
        )?;
        if status != 201 {
            bail!("a submission answered {status}: {body}");
        }
        let id = serde_json::from_str::<Value>(&body)?["id"]
            .as_str()
            .context("no id")?
            .to_owned();
        let at = loop {
            if let Some(at) = early.remove(&id) {
                break at;
            }
            let (seen, at): (String, std::time::Instant) = arrived
                .recv_timeout(std::time::Duration::from_secs(30))
                .context("the feed told nothing within 30 s")?;
            early.insert(seen, at);
        };
        samples.push(at.duration_since(sent).as_secs_f64() * 1000.0);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "\nlive feed (loopback, SQLite, one submission at a time): submission sent -> event on the console's feed"
    );
    println!(
        "  {} samples   median {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        samples.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

/// Reads the feed's chunked body and sends each event's request id with the moment it arrived.
fn follow_feed(feed: TcpStream, arrivals: &std::sync::mpsc::Sender<(String, std::time::Instant)>) {
    let mut reader = BufReader::new(feed);
    let mut line = String::new();
    // The response head.
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line == "\r\n" {
            break;
        }
        line.clear();
    }
    loop {
        line.clear();
        if !reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            return;
        }
        let Ok(size) = usize::from_str_radix(line.trim(), 16) else {
            return;
        };
        let mut chunk = vec![0; size + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return;
        }
        let at = std::time::Instant::now();
        for data in String::from_utf8_lossy(&chunk).lines() {
            if let Some(json) = data.strip_prefix("data:")
                && let Ok(change) = serde_json::from_str::<Value>(json.trim())
                && let Some(id) = change["id"].as_str()
                && arrivals.send((id.to_owned(), at)).is_err()
            {
                return;
            }
        }
    }
}

/// One HTTP/1.1 exchange on a connection of its own: status, head and body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(address)?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    Ok((status, head.to_owned(), body.to_owned()))
}
