//! Who may use the Salesforce-compatible API and the console: representatives and integrations (users),
//! the queues that own requests, the bearer tokens each user calls with, and the console's passwords,
//! sessions and sign-in routes.

pub mod backoff;
pub mod caller;
pub mod cli;
pub mod directory;
pub mod objects;
pub mod password;
pub mod session;
pub mod sharing;
pub mod sign_in;
pub mod tokens;
pub mod userinfo;

use axum::Router;
use axum::routing::get;

use crate::store::Store;

pub use caller::{Caller, ConsoleCaller, Unauthenticated};
pub use sharing::Visibility;
pub use tokens::Scope;

/// The OAuth routes Salesforce clients call with a bearer token, in the API's error shape.
pub fn routes<S: Clone + Send + Sync + 'static>(store: Store) -> Router<S> {
    Router::new()
        .route(userinfo::PATH, get(userinfo::userinfo))
        .with_state(store)
}
