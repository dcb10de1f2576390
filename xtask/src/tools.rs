//! Installing the tools the build and tests need, each only when it is missing or the wrong version.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::step;

/// Trunk 0.22 needs a newer rustc than these machines have.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Trunk.toml pins `wasm_opt = "version_108"`, which is Debian's binaryen.
const WASM_OPT_VERSION: &str = "108";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The npm package that pins the loader's minifier.
pub const MINIFIER_DIR: &str = "xtask/minifier";

/// The wasm target, the standard library's sources and its own dependencies, Trunk, the wasm-bindgen CLI
/// matching Cargo.lock, wasm-opt, and the loader's minifier.
pub fn ensure_widget_toolchain() -> Result<()> {
    ensure_pinned_compiler()?;
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == WASM_TARGET) {
        step(
            "installing the wasm32 target",
            Command::new("rustup").args(["target", "add", WASM_TARGET]),
        )?;
    }
    // The widget's build recompiles the standard library (see `build_widget`), from its sources.
    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !components.lines().any(|c| c.trim() == "rust-src") {
        step(
            "installing the standard library's sources",
            Command::new("rustup").args(["component", "add", "rust-src"]),
        )?;
    }
    fetch_std_dependencies()?;
    if version_of("trunk").is_none_or(|v| !v.contains(TRUNK_VERSION)) {
        step(
            "installing Trunk",
            Command::new("cargo").args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")]),
        )?;
    }
    let bindgen = wasm_bindgen_version()?;
    if version_of("wasm-bindgen")
        .is_none_or(|v| v.split_whitespace().nth(1) != Some(bindgen.as_str()))
    {
        let locked = Command::new("cargo")
            .args([
                "install",
                "--locked",
                "wasm-bindgen-cli",
                "--version",
                &bindgen,
            ])
            .status()?;
        if !locked.success() {
            // The CLI's own lock file can lag the index; an unlocked install still pins the CLI version.
            step(
                "installing the wasm-bindgen CLI",
                Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen]),
            )?;
        }
    }
    if version_of("wasm-opt").is_none_or(|v| !v.contains(&format!("version {WASM_OPT_VERSION}"))) {
        apt_install("binaryen")?;
    }
    ensure_minifier()
}

/// The compiler must be the release `rust-toolchain.toml` names: the widget's unstable flags were checked
/// on it alone. rustup honours the file, so this fails only where something overrides it (`RUSTUP_TOOLCHAIN`,
/// `cargo +other`, a rustc outside rustup).
fn ensure_pinned_compiler() -> Result<()> {
    let file =
        std::fs::read_to_string("rust-toolchain.toml").context("reading rust-toolchain.toml")?;
    let pinned = file
        .lines()
        .find_map(|line| line.trim().strip_prefix("channel = \""))
        .map(|rest| rest.trim_end_matches('"'))
        .context("rust-toolchain.toml names no channel")?;
    let rustc = output("rustc", &["--version"]).context("rustc does not run")?;
    if rustc.split_whitespace().nth(1) != Some(pinned) {
        bail!(
            "the widget's build is checked on Rust {pinned} (rust-toolchain.toml), but `rustc --version` says {}; \
             unset RUSTUP_TOOLCHAIN or run without `+toolchain`",
            rustc.trim()
        );
    }
    Ok(())
}

/// The widget's build recompiles the standard library, and Trunk runs Cargo offline: the standard library's
/// own dependencies (`compiler_builtins`, `hashbrown`, …) must already be in Cargo's cache. A machine that
/// has never built it has none of them, so they are fetched here, once: an offline fetch that succeeds
/// means they are all present.
fn fetch_std_dependencies() -> Result<()> {
    let sysroot = output("rustc", &["--print", "sysroot"]).context("rustc does not run")?;
    let manifest =
        std::path::Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    let fetch = |offline: bool| {
        let mut command = Command::new("cargo");
        command
            .args(["fetch", "--locked", "--manifest-path"])
            .arg(&manifest)
            // The standard library's manifest uses unstable Cargo features.
            .env("RUSTC_BOOTSTRAP", "1");
        if offline {
            command
                .arg("--offline")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
        }
        command
    };
    if fetch(true).status().is_ok_and(|s| s.success()) {
        return Ok(());
    }
    step(
        "fetching the standard library's dependencies (the widget's build recompiles it offline)",
        &mut fetch(false),
    )
}

