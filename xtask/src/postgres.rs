//! A throwaway PostgreSQL cluster: Debian's server installed when missing, a cluster in a temporary folder
//! on a free loopback port, one database, and everything removed at the end.
//!
//! `cargo xtask postgres start` leaves one running (its folder is [`default_folder`]) and prints its URL;
//! `pooler` starts PgBouncer in transaction mode in front of it and prints that URL; `url` prints the
//! cluster's again, `stop` stops both and removes the folder. Tests hold a [`Cluster`] of their own,
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
        Some("pooler") => {
            // The running cluster's, stopped with it.
            let cluster = Cluster {
                url: url_of(&folder)?,
                folder,
            };
            let pooler = cluster.pooler();
            std::mem::forget(cluster);
            let pooler = pooler?;
            println!("{pooler}");
            eprintln!(
                "PgBouncer (transaction mode) runs in front of it; point the server at it with \
                 --database {pooler} --database-transaction-pooler --database-listen-url URL, URL \
                 being the cluster's own (cargo xtask postgres url)"
            );
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
        _ => bail!("usage: cargo xtask postgres start|pooler|url|stop"),
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

impl Cluster {
    /// Starts PgBouncer in transaction mode in front of this cluster (Debian's, installed when missing),
    /// its files in the cluster's folder; it is stopped with the cluster. Every database of the cluster
    /// is reached through it by the same name, each over at most [`POOLER_SERVER_CONNECTIONS`]
    /// connections of PostgreSQL's, so that a client's transactions run on whichever is free: what a
    /// server behind a pooler in transaction mode must work with.
    pub fn pooler(&self) -> Result<String> {
        let program = ensure_pgbouncer()?;
        let folder = self.folder.join("pgbouncer");
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let cluster_port = self
            .url
            .rsplit_once(':')
            .and_then(|(_, tail)| tail.split('/').next())
            .context("the cluster's URL has a port")?;
        let port = free_port()?;
        let folder_text = folder.display();
        std::fs::write(folder.join("users.txt"), format!("\"{SUPERUSER}\" \"\"\n"))?;
        std::fs::write(
            folder.join("pgbouncer.ini"),
            format!(
                "[databases]\n\
                 * = host=127.0.0.1 port={cluster_port}\n\
                 [pgbouncer]\n\
                 listen_addr = 127.0.0.1\n\
                 listen_port = {port}\n\
                 unix_socket_dir =\n\
                 auth_type = trust\n\
                 auth_file = {folder_text}/users.txt\n\
                 pool_mode = transaction\n\
                 default_pool_size = {POOLER_SERVER_CONNECTIONS}\n\
                 max_client_conn = 4000\n\
                 logfile = {folder_text}/pgbouncer.log\n\
                 pidfile = {folder_text}/{POOLER_PID_FILE}\n"
            ),
        )?;
        hand_over(&folder)?;
        step(
            &format!("starting PgBouncer (transaction mode) on 127.0.0.1:{port}"),
            as_service_user(&program)
                .arg("--daemon")
                .arg(folder.join("pgbouncer.ini")),
        )?;
        // It forks before it listens: wait until it does.
        let ready = (0..100).any(|_| {
            let up = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok();
            if !up {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            up
        });
        if !ready {
            bail!(
                "PgBouncer did not listen on 127.0.0.1:{port} within 10 s; see {}/pgbouncer.log",
                folder.display()
            );
        }
        Ok(format!(
            "postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
        ))
    }
}

/// The PostgreSQL connections PgBouncer keeps per database: fewer than a server process's pool (16), so
/// its transactions are handed from one to another, and more than the reads an API test holds open at
/// once (two per core: 4 here), as a deployment sizes its pooler above its long transactions.
const POOLER_SERVER_CONNECTIONS: u32 = 8;
/// PgBouncer's pid file, in the `pgbouncer` folder of its cluster.
const POOLER_PID_FILE: &str = "pgbouncer.pid";

/// Debian's PgBouncer, installed when missing.
fn ensure_pgbouncer() -> Result<PathBuf> {
    let program = PathBuf::from("/usr/sbin/pgbouncer");
    if !program.exists() {
        tools::apt_install("pgbouncer")?;
    }
    if !program.exists() {
        bail!("Debian's pgbouncer installed no {}", program.display());
    }
    Ok(program)
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
    // Its pooler first, if one was started in front of it.
    if let Ok(pid) = std::fs::read_to_string(folder.join("pgbouncer").join(POOLER_PID_FILE)) {
        step(
            "stopping PgBouncer",
            Command::new("kill").args(["-TERM", pid.trim()]),
        )?;
    }
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
