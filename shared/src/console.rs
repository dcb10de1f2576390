//! The console's own wire contract: what the representatives' web console and the server say to each other
//! beyond the Salesforce-compatible API, which the console uses for every record it reads or changes.
//!
//! The console's routes all live under [`API_PREFIX`]; errors there have the intake's [`crate::ErrorBody`]
//! shape (`{"message": …, "fields": {…}}`), with field keys that are the request body's own keys.

use serde::{Deserialize, Serialize};

/// Where the console app is served, on the API's own origin.
pub const APP_PATH: &str = "/console/";

/// Where the console's own routes live (sign-in, the live feed, notes, administration).
pub const API_PREFIX: &str = "/console/api";

/// The session cookie's name over plain HTTP. Over HTTPS it is [`SECURE_SESSION_COOKIE`], whose prefix makes
/// browsers insist on `Secure`, `Path=/` and no `Domain`.
pub const SESSION_COOKIE: &str = "crw_session";

/// The session cookie's name when the public URL is https.
pub const SECURE_SESSION_COOKIE: &str = "__Host-crw_session";

/// What a person may do in the console, and through the API as themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Works their own requests and those of the queues they belong to.
    Representative,
    /// Sees and works every queue's requests, and reassigns them.
    Supervisor,
    /// A supervisor who also manages users, passwords, queues, memberships and API tokens.
    Admin,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Representative, Self::Supervisor, Self::Admin];

    /// The wire and stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Representative => "representative",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// The role named `name` (as [`Role::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Whether this role sees every request, whoever owns it (Salesforce's View All).
    pub const fn sees_everything(self) -> bool {
        !matches!(self, Self::Representative)
    }

    /// Whether this role may give a request to someone other than themselves or one of their queues.
    pub const fn reassigns(self) -> bool {
        self.sees_everything()
    }

    /// Whether this role manages users, queues and tokens.
    pub const fn administers(self) -> bool {
        matches!(self, Self::Admin)
    }
}

/// `POST /console/api/session`: signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// A queue as the console names it: its Salesforce Group id (00G…) and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRef {
    pub id: String,
    pub name: String,
}

/// `GET /console/api/me`, and the answer to a sign-in: who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The User id (005…), as the API's OwnerId and CreatedById name it.
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    /// The queues this person belongs to, by name.
    pub queues: Vec<QueueRef>,
    /// The organisation's active RequestReason values, in order, which the console's filters offer.
    pub reasons: Vec<String>,
}

/// The `event:` names of the live feed (`GET /console/api/events`, Server-Sent Events). Each event's `id:`
/// is its place in the feed, which `Last-Event-ID` resumes after; its `data:` is a [`LiveChange`].
pub mod live {
    /// A request was stored (by the widget, the API or a callback request).
    pub const CREATED: &str = "contact_request.created";
    /// A request's status moved.
    pub const STATUS_CHANGED: &str = "contact_request.status_changed";
    /// Anything else of a request changed: its owner, a note, a field.
    pub const UPDATED: &str = "contact_request.updated";
    /// The browser's views may be missing changes (it was away too long to be told each): read them again.
    pub const RESYNC: &str = "resync";
    /// The session has ended (signed out, expired, deactivated); the feed stops after it.
    pub const SIGNED_OUT: &str = "signed_out";
    /// A due callback was offered to me; its `data:` names me as `ownerId`.
    pub const OFFER_MADE: &str = "offer.made";
    /// An offer to me ended: accepted, declined, timed out, withdrawn or taken back.
    pub const OFFER_ENDED: &str = "offer.ended";
    /// Someone's presence or capacity changed; its `data:` names them as `id` and `ownerId` (told to them
    /// and to supervisors and admins).
    pub const PRESENCE_CHANGED: &str = "presence.changed";
    /// A scheduled callback fell due in a queue: it now waits to be offered.
    pub const CALLBACK_DUE: &str = "callback.due";
}

pub mod supervisor;

/// The `data:` of a live event: which request changed, and enough to place it in a view without a
/// round trip. The console re-reads the request (through the API) for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveChange {
    /// The ContactRequest id (0SM…).
    pub id: String,
    /// Its owner after the change: a User (005…) or a queue (00G…).
    pub owner_id: String,
    /// Its status after the change, as the API writes it.
    pub status: String,
    /// Who made the change (005…); the site guest user for the widget.
    pub by: String,
}

