//! Accepting connections with limits that act below the request: how many connections are served at
//! once and how many from one client address, how long a client may take to send its headers
//! (slowloris), how large the headers may be, how long a write may wait on a client that does not read,
//! and how long a connection may live with no byte moving either way. On shutdown it stops accepting and
//! lets every open connection finish its request.
//!
//! Pipelined requests cannot pile up either: hyper handles one request at a time and reads ahead only
//! while the one in hand is incomplete, into a buffer of at most `max_buf_size` (the header limit here);
//! what a client sends beyond that waits in the kernel's receive buffer, and a client that never reads its
//! answers meets the write deadline.
//!
//! This is `axum::serve` with hyper's HTTP/1 options exposed, which `axum::serve` does not offer.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::protection::{TrustedProxy, canonical_ip};

/// How long shutdown waits for open requests before it gives up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The per-connection limits.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections served at once; further ones wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Connections served at once for one client address (0: no cap). Trusted proxies are exempt: all of
    /// their clients arrive from their address.
    pub max_connections_per_ip: usize,
    /// The proxies exempt from the per-address cap.
    pub trusted_proxies: Arc<Vec<TrustedProxy>>,
    /// Time a client has to send a request's headers, and to start the next one on a kept-alive connection.
    pub header_timeout: Duration,
    /// Time a write may wait without a byte going out before the connection is closed: a client that stops
    /// reading its answers gives its slot back.
    pub write_timeout: Duration,
    /// Time a connection may live with no byte moving either way, whatever it waits for. Above the other
    /// limits together, it is the backstop for a state none of them covers.
    pub stall_limit: Duration,
    /// Bytes of request line and headers read at most; more is answered `431`.
    pub max_header_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 2048,
            max_connections_per_ip: 128,
            trusted_proxies: Arc::default(),
            header_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(10),
            stall_limit: Duration::from_secs(30),
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_ip = Arc::new(PerIp::new(
        limits.max_connections_per_ip,
        Arc::clone(&limits.trusted_proxies),
    ));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip_slot = match per_ip.acquire(peer.ip()) {
            Ok(ip_slot) => ip_slot,
            Err(Full) => {
                refuse_crowded(&stream);
                tracing::debug!(%peer, "refused: too many connections from this address");
                crate::metrics::rejected("connections_per_ip");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let progress = Arc::new(Progress::new());
        let io = Deadlined::new(stream, limits.write_timeout, Arc::clone(&progress));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(io), service));
        let stall_limit = limits.stall_limit;
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(error) = result {
                    tracing::debug!(%error, %peer, "connection ended with an error");
                },
                () = progress.stalled_for(stall_limit) => {
                    tracing::debug!(%peer, "connection closed: nothing moved for {stall_limit:?}");
                }
            }
            drop(ip_slot);
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}

/// Tells a client over its cap why it is refused, if its socket takes the answer at once, and lets the
/// connection close. Nothing waits on the client: one that does not read gets nothing.
fn refuse_crowded(stream: &TcpStream) {
    use std::sync::LazyLock;
    static ANSWER: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let body = serde_json::to_string(&contact_shared::ErrorBody::new(
            "Too many connections from your address at once. Close some, or reuse them, and try again.",
        ))
        .expect("an error body serializes");
        let mut head = format!(
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n",
            body.len()
        );
        for (name, value) in crate::protection::API_HEADERS {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        format!("{head}\r\n{body}").into_bytes()
    });
    let _ = stream.try_write(&ANSWER);
}

/// A client address's cap was reached.
struct Full;

/// Open connections by client address.
struct PerIp {
    max: usize,
    /// Peers not counted: a proxy's address stands for all of its clients.
    trusted: Arc<Vec<TrustedProxy>>,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl PerIp {
    fn new(max: usize, trusted: Arc<Vec<TrustedProxy>>) -> Self {
        Self {
            max,
            trusted,
            open: Mutex::default(),
        }
    }

    /// Counts a connection from `peer`, unless it already has its cap; `None` when it is not counted
    /// (no cap, or a trusted proxy).
    fn acquire(self: &Arc<Self>, peer: IpAddr) -> Result<Option<IpSlot>, Full> {
        let ip = canonical_ip(peer);
        if self.max == 0 || self.trusted.iter().any(|t| t.contains(ip)) {
            return Ok(None);
        }
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= self.max {
            return Err(Full);
        }
        *count += 1;
        Ok(Some(IpSlot {
            table: Arc::clone(self),
            ip,
        }))
    }
}

/// One counted connection; dropping it uncounts it.
struct IpSlot {
    table: Arc<PerIp>,
    ip: IpAddr,
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// When a byte last moved on a connection, in either direction.
struct Progress {
    start: Instant,
    /// Milliseconds since `start`.
    last: AtomicU64,
}

impl Progress {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn record(&self) {
        let millis = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(millis, Ordering::Relaxed);
    }

