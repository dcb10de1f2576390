//! The delivery log as admins read it and the replays they ask for, one rule for the API
//! (`/console/api/admin/webhooks/…`) and the CLI (`contact-server webhooks …`): an endpoint's
//! deliveries newest first, in pages, each with its tries; one delivery; a replay of one delivery or
//! of the deliveries of events written in a time range, bounded by [`MAX_REPLAY`].

use serde::Serialize;

use crate::instant;
use crate::store::{LoggedDelivery, Store, StoreError};

/// How much of each answer's body the log keeps: enough for the receiver's error message or a short
/// acknowledgement, and little enough that a delivery's dozen tries stay under 10 KB whatever the
/// receiver sends back. The rest of a body is never read.
pub const ANSWER_BYTES: usize = 512;

/// The most deliveries one range replay re-sends: a mistaken range should not flood a receiver, and a
/// wider replay is a few narrower ones.
pub const MAX_REPLAY: i64 = 1_000;

/// How long tries stay in the log: the periodic sweep forgets older ones, so the log does not grow
/// without end. Thirty days covers a delivery's three days of retries many times over; the delivery's
/// own state (its last status and error) stays.
pub const ATTEMPTS_KEPT: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3_600);

/// The most deliveries a page of the log holds, and how many when not told.
pub const PAGE_MAX: u32 = 100;
pub const PAGE_DEFAULT: u32 = 20;

/// Why the log or a replay was refused.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("There is no webhook endpoint named {0:?}.")]
    NoEndpoint(String),
    #[error("The endpoint has no delivery of the event {0:?}.")]
    NoDelivery(String),
    /// A parameter to fix: its name, and what is wrong with it.
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error(
        "The range holds {found} deliveries; a replay re-sends at most {MAX_REPLAY}. Narrow since and until."
    )]
    TooMany { found: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One try of a delivery.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub attempt: u32,
    pub at: String,
    /// The receiver's HTTP status; null when none answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: i64,
    /// The first [`ANSWER_BYTES`] of the answer's body.
    pub answer: String,
}

/// A delivery: its event (whose id is the `webhook-id` every try is sent with), state and tries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    pub event_created_at: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub tries: u32,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<String>,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
}

/// A page of the log, and where the next begins (`before`), if there is one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub deliveries: Vec<Delivery>,
    pub next_before: Option<i64>,
}

fn at(ms: i64) -> String {
    instant::stored(jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::MAX))
}

impl From<LoggedDelivery> for Delivery {
    fn from(d: LoggedDelivery) -> Self {
        Self {
            next_attempt_at: (d.state == "pending").then(|| at(d.next_at_ms)),
            event_id: d.event_id,
            event_type: d.event_type,
            event_created_at: d.event_created_at,
            state: d.state,
            tries: d.tries,
            attempts: d
                .attempts
                .into_iter()
                .map(|a| Attempt {
                    attempt: a.attempt,
                    at: at(a.row.at_ms),
                    status: a.row.status,
                    error: a.row.error,
                    latency_ms: a.row.latency_ms,
                    answer: a.row.answer,
                })
                .collect(),
        }
    }
}

/// The size of a page asked for: 1 to [`PAGE_MAX`], [`PAGE_DEFAULT`] when not given.
pub fn page_size(asked: Option<&str>) -> Result<u32, LogError> {
    match asked {
        None => Ok(PAGE_DEFAULT),
        Some(text) => text
            .parse()
            .ok()
            .filter(|n| (1..=PAGE_MAX).contains(n))
            .ok_or_else(|| {
                LogError::Invalid(
                    "limit",
                    format!("limit must be a number from 1 to {PAGE_MAX}"),
                )
            }),
    }
}

/// Where a page begins: the `nextBefore` of the page before it.
pub fn page_start(asked: Option<&str>) -> Result<Option<i64>, LogError> {
    asked
        .map(|text| {
            text.parse().map_err(|_| {
                LogError::Invalid(
                    "before",
                    "before must be the nextBefore of the page before".into(),
                )
            })
        })
        .transpose()
}

/// Up to `limit` of `endpoint`'s deliveries, newest first, before `before` when given.
pub async fn page(
    store: &Store,
    endpoint: String,
    before: Option<i64>,
    limit: u32,
) -> Result<Page, LogError> {
    store
        .read(move |db| {
            if !db.webhook_endpoint_known(&endpoint)? {
                return Ok(Err(LogError::NoEndpoint(endpoint)));
            }
            Ok(Ok(db.delivery_log(&endpoint, before, limit + 1)?))
        })
        .await?
        .map(|mut found| {
            let next_before = match found.len() > limit as usize {
                true => {
                    found.truncate(limit as usize);
                    found.last().map(|d| d.event_seq)
                }
                false => None,
            };
            Page {
                deliveries: found.into_iter().map(Delivery::from).collect(),
                next_before,
            }
        })
}

