//! The outbox on `/metrics`: deliveries counted by result per endpoint, the outbox's depth and the age of
//! its oldest pending delivery read at the scrape, and `/readyz` ready whatever the receivers answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use contact_server::store::DeliveryRow;
use contact_server::webhooks::{Endpoint, Secret, Webhooks};
use tower::ServiceExt;

use super::until;
use super::webhooks::{NEW_SECRET, app_on, real_now, receiver};
use crate::support::{TestApp, submission, valid_form};

/// An endpoint `name` at `url` for the site `shop`'s new requests.
fn endpoint(name: &str, url: &str) -> Endpoint {
    Endpoint {
        name: name.into(),
        url: url.parse().unwrap(),
        secrets: vec![Secret::parse(NEW_SECRET).unwrap()],
        events: vec!["contact_request.created".into()],
        site: Some("shop".into()),
    }
}

async fn delivery(app: &TestApp, name: &'static str) -> Option<DeliveryRow> {
    app.store
        .read(move |db| db.deliveries(name))
        .await
        .unwrap()
        .pop()
}

/// The text of `/metrics` as the server serves it for `app`'s store.
async fn scrape(app: &TestApp) -> String {
    let handle = contact_server::metrics::install().unwrap();
    let routes = contact_server::metrics::routes(
        handle,
        contact_server::webhooks::depth::scrape(app.store.clone()),
    );
    let request = axum::http::Request::get("/metrics")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = routes.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

/// The value of the sample `name` whose labels include every one of `labels` (`key="value"`); 0 when
/// there is none (a counter never incremented is not written).
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name && labels.iter().all(|label| rest.contains(label))
        })
        .map_or(0.0, |(_, value)| value.parse().unwrap())
}

fn deliveries(text: &str, endpoint: &str, result: &str) -> f64 {
    sample(
        text,
        "crw_webhook_deliveries_total",
        &[
            &format!("endpoint=\"{endpoint}\""),
            &format!("result=\"{result}\""),
        ],
    )
}

#[tokio::test]
async fn metrics_count_deliveries_by_result_and_show_the_outbox_depth_and_age_while_readyz_stays_ready()
 {
    let (good, _) = receiver(0).await;
    let (down, _) = receiver(usize::MAX).await;
    let now = real_now();
    let clock = Arc::clone(&now);
    let app = app_on(Webhooks {
        clock: Arc::new(move || clock.load(Ordering::SeqCst)),
        poll: Duration::from_millis(20),
        // One retry, then failed.
        schedule: vec![Duration::from_secs(5)],
        ..Webhooks::new(
            vec![
                endpoint("metrics-good", &good),
                endpoint("metrics-down", &down),
            ],
            true,
        )
    })
    .await;
    let before = scrape(&app).await;
    assert_eq!(sample(&before, "crw_outbox_pending_deliveries", &[]), 0.0);
    assert_eq!(
        sample(&before, "crw_outbox_oldest_pending_seconds", &[]),
        0.0
    );

    let submitted = jiff::Timestamp::now();
    let response = app.send(submission(&valid_form(), None)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    until("one delivered, one tried once", || async {
        delivery(&app, "metrics-good")
            .await
            .is_some_and(|d| d.state == "delivered")
            && delivery(&app, "metrics-down")
                .await
                .is_some_and(|d| d.attempts == 1)
    })
    .await;
    let text = scrape(&app).await;
    let scraped = jiff::Timestamp::now();
    assert_eq!(
        deliveries(&text, "metrics-good", "delivered"),
        1.0,
        "{text}"
    );
    assert_eq!(deliveries(&text, "metrics-down", "retried"), 1.0, "{text}");
    assert_eq!(deliveries(&text, "metrics-down", "failed"), 0.0, "{text}");
    assert_eq!(
        sample(&text, "crw_outbox_pending_deliveries", &[]),
        1.0,
        "{text}"
    );
    // The event was written between the submission and the scrape: its age is within that span.
    let age = sample(&text, "crw_outbox_oldest_pending_seconds", &[]);
    let span = scraped.duration_since(submitted).as_secs_f64();
    assert!((0.0..=span + 0.001).contains(&age), "{age} within {span}");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "ready while a receiver fails");

    let retry = delivery(&app, "metrics-down").await.unwrap().next_at_ms;
    now.store(retry, Ordering::SeqCst);
    until("the retry fails for good", || async {
        delivery(&app, "metrics-down")
            .await
            .is_some_and(|d| d.state == "failed")
    })
    .await;
    let text = scrape(&app).await;
    assert_eq!(deliveries(&text, "metrics-down", "retried"), 1.0, "{text}");
    assert_eq!(deliveries(&text, "metrics-down", "failed"), 1.0, "{text}");
    assert_eq!(
        deliveries(&text, "metrics-good", "delivered"),
        1.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "crw_outbox_pending_deliveries", &[]),
        0.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "crw_outbox_oldest_pending_seconds", &[]),
        0.0,
        "{text}"
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "ready after a receiver failed every try");
    assert_eq!(ready.body["status"], "ready");
}
