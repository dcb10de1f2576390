//! Prometheus metrics: what happened to each submission, how long answers took, how big the store's
//! group commits were, how many requests the rate limits refused, and how webhook deliveries and emails
//! went.
//!
//! The counters are recorded through the `metrics` facade everywhere; [`install`] sets up the Prometheus
//! recorder once per process, and [`routes`] serves its text on a listener of its own (never the public
//! one by default, see `--metrics-listen`), followed by the gauges a [`Scrape`] reads at that moment.
//! Without a recorder, as in router tests, recording costs nothing.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: fine below 25 ms, where a durable commit should land.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002, 0.003, 0.005, 0.007_5, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder for this process (once; later calls reuse it).
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full("crw_store_batch_size".into()), BATCH_BUCKETS)?
        .install_recorder()?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// What is read at each scrape, in the Prometheus text format: gauges of a state kept elsewhere (the
/// store), which no event of this process tells the recorder of.
pub type Scrape = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = String> + Send>> + Send + Sync>;

/// `GET /metrics` in the Prometheus text format: the recorder's metrics, then what `scrape` reads.
pub fn routes(handle: PrometheusHandle, scrape: Scrape) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let (handle, scrape) = (handle.clone(), Arc::clone(&scrape));
            async move {
                let mut text = handle.render();
                text.push_str(&scrape().await);
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
            }
        }),
    )
}

/// A gauge `name` with its `help`, as the text format writes it.
pub fn gauge(name: &str, help: &str, value: f64) -> String {
    format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n")
}

/// Counts a stored (`created`) or repeated (`replayed`) submission.
pub fn accepted(kind: &'static str) {
    metrics::counter!("crw_submissions_accepted_total", "kind" => kind).increment(1);
}

/// Counts a submission refused for `reason` (`invalid`, `malformed`, `honeypot`, `rate_limited_ip`, ...).
pub fn rejected(reason: &'static str) {
    metrics::counter!("crw_submissions_rejected_total", "reason" => reason).increment(1);
}

/// Records how long the intake endpoint took to answer, by status code.
pub async fn record_latency(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await.into_response();
    metrics::histogram!(
        "crw_submission_seconds",
        "status" => response.status().as_str().to_owned()
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Counts an email by its `result`: `sent`, `retried` (a failed try, tried again later) or `failed`
/// (its retries spent).
pub fn email(result: &'static str) {
    metrics::counter!("crw_emails_total", "result" => result).increment(1);
}

/// Counts a webhook delivery's try to `endpoint` by its `result`: `delivered`, `retried` (a failed try,
/// tried again later) or `failed` (its retries spent). Endpoints are few and named by the operator, so
/// each is a label: the one failing is the one to look at.
pub fn delivery(endpoint: &str, result: &'static str) {
    metrics::counter!(
        "crw_webhook_deliveries_total",
        "endpoint" => endpoint.to_owned(),
        "result" => result
    )
    .increment(1);
}
