//! Users' passwords: checked once for length ([`Password::parse`]), kept only as Argon2id PHC strings at
//! OWASP's recommended parameters, and verified with the same work whether or not the user exists.
//!
//! A password is never logged: [`Password`]'s `Debug` hides it, and nothing here returns it.

use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::store::{Store, StoreError};

/// The fewest characters a password may have.
pub const MIN_LEN: usize = 12;
/// The most characters a password may have: enough for any passphrase, and a bound on hashing's input.
pub const MAX_LEN: usize = 1024;

/// A password that is long enough, and not absurdly long.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Why a password was refused; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("The password must be at least {MIN_LEN} characters long; this one has {0}.")]
    TooShort(usize),
    #[error("The password must be at most {MAX_LEN} characters long.")]
    TooLong,
}

impl Password {
    /// A password of `MIN_LEN` to `MAX_LEN` characters.
    pub fn parse(text: String) -> Result<Self, PasswordError> {
        match text.chars().count() {
            n if n < MIN_LEN => Err(PasswordError::TooShort(n)),
            n if n > MAX_LEN => Err(PasswordError::TooLong),
            _ => Ok(Self(text)),
        }
    }

    /// A password read from standard input: its first line, without the line's end.
    pub fn from_stdin_line(line: &str) -> Result<Self, PasswordError> {
        Self::parse(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Argon2id with OWASP's recommended parameters: 19 MiB of memory, two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP's Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a fresh random salt. It takes tens of milliseconds of CPU: call it
/// off the async threads ([`hash_off_thread`]).
pub fn hash(password: &Password) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .expect("sixteen bytes make a valid salt");
    argon2()
        .hash_password(password.0.as_bytes(), &salt)
        .expect("Argon2 hashes any password within MAX_LEN")
        .to_string()
}

/// Whether `password` is the one `phc` was made from. A stored hash that cannot be read never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password is known to match, to verify against when there is no user (or no password), so
/// that a wrong username costs the same work as a wrong password and cannot be told apart by time.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    hash(&Password(
        crate::access::tokens::generate() + "-no-such-user",
    ))
});

/// Verifies `password` against `phc`, or against the dummy hash when there is none, on a blocking
/// thread; the answer is true only for a real hash that matches.
pub async fn verify_off_thread(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify(&password, &phc),
        None => {
            verify(&password, &DUMMY);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// [`hash`] on a blocking thread.
pub async fn hash_off_thread(password: Password) -> String {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .expect("hashing does not panic")
}

/// Sets the password of the user with this id and ends every session they have, so whoever knew the old
/// one is signed out; answers whether there is such a user.
pub async fn set(
    store: &Store,
    user_id: String,
    password: Password,
    now: String,
) -> Result<bool, StoreError> {
    let phc = hash_off_thread(password).await;
    store
        .write(move |tx| {
            if !tx.set_password_hash(&user_id, &phc)? {
                return Ok(false);
            }
            tx.end_sessions_of(&user_id, &now)?;
            Ok(true)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text.to_owned()).unwrap()
    }

    #[test]
    fn a_hash_is_argon2id_at_owasps_parameters_and_verifies_only_its_password() {
        let phc = hash(&password("correct horse battery"));
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("", &phc));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let a = hash(&password("correct horse battery"));
        let b = hash(&password("correct horse battery"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", &a) && verify("correct horse battery", &b));
    }

    #[test]
    fn an_unreadable_stored_hash_matches_nothing() {
        assert!(!verify("anything at all", "not a phc string"));
        assert!(!verify("anything at all", ""));
    }

    #[test]
    fn passwords_outside_the_lengths_are_refused_with_what_to_do() {
        let table = [
            ("", PasswordError::TooShort(0), "empty"),
            ("short", PasswordError::TooShort(5), "five characters"),
            ("elevenchars", PasswordError::TooShort(11), "one short"),
            (
                "ééééééééééé",
                PasswordError::TooShort(11),
                "counted in characters, not bytes",
            ),
        ];
        for (text, expected, why) in table {
            assert_eq!(Password::parse(text.into()), Err(expected), "{why}");
        }
        assert_eq!(
            Password::parse("x".repeat(MAX_LEN + 1)),
            Err(PasswordError::TooLong)
        );
        assert!(Password::parse("twelve chars".into()).is_ok());
        assert!(
            PasswordError::TooShort(5)
                .to_string()
                .contains("at least 12 characters")
        );
    }

    #[test]
    fn a_password_from_stdin_loses_its_line_end_only() {
        assert_eq!(
            Password::from_stdin_line(" spaced password \r\n"),
            Ok(password(" spaced password "))
        );
    }

    #[test]
    fn a_password_is_never_shown_in_debug_output() {
        assert_eq!(
            format!("{:?}", password("correct horse battery")),
            "Password(…)"
        );
    }

    #[tokio::test]
    async fn verifying_without_a_hash_does_the_work_and_fails() {
        assert!(!verify_off_thread("correct horse battery".into(), None).await);
        let phc = hash(&password("correct horse battery"));
        assert!(verify_off_thread("correct horse battery".into(), Some(phc)).await);
    }
}
