//! The proof-of-work challenge: the server signs `{issued, difficulty, nonce}`; the widget finds a counter
//! whose SHA-256 with the token has `difficulty` leading zero bits, in the background while the visitor
//! types, and sends `token:counter` with the submission.
//!
//! Signing (HMAC-SHA256) means the server keeps no state per challenge until one is spent. A spent nonce is
//! recorded by the store in the transaction that stores the record it bought, and kept there until the
//! challenge expires, so one solution buys one record across restarts and across processes sharing the
//! secret (a retry with the same idempotency key gets the first answer instead). A bounded memory of
//! recent spends refuses the obvious replays before they cost a site's rate limit or a trip to the store.
//! The issue time doubles as the minimum fill time check.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use contact_shared::Challenge;
use contact_shared::ProofHash;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How long a challenge can be spent after it is issued.
pub const LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Recent spends remembered at most; past this the oldest are forgotten early (the store still refuses them).
const MAX_REMEMBERED: usize = 100_000;

/// How much friction a site's visitors meet: the proof of work's difficulty and the minimum fill time. The
/// server's flags set the default; a site may set its own in the sites file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Friction {
    /// Leading zero bits the hash of `token:counter` needs; 0 for no work.
    pub difficulty: u8,
    /// The least time between fetching the challenge and submitting.
    pub min_fill: Duration,
}

impl Friction {
    /// The highest difficulty a challenge can ask for.
    pub const MAX_DIFFICULTY: u8 = 32;

    /// Whether submissions must carry a proof at all.
    pub fn is_on(self) -> bool {
        self.difficulty > 0 || !self.min_fill.is_zero()
    }
}

/// Why a proof was refused; the message tells the widget what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error(
        "Missing proof of work: fetch a challenge from /api/v1/challenge and send X-CRW-Proof."
    )]
    Missing,
    #[error(
        "The proof of work is malformed or was not issued by this server; fetch a new challenge."
    )]
    Forged,
    #[error("The challenge has expired; fetch a new one.")]
    Expired,
    #[error("Sent too soon after the form was shown; wait a moment and send again.")]
    TooFast,
    #[error("The proof of work does not solve the challenge; fetch a new challenge.")]
    Unsolved,
    #[error(
        "The proof of work was made for an easier challenge than this site asks for; fetch a new challenge with ?site= and the site's key."
    )]
    TooWeak,
    #[error("This proof of work was already spent on another request; fetch a new challenge.")]
    Spent,
}

impl ProofError {
    /// The label this refusal is counted under.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "proof_missing",
            Self::Forged => "proof_forged",
            Self::Expired => "proof_expired",
            Self::TooFast => "too_fast",
            Self::Unsolved => "proof_unsolved",
            Self::TooWeak => "proof_too_weak",
            Self::Spent => "proof_spent",
        }
    }
}

/// A proof that solves a challenge this server issued, as hard as the site asks: what the store records
/// as spent when it stores the record the proof bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolvedProof {
    nonce: String,
    /// When the challenge stops being accepted (Unix milliseconds): the store may forget it then.
    expires_ms: u64,
}

impl SolvedProof {
    /// The challenge's nonce, unique per challenge.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// When the challenge expires, in Unix milliseconds.
    pub fn expires_ms(&self) -> u64 {
        self.expires_ms
    }
}

/// Issues and checks challenges.
pub struct Challenger {
    secret: Vec<u8>,
    /// The friction of sites that set none of their own.
    default: Friction,
    spent: Mutex<RecentSpends>,
}

/// Nonces spent lately, with the idempotency key each was spent with, oldest first: bounded by count, and
/// each dropped once its challenge expires, in constant time per spend.
#[derive(Default)]
struct RecentSpends {
    keys: HashMap<String, Option<String>>,
    order: VecDeque<(String, u64)>,
    capacity: usize,
}

