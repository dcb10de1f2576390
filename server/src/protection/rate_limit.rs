//! Rate limits on the intake endpoint: by client IP as a layer, before anything is read, and by site
//! (and callback bookings by client) in the handler, charged only for requests that passed the checks
//! that cost nothing (a parsed body, a known site, an allowed origin, a valid proof), so junk from many
//! addresses cannot spend a site's budget.
//!
//! Where the counts live depends on the store. One SQLite process counts in its own memory, with
//! `governor`: nothing is cheaper. Processes sharing PostgreSQL count in the database
//! ([`crate::store::SharedLimits`]: one statement per charge, on an UNLOGGED table), so a client spreading
//! its requests over N processes gets each limit once in total, not N times. Each process remembers the
//! keys the database refused, until the instant it said a charge is back, and refuses those itself
//! without asking again: a flood that is over its limit costs no round trip. Both count with the same
//! rule (GCRA): over any span `t`, a key is granted at most `burst + t / interval` charges.
//!
//! A refused request gets `429` in the shared error shape with `Retry-After`, and is counted. When the
//! database cannot be reached, a charge cannot be decided: the request gets the store's `503`, as it
//! would a moment later when it came to be stored.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::Response;
use axum::response::IntoResponse;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::store::{Charged, LimitRule, SharedLimits, StoreError};

/// Charges between two sweeps of a keyed limit's table for keys that have had their full burst back.
const SWEEP_EVERY: u64 = 4_096;

/// The bucket a client address counts in: IPv6 by its /64, IPv4 by itself.
pub fn client_bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

/// A limit with one budget per key: `rate` a period, up to `burst` at once; counted in this process's
/// memory until [`KeyedLimit::share`] moves its counts to a store shared with other processes.
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    /// `None` when the limit is off.
    rule: Option<LimitRule>,
    counts: Counts<K>,
    charges: AtomicU64,
}

/// Where a limit's counts live.
enum Counts<K: Hash + Eq + Clone> {
    Off,
    Local(DefaultKeyedRateLimiter<K>),
    Shared {
        limits: SharedLimits,
        /// The limit's name in the shared table.
        scope: &'static str,
        /// Keys the database refused lately, and until when it said: refused here without asking.
        refused: Mutex<HashMap<K, jiff::Timestamp>>,
    },
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for KeyedLimit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedLimit")
            .field("rule", &self.rule)
            .field("shared", &matches!(self.counts, Counts::Shared { .. }))
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone + std::fmt::Display> KeyedLimit<K> {
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
            rule: None,
            counts: Counts::Off,
            charges: AtomicU64::new(0),
        }
    }

    fn new(period: Duration, rate: u32, burst: u32) -> Self {
        let Some(quota) = (rate > 0)
            .then(|| Quota::with_period(period / rate))
            .flatten()
        else {
            return Self::off();
        };
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Self {
            rule: Some(LimitRule {
                interval: quota.replenish_interval(),
                burst: burst.get(),
            }),
            counts: Counts::Local(RateLimiter::keyed(quota.allow_burst(burst))),
            charges: AtomicU64::new(0),
        }
    }

    /// Counts this limit, if on, in `limits` (shared with every process on the same database) under
    /// the name `scope`, instead of in this process's memory.
    pub fn share(&mut self, limits: SharedLimits, scope: &'static str) {
        if self.rule.is_some() {
            self.counts = Counts::Shared {
                limits,
                scope,
                refused: Mutex::new(HashMap::new()),
            };
        }
    }

    /// Takes one from `key`'s budget, or answers how many seconds until one is back; fails only when
    /// the shared counts cannot be reached.
    pub async fn charge(&self, key: &K) -> Result<Result<(), u64>, StoreError> {
        let Some(rule) = self.rule else {
            return Ok(Ok(()));
        };
        // Now and then, forget keys whose budget is whole again, so the table stays small.
        let sweep = self.charges.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        match &self.counts {
            Counts::Off => Ok(Ok(())),
            Counts::Local(limiter) => {
                if sweep {
                    limiter.retain_recent();
                }
                Ok(limiter
                    .check_key(key)
                    .map_err(|not_until| seconds(not_until.wait_time_from(limiter.clock().now()))))
            }
            Counts::Shared {
                limits,
                scope,
                refused,
            } => {
                let now = jiff::Timestamp::now();
                if let Some(wait) = refused_here(refused, key, now, sweep) {
                    return Ok(Err(seconds(wait)));
                }
                match limits.charge(scope, &key.to_string(), rule, now).await? {
                    Charged::Taken => Ok(Ok(())),
                    Charged::Refused { retry_after } => {
                        if let Ok(until) = now.checked_add(retry_after) {
                            lock(refused).insert(key.clone(), until);
                        }
                        Ok(Err(seconds(retry_after)))
                    }
                }
            }
        }
    }
}

/// How long until the database's refusal of `key` ends, if it has not yet; sweeps ended ones when asked.
fn refused_here<K: Hash + Eq>(
    refused: &Mutex<HashMap<K, jiff::Timestamp>>,
    key: &K,
    now: jiff::Timestamp,
    sweep: bool,
) -> Option<Duration> {
    let mut refused = lock(refused);
    if sweep {
        refused.retain(|_, until| *until > now);
    }
    let until = *refused.get(key)?;
    if until <= now {
        refused.remove(key);
        return None;
    }
    Duration::try_from(until.duration_since(now)).ok()
}

/// The map of refusals, whatever a panic elsewhere left in it (each entry is whole on its own).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A wait as `Retry-After` says it: whole seconds, rounded up, at least one.
fn seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.is_zero()))
}

/// The answer to a request refused by `scope`'s limit: 429 with `Retry-After`, in the shared shape,
/// and counted.
pub fn refuse(scope: &'static str, retry_after: u64) -> Response<Body> {
    crate::metrics::rejected(scope);
    AppError::TooManyRequests { retry_after }.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_the_database_refused_is_refused_here_until_the_instant_it_said() {
        let start: jiff::Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        let at = |ms: i64| start + jiff::SignedDuration::from_millis(ms);
        let refused = Mutex::new(HashMap::from([("shop", at(10_000)), ("blog", at(1_000))]));
        let table = [
            (
                "shop",
                0,
                false,
                Some(Duration::from_secs(10)),
                "refused, for the whole wait",
            ),
            (
                "shop",
                9_500,
                false,
                Some(Duration::from_millis(500)),
                "for what is left of it",
            ),
            ("shop", 10_000, false, None, "asked again once it ends"),
            (
                "blog",
                0,
                true,
                Some(Duration::from_secs(1)),
                "a sweep keeps what has not ended",
            ),
            ("news", 0, false, None, "a key never refused is asked"),
        ];
        for (key, ms, sweep, expected, why) in table {
            assert_eq!(
                refused_here(&refused, &key, at(ms), sweep),
                expected,
                "{why}"
            );
        }
        assert!(
            !lock(&refused).contains_key("shop"),
            "an ended refusal is forgotten"
        );
        refused_here(&refused, &"news", at(2_000), true);
        assert!(lock(&refused).is_empty(), "a sweep forgets every ended one");
    }

    #[test]
    fn a_wait_is_said_in_whole_seconds_rounded_up() {
        let table = [
            (0, 1),
            (1, 1),
            (999, 1),
            (1_000, 1),
            (1_001, 2),
            (59_999, 60),
        ];
        for (ms, expected) in table {
            assert_eq!(seconds(Duration::from_millis(ms)), expected, "{ms} ms");
        }
    }
}
