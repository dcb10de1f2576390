//! `cargo xtask bench`: durable submissions per second against a bare hello-world ceiling.
//!
//! Builds the server and the hello-world example in the `server` profile, starts each on loopback (the
//! server with a fresh database, rate limits and bot friction off, request logging at `warn`), and drives
//! each from a separate process with `oha` (installed if missing). Then it runs the intake again at half
//! the rate it reached, for the latency a normally loaded server gives.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::{cargo, step};

const DURATION: &str = "10s";
const CONNECTIONS: &str = "64";
const FORM: &str = r#"{"request_reason":"Billing","preferred_channel":"Phone","preferred_phone":"+44 20 7946 0958","name":"Ada Lovelace","email":"ada@example.com","request_description":"I was charged twice.","is_callback":false}"#;

/// One load run's figures.
struct Run {
    ok_per_sec: f64,
    ok: u64,
    total: u64,
    p50_ms: f64,
    p99_ms: f64,
}

pub fn bench() -> Result<()> {
    if Command::new("oha").arg("--version").output().is_err() {
        step(
            "installing oha",
            cargo().args(["install", "--locked", "oha"]),
        )?;
    }
    step(
        "building the server and the hello-world ceiling (profile server)",
        cargo().args([
            "build",
            "--profile",
            "server",
            "--package",
            "contact-server",
            "--bin",
            "contact-server",
            "--example",
            "hello",
        ]),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| "target".into(), std::path::PathBuf::from);
    let bin = target.join("server");

    let hello = Started::spawn(Command::new(bin.join("examples/hello")), "Hello world:")?;
    eprintln!("\n==> hello-world ceiling: {}", hello.url);
    let ceiling = load(&format!("{}/", hello.url), None, 200)?;
    drop(hello);

    let dir = std::env::temp_dir().join(format!("crw-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = Command::new(bin.join("contact-server"));
    server
        .args([
            "--listen",
            "127.0.0.1:0",
            "--no-demo",
            "--no-metrics",
            "--widget-dir",
            "/nonexistent",
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
        ])
        .arg("--database")
        .arg(dir.join("bench.sqlite3"))
        .env("RUST_LOG", "warn");
    let server = Started::spawn(server, "API and widget:")?;
    let intake = format!("{}/api/v1/contact-requests", server.url);
    eprintln!("\n==> durable submissions: POST {intake}");
    let full = load(&intake, None, 201)?;
    let half_rate = (full.ok_per_sec / 2.0).max(1.0).round() as u64;
    eprintln!("\n==> durable submissions at half that rate ({half_rate}/s)");
    let half = load(&intake, Some(half_rate), 201)?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let ratio = full.ok_per_sec / ceiling.ok_per_sec * 100.0;
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
        "  at half rate ({half_rate:>6}/s):    p50 {:.2} ms   p99 {:.2} ms   (goal: p99 under 25 ms)",
        half.p50_ms, half.p99_ms
    );
    if full.ok != full.total || half.ok != half.total {
        bail!("some submissions were not accepted; see the counts above");
    }
    Ok(())
}

/// Drives `url` for the run's duration, at `rate` requests per second if given, counting `ok` answers.
fn load(url: &str, rate: Option<u64>, ok: u16) -> Result<Run> {
    let mut oha = Command::new("oha");
    oha.args([
        "-z",
        DURATION,
        "-c",
        CONNECTIONS,
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

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
