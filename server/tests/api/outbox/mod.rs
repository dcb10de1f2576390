//! The transactional outbox: the events each write of a contact request leaves (and each scheduled
//! callback falling due), their webhooks and their email (the digests, the staff alerts and the
//! visitor's confirmation), and the disabling of an endpoint that keeps failing.

mod alerts;
mod confirmation;
mod deliveries;
mod disabling;
mod due;
mod endpoints;
mod events;
mod mail;
mod metrics;
mod unsubscribe;
mod webhooks;

/// Waits until `done` holds, failing after a generous deadline (a hang guard, not a timing).
pub(super) async fn until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
