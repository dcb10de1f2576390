//! Steps that must end within a deadline. Once, in CI, one test of the API suite never finished: the run
//! used up CI's whole time and its log ended without a word of where it hung. A test step now fails when
//! it runs past its deadline, after printing where every thread of every process under it stands (through
//! `gdb` when it is installed, else the kernel's wait channel of each thread), so the log says where.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How long `gdb` may take to print one process's threads before it is given up.
const DUMP_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs one step, as [`crate::step`] does, but fails it, after printing where its processes stand, once
/// it has run for `deadline`.
pub fn step_within(name: &str, command: &mut Command, deadline: Duration) -> Result<()> {
    eprintln!("\n==> {name}");
    let mut child = command
        .spawn()
        .with_context(|| format!("{name}: cannot start {:?}", command.get_program()))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("{name} failed ({status})");
            }
            return Ok(());
        }
        if started.elapsed() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    eprintln!(
        "\n==> {name} has run for {} minutes, past its deadline: where each of its processes stands",
        deadline.as_secs() / 60
    );
    let processes = descendants(child.id());
    for pid in &processes {
        dump(*pid);
    }
    // Deepest first, so no parent starts anything new meanwhile; the step's own process last.
    for pid in processes.iter().rev().chain([&child.id()]) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let _ = child.wait();
    bail!(
        "{name} did not finish within {} minutes and was stopped: a test hangs (see the stacks above)",
        deadline.as_secs() / 60
    )
}

/// Every process under `root`, parents before their children.
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((pid, parent_of(pid)?))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        next += 1;
    }
    found.remove(0);
    found
}

/// The parent of `pid`, from `/proc/PID/stat` (the field after the command's closing parenthesis).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Prints `pid`'s command line and where each of its threads stands.
fn dump(pid: u32) {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default();
    eprintln!("\n--- process {pid}: {}", cmdline.trim_end());
    if gdb_dump(pid) {
        return;
    }
    let tasks = Path::new("/proc").join(pid.to_string()).join("task");
    for task in std::fs::read_dir(&tasks).into_iter().flatten().flatten() {
        let read = |file: &str| {
            std::fs::read_to_string(task.path().join(file))
                .map(|text| text.trim().to_owned())
                .unwrap_or_default()
        };
        eprintln!(
            "thread {} {}: waiting in {}",
            task.file_name().to_string_lossy(),
            read("comm"),
            read("wchan")
        );
    }
}

/// Prints every thread's stack of `pid` with `gdb`; false when gdb is not installed or gave nothing.
fn gdb_dump(pid: u32) -> bool {
    let Ok(mut gdb) = Command::new("gdb")
        .args([
            "-p",
            &pid.to_string(),
            "-batch",
            "-ex",
            "thread apply all bt 40",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let started = Instant::now();
    while started.elapsed() < DUMP_TIMEOUT {
        if let Ok(Some(status)) = gdb.try_wait() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = gdb.kill();
    let _ = gdb.wait();
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_processes_under_a_step_are_found_through_every_generation() {
        let mut shell = Command::new("sh")
            .args(["-c", "sh -c 'sleep 30' & wait"])
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let found = loop {
            let found = descendants(shell.id());
            if found.len() >= 2 || Instant::now() >= deadline {
                break found;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let parents: Vec<Option<u32>> = found.iter().map(|pid| parent_of(*pid)).collect();
        for pid in found.iter().rev() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        let _ = shell.kill();
        let _ = shell.wait();
        assert_eq!(found.len(), 2, "the inner shell and its sleep: {found:?}");
        assert_eq!(parents, [Some(shell.id()), Some(found[0])]);
    }
}
