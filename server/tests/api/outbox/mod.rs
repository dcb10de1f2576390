//! The transactional outbox: the events each write of a contact request leaves (and each scheduled
//! callback falling due), their webhooks and their email (the digests, the staff alerts and the
//! visitor's confirmation), and the disabling of an endpoint that keeps failing.

mod alerts;
mod confirmation;
mod crash;
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
    done: impl FnMut() -> F,
) {
    until_within(what, std::time::Duration::from_secs(30), done).await
}

/// [`until`] with a guard of `limit`, for a wait that includes one of the server's own delays.
pub(super) async fn until_within<F: std::future::Future<Output = bool>>(
    what: &str,
    limit: std::time::Duration,
    mut done: impl FnMut() -> F,
) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
