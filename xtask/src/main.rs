//! Project automation, so that a fresh machine needs two commands:
//!
//! - `cargo xtask run`: install what is missing, build the widget, and start the server with the demo page.
//! - `cargo xtask test`: install what is missing, then fmt, the module-graph check, clippy, Rust tests, the
//!   widget build, the Salesforce CLI suite and the browser tests.

mod bench;
mod compress;
mod console;
mod cycles;
mod fuzz;
mod imports;
mod postgres;
mod sizes;
mod tools;
mod watchdog;
mod webhooks_key;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match task.as_str() {
        "run" => run(&rest),
        "test" => test(),
        "build" => {
            tools::ensure_widget_toolchain()?;
            build_widget()?;
            console::build()
        }
        "build-console" => {
            tools::ensure_widget_toolchain()?;
            console::build()
        }
        "cycles" => cycles::check(&root),
        "sizes" => {
            let strict = rest.iter().any(|a| a == "--strict");
            sizes::report(&root.join("dist"), strict)?;
            sizes::report_console(&root, strict)
        }
        "bench" => match rest.first().map(String::as_str) {
            Some("feed") => bench::feed(),
            Some("--postgres") => bench::bench(true),
            None => bench::bench(false),
            Some(other) => {
                anyhow::bail!("usage: cargo xtask bench [--postgres | feed], not {other}")
            }
        },
        "fuzz" => fuzz::fuzz(rest.first().map(String::as_str)),
        "postgres" => postgres::command(&rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n  run [--postgres] [SERVER FLAGS]  build the widget and start the server with the demo page\n                      (--postgres: on a throwaway local PostgreSQL cluster instead of SQLite)\n  build               build the widget into dist/ and the console into dist/console/ (precompressed assets)\n  build-console       build the console alone into dist/console/\n  test                run every check and test (what CI runs)\n  cycles              fail when a crate's module graph has a cycle\n  sizes [--strict]    print the built widget's and console's transfer sizes; fail over budget\n  bench               measure durable submissions/s against a hello-world ceiling (oha)\n  bench feed          time submissions to their event on an open console's live feed (median, p99)\n  fuzz [SECONDS]      run each cargo-fuzz target for SECONDS (default 60; nightly)\n  postgres start|pooler|url|stop  a throwaway PostgreSQL cluster on a free loopback port (prints its URL;\n                      pooler: PgBouncer in transaction mode in front of it)"
            );
            if task.is_empty() || task == "help" || task == "--help" {
                Ok(())
            } else {
                bail!("unknown task {task:?}")
            }
        }
    }
}

/// Builds the widget and serves it, passing extra flags to the server (see `--help` there).
fn run(flags: &[String]) -> Result<()> {
    // `--postgres` (before any `--`) is ours: the store on a throwaway local PostgreSQL cluster.
    let (postgres, server_flags) = match flags.split_first() {
        Some((first, rest)) if first == "--postgres" => (true, rest),
        _ => (false, flags),
    };
    tools::ensure_widget_toolchain()?;
    build_widget()?;
    console::build()?;
    let cluster = if postgres {
        let cluster = postgres::Cluster::start()?;
        eprintln!(
            "\n==> the store is PostgreSQL at {} (a throwaway cluster, removed when the server stops)\n    \
             to use your own database instead: cargo xtask run -- --database postgres://USER:PASSWORD@HOST:5432/DB",
            cluster.url
        );
        // Ctrl-C reaches the server too, which stops gracefully; this process waits for it and then
        // removes the cluster (the drop below) instead of dying first and leaving it running.
        ctrlc::set_handler(|| {}).context("handling Ctrl-C")?;
        Some(cluster)
    } else {
        None
    };
    let mut server = cargo();
    server.args([
        "run",
        "--quiet",
        "--package",
        "contact-server",
        "--profile",
        "server",
        "--",
        // The demo's console users, with fresh passwords printed beside the demo page's address.
        "--demo-users",
    ]);
    // `cargo xtask run -- --help` reaches us with its `--`; the server's flags are what follows it.
    let server_flags = match server_flags.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => server_flags,
    };
    if let Some(cluster) = &cluster {
        server.args(["--database", &cluster.url]);
    }
    // The console creates webhook endpoints only on a server with a key; one of the caller's own wins.
    let own_key = std::env::var_os("CRW_WEBHOOKS_KEY").is_some()
        || server_flags
            .iter()
            .any(|flag| flag.split('=').next() == Some("--webhooks-key"));
    if !own_key {
        let key = webhooks_key::ensure(Path::new(webhooks_key::FILE))?;
        server.env("CRW_WEBHOOKS_KEY", key);
    }
    server.args(server_flags);
    let served = step("starting the server (Ctrl-C stops it)", &mut server);
    drop(cluster);
    served
}

