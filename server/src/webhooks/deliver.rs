//! The delivery workers: one task per endpoint takes new events of the outbox into its deliveries, then
//! posts each due delivery, oldest first, and records the answer. A 2xx delivers it; anything else
//! (another status, a timeout, a refused connection, an internal address) schedules the next try after
//! the schedule's wait with some jitter, until the schedule is spent and the delivery is marked failed.
//! A delivery is pending until its answer is committed, so a crash in between delivers it again, with
//! the same `webhook-id`. Every try is logged with the delivery's state, in the same transaction, and
//! counts towards the endpoint's failing streak ([`super::disable`]).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::address::{PublicOnly, refusal};
use super::log::ANSWER_BYTES;
use super::sign::signature;
use super::{Endpoint, SealKey, Webhooks, retry_at};
use crate::store::{AttemptRow, DueDelivery, Store, StoreError, Subscription};

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken per look.
const DUE_PER_LOOK: u32 = 32;
/// How long each delivery taken is kept from other processes, one after another in the order posted:
/// past its post's deadline, so that only a process gone meanwhile leaves it to another.
const LEASE_EACH_MS: i64 = TIMEOUT.as_millis() as i64 + 5_000;

/// Starts one worker per endpoint of the file, and (with a key to open their secrets) one per enabled
/// endpoint of the API as it appears, looked for every `poll`; each runs until the runtime stops, an API
/// one until its endpoint is disabled or deleted. The file's endpoints are recorded in the store first,
/// and each file endpoint's cursor opened, so an event committed once this returns reaches them.
pub async fn start(store: &Store, webhooks: Webhooks) -> Result<(), StoreError> {
    let names: Vec<String> = webhooks.endpoints.iter().map(|e| e.name.clone()).collect();
    let rows = super::endpoints::file_rows(&webhooks.endpoints);
    let taken = store
        .write(move |tx| {
            let taken = tx.record_file_endpoints(&rows)?;
            tx.open_webhook_cursors(&names)?;
            Ok::<_, StoreError>(taken)
        })
        .await?;
    if !taken.is_empty() {
        return Err(StoreError::Reader(format!(
            "the webhooks file names {taken:?}, which an admin created through the API; rename it in the file or delete it through the API"
        )));
    }
    let client = client(webhooks.allow_private).map_err(|e| StoreError::Reader(e.to_string()))?;
    let webhooks = Arc::new(webhooks);
    for endpoint in webhooks.endpoints.clone() {
        tokio::spawn(run(
            store.clone(),
            client.clone(),
            Arc::clone(&webhooks),
            Source::File(endpoint),
        ));
    }
    if let Some(key) = webhooks.key.clone() {
        tokio::spawn(watch(store.clone(), client, webhooks, key));
    }
    Ok(())
}

/// Where a worker's endpoint comes from.
enum Source {
    /// The webhooks file, read once at start.
    File(Endpoint),
    /// The store, read again before each look and once its deliveries are taken, so a change through
    /// the API applies at once; the names of the API endpoints this process has a worker for, which it
    /// leaves when it stops.
    Api {
        name: String,
        key: SealKey,
        running: Arc<Mutex<HashSet<String>>>,
    },
}

impl Source {
    /// The endpoint's name, for the logs.
    fn name(&self) -> &str {
        match self {
            Source::File(endpoint) => &endpoint.name,
            Source::Api { name, .. } => name,
        }
    }
}

/// Starts a worker for each enabled endpoint of the API that has none in this process, every `poll`.
async fn watch(store: Store, client: reqwest::Client, webhooks: Arc<Webhooks>, key: SealKey) {
    let running: Arc<Mutex<HashSet<String>>> = Arc::default();
    loop {
        match store.read(|db| db.enabled_api_endpoints()).await {
            Ok(names) => {
                for name in names {
                    if running.lock().expect("not poisoned").insert(name.clone()) {
                        tokio::spawn(run(
                            store.clone(),
                            client.clone(),
                            Arc::clone(&webhooks),
                            Source::Api {
                                name,
                                key: key.clone(),
                                running: Arc::clone(&running),
                            },
                        ));
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the webhook endpoints; retrying"),
        }
        tokio::time::sleep(webhooks.poll).await;
    }
}

/// The client deliveries are posted with: rustls, no redirects followed, a deadline, and unless private
/// targets are allowed a resolver that refuses internal addresses. Events forwarded to Adobe Experience
/// Platform are posted with one too.
pub(crate) fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT);
    match allow_private {
        true => builder.build(),
        false => builder.dns_resolver(Arc::new(PublicOnly)).build(),
    }
}

async fn run(store: Store, client: reqwest::Client, webhooks: Arc<Webhooks>, source: Source) {
    loop {
        let Some(endpoint) = current(&store, &webhooks, &source).await else {
            return;
        };
        let worked = match round(&store, &client, &webhooks, &source, endpoint).await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(endpoint = %source.name(), %error, "webhook deliveries stalled; retrying");
                false
            }
        };
        if !worked {
            tokio::time::sleep(webhooks.poll).await;
        }
    }
}

/// The endpoint as it stands now: the file's as loaded, an API endpoint as stored (read until the read
/// succeeds); `None` once an API endpoint is deleted or disabled, which ends its worker.
async fn current(store: &Store, webhooks: &Webhooks, source: &Source) -> Option<Endpoint> {
    match source {
        Source::File(endpoint) => Some(endpoint.clone()),
        Source::Api { name, key, running } => loop {
            let now = (webhooks.clock)();
            match super::endpoints::for_delivery(store, key, name.clone(), now).await {
                Ok(Some(endpoint)) => return Some(endpoint),
                Ok(None) => {
                    running.lock().expect("not poisoned").remove(name);
                    return None;
                }
                Err(error) => {
                    tracing::warn!(endpoint = %name, %error, "cannot read the webhook endpoint; retrying");
                    tokio::time::sleep(webhooks.poll).await;
                }
            }
        },
    }
}