impl RecentSpends {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    /// Whether `nonce` was spent with another key than `key` (or without one).
    fn spent_by_another(&self, nonce: &str, key: Option<&str>) -> bool {
        match (self.keys.get(nonce), key) {
            (None, _) => false,
            (Some(Some(first)), Some(key)) => first != key,
            (Some(_), _) => true,
        }
    }

    fn remember(&mut self, proof: &SolvedProof, key: Option<&str>, now: u64) {
        while let Some((nonce, expires)) = self.order.front() {
            if *expires >= now && self.order.len() < self.capacity {
                break;
            }
            self.keys.remove(nonce);
            self.order.pop_front();
        }
        if self.capacity == 0 || self.keys.contains_key(&proof.nonce) {
            return;
        }
        self.keys
            .insert(proof.nonce.clone(), key.map(str::to_owned));
        self.order
            .push_back((proof.nonce.clone(), proof.expires_ms));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys.len()
    }
}

impl std::fmt::Debug for Challenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenger")
            .field("default", &self.default)
            .finish_non_exhaustive()
    }
}

impl Challenger {
    /// A challenger signing with `secret`, asking `default` of sites that set no friction of their own.
    pub fn new(secret: Vec<u8>, default: Friction) -> Self {
        Self {
            secret,
            default: Friction {
                difficulty: default.difficulty.min(Friction::MAX_DIFFICULTY),
                ..default
            },
            spent: Mutex::new(RecentSpends::with_capacity(MAX_REMEMBERED)),
        }
    }

    /// The friction for a site that sets this difficulty and minimum fill time, or the default for either.
    pub fn friction(&self, difficulty: Option<u8>, min_fill: Option<Duration>) -> Friction {
        Friction {
            difficulty: difficulty
                .unwrap_or(self.default.difficulty)
                .min(Friction::MAX_DIFFICULTY),
            min_fill: min_fill.unwrap_or(self.default.min_fill),
        }
    }

    /// A fresh challenge with this friction.
    pub fn issue(&self, friction: Friction) -> Challenge {
        self.issue_at(now_ms(), friction)
    }

    fn issue_at(&self, issued: u64, friction: Friction) -> Challenge {
        let nonce = hex::encode(rand::random::<[u8; 12]>());
        let body = format!("v1.{issued}.{}.{nonce}", friction.difficulty);
        let token = format!("{body}.{}", self.mac(&body));
        Challenge {
            token,
            difficulty: friction.difficulty,
            not_before_ms: friction.min_fill.as_millis() as u64,
            expires_in_ms: LIFETIME.as_millis() as u64,
        }
    }

    /// Checks `proof` (`token:counter`) against the site's `friction`, and that it was not spent lately with
    /// another idempotency key than `key`. A challenge issued with less work than the site asks is refused.
    /// Spending it is the store's: see [`SolvedProof`] and [`Self::spent`].
    pub fn verify(
        &self,
        proof: Option<&str>,
        key: Option<&str>,
        friction: Friction,
    ) -> Result<SolvedProof, ProofError> {
        self.verify_at(proof, key, now_ms(), friction)
    }

    /// Remembers that `proof` was spent (with `key`), so that its replays are refused before the store.
    pub fn spent(&self, proof: &SolvedProof, key: Option<&str>) {
        self.spent_at(proof, key, now_ms());
    }

    fn spent_at(&self, proof: &SolvedProof, key: Option<&str>, now: u64) {
        self.spent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remember(proof, key, now);
    }

