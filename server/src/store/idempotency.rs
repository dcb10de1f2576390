//! Idempotency keys: a retried submission finds the answer its first attempt got instead of making a
//! second record.
//!
//! A key is written in the same transaction (and savepoint) as the record it created, so either both are
//! on disk or neither is. The fingerprint is a SHA-256 of the normalised submission, so a retry that differs
//! only in formatting (spaces in the phone number, say) still matches, and one with other content conflicts.
//!
//! A key is scoped by the site the submission came through and by its verified visitor: the same key from
//! another site or visitor is a new key, so no one can replay or block another's submission by guessing
//! its key. Keys are kept for a retention window and then swept ([`sweep`]).

use contact_shared::{ContactRequestCreated, NewContactRequest, Status};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::multirow::{MultiRowInsert, bind};

/// The longest idempotency key taken; the widget sends 32 hex characters.
pub const MAX_KEY_LEN: usize = 255;

/// A client's idempotency key, in its scope (a site and a verified visitor, `""` for a guest), with the
/// fingerprint of the submission it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    site: String,
    visitor: String,
    key: String,
    fingerprint: String,
}

/// Why an `Idempotency-Key` header value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("The Idempotency-Key header is empty; send a random value, such as a UUID.")]
    Empty,
    #[error("The Idempotency-Key header is longer than {MAX_KEY_LEN} characters.")]
    TooLong,
    #[error(
        "The Idempotency-Key header may hold only visible ASCII characters (letters, digits, - and _ are best)."
    )]
    InvalidCharacter,
}

impl IdempotencyKey {
    /// Checks a header value and fingerprints the submission it came with, to `site` and from `visitor`
    /// (the verified visitor's `sub`, `None` for a guest).
    pub fn new(
        key: &str,
        request: &NewContactRequest,
        site: &str,
        visitor: Option<&str>,
    ) -> Result<Self, KeyError> {
        // The IETF draft sends the key as a structured-field string; accept it quoted or bare.
        let key = key
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .unwrap_or(key);
        if key.is_empty() {
            return Err(KeyError::Empty);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(KeyError::TooLong);
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(KeyError::InvalidCharacter);
        }
        Ok(Self {
            site: site.to_owned(),
            visitor: visitor.unwrap_or_default().to_owned(),
            key: key.to_owned(),
            fingerprint: fingerprint(request),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The key in its scope: site, visitor, key.
    pub(super) fn scoped(&self) -> (&str, &str, &str) {
        (&self.site, &self.visitor, &self.key)
    }

    /// The fingerprint of the submission the key came with.
    pub(super) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// SHA-256 of the normalised submission's canonical JSON, in hex.
pub fn fingerprint(request: &NewContactRequest) -> String {
    let canonical = serde_json::to_vec(request).expect("a parsed request always serialises");
    hex::encode(Sha256::digest(canonical))
}

/// What an insert with an idempotency key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// A new record was committed.
    Created(ContactRequestCreated),
    /// The key was seen with the same submission: this is the first attempt's answer, and nothing was written.
    Replayed(ContactRequestCreated),
    /// The key was seen with a different submission: nothing was written.
    Conflict,
    /// The callback slot the submission booked holds as many open callbacks as it may: nothing was written.
    SlotFull,
    /// The submission's phone number holds as many open bookings as it may: nothing was written.
    PhoneBooked,
    /// The submission's proof of work was spent before (or earlier in its batch) by a submission with
    /// this idempotency key (`None`: without one): nothing was written.
    ProofSpent { spent_with: Option<String> },
}

/// The answer recorded for `key` in its scope, if the key has been used: its fingerprint and the request
/// it created.
pub(super) fn find(
    conn: &Connection,
    key: &IdempotencyKey,
) -> rusqlite::Result<Option<(String, ContactRequestCreated)>> {
    conn.prepare_cached(
        "SELECT k.fingerprint, r.id, r.name
           FROM idempotency_keys k JOIN contact_requests r ON r.id = k.contact_request_id
          WHERE k.site_key = ?1 AND k.visitor_sub = ?2 AND k.key = ?3",
    )?
    .query_row([&key.site, &key.visitor, &key.key], |row| {
        Ok((
            row.get(0)?,
            ContactRequestCreated {
                id: row.get(1)?,
                name: row.get(2)?,
                // The first answer always said New, whatever the record's status is now.
                status: Status::New,
            },
        ))
    })
    .optional()
}

/// Records that each key created the request with its id, with a few multi-row statements.
pub(super) fn record(
    tx: &Connection,
    now: &str,
    keys: &[(&IdempotencyKey, &str)],
) -> rusqlite::Result<()> {
    static KEYS: MultiRowInsert = MultiRowInsert::new(
        "INSERT INTO idempotency_keys
            (site_key, visitor_sub, key, fingerprint, contact_request_id, created_at) VALUES",
        1,
        5,
        ", ?1",
    );
    KEYS.run(tx, &[&now], keys, |s, at, (key, id)| {
        bind(
            s,
            at,
            &[&key.site, &key.visitor, &key.key, &key.fingerprint, id],
        )
    })
}

/// Deletes the keys recorded before `before` (the stored time format); answers how many.
pub(super) fn sweep(tx: &Connection, before: &str) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?
        .execute([before])
}

/// What an already-used key means for a new attempt with `key`.
pub(super) fn replay(key: &IdempotencyKey, found: (String, ContactRequestCreated)) -> Inserted {
    let (fingerprint, created) = found;
    if fingerprint == key.fingerprint {
        Inserted::Replayed(created)
    } else {
        Inserted::Conflict
    }
}

#[cfg(test)]
mod tests {
    use contact_shared::ContactRequestForm;

    use super::*;

    fn request(phone: &str) -> NewContactRequest {
        ContactRequestForm {
            request_reason: Some("Billing".into()),
            preferred_phone: Some(phone.into()),
            ..ContactRequestForm::default()
        }
        .parse()
        .unwrap()
    }

    #[test]
    fn the_fingerprint_ignores_formatting_but_not_content() {
        assert_eq!(
            fingerprint(&request("+44 20 7946 0958")),
            fingerprint(&request("+44 (20) 7946-0958"))
        );
        assert_ne!(
            fingerprint(&request("+44 20 7946 0958")),
            fingerprint(&request("+44 20 7946 0959"))
        );
    }

    #[test]
    fn keys_are_checked_with_a_message_per_fault() {
        let valid = request("+442079460958");
        assert_eq!(
            IdempotencyKey::new("\"abc-123\"", &valid, "shop", None)
                .unwrap()
                .as_str(),
            "abc-123"
        );
        let table = [
            ("", KeyError::Empty, "empty"),
            ("\"\"", KeyError::Empty, "an empty quoted string"),
            ("a b", KeyError::InvalidCharacter, "a space"),
            ("ключ", KeyError::InvalidCharacter, "non-ASCII"),
            (&"k".repeat(256), KeyError::TooLong, "256 characters"),
        ];
        for (key, expected, why) in table {
            assert_eq!(
                IdempotencyKey::new(key, &valid, "shop", None),
                Err(expected),
                "{why}"
            );
        }
    }
}
