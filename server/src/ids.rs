//! Record ids in the Salesforce format: a 3-character key prefix per object, 12 random base-62 characters
//! and the 3-character case-safe suffix, so that ids are unguessable and Salesforce clients accept them.

use rand::Rng;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The key prefix of ContactRequest ids.
pub const CONTACT_REQUEST_PREFIX: &str = "0SR";
/// The key prefix of CallCenter ids.
pub const CALL_CENTER_PREFIX: &str = "04v";
/// The key prefix of Task ids (the call log).
pub const TASK_PREFIX: &str = "00T";
/// The key prefix of EngagementInteraction ids.
pub const ENGAGEMENT_INTERACTION_PREFIX: &str = "0eI";

/// A new random 18-character id with the given 3-character key prefix.
pub fn new_id(prefix: &str) -> String {
    debug_assert_eq!(prefix.len(), 3);
    let mut rng = rand::rng();
    let mut id = String::with_capacity(18);
    id.push_str(prefix);
    id.extend((0..12).map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())])));
    let suffix = case_safe_suffix(&id);
    id.push_str(&suffix);
    id
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
    fn new_ids_carry_the_prefix_and_a_valid_suffix_and_differ() {
        let a = new_id(CONTACT_REQUEST_PREFIX);
        let b = new_id(CONTACT_REQUEST_PREFIX);
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("0SR"));
        assert_eq!(case_safe_suffix(&a[..15]), a[15..]);
        assert_ne!(a, b);
    }
}
