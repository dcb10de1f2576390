//! The secrets of endpoints configured through the API, sealed at rest: ChaCha20-Poly1305 under the
//! server's `--webhooks-key`, bound to the endpoint's name and the secret's id, so a reader of the
//! database (or of a backup) cannot sign, nor move a sealed secret to another endpoint. Signing needs
//! the secret itself, so it is sealed rather than hashed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use super::Secret;

/// The key the API's secrets are sealed with.
#[derive(Clone)]
pub struct SealKey(std::sync::Arc<LessSafeKey>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    /// 32 bytes in base64 (`openssl rand -base64 32`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "the webhooks key is 32 bytes in base64 (openssl rand -base64 32)")?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| {
            format!(
                "the webhooks key holds 32 bytes; this one holds {} (openssl rand -base64 32)",
                bytes.len()
            )
        })?;
        Ok(Self(std::sync::Arc::new(LessSafeKey::new(key))))
    }

    /// `secret` sealed for the endpoint `endpoint` under the id `id`: base64 of a random nonce and the
    /// ciphertext with its tag.
    pub fn seal(&self, endpoint: &str, id: &str, secret: &Secret) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let mut sealed = secret.bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context(endpoint, id)),
                &mut sealed,
            )
            .expect("a secret is far below ChaCha20-Poly1305's limit");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// The secret that [`Self::seal`] sealed for `endpoint` under `id`; `None` when it was sealed under
    /// another key, for another endpoint or id, or altered.
    pub fn open(&self, endpoint: &str, id: &str, sealed: &str) -> Option<Secret> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let mut rest = rest.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(context(endpoint, id)), &mut rest)
            .ok()?;
        Secret::from_bytes(plain.to_vec()).ok()
    }
}

/// What a sealed secret is bound to. The name cannot hold a NUL, so the pair reads one way only.
fn context(endpoint: &str, id: &str) -> Vec<u8> {
    format!("crw-webhook-secret\0{endpoint}\0{id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_endpoint_and_id() {
        let key = SealKey::parse(KEY).unwrap();
        let (secret, _) = Secret::generate();
        let sealed = key.seal("crm", "sec_1", &secret);
        assert!(key.open("crm", "sec_1", &sealed) == Some(secret.clone()));
        assert!(
            key.open("other", "sec_1", &sealed).is_none(),
            "another endpoint"
        );
        assert!(key.open("crm", "sec_2", &sealed).is_none(), "another id");
        let other = SealKey::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
        assert!(other.open("crm", "sec_1", &sealed).is_none(), "another key");
        assert!(
            !sealed.contains(&STANDARD.encode(secret.bytes())),
            "not in the clear"
        );
    }

    #[test]
    fn a_key_to_fix_says_what_it_must_be() {
        for (bad, why) in [("not base64!", "not base64"), ("c2hvcnQ=", "too short")] {
            assert!(SealKey::parse(bad).is_err(), "{why}");
        }
    }
}
