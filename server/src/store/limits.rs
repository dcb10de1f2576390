//! Rate-limit counts kept in the database, for limits that must hold across server processes: on
//! PostgreSQL, a client spreading its requests over N processes gets the configured limit once, not N
//! times. SQLite serves one process, whose memory is the cheapest place for them, so it has none
//! ([`super::Store::shared_limits`] answers `None`, and the caller counts in memory).
//!
//! The counts are GCRA (the algorithm `governor` runs in memory), one row of an UNLOGGED table per limit
//! and key (`rate_limits`, migration 0014): the row holds the instant at which the key's bucket is full
//! again, plus one interval. A charge is one autocommitted statement, `INSERT … ON CONFLICT DO UPDATE …
//! RETURNING`, on a pooled connection with its statement prepared once per connection (or sent unnamed
//! behind a pooler in transaction mode, see [`super::postgres::Statements`]): one round trip either way,
//! no transaction around it, and the row lock the upsert takes orders charges from every process, so
//! over any span of `t` one key is granted at most `burst + t / interval` charges in total, as one
//! process alone would grant. The periodic sweep deletes rows whose bucket is full again (their state
//! is the same as no row).

use std::time::Duration;

use tokio_postgres::types::Type;

use super::postgres::PostgresStore;
use super::{Store, StoreError, count};

/// A limit's rule: one charge back every `interval`, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitRule {
    pub interval: Duration,
    pub burst: u32,
}

/// What a charge got: taken from the key's budget, or refused until a charge is back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charged {
    Taken,
    Refused { retry_after: Duration },
}

/// The rate-limit counts of a store shared by several processes (PostgreSQL's).
#[derive(Clone)]
pub struct SharedLimits(PostgresStore);

impl Store {
    /// Where this store's processes count rate limits together; `None` on SQLite, whose one process
    /// counts them in its own memory.
    pub fn shared_limits(&self) -> Option<SharedLimits> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(store) => Some(SharedLimits(store.clone())),
        }
    }

    /// Deletes the rate-limit counts whose bucket is full again by `now`; answers how many went (none
    /// on SQLite, which keeps no counts).
    pub async fn sweep_limits(&self, now: jiff::Timestamp) -> Result<usize, StoreError> {
        match self.shared_limits() {
            None => Ok(0),
            Some(limits) => limits.sweep(now).await,
        }
    }
}

impl SharedLimits {
    /// Takes one charge of `rule` from `key`'s budget in `scope` (the limit's name) at `now`, or answers
    /// how long until one is back. One statement; every process's charges of one key queue on its row.
    pub async fn charge(
        &self,
        scope: &str,
        key: &str,
        rule: LimitRule,
        now: jiff::Timestamp,
    ) -> Result<Charged, StoreError> {
        let interval = millis(rule.interval).max(1);
        let tolerance = interval.saturating_mul(i64::from(rule.burst.max(1)));
        let now = now.as_millisecond();
        let client = self.0.client().await?;
        // `next` is where the charge would move the row's instant: refused when that is further ahead of
        // now than the burst allows. SET reads the row as it was, so both columns see the same `next`.
        let row = self
            .0
            .statements()
            .query_one(
                &client,
                "INSERT INTO rate_limits AS r (scope, key, tat_ms, refused)
                 VALUES ($1, $2, $3 + $4, FALSE)
                 ON CONFLICT (scope, key) DO UPDATE SET
                     refused = GREATEST(r.tat_ms, $3) + $4 - $3 > $5,
                     tat_ms = CASE WHEN GREATEST(r.tat_ms, $3) + $4 - $3 > $5 THEN r.tat_ms
                                   ELSE GREATEST(r.tat_ms, $3) + $4 END
                 RETURNING tat_ms, refused",
                &[
                    (&scope, Type::TEXT),
                    (&key, Type::TEXT),
                    (&now, Type::INT8),
                    (&interval, Type::INT8),
                    (&tolerance, Type::INT8),
                ],
            )
            .await?;
        let (tat, refused): (i64, bool) = (row.get(0), row.get(1));
        Ok(if refused {
            // Back once one more interval from the row's instant is within the burst of now.
            let wait = tat.saturating_add(interval) - tolerance - now;
            Charged::Refused {
                retry_after: Duration::from_millis(u64::try_from(wait).unwrap_or(0)),
            }
        } else {
            Charged::Taken
        })
    }

    async fn sweep(&self, now: jiff::Timestamp) -> Result<usize, StoreError> {
        let client = self.0.client().await?;
        let gone = self
            .0
            .statements()
            .execute(
                &client,
                "DELETE FROM rate_limits WHERE tat_ms <= $1",
                &[(&now.as_millisecond(), Type::INT8)],
            )
            .await?;
        Ok(count(gone))
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