/// Debian's Chromium and the e2e folders' npm packages (never a browser download): Playwright's and
/// jsforce in `e2e/`, Salesforce's CLI in `e2e/sf-cli/`.
pub fn ensure_browser_test_tools() -> Result<()> {
    if !std::path::Path::new(CHROMIUM).exists() {
        apt_install("chromium")?;
    }
    npm_ci("e2e")?;
    npm_ci("e2e/sf-cli")
}

/// The loader's minifier (terser, pinned by `xtask/minifier/package-lock.json`), and Node to run it.
pub fn ensure_minifier() -> Result<()> {
    if version_of("npm").is_none() {
        apt_install("npm")?;
    }
    npm_ci(MINIFIER_DIR)
}

/// The version of Standard Webhooks' reference library (PyPI) the webhook tests verify signatures with.
const STANDARDWEBHOOKS: &str = "1.1.0";

/// Python's `standardwebhooks`, the reference verifier of the webhook tests, unless it is importable.
pub fn ensure_webhook_verifier() -> Result<()> {
    ensure_python_package(
        "standardwebhooks",
        STANDARDWEBHOOKS,
        "the reference webhook verifier",
    )
}

/// The version of `aiosmtpd` (PyPI) the email tests run their SMTP server with.
const AIOSMTPD: &str = "1.4.6";

/// Python's `aiosmtpd`, the SMTP server the email tests start, unless it is importable.
pub fn ensure_smtp_server() -> Result<()> {
    ensure_python_package("aiosmtpd", AIOSMTPD, "the email tests' SMTP server")
}

/// Installs `package` at `version` from PyPI for the user, unless python3 can already import it.
fn ensure_python_package(package: &str, version: &str, what: &str) -> Result<()> {
    let importable = Command::new("python3")
        .args(["-c", &format!("import {package}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if importable {
        return Ok(());
    }
    if output("python3", &["-m", "pip", "--version"]).is_none() {
        apt_install("python3-pip")?;
    }
    step(
        &format!("installing {package} ({what}) from PyPI"),
        Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--user",
            "--break-system-packages",
            &format!("{package}=={version}"),
        ]),
    )
}

/// `npm ci` in `folder`, unless its packages are installed from its current lock file.
fn npm_ci(folder: &str) -> Result<()> {
    // npm writes node_modules/.package-lock.json; if it is not older than the lock file, nothing changed since.
    let modified = |path: &str| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(&format!("{folder}/node_modules/.package-lock.json"));
    let locked = modified(&format!("{folder}/package-lock.json"))
        .with_context(|| format!("{folder}/package-lock.json is missing"))?;
    if installed.is_none_or(|installed| installed < locked) {
        step(
            &format!("installing the npm packages of {folder}"),
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(folder)
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        )?;
    }
    Ok(())
}

/// The wasm-bindgen version in Cargo.lock, which the CLI must match exactly.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

pub(crate) fn apt_install(package: &str) -> Result<()> {
    let sudo = output("id", &["-u"]).is_none_or(|uid| uid.trim() != "0");
    let mut update = Command::new(if sudo { "sudo" } else { "apt-get" });
    let mut install = Command::new(if sudo { "sudo" } else { "apt-get" });
    if sudo {
        update.arg("apt-get");
        install.arg("apt-get");
    }
    // What apt prints goes to stderr: stdout is for what a task answers (`cargo xtask postgres start`
    // prints the URL it started, which a caller reads with `$(…)`).
    step(
        "apt-get update",
        update
            .args(["update", "-qq"])
            .stdout(std::process::Stdio::from(std::io::stderr())),
    )?;
    step(
        &format!("installing {package} from Debian"),
        install
            .args(["install", "-y", "-qq", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(std::process::Stdio::from(std::io::stderr())),
    )
}

fn version_of(program: &str) -> Option<String> {
    output(program, &["--version"])
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