/// Whether a representative takes offers now: set in the console; signing out, or the console's live
/// connection gone for over a minute, is Offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Takes offers, up to their capacity.
    Available,
    /// Signed in, taking no offers.
    Busy,
    Offline,
}

impl Presence {
    pub const ALL: [Self; 3] = [Self::Available, Self::Busy, Self::Offline];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Busy => "busy",
            Self::Offline => "offline",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// As the console labels it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::Busy => "Busy",
            Self::Offline => "Offline",
        }
    }
}

/// `GET` and `PUT /console/api/presence`: mine; `capacity` is set by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceState {
    pub state: Presence,
    /// Work items held at once (open offers and accepted requests still open).
    #[serde(default)]
    pub capacity: u32,
}

/// An open offer of a due callback to me (`GET /console/api/offers`), to accept or decline before
/// `expiresAt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub id: i64,
    /// The ContactRequest (0SM…).
    pub request_id: String,
    pub name: String,
    pub reason: Option<String>,
    pub phone: Option<String>,
    pub visitor_name: Option<String>,
    /// When the visitor asked to be called (API format), or none for as soon as possible.
    pub scheduled: Option<String>,
    /// IsCallback: the details are reviewed before dialling; otherwise the call starts on accepting.
    pub is_callback: bool,
    pub queue_name: String,
    /// When the offer passes to the next representative (API format).
    pub expires_at: String,
    /// Seconds left when the server answered, so a browser's wrong clock does not shorten it.
    pub seconds_left: u32,
}

/// A view of requests a person saved under a name of their own (`GET /console/api/views`): a list page
/// ([`ViewPath`]) and its URL query (filters, search, sort), which the console reads as it reads any
/// view's URL. Nobody sees another person's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub path: String,
    /// Without its `?`.
    pub query: String,
    pub created_at: String,
}

/// `POST /console/api/views`: saves the view at `path` with `query` as `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSavedView {
    pub name: String,
    pub path: String,
    pub query: String,
}

/// A console list page a view may be saved for: My work, All, or one queue's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewPath(String);

