//! The outbox's depth and age as gauges, read from the store at each scrape of `/metrics`: how many
//! webhook deliveries are pending, and how long ago the event of the oldest was written. Read at the
//! scrape rather than by a periodic task: the numbers are as fresh as the scrape, no task runs between
//! scrapes, and the read is one small indexed query (pending rows only) per scrape. The outbox is the
//! database's, so on PostgreSQL every process answers the same numbers (take their `max`, not `sum`).

use std::sync::Arc;

use crate::metrics::{Scrape, gauge};
use crate::store::{OutboxDepth, Store};

/// The gauges' lines, read from `store` now; none when the store cannot answer (the scrape still serves
/// every other metric, and the failure is logged).
pub fn scrape(store: Store) -> Scrape {
    Arc::new(move || {
        let store = store.clone();
        Box::pin(async move {
            match store.read(|db| db.outbox_depth()).await {
                Ok(depth) => lines(&depth, jiff::Timestamp::now()),
                Err(error) => {
                    tracing::warn!(%error, "cannot read the outbox's depth for /metrics");
                    String::new()
                }
            }
        })
    })
}

/// The gauges of `depth` at `now`.
fn lines(depth: &OutboxDepth, now: jiff::Timestamp) -> String {
    let age = depth
        .oldest_at
        .as_deref()
        .and_then(crate::instant::parse)
        .map_or(0.0, |oldest| {
            (now.as_millisecond() - oldest.as_millisecond()).max(0) as f64 / 1_000.0
        });
    gauge(
        "crw_outbox_pending_deliveries",
        "Webhook deliveries not yet delivered nor failed.",
        depth.pending as f64,
    ) + &gauge(
        "crw_outbox_oldest_pending_seconds",
        "Age of the event of the oldest pending webhook delivery (0 when none is pending).",
        age,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_age_is_from_the_oldest_pending_event_and_zero_when_none_is_pending() {
        let now: jiff::Timestamp = "2026-03-02T09:00:02.500Z".parse().unwrap();
        let pending = OutboxDepth {
            pending: 3,
            oldest_at: Some(crate::instant::stored(
                "2026-03-02T09:00:00Z".parse().unwrap(),
            )),
        };
        let text = lines(&pending, now);
        assert!(
            text.contains("\ncrw_outbox_pending_deliveries 3\n"),
            "{text}"
        );
        assert!(
            text.contains("\ncrw_outbox_oldest_pending_seconds 2.5\n"),
            "{text}"
        );
        let empty = lines(
            &OutboxDepth {
                pending: 0,
                oldest_at: None,
            },
            now,
        );
        assert!(
            empty.contains("\ncrw_outbox_pending_deliveries 0\n"),
            "{empty}"
        );
        assert!(
            empty.contains("\ncrw_outbox_oldest_pending_seconds 0\n"),
            "{empty}"
        );
    }
}