/// Every check CI runs, in order of how fast each fails.
fn test() -> Result<()> {
    tools::ensure_widget_toolchain()?;
    tools::ensure_browser_test_tools()?;
    tools::ensure_webhook_verifier()?;
    tools::ensure_smtp_server()?;
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    eprintln!("\n==> module graph (cargo xtask cycles)");
    cycles::check(Path::new("."))?;
    step(
        "clippy (native)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (console, wasm32)",
        cargo().args([
            "clippy",
            "--package",
            "contact-console",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (widget, wasm32)",
        cargo().args([
            "clippy",
            "--package",
            "contact-widget",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The PostgreSQL tests run against a throwaway cluster of their own, stopped and removed when this
    // returns (the drop), so they never skip here.
    let postgres = postgres::Cluster::start()?;
    // Each test step has a deadline far past what it takes (a few minutes each, the first one's build
    // included), so a hung test fails its step with the stacks of where it hangs (see `watchdog`).
    watchdog::step_within(
        "Rust tests (PostgreSQL's on a throwaway cluster)",
        cargo()
            .args(["test", "--workspace"])
            .env("CRW_TEST_POSTGRES_URL", &postgres.url)
            // The crash test restarts this cluster once, in the middle of its kills, and must.
            .env("CRW_TEST_POSTGRES_DATA", postgres.data())
            .env("CRW_REQUIRE_POSTGRES_RESTART", "1")
            // The webhook tests verify with the reference library, installed above, and never fall
            // back to their own check here.
            .env("CRW_REQUIRE_REFERENCE_VERIFIER", "1")
            // Likewise the email tests' SMTP server: they run against it, never skip.
            .env("CRW_REQUIRE_SMTP_SERVER", "1"),
        Duration::from_secs(40 * 60),
    )?;
    watchdog::step_within(
        "the API suite again, on PostgreSQL",
        cargo()
            .args(["test", "--package", "contact-server", "--test", "api"])
            .env("CRW_TEST_ENGINE", "postgres")
            .env("CRW_TEST_POSTGRES_URL", &postgres.url)
            .env("CRW_REQUIRE_REFERENCE_VERIFIER", "1")
            .env("CRW_REQUIRE_SMTP_SERVER", "1"),
        Duration::from_secs(20 * 60),
    )?;
    // Once more through PgBouncer in transaction mode, as a deployment behind one runs: every route and
    // every cross-process guarantee with no statement prepared by name.
    let pooler = postgres.pooler()?;
    watchdog::step_within(
        "the API suite and the PostgreSQL tests again, through PgBouncer in transaction mode",
        cargo()
            .args(["test", "--package", "contact-server"])
            .args(["--test", "api", "--test", "postgres"])
            .env("CRW_TEST_ENGINE", "postgres")
            .env("CRW_TEST_POSTGRES_URL", &postgres.url)
            .env("CRW_TEST_POSTGRES_POOLER_URL", &pooler)
            .env("CRW_REQUIRE_REFERENCE_VERIFIER", "1")
            .env("CRW_REQUIRE_SMTP_SERVER", "1"),
        Duration::from_secs(20 * 60),
    )?;
    build_widget()?;
    console::build()?;
    sizes::report(Path::new("dist"), true)?;
    sizes::report_console(Path::new("."), true)?;
    step(
        "building the server for the browser tests",
        cargo().args(["build", "--package", "contact-server"]),
    )?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let server_bin = target_dir.join("debug/contact-server").canonicalize()?;
    let dist = PathBuf::from("dist").canonicalize()?;
    step(
        "Salesforce CLI suite (sf against the server)",
        Command::new("node")
            .args(["--test", "test.mjs"])
            .current_dir("e2e/sf-cli")
            .env("CRW_SERVER_BIN", &server_bin),
    )?;
    step(
        "browser tests (Playwright, Chromium)",
        Command::new("npx")
            .args(["playwright", "test"])
            .current_dir("e2e")
            .env("CRW_SERVER_BIN", server_bin)
            // Every browser test posts, and books callback times, from 127.0.0.1; bot friction stays at
            // its defaults.
            .env("CRW_RATE_LIMIT_IP", "600")
            .env("CRW_BOOKINGS_PER_CLIENT_HOUR", "600")
            .env("CRW_NO_METRICS", "true")
            .env("CRW_WIDGET_DIR", dist)
            // Its database is untouched by the Rust tests (each made one of its own): the smoke test of
            // two server processes on PostgreSQL migrates it and runs there.
            .env("CRW_E2E_POSTGRES_URL", &postgres.url),
    )
}

/// Trunk's release build, then the loader minified and every asset precompressed.
fn build_widget() -> Result<()> {
    // The standard library is rebuilt for the widget with `panic = "immediate-abort"`: a panic traps at
    // once instead of formatting a message, which takes panic strings and the formatting machinery out
    // of the wasm (11% of it, brotli). Panic locations and `Debug` output, which nobody reads in a
    // visitor's browser, are left out too (`-Z location-detail`, `-Z fmt-debug`: 1% more). These are
    // nightly flags, enabled on the pinned stable toolchain with RUSTC_BOOTSTRAP for this one build
    // only; the server is built normally.
    step(
        "building the widget (Trunk, release)",
        lean_wasm(Command::new("trunk").args(["build", "--release"])),
    )?;
    eprintln!(
        "\n==> minifying the loader and the glue, shortening the wasm's import names, precompressing (brotli, gzip)"
    );
    compress::minify_loader(Path::new("dist"))?;
    imports::shorten(Path::new("dist"))?;
    compress::minify_glue(Path::new("dist"))?;
    compress::precompress(Path::new("dist"))
}

/// Trunk's build with the standard library rebuilt small (see `build_widget`): the widget's build, and the
/// console's, which has a budget of its own to keep.
pub(crate) fn lean_wasm(trunk: &mut Command) -> &mut Command {
    trunk
        .env("RUSTC_BOOTSTRAP", "1")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zlocation-detail=none -Zfmt-debug=none",
        )
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT", "true")
        .env("CARGO_PROFILE_RELEASE_PANIC", "immediate-abort")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs one step, printing what it is; fails with the step's name.
pub(crate) fn step(name: &str, command: &mut Command) -> Result<()> {
    eprintln!("\n==> {name}");
    let status = command
        .status()
        .with_context(|| format!("{name}: cannot start {:?}", command.get_program()))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}
