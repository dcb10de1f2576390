//! Rate limits on the intake endpoint, with `governor`: by client IP as a layer, before anything is read,
//! and by site (and callback bookings by client) in the handler, charged only for requests that passed
//! the checks that cost nothing (a parsed body, a known site, an allowed origin, a valid proof), so junk
//! from many addresses cannot spend a site's budget.
//!
//! A refused request gets `429` in the shared error shape with `Retry-After`, and is counted.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

use super::TrustedProxy;
use crate::error::AppError;

/// Charges between two sweeps of a keyed limit's table for keys that have had their full burst back.
const SWEEP_EVERY: u64 = 4_096;

/// Keys requests by client IP (IPv6 by its /64, which one subscriber usually holds whole).
#[derive(Debug, Clone)]
pub struct ClientIpKey {
    pub trusted: Arc<Vec<TrustedProxy>>,
}

impl KeyExtractor for ClientIpKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        Ok(client_bucket(super::client_ip(request, &self.trusted)))
    }
}

/// The bucket a client address counts in: IPv6 by its /64, IPv4 by itself.
pub fn client_bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

/// A limit charged by the handler, one bucket per key: `rate` a period, up to `burst` at once.
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    /// `None` when the limit is off.
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    charges: AtomicU64,
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for KeyedLimit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedLimit")
            .field("on", &self.limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    /// `rate` charges a minute per key, `burst` at once; a rate of 0 turns it off.
    pub fn per_minute(rate: u32, burst: u32) -> Self {
        Self::new(Duration::from_secs(60), rate, burst)
    }

    /// `rate` charges an hour per key, `burst` at once; a rate of 0 turns it off.
    pub fn per_hour(rate: u32, burst: u32) -> Self {
        Self::new(Duration::from_secs(3_600), rate, burst)
    }

    /// No limit.
    pub fn off() -> Self {
        Self {
            limiter: None,
            charges: AtomicU64::new(0),
        }
    }

    fn new(period: Duration, rate: u32, burst: u32) -> Self {
        let quota = (rate > 0)
            .then(|| Quota::with_period(period / rate))
            .flatten()
            .map(|q| q.allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN)));
        Self {
            limiter: quota.map(RateLimiter::keyed),
            charges: AtomicU64::new(0),
        }
    }

    /// Takes one from `key`'s bucket, or answers how many seconds until one is back.
    pub fn charge(&self, key: &K) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget keys that have had their full burst back now and then, so the table stays small.
        if self.charges.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            not_until
                .wait_time_from(limiter.clock().now())
                .as_secs()
                .max(1)
        })
    }
}

/// A limiter's configuration: `per_minute` requests, up to `burst` at once. `None` when the rate is 0 (off).
pub fn config<K: KeyExtractor + Send + Sync + 'static>(
    key: K,
    per_minute: u32,
    burst: u32,
) -> Option<Arc<GovernorConfig<K, NoOpMiddleware>>>
where
    K::Key: Send + Sync + 'static,
{
    if per_minute == 0 {
        return None;
    }
    let period = Duration::from_secs(60) / per_minute;
    let config = GovernorConfigBuilder::default()
        .period(period)
        .burst_size(burst.max(1))
        .key_extractor(key)
        .finish()?;
    let config = Arc::new(config);
    // Forget clients that have had their full burst back, so the table does not grow without bound.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let shared = config.limiter().clone();
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                shared.retain_recent();
                // Only this task holds it: the router it guarded is gone.
                if Arc::strong_count(&shared) == 1 {
                    break;
                }
            }
        });
    }
    Some(config)
}

/// The answer to a refused request: 429 with `Retry-After`, in the shared shape; counted by `scope`.
pub fn refuse(scope: &'static str) -> impl Fn(GovernorError) -> Response<Body> + Clone {
    move |error| match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            crate::metrics::rejected(scope);
            AppError::TooManyRequests {
                retry_after: wait_time.max(1),
            }
            .into_response()
        }
        other => AppError::Internal(format!("rate limiter: {other}")).into_response(),
    }
}
