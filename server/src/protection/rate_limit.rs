//! Rate limits on the intake endpoint, by client IP and by site, with `tower_governor`.
//!
//! A refused request gets `429` in the shared error shape with `Retry-After`, and is counted.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

use super::TrustedProxy;
use crate::error::AppError;
use crate::sites::SITE_HEADER;

/// Site keys longer than this share one bucket, so a client cannot mint unlimited buckets.
const MAX_SITE_LEN: usize = 64;

/// Keys requests by client IP (IPv6 by its /64, which one subscriber usually holds whole).
#[derive(Debug, Clone)]
pub struct ClientIpKey {
    pub trusted: Arc<Vec<TrustedProxy>>,
}

impl KeyExtractor for ClientIpKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        Ok(match super::client_ip(request, &self.trusted) {
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
            v4 => v4,
        })
    }
}

/// Keys requests by the site the widget says it is embedded for.
#[derive(Debug, Clone, Copy)]
pub struct SiteKey;

impl KeyExtractor for SiteKey {
    type Key = String;

    fn extract<T>(&self, request: &Request<T>) -> Result<String, GovernorError> {
        let site = request
            .headers()
            .get(SITE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(if site.len() > MAX_SITE_LEN {
            "(too long)".to_owned()
        } else {
            site.to_owned()
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
