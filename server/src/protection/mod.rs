//! Protection of the public intake: rate limits by client IP and by site, bot friction (honeypot,
//! minimum fill time, proof of work), a deadline on every request, and security headers on every answer.
//!
//! Connection-level limits (header size and read timeout, concurrent connections) live in
//! [`crate::connections`], as they act before a request exists.

mod challenge;
mod client_ip;
mod headers;
mod rate_limit;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use contact_shared::{CHALLENGE_PATH, ChallengeQuery, PROOF_HEADER, TRAP_HEADER};

pub use challenge::{Challenge, Challenger, Friction, ProofError, SolvedProof, solve};
pub use client_ip::{TrustedProxy, canonical as canonical_ip, client_ip};
pub use headers::{API as API_HEADERS, security_headers, security_headers_for_pages};
pub use rate_limit::{KeyedLimit, client_bucket};

use crate::error::{AppError, Slow};
use crate::sites::Site;
use crate::store::StoreError;

/// The protection settings a server runs with.
#[derive(Debug)]
pub struct Protection {
    pub trusted_proxies: Arc<Vec<TrustedProxy>>,
    pub challenger: Challenger,
    /// Requests from one client (by its bucket, [`client_bucket`]), charged before anything is read.
    pub ip_limit: KeyedLimit<IpAddr>,
    /// Submissions to one site (by the site the request resolved to), charged once the checks that cost
    /// nothing passed.
    pub site_limit: KeyedLimit<String>,
    /// Callback times booked from one client.
    pub booking_limit: KeyedLimit<IpAddr>,
    /// Batches of analytics events from one client: a budget of their own, so a page's events never
    /// spend its visitor's submissions.
    pub events_limit: KeyedLimit<IpAddr>,
    /// Open bookings (a chosen time still ahead) one phone number may hold; `None` for no limit.
    pub bookings_per_phone: Option<u32>,
    pub request_timeout: Duration,
}

impl Protection {
    /// No rate limits and no friction: for tests of other behaviour, and benchmarks of the store.
    pub fn off() -> Self {
        Self {
            trusted_proxies: Arc::new(Vec::new()),
            challenger: Challenger::new(
                b"off".to_vec(),
                Friction {
                    difficulty: 0,
                    min_fill: Duration::ZERO,
                },
            ),
            ip_limit: KeyedLimit::off(),
            site_limit: KeyedLimit::off(),
            booking_limit: KeyedLimit::off(),
            events_limit: KeyedLimit::off(),
            bookings_per_phone: None,
            request_timeout: Duration::from_secs(10),
        }
    }

    /// Counts the rate limits in `store`'s shared counts when it has them (PostgreSQL, which several
    /// processes share); on SQLite they stay in this process's memory.
    pub fn count_in(&mut self, store: &crate::Store) {
        if let Some(limits) = store.shared_limits() {
            self.ip_limit.share(limits.clone(), "ip");
            self.site_limit.share(limits.clone(), "site");
            self.booking_limit.share(limits.clone(), "booking");
            self.events_limit.share(limits, "events");
        }
    }

    /// Wraps the intake routes in the per-IP rate limit, if on, and names each request's client for the
    /// limits the handler charges ([`Client`]).
    pub fn rate_limited<S: Clone + Send + Sync + 'static>(
        self: &Arc<Self>,
        routes: Router<S>,
    ) -> Router<S> {
        routes.layer(axum::middleware::from_fn_with_state(
            Arc::clone(self),
            charge_client,
        ))
    }

    /// Wraps the analytics events' route in the per-IP limit of event batches, if on.
    pub fn events_rate_limited<S: Clone + Send + Sync + 'static>(
        self: &Arc<Self>,
        routes: Router<S>,
    ) -> Router<S> {
        routes.layer(axum::middleware::from_fn_with_state(
            Arc::clone(self),
            charge_events,
        ))
    }

    /// The friction `site` asks of its visitors: its own settings, else the server's.
    pub fn friction(&self, site: &Site) -> Friction {
        self.challenger.friction(site.pow_difficulty, site.min_fill)
    }

    /// Takes one submission from `site`'s budget, for a request that passed the checks that cost nothing.
    pub async fn charge_site(&self, site: &Site) -> Result<Result<(), Blocked>, StoreError> {
        Ok(self
            .site_limit
            .charge(&site.key)
            .await?
            .map_err(|retry_after| Blocked::SiteRateLimited { retry_after }))
    }

    /// Takes one callback booking from `client`'s budget.
    pub async fn charge_booking(&self, client: Client) -> Result<Result<(), Blocked>, StoreError> {
        Ok(self
            .booking_limit
            .charge(&client.0)
            .await?
            .map_err(|retry_after| Blocked::BookingRateLimited { retry_after }))
    }

    /// Checks a submission's friction before anything is stored: the honeypot is empty, and the proof of
    /// work solves a challenge this server issued, as hard as `site` asks, at least its minimum fill time
    /// ago, and was not spent lately. The proof, if the site asks for one, is for the store to record as
    /// spent with the record it buys.
    pub fn check_friction(
        &self,
        headers: &HeaderMap,
        idempotency_key: Option<&str>,
        site: &Site,
    ) -> Result<Option<SolvedProof>, Blocked> {
        let trap = headers
            .get(TRAP_HEADER)
            .is_some_and(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace));
        if trap {
            return Err(Blocked::Honeypot);
        }
        let friction = self.friction(site);
        if !friction.is_on() {
            return Ok(None);
        }
        let proof = headers.get(PROOF_HEADER).and_then(|v| v.to_str().ok());
        self.challenger
            .verify(proof, idempotency_key, friction)
            .map(Some)
            .map_err(Blocked::Proof)
    }
}

