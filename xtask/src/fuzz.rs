//! `cargo xtask fuzz [SECONDS]`: each `cargo fuzz` target in `fuzz/` for a bounded time (not in CI).

use std::process::Command;

use anyhow::{Context, Result};

use crate::step;

const TARGETS: [&str; 2] = ["submission", "phone"];

pub fn fuzz(seconds: Option<&str>) -> Result<()> {
    let seconds: u64 = seconds
        .unwrap_or("60")
        .parse()
        .context("SECONDS must be a number")?;
    let installed = Command::new("cargo").args(["fuzz", "--version"]).output();
    if !installed.is_ok_and(|o| o.status.success()) {
        step(
            "installing cargo-fuzz",
            Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]),
        )?;
    }
    for target in TARGETS {
        step(
            &format!("fuzzing {target} for {seconds} s"),
            Command::new("cargo")
                .args([
                    "+nightly",
                    "fuzz",
                    "run",
                    target,
                    "--",
                    &format!("-max_total_time={seconds}"),
                ])
                .current_dir("fuzz")
                // The workspace's target dir may be set for CI; fuzz builds keep their own.
                .env_remove("CARGO_TARGET_DIR"),
        )?;
    }
    Ok(())
}
