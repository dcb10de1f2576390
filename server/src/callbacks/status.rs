//! The status machine a logged call attempt drives: reached → Contacted; not reached → Attempted with a
//! retry after the call center's delay, until the last allowed attempt → Abandoned; a give-up → Abandoned.

use contact_shared::Status;

/// Whether a stored Status is open (New or Attempted): routed, claimed and called. A value of the
/// organisation's own (the picklist is not restricted) is not: like Contacted and Abandoned, it ends the
/// request's calls.
pub fn is_open(stored: &str) -> bool {
    stored.parse::<Status>().is_ok_and(Status::is_open)
}

/// What a call attempt achieved (Task.CallResult__c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Reached,
    NotReached,
    GaveUp,
}

impl Outcome {
    /// The picklist value's outcome.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "Reached" => Some(Self::Reached),
            "Not Reached" => Some(Self::NotReached),
            "Gave Up" => Some(Self::GaveUp),
            _ => None,
        }
    }
}

/// How often and how soon a callback is retried (per call center).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub delay_seconds: i64,
    pub max_attempts: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            delay_seconds: 15 * 60,
            max_attempts: 3,
        }
    }
}

impl RetryPolicy {
    /// The policy for one request that sets ContactRequest's AvailableCallbackAttempts (`retries`: how
    /// many calls may follow the first) or DelayBetweenCallbackAttempts (`delay_minutes`): each one set
    /// replaces the call center's setting.
    pub fn overridden(self, retries: Option<i64>, delay_minutes: Option<i64>) -> Self {
        Self {
            delay_seconds: delay_minutes.map_or(self.delay_seconds, |m| m * 60),
            max_attempts: retries.map_or(self.max_attempts, |r| r + 1),
        }
    }
}

/// Where an attempt leaves the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub status: Status,
    /// Seconds from now until the request is routable again, for a retry.
    pub retry_in_seconds: Option<i64>,
}

/// The transition of attempt number `attempt` (1 for the first) with `outcome`.
pub fn next(outcome: Outcome, attempt: i64, policy: RetryPolicy) -> Transition {
    match outcome {
        Outcome::Reached => Transition {
            status: Status::Contacted,
            retry_in_seconds: None,
        },
        Outcome::GaveUp => Transition {
            status: Status::Abandoned,
            retry_in_seconds: None,
        },
        Outcome::NotReached if attempt >= policy.max_attempts => Transition {
            status: Status::Abandoned,
            retry_in_seconds: None,
        },
        Outcome::NotReached => Transition {
            status: Status::Attempted,
            retry_in_seconds: Some(policy.delay_seconds),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_moves_the_request_as_the_policy_says() {
        let policy = RetryPolicy {
            delay_seconds: 600,
            max_attempts: 3,
        };
        let table = [
            (
                Outcome::Reached,
                1,
                Status::Contacted,
                None,
                "a reached customer is contacted",
            ),
            (
                Outcome::Reached,
                3,
                Status::Contacted,
                None,
                "even on the last attempt",
            ),
            (
                Outcome::NotReached,
                1,
                Status::Attempted,
                Some(600),
                "a first miss retries",
            ),
            (
                Outcome::NotReached,
                2,
                Status::Attempted,
                Some(600),
                "a second miss retries",
            ),
            (
                Outcome::NotReached,
                3,
                Status::Abandoned,
                None,
                "the last miss abandons",
            ),
            (
                Outcome::NotReached,
                4,
                Status::Abandoned,
                None,
                "beyond the limit abandons",
            ),
            (
                Outcome::GaveUp,
                1,
                Status::Abandoned,
                None,
                "a give-up abandons at once",
            ),
        ];
        for (outcome, attempt, status, retry, why) in table {
            let t = next(outcome, attempt, policy);
            assert_eq!((t.status, t.retry_in_seconds), (status, retry), "{why}");
        }
    }

    #[test]
    fn call_results_parse_from_their_picklist_values_only() {
        assert_eq!(Outcome::parse("Not Reached"), Some(Outcome::NotReached));
        assert_eq!(Outcome::parse("reached"), None);
    }

    #[test]
    fn a_requests_own_callback_attempts_and_delay_override_the_call_centers() {
        let center = RetryPolicy {
            delay_seconds: 900,
            max_attempts: 3,
        };
        assert_eq!(center.overridden(None, None), center);
        let own = center.overridden(Some(0), Some(0));
        assert_eq!((own.max_attempts, own.delay_seconds), (1, 0));
        // No retry left: the first unanswered call abandons the request.
        assert_eq!(next(Outcome::NotReached, 1, own).status, Status::Abandoned);
        let more = center.overridden(Some(5), None);
        assert_eq!((more.max_attempts, more.delay_seconds), (6, 900));
        assert_eq!(
            next(Outcome::NotReached, 5, more),
            Transition {
                status: Status::Attempted,
                retry_in_seconds: Some(900)
            }
        );
        let later = center.overridden(None, Some(10_080));
        assert_eq!((later.max_attempts, later.delay_seconds), (3, 604_800));
    }
}
