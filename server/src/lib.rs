//! The contact-request server: the public intake API the widget posts to, the durable store behind it,
//! the built widget's assets, and a demo host page on its own origin.
//!
//! [`app`] builds the whole router from its parts, so tests drive the real thing with `oneshot`;
//! [`serve::serve`] binds the listeners and runs it.

pub mod access;
pub mod call_centers;
pub mod callbacks;
pub mod config;
mod contact_requests;
mod demo;
pub mod error;
mod health;
pub mod ids;
pub mod serve;
pub mod sobjects;
pub mod soql;
pub mod store;
pub mod telephony;
pub mod widget;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use demo::app as demo_app;
pub use store::Store;
pub use widget::WidgetAssets;

/// The largest request body the intake API reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The call centers of `--call-centers` (none without the file).
    pub call_centers: call_centers::CallCenters,
}

/// The API server's router: intake API, probes and widget assets, with logging and the error shape on
/// every answer. `allowed_origins` are the pages that may post contact requests from a browser.
pub fn app(state: AppState, allowed_origins: Vec<HeaderValue>, widget: &WidgetAssets) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed_origins))
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(3600));
    Router::new()
        .merge(contact_requests::routes(cors))
        .merge(health::routes())
        .merge(sobjects::routes(state.store.clone()))
        .merge(telephony::routes())
        .merge(callbacks::routes(state.store.clone()))
        .with_state(state)
        .merge(widget.routes())
        .fallback(error::not_found)
        .layer(CatchPanicLayer::custom(|_| {
            error::AppError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