/// `endpoint`'s delivery of the event `event_id`.
pub async fn one(store: &Store, endpoint: String, event_id: String) -> Result<Delivery, LogError> {
    store
        .read(move |db| {
            if !db.webhook_endpoint_known(&endpoint)? {
                return Ok(Err(LogError::NoEndpoint(endpoint)));
            }
            Ok(db
                .logged_delivery(&endpoint, &event_id)?
                .map(Delivery::from)
                .ok_or(LogError::NoDelivery(event_id)))
        })
        .await?
}

/// What to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The delivery of one event, by its id (`msg_…`, its `webhook-id`).
    One(String),
    /// The deliveries of events written from `since` until before `until` (stored format).
    Range { since: String, until: String },
}

impl Replay {
    /// The range from `since` until before `until`, each an ISO 8601 date and time with its zone.
    pub fn range(since: &str, until: &str) -> Result<Self, LogError> {
        let parse = |name: &'static str, text: &str| {
            instant::parse(text.trim()).ok_or_else(|| {
                LogError::Invalid(
                    name,
                    format!(
                        "{name} must be an ISO 8601 date and time with its zone, such as 2026-02-26T15:40:52Z"
                    ),
                )
            })
        };
        let (since, until) = (parse("since", since)?, parse("until", until)?);
        if since >= until {
            return Err(LogError::Invalid(
                "until",
                "until must come after since".into(),
            ));
        }
        Ok(Self::Range {
            since: instant::stored(since),
            until: instant::stored(until),
        })
    }
}

/// Makes `replay`'s deliveries to `endpoint` pending again, due at `now_ms`, whether they had been
/// delivered or had failed: the worker posts each again with its event's `webhook-id`, as a new try of
/// the log, with its retry schedule started over. Answers how many; a range past [`MAX_REPLAY`] is
/// refused and replays none.
pub async fn replay(
    store: &Store,
    endpoint: String,
    replay: Replay,
    now_ms: i64,
) -> Result<usize, LogError> {
    store
        .write(move |tx| {
            if !tx.webhook_endpoint_known(&endpoint)? {
                return Err(LogError::NoEndpoint(endpoint));
            }
            match replay {
                Replay::One(event_id) => match tx.replay_delivery(&endpoint, &event_id, now_ms)? {
                    true => Ok(1),
                    false => Err(LogError::NoDelivery(event_id)),
                },
                Replay::Range { since, until } => {
                    let found = tx.deliveries_between(&endpoint, &since, &until)?;
                    if found > MAX_REPLAY {
                        return Err(LogError::TooMany { found });
                    }
                    Ok(tx.replay_between(&endpoint, &since, &until, now_ms)?)
                }
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_read_as_stored_instants() {
        assert_eq!(
            Replay::range("2026-02-26T15:40:52Z", "2026-02-26T17:40:52+01:00").unwrap(),
            Replay::Range {
                since: "2026-02-26T15:40:52.000Z".into(),
                until: "2026-02-26T16:40:52.000Z".into(),
            }
        );
    }

    #[test]
    fn a_range_to_fix_names_what_to_fix() {
        for (since, until, field, why) in [
            ("yesterday", "2026-02-26T15:40:52Z", "since", "not a date"),
            ("2026-02-26T15:40:52Z", "2026-02-26", "until", "no time"),
            (
                "2026-02-26T15:40:52",
                "2026-02-27T15:40:52Z",
                "since",
                "no zone",
            ),
            (
                "2026-02-27T15:40:52Z",
                "2026-02-26T15:40:52Z",
                "until",
                "backwards",
            ),
            (
                "2026-02-26T15:40:52Z",
                "2026-02-26T15:40:52Z",
                "until",
                "empty",
            ),
        ] {
            match Replay::range(since, until) {
                Err(LogError::Invalid(name, _)) => assert_eq!(name, field, "{why}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_page_size_is_one_to_the_maximum() {
        assert_eq!(page_size(None).unwrap(), PAGE_DEFAULT);
        assert_eq!(page_size(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "ten"] {
            assert!(page_size(Some(bad)).is_err(), "{bad}");
        }
    }
}