impl ViewPath {
    pub fn parse(path: &str) -> Option<Self> {
        let queue = |id: &str| {
            matches!(id.len(), 15 | 18)
                && id.starts_with("00G")
                && id.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        // My work is `/console/`, which the browser's router may also call `/console`.
        if path == "/console" {
            return Some(Self("/console/".to_owned()));
        }
        let known = matches!(path, "/console/" | "/console/all")
            || path.strip_prefix("/console/queues/").is_some_and(queue);
        known.then(|| Self(path.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POST /console/api/requests/{id}/notes`: a note kept on a request and shown in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNote {
    pub body: String,
}

/// One entry of a request's history (`GET /console/api/requests/{id}/history`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum HistoryEntry {
    /// The status moved from `from` (none when the request was created) to `to`.
    #[serde(rename_all = "camelCase")]
    Status {
        at: String,
        by_id: String,
        by_name: String,
        from: Option<String>,
        to: String,
    },
    /// The owner changed.
    #[serde(rename_all = "camelCase")]
    Owner {
        at: String,
        by_id: String,
        by_name: String,
        from_id: Option<String>,
        from_name: Option<String>,
        to_id: String,
        to_name: String,
    },
    /// Someone added a note.
    #[serde(rename_all = "camelCase")]
    Note {
        at: String,
        by_id: String,
        by_name: String,
        body: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn only_representatives_are_limited_to_their_own_work() {
        assert!(!Role::Representative.sees_everything());
        assert!(Role::Supervisor.sees_everything() && Role::Supervisor.reassigns());
        assert!(!Role::Supervisor.administers() && Role::Admin.administers());
    }

    #[test]
    fn history_entries_carry_their_kind() {
        let note = HistoryEntry::Note {
            at: "2026-12-01T10:00:00.000Z".into(),
            by_id: "005000000000002AAA".into(),
            by_name: "Ada".into(),
            body: "Left a voicemail".into(),
        };
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(json["kind"], "note");
        assert_eq!(json["byName"], "Ada");
        assert_eq!(serde_json::from_value::<HistoryEntry>(json).unwrap(), note);
    }

    #[test]
    fn a_view_is_saved_only_for_a_list_page_of_the_console() {
        let table = [
            ("/console/", true, "my work"),
            ("/console/all", true, "all"),
            (
                "/console/queues/00G000000000001EAA",
                true,
                "a queue, 18 characters",
            ),
            (
                "/console/queues/00G000000000001",
                true,
                "a queue, 15 characters",
            ),
            (
                "/console/queues/005000000000001AAA",
                false,
                "a user is not a queue",
            ),
            (
                "/console/queues/00G00000000000/EAA",
                false,
                "a slash inside",
            ),
            ("/console/queues/", false, "no queue"),
            (
                "/console/requests/0SR000000000001AAA",
                false,
                "a request's page",
            ),
            ("/console/admin", false, "administration"),
            ("/console/all/", false, "a slash after"),
            ("https://evil.example/console/", false, "another origin"),
            ("", false, "empty"),
        ];
        for (path, saved, what) in table {
            assert_eq!(ViewPath::parse(path).is_some(), saved, "{what}: {path}");
        }
        assert_eq!(
            ViewPath::parse("/console/all").unwrap().as_str(),
            "/console/all"
        );
    }
}

/// A queue's setting counted in whole seconds, with its body key and the bounds an admin may set it
/// within (the store's checks hold the same bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondsSetting {
    /// The body key of `PATCH /console/api/admin/queues/{id}` and of the queue as listed.
    pub key: &'static str,
    pub min: u32,
    pub max: u32,
    /// What a new queue has.
    pub default: u32,
}

impl SecondsSetting {
    /// `value` if it is within the bounds, else what to fix, naming the key.
    pub fn check(self, value: Option<u64>) -> Result<u32, String> {
        value
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| (self.min..=self.max).contains(v))
            .ok_or_else(|| {
                format!(
                    "{} must be a whole number of seconds from {} to {}",
                    self.key, self.min, self.max
                )
            })
    }
}

/// How long an offer waits for its representative's answer before it passes to the next.
pub const OFFER_TIMEOUT: SecondsSetting = SecondsSetting {
    key: "offerTimeoutSeconds",
    min: 5,
    max: 600,
    default: 30,
};

/// How long whoever declined an offer, or let it run out, is not offered the same request again.
pub const OFFER_COOLDOWN: SecondsSetting = SecondsSetting {
    key: "offerCooldownSeconds",
    min: 0,
    max: 86_400,
    default: 300,
};

/// A queue's service level: how soon, in its call center's business hours, the first call attempt should
/// follow a callback's falling due.
pub const SERVICE_TARGET: SecondsSetting = SecondsSetting {
    key: "serviceTargetSeconds",
    min: 60,
    max: 604_800,
    default: 900,
};

#[cfg(test)]
mod offer_settings_tests {
    use super::*;

    #[test]
    fn offer_settings_are_taken_within_their_bounds_and_refused_naming_their_key_outside() {
        let table = [
            (OFFER_TIMEOUT, Some(5), Ok(5), "the shortest timeout"),
            (OFFER_TIMEOUT, Some(600), Ok(600), "the longest timeout"),
            (
                OFFER_TIMEOUT,
                Some(4),
                Err("offerTimeoutSeconds"),
                "too short",
            ),
            (
                OFFER_TIMEOUT,
                Some(601),
                Err("offerTimeoutSeconds"),
                "too long",
            ),
            (
                OFFER_TIMEOUT,
                None,
                Err("offerTimeoutSeconds"),
                "not a whole number",
            ),
            (SERVICE_TARGET, Some(60), Ok(60), "a minute's target"),
            (
                SERVICE_TARGET,
                Some(59),
                Err("serviceTargetSeconds"),
                "under a minute",
            ),
            (
                SERVICE_TARGET,
                Some(604_801),
                Err("serviceTargetSeconds"),
                "over a week",
            ),
            (OFFER_COOLDOWN, Some(0), Ok(0), "no cool-down at all"),
            (OFFER_COOLDOWN, Some(86_400), Ok(86_400), "a day"),
            (
                OFFER_COOLDOWN,
                Some(86_401),
                Err("offerCooldownSeconds"),
                "over a day",
            ),
            (
                OFFER_COOLDOWN,
                Some(u64::MAX),
                Err("offerCooldownSeconds"),
                "beyond u32",
            ),
        ];
        for (setting, value, expected, why) in table {
            match (setting.check(value), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{why}"),
                (Err(message), Err(key)) => assert!(message.starts_with(key), "{why}: {message}"),
                (got, want) => panic!("{why}: {got:?} against {want:?}"),
            }
        }
    }
}
