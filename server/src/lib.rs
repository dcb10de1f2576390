//! The contact-request server: the public intake API the widget posts to, the durable store behind it,
//! the built widget's assets, and a demo host page on its own origin.
//!
//! [`startup::start`] opens the store and builds the whole router ([`app`]) from its parts, so tests
//! drive the real thing with `oneshot`; [`serve::serve`] reads the configuration, binds the listeners
//! and runs it.

pub mod access;
pub mod bearer;
pub mod business_time;
pub mod call_centers;
pub mod callbacks;
pub mod cli;
pub mod config;
pub mod connections;
pub mod console;
mod contact_requests;
mod demo;
pub mod error;
mod health;
pub mod ids;
pub mod instant;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod objects;
pub mod origin;
pub mod protection;
pub mod reports;
pub mod salesforce;
pub mod serve;
pub mod sites;
pub mod sobjects;
pub mod softphone;
pub mod soql;
pub mod sosl;
pub mod startup;
pub mod store;
pub mod telephony;
pub mod webhooks;
pub mod widget;
pub mod xdm;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Method, header};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use demo::app as demo_app;
pub use sites::Sites;
pub use store::Store;
pub use widget::WidgetAssets;

/// The largest request body the intake API reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sites: Arc<Sites>,
    /// The organisation's RequestReason values: what describe lists, and the default on create.
    pub request_reasons: Arc<salesforce::reasons::RequestReasons>,
    pub protection: Arc<protection::Protection>,
    /// The call centers of `--call-centers` (none without the file).
    pub call_centers: call_centers::CallCenters,
    /// The Salesforce-compatible API's query limits (its open cursors are in the store).
    pub queries: Arc<sobjects::Queries>,
    /// How the console's sessions are made and checked.
    pub sessions: Arc<access::session::Sessions>,
    /// How failed console sign-ins slow down the next.
    /// The console's live feed of committed changes.
    pub feed: Arc<live::Feed>,
    pub backoff: Arc<access::backoff::Backoff>,
    /// What the admin API may do with webhook endpoints on this server (its sealing key).
    pub webhooks: webhooks::endpoints::Registry,
}

/// The API server's router: intake API, probes and widget assets, with logging and the error shape on
/// every answer. Browsers may post contact requests from the pages of any configured site's origins; the
/// intake handler then checks the origin against the site the request names.
pub fn app(state: AppState, widget: &WidgetAssets) -> Router {
    let sites = Arc::clone(&state.sites);
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| sites.any_allows_origin(o))
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            contact_requests::IDEMPOTENCY_KEY,
            HeaderName::from_static(contact_shared::SITE_HEADER),
            HeaderName::from_static(contact_shared::PROOF_HEADER),
            HeaderName::from_static(contact_shared::TRAP_HEADER),
            HeaderName::from_static(contact_shared::SESSION_HEADER),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600));
    let deadline = state.protection.request_timeout;
    let sessions = Arc::clone(&state.sessions);
    let sign_in = access::sign_in::SignInState {
        store: state.store.clone(),
        sessions: Arc::clone(&state.sessions),
        backoff: Arc::clone(&state.backoff),
        trusted_proxies: Arc::clone(&state.protection.trusted_proxies),
        request_reasons: Arc::clone(&state.request_reasons),
    };
    let routes = Router::new()
        .merge(contact_requests::routes(cors.clone(), &state.protection))
        .merge(xdm::routes(cors.clone(), &state.protection))
        .merge(protection::routes(cors))
        .merge(health::routes())
        .merge(sites::routes())
        .merge(sobjects::routes(
            state.store.clone(),
            Arc::clone(&state.queries),
            Arc::clone(&state.request_reasons),
        ))
        .merge(telephony::routes())
        .merge(callbacks::routes(state.store.clone()))
        .merge(softphone::routes(
            state.store.clone(),
            state.call_centers.clone(),
        ))
        .merge(xdm::api_routes(state.store.clone()))
        .merge(access::routes(state.store.clone()))
        .merge(live::routes(state.store.clone(), Arc::clone(&state.feed)))
        .merge(access::sign_in::routes(sign_in))
        .merge(console::routes(state.store.clone(), state.webhooks.clone()))
        .merge(mail::unsubscribe::routes(state.store.clone()))
        .with_state(state)
        .merge(widget.routes())
        .fallback(error::not_found);
    // These wrap the router once. `Router::layer` would wrap each route instead, and a request then clones
    // one boxed service per layer on its way in.
    let every_answer = ServiceBuilder::new()
        .map_request(collapse_leading_slashes)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(|_| {
            error::AppError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(protection::security_headers())
        .layer(axum::middleware::from_fn_with_state(
            deadline,
            protection::deadline,
        ))
        // What `access::Caller` checks a session cookie with, on every route that names a caller.
        .layer(axum::Extension(sessions))
        .service(routes);
    Router::new().fallback_service(every_answer)
}

/// `//services/data` → `/services/data`. Salesforce clients join the instance URL, which they keep with a
/// trailing slash, to a path that starts with one (the `sf` CLI does), and Salesforce answers both.
fn collapse_leading_slashes<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let path = request.uri().path();
    if !path.starts_with("//") {
        return request;
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("/{}?{query}", path.trim_start_matches('/')),
        None => format!("/{}", path.trim_start_matches('/')),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(collapsed) = path_and_query.parse() {
        parts.path_and_query = Some(collapsed);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// The span every request is logged in: method and path, never the query string, which carries personal
/// data (a SOQL query's emails and phone numbers, say).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        version = ?request.version(),
    )
}