/// Why protection turned a submission away: its bot friction, or a budget it ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// The honeypot input was filled.
    Honeypot,
    Proof(ProofError),
    /// The site's budget of submissions is spent for now.
    SiteRateLimited {
        retry_after: u64,
    },
    /// The client's budget of callback bookings is spent for now.
    BookingRateLimited {
        retry_after: u64,
    },
}

impl Blocked {
    /// The label this refusal is counted under in `crw_submissions_rejected_total`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Honeypot => "honeypot",
            Self::Proof(error) => error.reason(),
            Self::SiteRateLimited { .. } => "rate_limited_site",
            Self::BookingRateLimited { .. } => "rate_limited_booking",
        }
    }
}

impl From<Blocked> for AppError {
    fn from(blocked: Blocked) -> Self {
        match blocked {
            Blocked::Honeypot => AppError::Friction(
                "This request looks automated and was not accepted. If you are a person, reload the page and try again.".into(),
            ),
            Blocked::Proof(error) => AppError::Friction(error.to_string()),
            Blocked::SiteRateLimited { retry_after } => AppError::TooManyRequests { retry_after },
            Blocked::BookingRateLimited { retry_after } => {
                AppError::TooManyBookings { retry_after }
            }
        }
    }
}

/// Names the request's client for the handler ([`Client`]) and charges it to the client's budget:
/// `429` past it, and the store's `503` when the shared counts cannot be reached.
async fn charge_client(
    State(protection): State<Arc<Protection>>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = Client(client_bucket(client_ip(
        &request,
        &protection.trusted_proxies,
    )));
    request.extensions_mut().insert(client);
    match protection.ip_limit.charge(&client.0).await {
        Ok(Ok(())) => next.run(request).await,
        Ok(Err(retry_after)) => rate_limit::refuse("rate_limited_ip", retry_after),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// Charges a batch of events to its client's events budget; a refusal is not a refused submission, so
/// it is not counted as one.
async fn charge_events(
    State(protection): State<Arc<Protection>>,
    request: Request,
    next: Next,
) -> Response {
    let client = client_bucket(client_ip(&request, &protection.trusted_proxies));
    match protection.events_limit.charge(&client).await {
        Ok(Ok(())) => next.run(request).await,
        Ok(Err(retry_after)) => AppError::TooManyRequests { retry_after }.into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// The client a request comes from, by its rate-limit bucket (an IPv6 client by its /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

/// `GET /api/v1/challenge?site=KEY`: a fresh proof-of-work challenge for the widget, as hard as the site
/// asks. Without `site`, the server's only site, or else the server's default friction.
pub fn routes(cors: tower_http::cors::CorsLayer) -> Router<crate::AppState> {
    Router::new()
        .route(CHALLENGE_PATH, get(issue))
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .layer(cors)
}

async fn issue(
    State(state): State<crate::AppState>,
    query: Result<Query<ChallengeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let site = match query.site.as_deref() {
        Some(key) => Some(state.sites.resolve(Some(key))?),
        None => state.sites.resolve(None).ok(),
    };
    let friction = site.map_or_else(
        || state.protection.challenger.friction(None, None),
        |site| state.protection.friction(site),
    );
    let challenge = state.protection.challenger.issue(friction);
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(challenge),
    )
        .into_response())
}

/// Answers `408` when a request (reading its body included) takes longer than the configured deadline,
/// saying whether its body was still arriving or the server's own work took the time.
pub async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let arrived = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        axum::body::Body::new(Arrival {
            arrived: Arc::clone(&arrived),
            body,
        })
    });
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            crate::metrics::rejected("timeout");
            let slow = if arrived.load(Ordering::Relaxed) {
                Slow::Answering
            } else {
                Slow::Arriving
            };
            AppError::Timeout(slow).into_response()
        }
    }
}

/// A request body that notes when it has all arrived (at once, for a request without one).
struct Arrival {
    arrived: Arc<AtomicBool>,
    body: axum::body::Body,
}

impl axum::body::HttpBody for Arrival {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let poll = std::pin::Pin::new(&mut self.body).poll_frame(cx);
        if matches!(poll, std::task::Poll::Ready(None)) || self.body.is_end_stream() {
            self.arrived.store(true, Ordering::Relaxed);
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        let end = self.body.is_end_stream();
        if end {
            self.arrived.store(true, Ordering::Relaxed);
        }
        end
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    /// A body that never finishes arriving.
    struct Trickle;

    impl axum::body::HttpBody for Trickle {
        type Data = axum::body::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }

    async fn timed_out_message(body: Body) -> String {
        let app = Router::new()
            .route(
                "/",
                post(|body: String| async move {
                    // The server's own work, longer than the deadline.
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    body
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_secs(10),
                deadline,
            ));
        let response = app
            .oneshot(axum::http::Request::post("/").body(body).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::REQUEST_TIMEOUT);
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body: contact_shared::ErrorBody = serde_json::from_slice(&bytes).unwrap();
        body.message
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_blames_the_connection_only_while_the_body_is_arriving() {
        let arriving = timed_out_message(Body::new(Trickle)).await;
        assert!(arriving.contains("Check your connection"), "{arriving}");
        let answering = timed_out_message(Body::from("all here")).await;
        assert!(
            answering.contains("The server took too long"),
            "{answering}"
        );
        assert!(!answering.contains("connection"), "{answering}");
    }
}