/// One look: new events into deliveries, then the due ones taken and posted. Answers whether it posted
/// any. An API endpoint is read again once its deliveries are taken, so that they are signed with the
/// secrets of that moment: an event written after a rotation's answer is never signed with only the
/// secrets before it.
async fn round(
    store: &Store,
    client: &reqwest::Client,
    webhooks: &Webhooks,
    source: &Source,
    endpoint: Endpoint,
) -> Result<bool, StoreError> {
    let now = (webhooks.clock)();
    let (name, events, site) = (
        endpoint.name.clone(),
        endpoint.events.clone(),
        endpoint.site.clone(),
    );
    store
        .write(move |tx| {
            tx.fan_out(
                &Subscription {
                    endpoint: &name,
                    types: &events,
                    site: site.as_deref(),
                },
                now,
            )
        })
        .await?;
    let name = endpoint.name.clone();
    let due = store
        .write(move |tx| tx.claim_deliveries(&name, now, DUE_PER_LOOK, LEASE_EACH_MS))
        .await?;
    let endpoint = match source {
        Source::Api { .. } if !due.is_empty() => match current(store, webhooks, source).await {
            Some(endpoint) => endpoint,
            // Deleted or disabled meanwhile: what was taken is left to its lease.
            None => return Ok(false),
        },
        _ => endpoint,
    };
    let endpoint = &endpoint;
    for delivery in &due {
        let at_ms = (webhooks.clock)();
        let started = std::time::Instant::now();
        let (outcome, answer) = post(client, webhooks, endpoint, delivery).await;
        let mut attempt = AttemptRow {
            at_ms,
            status: None,
            error: None,
            latency_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            answer,
        };
        let (name, seq) = (endpoint.name.clone(), delivery.event_seq);
        match outcome {
            Ok(status) => {
                attempt.status = Some(status);
                store
                    .write(move |tx| {
                        tx.delivery_succeeded(&name, seq, status)?;
                        tx.endpoint_answered(&name)?;
                        tx.log_delivery_attempt(&name, seq, &attempt)
                    })
                    .await?;
                crate::metrics::delivery(&endpoint.name, "delivered");
            }
            Err((status, error)) => {
                let failed_at = (webhooks.clock)();
                let retry_at = retry_at(&webhooks.schedule, delivery.attempts, failed_at);
                tracing::info!(endpoint = %endpoint.name, status, %error, retry_at, "webhook delivery failed");
                (attempt.status, attempt.error) = (status, Some(error.clone()));
                store
                    .write(move |tx| {
                        tx.delivery_attempt_failed(&name, seq, status, &error, retry_at)?;
                        tx.log_delivery_attempt(&name, seq, &attempt)?;
                        super::disable::after_failure(tx, &name, failed_at, &error)
                    })
                    .await?;
                let result = if retry_at.is_some() {
                    "retried"
                } else {
                    "failed"
                };
                crate::metrics::delivery(&endpoint.name, result);
            }
        }
    }
    Ok(!due.is_empty())
}

/// What a post came to: its status when 2xx, else the status (if any) and what went wrong.
type Outcome = Result<u16, (Option<u16>, String)>;

/// Posts one delivery: its outcome, and the first bytes of the answer for the log.
async fn post(
    client: &reqwest::Client,
    webhooks: &Webhooks,
    endpoint: &Endpoint,
    delivery: &DueDelivery,
) -> (Outcome, String) {
    match send(client, webhooks, endpoint, delivery).await {
        Ok(mut sent) => {
            let status = sent.status();
            let answer = first_bytes(&mut sent, ANSWER_BYTES).await;
            let outcome = match status.is_success() {
                true => Ok(status.as_u16()),
                false => Err((Some(status.as_u16()), format!("answered {status}"))),
            };
            (outcome, answer)
        }
        Err(refused) => (Err((None, refused)), String::new()),
    }
}

/// The first `limit` bytes of an answer's body, as text; the rest is never read. A body that breaks
/// off keeps what came. What is not UTF-8, and NUL (which PostgreSQL's text cannot hold), becomes U+FFFD.
pub(crate) async fn first_bytes(answer: &mut reqwest::Response, limit: usize) -> String {
    let mut kept = Vec::new();
    while kept.len() < limit {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                kept.extend_from_slice(&chunk[..chunk.len().min(limit - kept.len())])
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&kept).replace('\0', "\u{fffd}")
}

/// Sends one delivery: the receiver's answer, or why none came.
async fn send(
    client: &reqwest::Client,
    webhooks: &Webhooks,
    endpoint: &Endpoint,
    delivery: &DueDelivery,
) -> Result<reqwest::Response, String> {
    if let Some(refused) = refusal(&endpoint.url, webhooks.allow_private) {
        return Err(refused.into());
    }
    let timestamp = (webhooks.clock)() / 1_000;
    let body = delivery.payload.as_bytes();
    client
        .post(endpoint.url.clone())
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&endpoint.secrets, &delivery.event_id, timestamp, body),
        )
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| describe(&e))
}

/// A failed post, said without the URL (which may hold a token of the receiver's).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut cause = std::error::Error::source(error);
    let mut deepest = None;
    while let Some(inner) = cause {
        deepest = Some(inner.to_string());
        cause = inner.source();
    }
    match deepest {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_owned(),
    }
}