    /// Resolves once nothing has moved for `limit`. It wakes at most once per `limit`.
    async fn stalled_for(&self, limit: Duration) {
        loop {
            let last = self.start + Duration::from_millis(self.last.load(Ordering::Relaxed));
            let deadline = last + limit;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A stream whose writes fail once they have waited `write_timeout` without a byte going out, and which
/// records every byte moved in [`Progress`].
struct Deadlined<S> {
    io: S,
    write_timeout: Duration,
    /// Armed while a write waits; reset on progress. Boxed once per connection, as `Sleep` is not `Unpin`.
    stall: Pin<Box<Sleep>>,
    armed: bool,
    progress: Arc<Progress>,
}

impl<S> Deadlined<S> {
    fn new(io: S, write_timeout: Duration, progress: Arc<Progress>) -> Self {
        Self {
            io,
            write_timeout,
            stall: Box::pin(tokio::time::sleep(write_timeout)),
            armed: false,
            progress,
        }
    }

    /// Passes a write's outcome on: progress disarms the deadline; waiting arms it, and fails once it
    /// has passed.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.armed = false;
                if result.is_ok() {
                    self.progress.record();
                }
                Poll::Ready(result)
            }
            Poll::Pending => {
                if !self.armed {
                    self.armed = true;
                    let deadline = Instant::now() + self.write_timeout;
                    self.stall.as_mut().reset(deadline);
                }
                ready!(self.stall.as_mut().poll(cx));
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client took no data for the write timeout",
                )))
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Deadlined<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.progress.record();
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deadlined<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_shutdown(cx);
        self.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_capped_and_uncounted_as_its_connections_close() {
        let table = Arc::new(PerIp::new(2, Arc::default()));
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        let other: IpAddr = "198.51.100.2".parse().unwrap();
        let first = table.acquire(ip).ok().flatten().unwrap();
        let _second = table.acquire(ip).ok().flatten().unwrap();
        assert!(table.acquire(ip).is_err(), "the third is over the cap");
        assert!(
            table.acquire(other).is_ok(),
            "another address has its own cap"
        );
        drop(first);
        assert!(
            table.acquire(ip).is_ok(),
            "a closed connection frees its place"
        );
    }

    #[test]
    fn no_cap_and_trusted_proxies_count_nothing() {
        let trusted = Arc::new(vec![TrustedProxy::parse("10.0.0.0/8").unwrap()]);
        let table = [
            (0, "198.51.100.1", "without a cap"),
            (2, "10.1.2.3", "a trusted proxy"),
            (2, "::ffff:10.1.2.3", "a trusted proxy, IPv4-mapped"),
        ];
        for (max, peer, why) in table {
            let per_ip = Arc::new(PerIp::new(max, Arc::clone(&trusted)));
            let peer: IpAddr = peer.parse().unwrap();
            let held: Vec<_> = (0..10).map(|_| per_ip.acquire(peer)).collect();
            assert!(held.iter().all(|slot| matches!(slot, Ok(None))), "{why}");
            assert!(per_ip.open.lock().unwrap().is_empty(), "{why}");
        }
    }

    #[test]
    fn one_client_is_one_address_whether_mapped_or_not() {
        let per_ip = Arc::new(PerIp::new(1, Arc::default()));
        let _held = per_ip.acquire("198.51.100.1".parse().unwrap()).ok();
        assert!(
            per_ip
                .acquire("::ffff:198.51.100.1".parse().unwrap())
                .is_err()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_that_waits_past_its_deadline_fails_and_one_that_moves_does_not() {
        // A duplex pipe of 8 bytes whose far end reads only when told to: a client with a full window.
        let (near, mut far) = tokio::io::duplex(8);
        let progress = Arc::new(Progress::new());
        let mut io = Deadlined::new(near, Duration::from_secs(5), Arc::clone(&progress));
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        io.write_all(b"12345678").await.unwrap();
        let writing = tokio::spawn(async move {
            let result = io.write_all(b"more").await;
            (io, result)
        });
        tokio::time::sleep(Duration::from_secs(4)).await;
        let mut taken = [0; 8];
        far.read_exact(&mut taken).await.unwrap();
        let (mut io, result) = writing.await.unwrap();
        assert!(result.is_ok(), "progress within the deadline: {result:?}");
        io.write_all(b"abcd").await.unwrap();
        let error = io.write_all(b"x").await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_with_nothing_moving_is_stalled_after_the_limit() {
        let progress = Progress::new();
        let limit = Duration::from_secs(30);
        tokio::time::sleep(Duration::from_secs(20)).await;
        progress.record();
        let started = Instant::now();
        progress.stalled_for(limit).await;
        assert!(
            started.elapsed() >= Duration::from_secs(30),
            "the limit counts from the last progress"
        );
    }
}
