//! A throwaway PostgreSQL cluster: Debian's server installed when missing, a cluster in a temporary folder
//! on a free loopback port, one database, and everything removed at the end.
//!
//! `cargo xtask postgres start` leaves one running (its folder is [`default_folder`]) and prints its URL;
//! `url` prints it again, `stop` stops it and removes its folder. Tests hold a [`Cluster`] of their own,
//! which is stopped and removed when dropped.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{step, tools};

/// The oldest major version the server supports; the newest installed at least this one is used.
const OLDEST_MAJOR: u32 = 15;
/// Where Debian puts each major version's programs (`/usr/lib/postgresql/15/bin`).
const DEBIAN_LIB: &str = "/usr/lib/postgresql";
/// The user PostgreSQL runs as when we are root: it refuses to run as root.
const SERVICE_USER: &str = "postgres";
/// The cluster's superuser, whoever runs it, and the database the URL names.
const SUPERUSER: &str = "postgres";
const DATABASE: &str = "contact";
/// A cluster's URL, kept in its folder for `url` and for whoever runs tests against it.
const URL_FILE: &str = "url";

/// `cargo xtask postgres start|stop|url`.
pub fn command(args: &[String]) -> Result<()> {
    let folder = default_folder();
    match args.first().map(String::as_str) {
        Some("start") => {
            if let Ok(url) = url_of(&folder) {
                bail!(
                    "a cluster is already running in {} at {url}; `cargo xtask postgres stop` stops it",
                    folder.display()
                );
            }
            let cluster = Cluster::start_in(folder)?;
            println!("{}", cluster.url);
            eprintln!(
                "PostgreSQL runs in {}; point the server at it with --database {} \
                 (or CRW_TEST_POSTGRES_URL for the tests); `cargo xtask postgres stop` removes it",
                cluster.folder.display(),
                cluster.url
            );
            // The caller stops it later, by its folder.
            std::mem::forget(cluster);
            Ok(())
        }
        Some("url") => {
            println!("{}", url_of(&folder)?);
            Ok(())
        }
        Some("stop") => {
            if !folder.exists() {
                bail!("no cluster in {}", folder.display());
            }
            stop(&folder)
        }
        _ => bail!("usage: cargo xtask postgres start|url|stop"),
    }
}

/// The folder of the cluster `cargo xtask postgres start` leaves running.
pub fn default_folder() -> PathBuf {
    std::env::temp_dir().join("contact-server-postgres")
}

/// A running throwaway cluster; dropping it stops the server and removes its folder.
pub struct Cluster {
    folder: PathBuf,
    /// `postgres://postgres@127.0.0.1:PORT/contact`: trust authentication on loopback only.
    pub url: String,
}

impl Cluster {
    /// The cluster's data folder (the crash test restarts PostgreSQL with `pg_ctl -D` on it).
    pub fn data(&self) -> PathBuf {
        self.folder.join("data")
    }

    /// Starts a cluster in a new temporary folder of its own.
    pub fn start() -> Result<Self> {
        let unique = format!(
            "contact-server-postgres-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        Self::start_in(std::env::temp_dir().join(unique))
    }

    fn start_in(folder: PathBuf) -> Result<Self> {
        let bin = ensure_installed()?;
        if folder.exists() {
            bail!(
                "{} already exists; remove it or stop its cluster",
                folder.display()
            );
        }
        // From here on, whatever fails leaves nothing behind: the drop stops and removes.
        let mut cluster = Self {
            folder,
            url: String::new(),
        };
        let data = cluster.folder.join("data");
        std::fs::create_dir_all(&cluster.folder)
            .with_context(|| format!("creating {}", cluster.folder.display()))?;
        hand_over(&cluster.folder)?;
        step(
            "creating a throwaway PostgreSQL cluster",
            as_service_user(&bin.join("initdb"))
                .args(["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
                .arg(format!("--username={SUPERUSER}"))
                .arg("-D")
                .arg(&data)
                .stdout(std::process::Stdio::null()),
        )?;
        let port = free_port()?;
        // Loopback only, and the socket in the cluster's own folder, so that nothing else on the machine
        // (a system cluster on 5432, its /run/postgresql) is touched.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            cluster.folder.display()
        );
        step(
            &format!("starting PostgreSQL on 127.0.0.1:{port}"),
            as_service_user(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(cluster.folder.join("server.log"))
                .args(["-w", "-o", &options, "start"])
                .stdout(std::process::Stdio::null()),
        )?;
        step(
            &format!("creating the database {DATABASE}"),
            as_service_user(&bin.join("createdb"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", SUPERUSER])
                .arg(DATABASE),
        )?;
        cluster.url = format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}");
        std::fs::write(cluster.folder.join(URL_FILE), &cluster.url)?;
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = stop(&self.folder) {
            eprintln!("{error:#}");
        }
    }
}

/// The URL of the cluster in `folder`, when one was started there.
fn url_of(folder: &Path) -> Result<String> {
    std::fs::read_to_string(folder.join(URL_FILE))
        .with_context(|| format!("no cluster runs in {}", folder.display()))
}

/// Stops the cluster in `folder` (at once: it is thrown away) and removes the folder.
fn stop(folder: &Path) -> Result<()> {
    let data = folder.join("data");
    if data.join("postmaster.pid").exists() {
        let bin = ensure_installed()?;
        step(
            "stopping the throwaway PostgreSQL",
            as_service_user(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(["-w", "-m", "immediate", "stop"])
                .stdout(std::process::Stdio::null()),
        )?;
    }
    std::fs::remove_dir_all(folder).with_context(|| format!("removing {}", folder.display()))
}

/// The programs' folder of the newest PostgreSQL at least [`OLDEST_MAJOR`], installing Debian's when
/// there is none.
fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = installed() {
        return Ok(bin);
    }
    tools::apt_install("postgresql")?;
    installed().with_context(|| {
        format!(
            "Debian's postgresql installed no {DEBIAN_LIB}/N/bin/initdb with N >= {OLDEST_MAJOR}"
        )
    })
}

fn installed() -> Option<PathBuf> {
    std::fs::read_dir(DEBIAN_LIB)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (major >= OLDEST_MAJOR && bin.join("initdb").exists()).then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// A command run as [`SERVICE_USER`] when we are root, as ourselves otherwise.
fn as_service_user(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", SERVICE_USER, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Gives the cluster's folder to [`SERVICE_USER`] when we are root, so that it can write there.
fn hand_over(folder: &Path) -> Result<()> {
    if running_as_root() {
        step(
            "handing the cluster's folder to the postgres user",
            Command::new("chown").arg(SERVICE_USER).arg(folder),
        )?;
    }
    Ok(())
}

/// A loopback port nobody listens on now. Another program could take it before PostgreSQL does; then
/// the start fails and says so, which is rare enough on a test machine.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
