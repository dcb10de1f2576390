//! The supervisor view's wire contract (supervisors and admins): who is Available, Busy or Offline and
//! what each holds (`GET /console/api/supervisor`), what waits in each queue and for how long, and the
//! take-back of a held item to its queue (`POST /console/api/supervisor/take-back`).

use serde::{Deserialize, Serialize};

use super::{Presence, Role};

/// The view's path under [`super::API_PREFIX`].
pub const PATH: &str = "/supervisor";
/// The take-back's path under [`super::API_PREFIX`].
pub const TAKE_BACK_PATH: &str = "/supervisor/take-back";

/// `GET /console/api/supervisor`: the people who take work, and the queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    /// Active users who belong to a queue or have set a presence, by name.
    pub people: Vec<OnFloor>,
    /// Every queue, by name.
    pub queues: Vec<QueueFloor>,
}

/// One person on the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnFloor {
    /// The User id (005…).
    pub id: String,
    pub name: String,
    pub username: String,
    pub role: Role,
    /// As routing takes it now: what they set, or Offline once their console has been gone a minute.
    pub presence: Presence,
    /// Work items they hold at once.
    pub capacity: u32,
    /// What they hold: open offers and accepted requests still open, oldest first.
    pub holds: Vec<Held>,
}

/// How a person holds an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Holding {
    /// Offered to them, not answered yet.
    Offered,
    /// Accepted: they own the request, still open.
    Accepted,
}

impl Holding {
    pub const ALL: [Self; 2] = [Self::Offered, Self::Accepted];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "offered",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == name)
    }
}

/// One item a person holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    /// The offer it came by: what a take-back names.
    pub offer_id: i64,
    /// The ContactRequest (0SM…) and its number.
    pub request_id: String,
    pub name: String,
    /// The queue it came from, where a take-back returns it.
    pub queue_id: String,
    pub queue_name: String,
    pub holding: Holding,
    /// Since when (API format): the offer made, or accepted.
    pub since: String,
    /// An offer's seconds left when the server answered; none for an accepted item.
    pub seconds_left: Option<u32>,
}

/// What waits in one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueFloor {
    /// The queue (00G…).
    pub id: String,
    pub name: String,
    /// Its due, open requests that nobody holds an offer of.
    pub waiting: u32,
    /// The one of them due longest: its id, number and how long it has been due (seconds, when the server
    /// answered).
    pub oldest: Option<Oldest>,
    /// Its requests offered to someone now.
    pub offered: u32,
    /// Members who could be offered its longest-waiting request now: Available, connected, with room
    /// under their capacity, and not cooling down from it.
    pub takers: u32,
    /// Something waits and nobody can take it (see [`nobody_available`]).
    pub nobody_available: bool,
}

/// A queue's longest-waiting request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Oldest {
    pub request_id: String,
    pub name: String,
    pub wait_seconds: u64,
}

/// Whether a queue shows "nobody available": something waits, and no member can be offered it.
pub const fn nobody_available(waiting: u32, takers: u32) -> bool {
    waiting > 0 && takers == 0
}

/// `POST /console/api/supervisor/take-back`: the offer of the item to take back, and, when given, how it
/// was seen held; a take-back of an item no longer held so is refused, so a supervisor never takes back
/// what changed since they looked (an offer accepted meanwhile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakeBack {
    pub offer_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<Holding>,
}

/// The answer to a take-back: the request is back with its queue, to be offered again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakenBack {
    pub request_id: String,
    pub name: String,
    pub queue_id: String,
    /// Who held it (005…).
    pub from: String,
    /// How they held it.
    pub held: Holding,
}

/// A wait as the view says it: seconds under a minute, then minutes, then hours and minutes.
pub fn wait(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        _ => format!("{} h {} min", seconds / 3_600, seconds % 3_600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_reads_in_seconds_then_minutes_then_hours() {
        for (seconds, said) in [
            (0, "0 s"),
            (59, "59 s"),
            (60, "1 min"),
            (3_599, "59 min"),
            (3_600, "1 h 0 min"),
            (7_530, "2 h 5 min"),
        ] {
            assert_eq!(wait(seconds), said, "{seconds}");
        }
    }

    #[test]
    fn nobody_is_available_only_when_something_waits_without_a_taker() {
        assert!(nobody_available(1, 0));
        assert!(!nobody_available(0, 0), "nothing waits");
        assert!(!nobody_available(3, 1));
    }

    #[test]
    fn holdings_read_back_their_wire_names() {
        for holding in Holding::ALL {
            assert_eq!(Holding::parse(holding.as_str()), Some(holding));
            assert_eq!(
                serde_json::to_value(holding).unwrap(),
                serde_json::json!(holding.as_str())
            );
        }
        assert_eq!(Holding::parse("Offered"), None);
    }

    #[test]
    fn a_take_back_without_a_holding_leaves_it_out() {
        let body = TakeBack {
            offer_id: 7,
            held: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"offerId": 7})
        );
    }
}
