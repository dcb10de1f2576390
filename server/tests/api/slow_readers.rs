//! Clients that pipeline requests and never read the answers, against the real binary: they must not hold
//! every connection slot, so a new client is still served.
//!
//! The limits under test are set through the environment, not flags, so the same test runs (and hangs
//! into its guard) against a server that does not know them.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Connection slots of the server under attack; the attack opens more sockets than that.
const SLOTS: usize = 16;
const ATTACK_SOCKETS: usize = SLOTS + 8;
/// The asset each pipelined request asks for: larger than any socket buffer, so its write waits.
const BIG_ASSET_BYTES: usize = 4 * 1024 * 1024;
/// Only keeps a broken server from hanging the test; the verdict never depends on it being close.
const HANG_GUARD: Duration = Duration::from_secs(60);

struct Server {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        fake_build(&dist);
        let mut child = Command::new(env!("CARGO_BIN_EXE_contact-server"))
            .args(["--listen", "127.0.0.1:0", "--no-demo", "--no-metrics"])
            .args(["--max-connections", &SLOTS.to_string(), "--widget-dir"])
            .arg(&dist)
            .arg("--database")
            .arg(dir.path().join("db.sqlite3"))
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let line = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .expect("a line")
            .expect("utf-8");
        let addr = line
            .trim_start_matches("API and widget:")
            .trim()
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|_| panic!("an address in {line:?}"));
        Self {
            child,
            addr,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A widget build whose wasm is [`BIG_ASSET_BYTES`] long.
fn fake_build(dist: &Path) {
    std::fs::create_dir_all(dist.join("locales")).unwrap();
    std::fs::write(dist.join("widget.js"), "const assets = __CRW_ASSETS__;").unwrap();
    std::fs::write(
        dist.join("contact-widget-1a2b_bg.wasm"),
        vec![0u8; BIG_ASSET_BYTES],
    )
    .unwrap();
    std::fs::write(dist.join("contact-widget-1a2b.js"), "export default 1;").unwrap();
    std::fs::write(dist.join("widget-3c4d.css"), ".crw{}").unwrap();
    // What the loader carries and names: the facade's rules and strings, its open path.
    std::fs::write(dist.join("launcher-5e6f.css"), ".crw-launch{}").unwrap();
    std::fs::write(dist.join("open.js"), "const open = __CRW_OPEN__;").unwrap();
    std::fs::write(
        dist.join("locales/en.json"),
        r#"{"launcher":"L","loading":"W","load_failed":"F"}"#,
    )
    .unwrap();
}

/// A socket from `from` with the smallest receive buffer the kernel allows.
async fn connect(from: [u8; 4], to: SocketAddr, tiny_window: bool) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    if tiny_window {
        socket.set_recv_buffer_size(1024).unwrap();
    }
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Opens [`ATTACK_SOCKETS`] sockets from 127.0.0.1 that pipeline requests for the big asset and never
/// read. Each keeps writing until the server stops taking its requests or closes it; abort the returned
/// tasks to end the attack.
async fn attack(server: SocketAddr) -> Vec<tokio::task::JoinHandle<()>> {
    let request =
        format!("GET /widget/contact-widget-1a2b_bg.wasm HTTP/1.1\r\nHost: {server}\r\n\r\n");
    let pipelined = request.repeat(64).into_bytes();
    let mut tasks = Vec::new();
    for _ in 0..ATTACK_SOCKETS {
        let mut stream = connect([127, 0, 0, 1], server, true).await;
        let pipelined = pipelined.clone();
        tasks.push(tokio::spawn(async move {
            // Bounded: 64 requests a round, at most 16 rounds.
            for _ in 0..16 {
                if stream.write_all(&pipelined).await.is_err() {
                    return;
                }
            }
            std::future::pending::<()>().await;
        }));
    }
    tasks
}

/// `GET /healthz` from a new client on 127.0.0.2; the status line and how long the answer took.
async fn health_from_another_client(server: SocketAddr) -> (String, Duration) {
    let started = Instant::now();
    let answer = tokio::time::timeout(HANG_GUARD, async {
        let mut stream = connect([127, 0, 0, 2], server, false).await;
        stream
            .write_all(
                format!("GET /healthz HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        answer
    })
    .await
    .unwrap_or_else(|_| panic!("/healthz did not answer within {HANG_GUARD:?}"));
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&answer);
    let status = text.lines().next().unwrap_or_default().to_owned();
    (status, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_read_from_one_address_leave_slots_for_everyone_else() {
    // Under the per-address cap the attacker holds a few slots and is refused the rest at once.
    let server = Server::start(&[("CRW_MAX_CONNECTIONS_PER_IP", "4")]);
    let attackers = attack(server.addr).await;
    let (status, latency) = health_from_another_client(server.addr).await;
    println!("/healthz from a new client under the attack: {status:?} after {latency:?}");
    assert_eq!(status, "HTTP/1.1 200 OK");
    attackers.iter().for_each(tokio::task::JoinHandle::abort);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_the_client_never_takes_frees_its_slot_after_the_write_timeout() {
    // The per-address cap stays above the slots, so only the write deadline can free them.
    let server = Server::start(&[
        ("CRW_MAX_CONNECTIONS_PER_IP", "128"),
        ("CRW_WRITE_TIMEOUT_SECS", "1"),
    ]);
    let attackers = attack(server.addr).await;
    let (status, latency) = health_from_another_client(server.addr).await;
    println!("/healthz from a new client with every slot stalled: {status:?} after {latency:?}");
    assert_eq!(status, "HTTP/1.1 200 OK");
    attackers.iter().for_each(tokio::task::JoinHandle::abort);
}
