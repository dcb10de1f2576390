//! Callbacks worked by representatives: the status machine a logged call drives, the
//! EngagementInteraction of each completed contact, the routing view with its atomic claim, and the bulk
//! release of junk bookings.

pub mod activities;
pub mod attempts;
pub mod due;
pub mod engagement;
pub mod objects;
pub mod offers;
pub mod release;
pub mod routing;
pub mod status;

use axum::Router;
use axum::routing::{get, post};
use jiff::Timestamp;

use crate::store::{Db, Store, StoreError, Tx};

/// Runs a background round each second for as long as the process lives, in every process: `look`, a
/// read, decides at the tick's instant whether there is work, so an idle server writes nothing; `round`,
/// a write, does it. A failure of either is logged as `what`'s, and the next tick tries again.
pub(crate) fn each_second<L, R, T>(store: Store, what: &'static str, look: L, round: R)
where
    L: Fn(&Db<'_>, Timestamp) -> Result<bool, StoreError> + Clone + Send + 'static,
    R: Fn(&Tx<'_>, Timestamp) -> Result<T, StoreError> + Clone + Send + 'static,
    T: Send + 'static,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Timestamp::now();
            let look = look.clone();
            match store.read(move |db| look(db, now)).await {
                Ok(false) => continue,
                Ok(true) => {}
                Err(error) => {
                    tracing::warn!(%error, "{what} cannot look for work; trying again");
                    continue;
                }
            }
            let round = round.clone();
            if let Err(error) = store.write(move |tx| round(tx, now)).await {
                tracing::warn!(%error, "a round of {what} failed; trying again");
            }
        }
    });
}

/// The routing routes, under Salesforce's custom REST namespace (`/services/apexrest/`), with the API's
/// bearer tokens and error shape.
pub fn routes<S: Clone + Send + Sync + 'static>(store: Store) -> Router<S> {
    Router::new()
        .route(
            "/services/apexrest/callbacks/routable",
            get(routing::routable),
        )
        .route(
            "/services/apexrest/callbacks/{id}/claim",
            post(routing::claim),
        )
        .route(
            "/services/apexrest/callbacks/release",
            post(release::release_route),
        )
        .with_state(store)
}
