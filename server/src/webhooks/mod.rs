//! Webhooks per the Standard Webhooks specification: endpoints from a configuration file
//! ([`file`]) and from admins through the API ([`endpoints`], secrets sealed at rest by [`seal`]), each
//! event of the outbox signed ([`sign`]) and delivered at least once, in order per
//! request, by a worker per endpoint ([`deliver`]) that never reaches internal addresses unless the
//! operator allows them ([`address`]); every try logged, read and replayed by admins through the API
//! and the CLI alike ([`log`], [`cli`]), counted by result, and the outbox's depth and age read at each
//! scrape of `/metrics` ([`depth`]); an endpoint failing every delivery for five days disabled and the
//! admins emailed ([`disable`]).

pub mod address;
pub mod cli;
pub mod deliver;
pub mod depth;
pub mod disable;
pub mod endpoints;
pub mod file;
pub mod log;
pub mod seal;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use crate::store::events;

pub use seal::SealKey;
pub use sign::Secret;

/// The events an endpoint may ask for.
pub const EVENTS: &[&str] = &[
    events::CREATED,
    events::UPDATED,
    events::STATUS_CHANGED,
    events::ASSIGNED,
    events::CALL_LOGGED,
    events::CALLBACK_DUE,
    events::ENGAGEMENT_COMPLETED,
];

/// One endpoint of the configuration file.
#[derive(Clone)]
pub struct Endpoint {
    /// Its name in the file, which its deliveries are stored under.
    pub name: String,
    pub url: reqwest::Url,
    /// Every secret it is signed with: several during a rotation.
    pub secrets: Vec<Secret>,
    pub events: Vec<String>,
    /// Only requests that came through this site.
    pub site: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    // The secrets stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("url", &self.url.as_str())
            .field("events", &self.events)
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// What the clock of the deliveries reads: Unix milliseconds. Tests turn it by hand, so a retry's
/// backoff is stepped over instead of slept through.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The machine's clock.
pub fn system_clock() -> Clock {
    Arc::new(|| jiff::Timestamp::now().as_millisecond())
}

/// The waits after each failed try, about three days in all; a delivery still failing after the last is
/// marked failed.
pub const SCHEDULE: &[Duration] = &[
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3_600),
    Duration::from_secs(5 * 3_600),
    Duration::from_secs(10 * 3_600),
    Duration::from_secs(10 * 3_600),
    Duration::from_secs(10 * 3_600),
    Duration::from_secs(10 * 3_600),
    Duration::from_secs(10 * 3_600),
    Duration::from_secs(10 * 3_600),
];

/// When something tried `attempts` times before this failed try is tried again: the schedule's wait
/// for it, plus up to a fifth more so that receivers that fail together are not retried together;
/// `None` once the schedule is spent. Webhook deliveries and emails retry by this one rule.
pub fn retry_at(schedule: &[Duration], attempts: u32, now_ms: i64) -> Option<i64> {
    use rand::Rng;
    let wait = schedule.get(attempts as usize)?;
    let wait_ms = wait.as_millis() as f64 * rand::rng().random_range(1.0..1.2);
    Some(now_ms + wait_ms as i64)
}

/// The webhooks a server delivers, and how.
#[derive(Clone)]
pub struct Webhooks {
    pub endpoints: Vec<Endpoint>,
    /// Deliver to `http://` and to loopback, private and link-local addresses too (tests, a private
    /// network the operator trusts).
    pub allow_private: bool,
    pub schedule: Vec<Duration>,
    pub clock: Clock,
    /// How often a worker looks for new events when it has nothing to do, and how often the workers
    /// look for endpoints created through the API.
    pub poll: Duration,
    /// The key the API's endpoints' secrets are sealed with (`--webhooks-key`); without it this process
    /// neither creates nor delivers to them.
    pub key: Option<SealKey>,
}

impl Webhooks {
    /// These endpoints on the machine's clock and the standard schedule.
    pub fn new(endpoints: Vec<Endpoint>, allow_private: bool) -> Self {
        Self {
            endpoints,
            allow_private,
            schedule: SCHEDULE.to_vec(),
            clock: system_clock(),
            poll: Duration::from_secs(1),
            key: None,
        }
    }

    /// What the admin API may do with endpoints on this server.
    pub fn registry(&self) -> endpoints::Registry {
        endpoints::Registry {
            key: self.key.clone(),
            allow_private: self.allow_private,
        }
    }
}
