//! Callbacks worked by representatives: the status machine a logged call drives, the
//! EngagementInteraction of each completed contact, the routing view with its atomic claim, and the bulk
//! release of junk bookings.

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

use crate::store::Store;

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
