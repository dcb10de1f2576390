//! Slowing down password guessing: failed sign-ins are counted per account and per client (an IPv6
//! client by its /64) in the store, so the counts hold across restarts; past a few, each further
//! attempt must wait, twice as long after each failure, up to a cap. An attempt is counted as a failure
//! when it is let through, in the transaction that decides it may go, so that guesses sent at the same
//! moment, to one process or many, see each other's; a success takes its count back. A success clears the account's
//! count; a client's count fades once it has failed nothing for a while, so a guesser cannot clear it
//! by signing in to an account of their own.

use std::net::IpAddr;
use std::time::Duration;

use jiff::Timestamp;

use crate::instant;
use crate::store::{FailureRow, Store, StoreError};

/// How failed sign-ins are counted and how long they make the next one wait.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Failures an account may have before each further attempt must wait.
    pub account_free: u32,
    /// Failures a client may have (across accounts) before each further attempt must wait: more than
    /// an account, as an office or a phone network puts many people behind one address.
    pub client_free: u32,
    /// The first wait; each failure after it doubles it.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// A count whose last failure is older than this starts again.
    pub forget_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            account_free: 5,
            client_free: 20,
            first_wait: Duration::from_secs(2),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(24 * 3_600),
        }
    }
}

/// The keys one sign-in's failures count against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    account: String,
    client: String,
}

impl Keys {
    /// The keys of a sign-in as `username` from `client` (already in its bucket).
    pub fn new(username: &str, client: IpAddr) -> Self {
        Self {
            account: format!("account:{}", username.to_lowercase()),
            client: format!("ip:{client}"),
        }
    }
}

/// A sign-in let through by [`Backoff::take_turn`]. Its failure is counted already, so guesses sent
/// at the same moment, to one process or to many, each see the ones before; [`Backoff::succeeded`]
/// takes it back when the password was right.
#[derive(Debug)]
pub struct Turn {
    keys: Keys,
    at: String,
    /// The client's count as this turn left it, and as it was before.
    client_counted: u32,
    client_before: Option<FailureRow>,
}

impl Backoff {
    /// Lets one sign-in with `keys` go ahead at `now`, its failure counted until it succeeds; or
    /// answers how many whole seconds (at least one) it must still wait. One transaction, on the rows
    /// locked: sign-ins at once take their turns one after another.
    pub async fn take_turn(
        &self,
        store: &Store,
        keys: &Keys,
        now: Timestamp,
    ) -> Result<Result<Turn, u64>, StoreError> {
        let (backoff, keys) = (self.clone(), keys.clone());
        let forget_before =
            instant::stored(now.checked_sub(self.forget_after).unwrap_or(Timestamp::MIN));
        let at = instant::stored(now);
        store
            .write(move |tx| {
                let wanted = vec![keys.account.clone(), keys.client.clone()];
                let rows = tx.sign_in_failures(&wanted, &at)?;
                if let Some(seconds) = backoff.wait(&rows, &keys, now) {
                    return Ok(Err(seconds));
                }
                tx.count_sign_in_failure(&keys.account, &at, &forget_before)?;
                let client_counted = tx.count_sign_in_failure(&keys.client, &at, &forget_before)?;
                let client_before = rows.into_iter().find(|row| row.key == keys.client);
                Ok(Ok(Turn {
                    keys,
                    at,
                    client_counted,
                    client_before,
                }))
            })
            .await
    }

    /// How many whole seconds (at least one) a sign-in with `keys` must still wait at `now`, given the
    /// counts `rows`; `None` when it may go ahead.
    fn wait(&self, rows: &[FailureRow], keys: &Keys, now: Timestamp) -> Option<u64> {
        let until = rows
            .iter()
            .filter_map(|row| self.blocked_until(row, keys))
            .max();
        until.and_then(|until| {
            let left = until.duration_since(now).as_secs_f64();
            (left > 0.0).then(|| left.ceil() as u64)
        })
    }

    /// Until when the failures of `row` hold back the next attempt, if they do.
    fn blocked_until(&self, row: &FailureRow, keys: &Keys) -> Option<Timestamp> {
        let free = if row.key == keys.account {
            self.account_free
        } else {
            self.client_free
        };
        let beyond = row.failures.checked_sub(free)?;
        let last = instant::parse(&row.last_failed_at)?;
        let wait = self
            .first_wait
            .saturating_mul(2u32.saturating_pow(beyond.min(31)))
            .min(self.max_wait);
        last.checked_add(wait).ok()
    }

    /// A turn whose password was right: the account's count is cleared, and the client's failure this
    /// turn counted is taken back.
    pub async fn succeeded(&self, store: &Store, turn: Turn) -> Result<(), StoreError> {
        store
            .write(move |tx| {
                tx.clear_sign_in_failures(&turn.keys.account)?;
                tx.take_back_sign_in_failure(
                    &turn.keys.client,
                    &turn.at,
                    turn.client_counted,
                    turn.client_before.as_ref(),
                )
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, failures: u32) -> FailureRow {
        FailureRow {
            key: key.into(),
            failures,
            last_failed_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn the_wait_starts_past_the_free_failures_and_doubles_up_to_its_cap() {
        let backoff = Backoff::default();
        let keys = Keys::new("Ada@Example.com", "192.0.2.1".parse().unwrap());
        let last: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let wait = |key: &str, failures| {
            backoff
                .blocked_until(&row(key, failures), &keys)
                .map(|until| until.duration_since(last).as_secs())
        };
        let table = [
            (
                "account:ada@example.com",
                4,
                None,
                "under the account's free failures",
            ),
            ("account:ada@example.com", 5, Some(2), "the first wait"),
            ("account:ada@example.com", 6, Some(4), "doubled"),
            (
                "account:ada@example.com",
                8,
                Some(16),
                "doubled again and again",
            ),
            ("account:ada@example.com", 40, Some(900), "capped"),
            ("ip:192.0.2.1", 19, None, "a client has more free failures"),
            ("ip:192.0.2.1", 20, Some(2), "then the same waits"),
        ];
        for (key, failures, expected, why) in table {
            assert_eq!(wait(key, failures), expected, "{why}");
        }
    }
}
