//! The proof of work a submission carries: the challenge the server issues, and the rule a solution meets.
//!
//! A solution to a challenge is a counter such that the hash of `token:counter` (the counter in decimal)
//! starts with `difficulty` zero bits; the widget sends `token:counter` as `X-CRW-Proof`. The rule is
//! written once here, over a hash each side brings ([`ProofHash`]): the server hashes with its crypto
//! crate and the widget with a compact SHA-256, and this crate stays free of either.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// What `GET /api/v1/challenge` answers. A number the answer lacks reads as 0 (no work, no wait).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// `v1.ISSUED_MS.DIFFICULTY.NONCE.MAC`, to hash with a counter.
    pub token: String,
    /// Leading zero bits the hash of `token:counter` needs.
    #[serde(default)]
    pub difficulty: u8,
    /// Milliseconds after issue before a submission is taken (the minimum fill time).
    #[serde(default)]
    pub not_before_ms: u64,
    /// Milliseconds after issue when the challenge stops being accepted.
    #[serde(default)]
    pub expires_in_ms: u64,
}

/// The query of `GET /api/v1/challenge?site=KEY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChallengeQuery {
    /// The site whose friction the challenge carries (the widget's `data-site`).
    pub site: Option<String>,
}

/// The SHA-256 a side of the wire hashes proofs with: a hasher that can be cloned part-way, so the
/// token is hashed once per challenge rather than once per counter tried.
pub trait ProofHash: Clone {
    type Digest: AsRef<[u8]>;
    fn update(&mut self, bytes: &[u8]);
    fn finish(self) -> Self::Digest;
}

/// The `X-CRW-Proof` value of `counter` solving `token`.
pub fn proof_value(token: &str, counter: u64) -> String {
    format!("{token}:{counter}")
}

/// The token and the counter (as sent, not yet read as a number) of an `X-CRW-Proof` value.
pub fn split_proof(proof: &str) -> Option<(&str, &str)> {
    proof.rsplit_once(':')
}

/// Whether `counter` (its decimal digits, as sent) solves `token` at `difficulty`, hashed from `hasher`
/// in its initial state.
pub fn solves<H: ProofHash>(mut hasher: H, token: &str, counter: &[u8], difficulty: u32) -> bool {
    hasher.update(token.as_bytes());
    hasher.update(b":");
    hasher.update(counter);
    leading_zero_bits(hasher.finish().as_ref()) >= difficulty
}

/// The first counter in `counters` that solves `token` at `difficulty`, if any: callers that must not
/// block search a slice at a time.
pub fn search<H: ProofHash>(
    mut hasher: H,
    token: &str,
    difficulty: u32,
    counters: Range<u64>,
) -> Option<u64> {
    hasher.update(token.as_bytes());
    hasher.update(b":");
    let mut digits = [0u8; 20];
    for counter in counters {
        let mut hash = hasher.clone();
        hash.update(decimal(counter, &mut digits));
        if leading_zero_bits(hash.finish().as_ref()) >= difficulty {
            return Some(counter);
        }
    }
    None
}

/// How many zero bits `hash` starts with.
pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        bits += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    bits
}

/// `n` in decimal, written at the end of `buffer`: no allocation, and none of the formatting machinery the
/// widget would otherwise link.
fn decimal(mut n: u64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buffer[start..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in hash that is its whole input: enough to see which bytes the rule hashes.
    #[derive(Clone, Default)]
    struct Prefix(Vec<u8>);

    impl ProofHash for Prefix {
        type Digest = Vec<u8>;
        fn update(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn finish(self) -> Vec<u8> {
            self.0
        }
    }

    #[test]
    fn counters_are_written_in_decimal() {
        let mut buffer = [0u8; 20];
        for n in [0, 7, 10, 65_535, u64::MAX] {
            assert_eq!(decimal(n, &mut buffer), n.to_string().as_bytes(), "{n}");
        }
    }

    #[test]
    fn leading_zero_bits_are_counted_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0, 0x10, 0xff]), 19);
        assert_eq!(leading_zero_bits(&[0, 0x01, 0xff]), 15);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0xff]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
    }

    #[test]
    fn a_proof_is_the_token_a_colon_and_the_counter_and_splits_back() {
        assert_eq!(proof_value("v1.1.8.n.m", 1234), "v1.1.8.n.m:1234");
        assert_eq!(split_proof("v1.1.8.n.m:1234"), Some(("v1.1.8.n.m", "1234")));
        assert_eq!(split_proof("no counter"), None);
    }

    #[test]
    fn the_hash_covers_the_token_a_colon_and_the_counter_s_digits() {
        // "\0\0:" starts with 16 zero bits, then ':' (0x3a) adds two more.
        let token = "\0\0";
        assert!(solves(Prefix::default(), token, b"7", 18));
        assert!(!solves(Prefix::default(), token, b"7", 19));
        assert_eq!(search(Prefix::default(), token, 18, 5..9), Some(5));
        assert_eq!(
            search(Prefix::default(), "é", 1, 0..100),
            None,
            "0xc3 has none"
        );
    }

    #[test]
    fn the_counter_found_is_one_the_check_accepts() {
        // A stand-in hash that is zero exactly when the last byte hashed is the digit 0.
        #[derive(Clone, Default)]
        struct Last(u8);
        impl ProofHash for Last {
            type Digest = [u8; 1];
            fn update(&mut self, bytes: &[u8]) {
                if let Some(&b) = bytes.last() {
                    self.0 = b;
                }
            }
            fn finish(self) -> [u8; 1] {
                [self.0.wrapping_sub(b'0')]
            }
        }
        let found = search(Last::default(), "t", 8, 1..20).expect("a counter ending in 0");
        assert_eq!(found, 10);
        assert!(solves(Last::default(), "t", b"10", 8));
    }
}
