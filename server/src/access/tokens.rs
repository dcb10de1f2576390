//! Bearer access tokens: random, shown once, stored only as their SHA-256, each acting as one user with a
//! scope. A token is shown as `<organisation id>!<token>`, the form Salesforce's access tokens have and
//! its clients insist on; the bare token, as tokens made before were shown, is accepted as well.

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::ids::{self, RecordId};
use crate::store::{NewToken, Store, StoreError};

/// A token as listed: never the token itself.
pub use crate::store::TokenRow as TokenInfo;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// Describe and read: GET requests only.
    Read,
    /// Read, create, update, delete and undelete.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }
}

/// A token's owner and scope, as found from the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: String,
    pub scope: Scope,
    pub role: contact_shared::console::Role,
}

const TOKEN_PREFIX: &str = "crw_";
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A new token: the prefix and 40 random base-62 characters (about 238 bits).
pub fn generate() -> String {
    let mut rng = rand::rng();
    let mut token = String::from(TOKEN_PREFIX);
    token.extend((0..40).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])));
    token
}

/// A token as a client presents it, past its organisation id: the part that is hashed and looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented<'a>(&'a str);

impl<'a> Presented<'a> {
    /// `<organisation id>!<token>`, with this server's organisation id in its 15- or 18-character form,
    /// or the bare token; `None` for another organisation's token or an empty one.
    pub fn parse(value: &'a str) -> Option<Self> {
        let bare = match value.split_once('!') {
            Some((organisation, bare)) => {
                RecordId::parse(organisation).filter(|id| id.as_str() == ids::ORGANIZATION_ID)?;
                bare
            }
            None => value,
        };
        (!bare.is_empty()).then_some(Self(bare))
    }
}

/// How a token is shown to whoever creates it: in the form Salesforce clients accept.
fn shown(token: &str) -> String {
    format!("{}!{token}", ids::ORGANIZATION_ID)
}

/// The stored form of a token: its SHA-256 in lower-case hex.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a token for `user_id` and returns its id and the token as shown (`00D…!crw_…`), which is
/// never stored.
pub async fn create(
    store: &Store,
    user_id: String,
    scope: Scope,
    label: Option<String>,
) -> Result<(i64, String), StoreError> {
    let token = generate();
    let row = NewToken {
        token_hash: hash(&token),
        user_id,
        scope: scope.as_str(),
        label,
    };
    let id = store.write(move |tx| tx.insert_token(&row)).await?;
    Ok((id, shown(&token)))
}

/// Revokes the token with this id; false when there is no such live token.
pub async fn revoke(store: &Store, id: i64) -> Result<bool, StoreError> {
    let changed = store.write(move |tx| tx.revoke_token(id)).await?;
    Ok(changed == 1)
}

/// Every token, newest first.
pub async fn list(store: &Store) -> Result<Vec<TokenInfo>, StoreError> {
    store.read(|db| db.tokens()).await
}

/// The grant behind a live token of an active user, if any.
pub async fn verify(store: &Store, token: Presented<'_>) -> Result<Option<Grant>, StoreError> {
    let token_hash = hash(token.0);
    // On the probes' connections: every API call checks its token, and no query may make it wait.
    let found = store.probe(move |db| db.grant(&token_hash)).await?;
    Ok(found.and_then(|row| {
        Scope::parse(&row.scope).map(|scope| Grant {
            user_id: row.user_id,
            scope,
            role: row.role,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_to_hex() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("crw_") && a.len() == 44, "{a}");
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_token_is_shown_in_the_form_salesforce_clients_require() {
        let token = generate();
        let shown = shown(&token);
        // The `sf` CLI's own check of an access token.
        let (organisation, rest) = shown.split_once('!').unwrap();
        assert!(
            organisation.starts_with("00D") && organisation.len() == 18,
            "{shown}"
        );
        assert!(
            rest.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        );
        assert_eq!(Presented::parse(&shown), Some(Presented(&token)));
    }

    #[test]
    fn presented_tokens_are_read_with_or_without_this_organisations_id() {
        let table = [
            (
                "crw_abc",
                Some("crw_abc"),
                "a bare token, as tokens were shown before",
            ),
            (
                "00D000000000001EAA!crw_abc",
                Some("crw_abc"),
                "the 18-character organisation id",
            ),
            (
                "00D000000000001!crw_abc",
                Some("crw_abc"),
                "the 15-character organisation id",
            ),
            (
                "00D000000000001eaa!crw_abc",
                Some("crw_abc"),
                "the suffix in lower case",
            ),
            (
                "00D000000000002EAA!crw_abc",
                None,
                "another organisation's id",
            ),
            ("00D000000000001EAB!crw_abc", None, "a wrong suffix"),
            ("!crw_abc", None, "an empty organisation id"),
            (
                "00D000000000001EAA!",
                None,
                "nothing after the organisation id",
            ),
            ("", None, "nothing at all"),
        ];
        for (value, expected, why) in table {
            assert_eq!(
                Presented::parse(value),
                expected.map(Presented),
                "{why}: {value:?}"
            );
        }
    }
}
