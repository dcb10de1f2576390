//! The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under a
//! secret given as `whsec_` and its base64 bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A signing secret, parsed from its `whsec_…` form.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    // Never the bytes: a secret stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// `whsec_` and the secret's bytes in base64 (24 to 64 bytes, as the specification asks).
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text
            .strip_prefix("whsec_")
            .ok_or("a webhook secret starts with whsec_")?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a webhook secret is whsec_ and base64 after it".to_owned())?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(format!(
                "a webhook secret holds 24 to 64 bytes; this one holds {}",
                bytes.len()
            ));
        }
        Ok(Self(bytes))
    }

    /// A new random secret (32 bytes), and its `whsec_…` form to show once.
    pub fn generate() -> (Self, String) {
        let mut bytes = vec![0u8; 32];
        rand::fill(&mut bytes[..]);
        let text = format!("whsec_{}", STANDARD.encode(&bytes));
        (Self(bytes), text)
    }

    /// A secret from its bytes, held to the same length as [`Self::parse`]'s.
    pub(super) fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        Self::parse(&format!("whsec_{}", STANDARD.encode(bytes)))
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The signature of one message under this secret, without its `v1,`.
    fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// The `webhook-signature` header: one `v1,` signature per secret, separated by spaces, so a receiver
/// holding either secret of a rotation verifies it.
pub fn signature(secrets: &[Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| format!("v1,{}", secret.sign(id, timestamp, body)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference libraries' tests.
    #[test]
    fn signs_as_the_reference_libraries_do() {
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn malformed_secrets_are_refused_with_what_to_fix() {
        for (secret, why) in [
            ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "no whsec_ prefix"),
            ("whsec_not base64!", "not base64"),
            ("whsec_c2hvcnQ=", "too short"),
        ] {
            assert!(Secret::parse(secret).is_err(), "{why}: {secret}");
        }
    }
}