    fn verify_at(
        &self,
        proof: Option<&str>,
        key: Option<&str>,
        now: u64,
        friction: Friction,
    ) -> Result<SolvedProof, ProofError> {
        let proof = proof.ok_or(ProofError::Missing)?;
        let (token, counter) = contact_shared::split_proof(proof).ok_or(ProofError::Forged)?;
        let (body, mac) = token.rsplit_once('.').ok_or(ProofError::Forged)?;
        if !constant_time_eq(self.mac(body).as_bytes(), mac.as_bytes()) {
            return Err(ProofError::Forged);
        }
        let mut parts = body.split('.');
        let (Some("v1"), Some(issued), Some(difficulty), Some(nonce), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ProofError::Forged);
        };
        let issued: u64 = issued.parse().map_err(|_| ProofError::Forged)?;
        let difficulty: u32 = difficulty.parse().map_err(|_| ProofError::Forged)?;
        if now > issued + LIFETIME.as_millis() as u64 {
            return Err(ProofError::Expired);
        }
        if now < issued + friction.min_fill.as_millis() as u64 {
            return Err(ProofError::TooFast);
        }
        if counter.len() > 20 || !counter.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProofError::Unsolved);
        }
        if difficulty < u32::from(friction.difficulty) {
            return Err(ProofError::TooWeak);
        }
        if !contact_shared::solves(Sha::default(), token, counter.as_bytes(), difficulty) {
            return Err(ProofError::Unsolved);
        }
        let spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if spent.spent_by_another(nonce, key) {
            return Err(ProofError::Spent);
        }
        Ok(SolvedProof {
            nonce: nonce.to_owned(),
            expires_ms: issued.saturating_add(LIFETIME.as_millis() as u64),
        })
    }

    fn mac(&self, body: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The server's SHA-256 for the proof-of-work rule of [`contact_shared::solves`].
#[derive(Clone, Default)]
struct Sha(Sha256);

impl ProofHash for Sha {
    type Digest = sha2::digest::Output<Sha256>;

    fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(self) -> Self::Digest {
        self.0.finalize()
    }
}

/// Finds the counter that solves `token` (what the widget does; here for tests and tools).
pub fn solve(token: &str, difficulty: u8) -> u64 {
    contact_shared::search(Sha::default(), token, difficulty.into(), 0..u64::MAX)
        .expect("some counter solves any difficulty up to 32 bits")
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    const EIGHT: Friction = Friction {
        difficulty: 8,
        min_fill: Duration::from_millis(1500),
    };

    fn challenger() -> Challenger {
        Challenger::new(b"test secret".to_vec(), EIGHT)
    }

    fn solved(c: &Challenger, issued: u64) -> String {
        solved_with(c, issued, EIGHT)
    }

    fn solved_with(c: &Challenger, issued: u64, friction: Friction) -> String {
        let challenge = c.issue_at(issued, friction);
        let counter = solve(&challenge.token, challenge.difficulty);
        format!("{}:{counter}", challenge.token)
    }

    #[test]
    fn a_spent_challenge_is_accepted_again_only_for_the_same_key() {
        let c = challenger();
        let proof = solved(&c, T0);
        let solved = c
            .verify_at(Some(&proof), Some("k1"), T0 + 2_000, EIGHT)
            .expect("a fresh proof");
        assert_eq!(solved.expires_ms(), T0 + LIFETIME.as_millis() as u64);
        c.spent_at(&solved, Some("k1"), T0 + 2_000);
        assert_eq!(
            c.verify_at(Some(&proof), Some("k1"), T0 + 3_000, EIGHT),
            Ok(solved),
            "a retry"
        );
        assert_eq!(
            c.verify_at(Some(&proof), Some("k2"), T0 + 3_000, EIGHT),
            Err(ProofError::Spent)
        );
        assert_eq!(
            c.verify_at(Some(&proof), None, T0 + 3_000, EIGHT),
            Err(ProofError::Spent)
        );
    }

    #[test]
    fn every_way_to_cheat_is_refused_with_its_reason() {
        let c = challenger();
        let proof = solved(&c, T0);
        let (token, counter) = proof.rsplit_once(':').unwrap();
        let wrong_counter = format!("{token}:{}", counter.parse::<u64>().unwrap() + 1);
        let other_server = solved(&Challenger::new(b"other".to_vec(), EIGHT), T0);
        let easier = token.replacen(".8.", ".0.", 1);
        let table = [
            (None, T0 + 2_000, ProofError::Missing, "no proof"),
            (
                Some("garbage"),
                T0 + 2_000,
                ProofError::Forged,
                "not a token",
            ),
            (
                Some(other_server.as_str()),
                T0 + 2_000,
                ProofError::Forged,
                "another secret",
            ),
            (
                Some(&format!("{easier}:0")),
                T0 + 2_000,
                ProofError::Forged,
                "a lowered difficulty",
            ),
            (
                Some(proof.as_str()),
                T0 + 500,
                ProofError::TooFast,
                "under the minimum fill time",
            ),
            (
                Some(proof.as_str()),
                T0 + 31 * 60_000,
                ProofError::Expired,
                "past its lifetime",
            ),
            (
                Some(&format!("{token}:x")),
                T0 + 2_000,
                ProofError::Unsolved,
                "a counter that is not a number",
            ),
        ];
        for (proof, now, expected, why) in table {
            assert_eq!(c.verify_at(proof, None, now, EIGHT), Err(expected), "{why}");
        }
        // A counter one past the solution almost never solves it too; accept the rare case.
        let next = c.verify_at(Some(&wrong_counter), None, T0 + 2_000, EIGHT);
        assert!(
            matches!(next, Err(ProofError::Unsolved) | Ok(_)),
            "{next:?}"
        );
    }

    #[test]
    fn each_site_s_friction_is_checked_and_an_easier_challenge_does_not_pass_a_stricter_site() {
        let c = challenger();
        let strict = c.friction(Some(12), Some(Duration::from_secs(4)));
        let relaxed = c.friction(Some(2), Some(Duration::ZERO));
        assert_eq!(c.friction(None, None), EIGHT, "the server's default");
        assert_eq!(c.friction(Some(40), None).difficulty, 32, "capped");

        let issued = c.issue_at(T0, strict);
        assert_eq!((issued.difficulty, issued.not_before_ms), (12, 4_000));
        let proof = solved_with(&c, T0, strict);
        assert_eq!(
            c.verify_at(Some(&proof), None, T0 + 2_000, strict),
            Err(ProofError::TooFast),
            "the strict site's own fill time"
        );
        assert!(c.verify_at(Some(&proof), None, T0 + 4_000, strict).is_ok());

        let easy = solved_with(&c, T0, relaxed);
        assert!(
            c.verify_at(Some(&easy), None, T0 + 10, relaxed).is_ok(),
            "no fill time for the relaxed site"
        );
        let easy = solved_with(&c, T0, relaxed);
        assert_eq!(
            c.verify_at(Some(&easy), None, T0 + 5_000, strict),
            Err(ProofError::TooWeak),
            "a relaxed site's challenge spent on a strict one"
        );
    }

    /// Once, every spend issued within the lifetime was kept past the cap, and each spend past it rescanned
    /// them all under the lock.
    #[test]
    fn the_memory_of_spends_is_bounded_and_forgets_expired_ones_first() {
        let proof = |n: u64, expires_ms: u64| SolvedProof {
            nonce: format!("n{n}"),
            expires_ms,
        };
        let mut recent = RecentSpends::with_capacity(4);
        for n in 0..10 {
            recent.remember(&proof(n, T0 + 1_000), None, T0);
        }
        assert_eq!(recent.len(), 4, "bounded by count");
        assert!(recent.spent_by_another("n9", None), "the newest are kept");
        assert!(
            !recent.spent_by_another("n0", None),
            "the oldest went first"
        );
        recent.remember(&proof(10, T0 + 9_000), Some("k"), T0 + 2_000);
        assert_eq!(recent.len(), 1, "expired ones are forgotten");
        assert!(!recent.spent_by_another("n10", Some("k")), "its own key");
        assert!(recent.spent_by_another("n10", Some("other")));
    }
}
