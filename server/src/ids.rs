//! Record ids in the Salesforce format: a 3-character key prefix per object, 12 base-62 characters and the
//! 3-character case-safe suffix, so that Salesforce clients accept them.
//!
//! The 12 characters are the creation time in milliseconds (7 characters, good until 2081) and 5 random
//! ones. Ids made one after another sort one after another, as Salesforce's do, so a batch of new records
//! adds to the end of each index on an id instead of touching a random page of it per row: that is what
//! keeps a group commit of hundreds of rows to a few pages. The random part keeps another record's id
//! from being derived from one's own.

use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The key prefix of ContactRequest ids.
pub const CONTACT_REQUEST_PREFIX: &str = "0SR";
/// The key prefix of CallCenter ids.
pub const CALL_CENTER_PREFIX: &str = "04v";
/// The key prefix of AdditionalNumber ids, Salesforce's.
pub const ADDITIONAL_NUMBER_PREFIX: &str = "04m";
/// The key prefix of Task ids (the call log).
pub const TASK_PREFIX: &str = "00T";
/// The key prefix of EngagementInteraction ids.
pub const ENGAGEMENT_INTERACTION_PREFIX: &str = "0eI";
/// The key prefix of ContactRequestShare ids (a manual share of a request).
pub const CONTACT_REQUEST_SHARE_PREFIX: &str = "0SH";
/// The key prefix of ContactRequestOwnerSharingRule ids.
pub const SHARING_RULE_PREFIX: &str = "0SL";
/// The key prefix of User ids.
pub const USER_PREFIX: &str = "005";
/// The key prefix of Group ids: queues are groups of type Queue.
pub const QUEUE_PREFIX: &str = "00G";

/// The key prefix of the Organization id.
pub const ORGANIZATION_PREFIX: &str = "00D";
/// This server's organisation: one per server, as a Salesforce org, and the same on every server, since
/// nothing tells two servers' tokens apart but the token. Salesforce clients (the `sf` CLI) only accept
/// an access token of the form `<organisation id>!<token>`, and read the id back from `userinfo`.
pub const ORGANIZATION_ID: &str = "00D000000000001EAA";

/// The site guest user (seeded by migration 0002): who creates the requests of visitors and telephony
/// providers, and owns the records of the configuration.
pub const SITE_GUEST_USER_ID: &str = "005000000000001AAA";
/// The default queue (seeded by migration 0002): who owns a request no site or caller gives an owner.
pub const DEFAULT_QUEUE_ID: &str = "00G000000000001EAA";

/// A record's id in the 18-character form the API answers with: made new ([`RecordId::new`]), read from
/// a client ([`RecordId::parse`], which takes the 15-character form too) or read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// A new id of a record of the object with `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self(new_id(prefix))
    }

    /// A client's id in either form, when it is well formed.
    pub fn parse(value: &str) -> Option<Self> {
        if !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match value.len() {
            15 => Some(Self(format!("{value}{}", case_safe_suffix(value)))),
            18 => {
                let (head, suffix) = value.split_at(15);
                let expected = case_safe_suffix(head);
                (expected == suffix.to_ascii_uppercase()).then(|| Self(format!("{head}{expected}")))
            }
            _ => None,
        }
    }

    /// A client's id of a record of the object with `prefix`, when it is one.
    pub fn of_object(value: &str, prefix: &str) -> Option<Self> {
        Self::parse(value).filter(|id| id.0.starts_with(prefix))
    }

    /// An id the store holds, which was checked when it was written.
    pub fn stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The user a call acts as: a [`RecordId`] of a User.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// A user id the store holds (a token's user, a user just added).
    pub fn stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many values the 5 random characters take: 62^5.
const RANDOM_SPAN: u128 = 916_132_832;
/// How many values the 12 characters take: 62^12.
const ID_SPAN: u128 = 3_226_266_762_397_899_821_056;
/// The most an id steps past the last one when the clock has not moved on: small beside `RANDOM_SPAN`,
/// so thousands of ids in one millisecond still begin with about that millisecond.
const MAX_STEP: u128 = 1 << 16;

/// A new 18-character id with the given 3-character key prefix, greater than every id this process made
/// before with any prefix.
pub fn new_id(prefix: &str) -> String {
    debug_assert_eq!(prefix.len(), 3);
    let mut id = String::with_capacity(18);
    id.push_str(prefix);
    id.extend(base62::<12>(next_value()).map(char::from));
    let suffix = case_safe_suffix(&id);
    id.push_str(&suffix);
    id
}

/// The last `N` base-62 digits of `value`, most significant first, so they sort as the numbers do.
fn base62<const N: usize>(mut value: u128) -> [u8; N] {
    let mut digits = [0u8; N];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits
}

/// The number the 12 characters encode: the time in milliseconds, then a random part. When the clock has
/// not moved past the last id (many ids in one millisecond, or the clock set back), a random step past
/// the last one: ids stay unique and ordered without a database round trip.
fn next_value() -> u128 {
    static LAST: Mutex<u128> = Mutex::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut rng = rand::rng();
    let fresh = now * RANDOM_SPAN + rng.random_range(0..RANDOM_SPAN);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    let value = if fresh > *last {
        fresh
    } else {
        *last + rng.random_range(1..=MAX_STEP)
    } % ID_SPAN;
    *last = value;
    value
}

/// The 3 characters that make a 15-character id unique without regard to case: for each block of 5
/// characters, a letter that encodes which of them are upper case.
pub fn case_safe_suffix(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .take(3)
        .map(|block| {
            let bits = block
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            char::from(SUFFIX[bits])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_matches_salesforce_for_known_ids() {
        // `0015000000VALDtAAP` is an Account id from Salesforce's documentation; the others exercise each
        // position of a block.
        let table = [
            ("0015000000VALDt", "AAP"),
            ("001000000000001", "AAA"),
            ("001A0000006Vm9r", "IAC"),
            ("ZZZZZZZZZZZZZZZ", "555"),
        ];
        for (id15, suffix) in table {
            assert_eq!(case_safe_suffix(id15), suffix, "{id15}");
        }
    }

    #[test]
    fn the_organisation_id_is_a_well_formed_organization_id() {
        let parsed = RecordId::of_object(ORGANIZATION_ID, ORGANIZATION_PREFIX);
        assert_eq!(parsed.as_ref().map(RecordId::as_str), Some(ORGANIZATION_ID));
    }

    #[test]
    fn ids_made_one_after_another_sort_one_after_another() {
        let ids: Vec<String> = (0..10_000)
            .map(|_| new_id(CONTACT_REQUEST_PREFIX))
            .collect();
        assert!(ids.windows(2).all(|pair| pair[0][..15] < pair[1][..15]));
    }

    #[test]
    fn the_id_begins_with_the_time_it_was_made() {
        let before = now_ms();
        let id = new_id(CONTACT_REQUEST_PREFIX);
        let after = now_ms();
        let time = id[3..10].bytes().fold(0u128, |value, digit| {
            value * 62 + BASE62.iter().position(|&d| d == digit).unwrap() as u128
        });
        // Ids made in a burst (another test makes 10,000 at once, in parallel) may run ahead of the clock
        // by up to a millisecond for every 14,000 ids (62^5 / 2^16): a couple at most here.
        assert!(
            before <= time && time <= after + 2,
            "{before} <= {time} <= {after} + 2 ({id})"
        );
    }

    /// The current time in milliseconds.
    fn now_ms() -> u128 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
    }

    #[test]
    fn new_ids_carry_the_prefix_and_a_valid_suffix_and_differ() {
        let a = new_id(CONTACT_REQUEST_PREFIX);
        let b = new_id(CONTACT_REQUEST_PREFIX);
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("0SR"));
        assert_eq!(case_safe_suffix(&a[..15]), a[15..]);
        assert_ne!(a, b);
    }
}
