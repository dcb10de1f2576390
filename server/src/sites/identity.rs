//! Verifying a signed-in visitor: the host site signs a short-lived JWT with its key, and only a token
//! that passes every check here turns a submission into a verified one.
//!
//! The checks: the algorithm is one the site's key is configured for (never `none`, never HS with an RSA
//! key's bytes), `kid` selects the key, the signature matches, `exp` has not passed and `nbf` (if any) has
//! come (with the same small leeway), the token lives no longer than the site accepts (`exp - iat`, so a
//! site's cap needs `iat`), `aud` is the site's key, and `sub` names the visitor. A failed check is an error naming which; it never
//! falls back to a guest submission.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use contact_shared::{PreferredPhone, VisitorEmail, VisitorName};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;

/// How late past `exp`, or early before `nbf`, a token is still accepted, for clocks that disagree a little.
const LEEWAY_SECONDS: u64 = 30;
/// The longest `sub` kept, as host user ids are short.
const MAX_SUB_CHARS: usize = 255;

/// The signing algorithms a site key may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Hs256,
    Rs256,
    Es256,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::Hs256 => jsonwebtoken::Algorithm::HS256,
            Self::Rs256 => jsonwebtoken::Algorithm::RS256,
            Self::Es256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

/// One key a site verifies identity tokens with.
#[derive(Clone)]
pub struct IdentityKey {
    kid: String,
    algorithm: Algorithm,
    key: DecodingKey,
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("IdentityKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl IdentityKey {
    /// A key from its material: the shared secret for HS256, a PEM public key otherwise.
    pub fn new(kid: String, algorithm: Algorithm, material: &[u8]) -> Result<Self, String> {
        let key = match algorithm {
            Algorithm::Hs256 => Ok(DecodingKey::from_secret(material)),
            Algorithm::Rs256 => DecodingKey::from_rsa_pem(material),
            Algorithm::Es256 => DecodingKey::from_ec_pem(material),
        }
        .map_err(|e| {
            format!(
                "the {} public key of kid {kid:?} is not a valid PEM key: {e}",
                algorithm.name()
            )
        })?;
        Ok(Self {
            kid,
            algorithm,
            key,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }
}

/// Who a verified token says the visitor is. `sub` is the host's stable user id; the rest, when present,
/// replace what the browser sent for those fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedVisitor {
    pub sub: String,
    pub name: Option<VisitorName>,
    pub email: Option<VisitorEmail>,
    pub phone: Option<PreferredPhone>,
}

/// Why a token was refused; each message names the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("The identity token is not a well-formed JWT.")]
    Malformed,
    #[error("The identity token's algorithm {0:?} is not allowed for this site.")]
    AlgorithmNotAllowed(String),
    #[error("The identity token must name its key with a kid header, as this site has several.")]
    MissingKid,
    #[error("The identity token names a key this site does not have (kid {0:?}).")]
    UnknownKid(String),
    #[error("The identity token's signature does not match this site's key.")]
    BadSignature,
    #[error("The identity token has expired; the site must issue a fresh one.")]
    Expired,
    #[error(
        "The identity token is not valid yet (its nbf is in the future); check the clock of the server that signs it."
    )]
    NotYetValid,
    #[error(
        "The identity token lives longer than this site accepts: exp - iat must be at most {0} seconds; the site must issue shorter-lived tokens."
    )]
    LivesTooLong(u64),
    #[error(
        "The identity token lacks iat, which this site needs to check that it lives at most {0} seconds; the site must add iat (the time it was issued)."
    )]
    MissingIssuedAt(u64),
    #[error("The identity token is for another site: its aud must be {0:?}.")]
    WrongAudience(String),
    #[error("The identity token lacks the required claim {0}.")]
    MissingClaim(String),
    #[error("The identity token's {0} claim is not valid: {1}")]
    InvalidClaim(&'static str, String),
    #[error("This site does not accept signed-in visitors (it has no identity keys).")]
    NoKeys,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    /// Checked by the library; read again for the lifetime.
    exp: Option<f64>,
    iat: Option<f64>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// Verifies `token` for the site `site_key` against its `keys`, refusing one that lives longer than
/// `max_lifetime` (when the site caps it).
pub fn verify(
    token: &str,
    site_key: &str,
    keys: &[IdentityKey],
    max_lifetime: Option<std::time::Duration>,
) -> Result<VerifiedVisitor, IdentityError> {
    if keys.is_empty() {
        return Err(IdentityError::NoKeys);
    }
    let header = read_header(token)?;
    let key = match &header.kid {
        Some(kid) => keys
            .iter()
            .find(|k| &k.kid == kid)
            .ok_or_else(|| IdentityError::UnknownKid(kid.clone()))?,
        None if keys.len() == 1 => &keys[0],
        None => return Err(IdentityError::MissingKid),
    };
    // The algorithm is the key's, never the token's: a token cannot choose how it is checked.
    if header.alg != key.algorithm.name() {
        return Err(IdentityError::AlgorithmNotAllowed(header.alg));
    }
    let mut validation = Validation::new(key.algorithm.jwt());
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_audience(&[site_key]);
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => IdentityError::BadSignature,
            ErrorKind::ExpiredSignature => IdentityError::Expired,
            ErrorKind::ImmatureSignature => IdentityError::NotYetValid,
            ErrorKind::InvalidAudience => IdentityError::WrongAudience(site_key.to_owned()),
            ErrorKind::MissingRequiredClaim(claim) => IdentityError::MissingClaim(claim.clone()),
            ErrorKind::InvalidAlgorithm => IdentityError::AlgorithmNotAllowed(header_alg(token)),
            ErrorKind::Json(e) if e.to_string().contains("missing field `sub`") => {
                IdentityError::MissingClaim("sub".into())
            }
            _ => IdentityError::Malformed,
        })?
        .claims;
    if let Some(cap) = max_lifetime {
        let cap = cap.as_secs();
        let iat = claims.iat.ok_or(IdentityError::MissingIssuedAt(cap))?;
        if claims.exp.is_some_and(|exp| exp - iat > cap as f64) {
            return Err(IdentityError::LivesTooLong(cap));
        }
    }
    visitor(claims)
}

fn read_header(token: &str) -> Result<Header, IdentityError> {
    let encoded = token.split('.').next().ok_or(IdentityError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| IdentityError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| IdentityError::Malformed)
}

fn header_alg(token: &str) -> String {
    read_header(token).map(|h| h.alg).unwrap_or_default()
}

fn visitor(claims: Claims) -> Result<VerifiedVisitor, IdentityError> {
    let sub = claims.sub.trim();
    if sub.is_empty() || sub.chars().count() > MAX_SUB_CHARS || sub.chars().any(char::is_control) {
        return Err(IdentityError::InvalidClaim(
            "sub",
            format!("it must be 1 to {MAX_SUB_CHARS} printable characters"),
        ));
    }
    let name = match claims.name.as_deref() {
        Some(name) => VisitorName::parse(name)
            .map_err(|e| IdentityError::InvalidClaim("name", e.to_string()))?,
        None => None,
    };
    let email = claims
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(VisitorEmail::parse)
        .transpose()
        .map_err(|e| IdentityError::InvalidClaim("email", e.to_string()))?;
    let phone = claims
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(PreferredPhone::parse)
        .transpose()
        .map_err(|e| IdentityError::InvalidClaim("phone", e.to_string()))?;
    Ok(VerifiedVisitor {
        sub: sub.to_owned(),
        name,
        email,
        phone,
    })
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header as JwtHeader, encode};
    use serde_json::{Value, json};

    use super::*;

    // Throwaway key pairs made for these tests only.
    const RSA_PRIVATE: &str = include_str!("testdata/rsa-private.pem");
    const RSA_PUBLIC: &str = include_str!("testdata/rsa-public.pem");
    const EC_PRIVATE: &str = include_str!("testdata/ec-private.pem");
    const EC_PUBLIC: &str = include_str!("testdata/ec-public.pem");
    const SECRET: &str = "a-shared-secret-of-at-least-32-bytes!";
    const SITE: &str = "acme";
    /// The cap the tests' site sets: an hour.
    const CAP: Option<std::time::Duration> = Some(std::time::Duration::from_secs(3_600));

    fn verify(
        token: &str,
        site: &str,
        keys: &[IdentityKey],
    ) -> Result<VerifiedVisitor, IdentityError> {
        super::verify(token, site, keys, CAP)
    }

    fn keys() -> Vec<IdentityKey> {
        vec![
            IdentityKey::new("hs".into(), Algorithm::Hs256, SECRET.as_bytes()).unwrap(),
            IdentityKey::new("rs".into(), Algorithm::Rs256, RSA_PUBLIC.as_bytes()).unwrap(),
            IdentityKey::new("es".into(), Algorithm::Es256, EC_PUBLIC.as_bytes()).unwrap(),
        ]
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn claims() -> Value {
        json!({"sub": "user-42", "name": "Ada Lovelace", "email": "ada@example.com",
               "phone": "+44 20 7946 0958", "aud": SITE, "exp": now() + 300, "iat": now()})
    }

    fn sign(alg: jsonwebtoken::Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = JwtHeader::new(alg);
        header.kid = kid.map(str::to_owned);
        let key = match alg {
            jsonwebtoken::Algorithm::HS256 => EncodingKey::from_secret(SECRET.as_bytes()),
            jsonwebtoken::Algorithm::RS256 => {
                EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap()
            }
            _ => EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap(),
        };
        encode(&header, claims, &key).unwrap()
    }

    fn with(patch: Value) -> Value {
        let mut c = claims();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    }

    fn unsigned(header: Value, claims: &Value) -> String {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    /// A valid HS256 token with one payload character changed.
    fn tampered() -> String {
        let token = sign(jsonwebtoken::Algorithm::HS256, Some("hs"), &claims());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.replace("user-42", "user-43"));
        parts.join(".")
    }

    /// HS256 signed with the RSA public key's bytes as the secret: the classic algorithm-confusion attack.
    fn confused() -> String {
        let mut header = JwtHeader::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some("rs".into());
        encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn valid_tokens_of_each_algorithm_verify_and_carry_the_normalised_claims() {
        for (alg, kid) in [
            (jsonwebtoken::Algorithm::HS256, "hs"),
            (jsonwebtoken::Algorithm::RS256, "rs"),
            (jsonwebtoken::Algorithm::ES256, "es"),
        ] {
            let visitor = verify(&sign(alg, Some(kid), &claims()), SITE, &keys()).unwrap();
            assert_eq!(visitor.sub, "user-42", "{kid}");
            assert_eq!(visitor.name.unwrap().as_str(), "Ada Lovelace");
            assert_eq!(visitor.email.unwrap().as_str(), "ada@example.com");
            assert_eq!(visitor.phone.unwrap().as_str(), "+442079460958");
        }
    }

    #[test]
    fn every_bad_token_is_refused_with_its_reason() {
        use jsonwebtoken::Algorithm::{ES256, HS256, RS256};
        let table: Vec<(String, IdentityError, &str)> = vec![
            (
                sign(HS256, Some("hs"), &with(json!({"exp": now() - 120}))),
                IdentityError::Expired,
                "expired",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"aud": "other-site"}))),
                IdentityError::WrongAudience(SITE.into()),
                "wrong audience",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"aud": null}))),
                IdentityError::MissingClaim("aud".into()),
                "no audience",
            ),
            (
                encode(
                    &JwtHeader {
                        kid: Some("hs".into()),
                        ..JwtHeader::new(HS256)
                    },
                    &claims(),
                    &EncodingKey::from_secret(b"another-secret-that-is-long-enough!!"),
                )
                .unwrap(),
                IdentityError::BadSignature,
                "wrong key",
            ),
            (
                unsigned(json!({"alg": "none", "kid": "hs"}), &claims()),
                IdentityError::AlgorithmNotAllowed("none".into()),
                "alg none",
            ),
            (
                confused(),
                IdentityError::AlgorithmNotAllowed("HS256".into()),
                "HS256 with an RS256 key",
            ),
            (
                sign(RS256, Some("es"), &claims()),
                IdentityError::AlgorithmNotAllowed("RS256".into()),
                "RS256 token on an ES256 key",
            ),
            (tampered(), IdentityError::BadSignature, "tampered payload"),
            (
                sign(ES256, Some("old-key"), &claims()),
                IdentityError::UnknownKid("old-key".into()),
                "unknown kid",
            ),
            (
                sign(HS256, None, &claims()),
                IdentityError::MissingKid,
                "no kid among several keys",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"sub": null}))),
                IdentityError::MissingClaim("sub".into()),
                "missing sub",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"exp": null}))),
                IdentityError::MissingClaim("exp".into()),
                "missing exp",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"sub": "  "}))),
                IdentityError::InvalidClaim(
                    "sub",
                    "it must be 1 to 255 printable characters".into(),
                ),
                "blank sub",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"email": "not-an-email"}))),
                IdentityError::InvalidClaim(
                    "email",
                    "Enter an email address like name@example.com.".into(),
                ),
                "an email claim that is not an address",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"nbf": now() + 120}))),
                IdentityError::NotYetValid,
                "not valid before two minutes from now",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"exp": now() + 3_700}))),
                IdentityError::LivesTooLong(3_600),
                "exp - iat over the site's cap",
            ),
            (
                sign(
                    HS256,
                    Some("hs"),
                    &with(json!({"iat": now() - 86_400, "exp": now() + 60})),
                ),
                IdentityError::LivesTooLong(3_600),
                "issued a day ago, still unexpired",
            ),
            (
                sign(HS256, Some("hs"), &with(json!({"iat": null}))),
                IdentityError::MissingIssuedAt(3_600),
                "no iat when the site caps the lifetime",
            ),
            ("not.a.jwt".into(), IdentityError::Malformed, "garbage"),
            ("".into(), IdentityError::Malformed, "empty"),
        ];
        for (token, expected, why) in table {
            assert_eq!(verify(&token, SITE, &keys()), Err(expected), "{why}");
        }
    }

    #[test]
    fn a_token_a_little_past_exp_is_within_the_leeway() {
        let token = sign(
            jsonwebtoken::Algorithm::HS256,
            Some("hs"),
            &with(json!({"exp": now() - 5})),
        );
        assert!(verify(&token, SITE, &keys()).is_ok());
    }

    #[test]
    fn nbf_has_the_same_leeway_as_exp_and_without_a_cap_any_lifetime_passes() {
        let hs = |claims: &Value| sign(jsonwebtoken::Algorithm::HS256, Some("hs"), claims);
        let t = now();
        let table = [
            (json!({"nbf": now() + 5}), CAP, "nbf a little ahead"),
            (json!({"nbf": now() - 60}), CAP, "nbf passed"),
            (json!({"iat": t, "exp": t + 3_600}), CAP, "exactly the cap"),
            (
                json!({"iat": null, "exp": now() + 30 * 86_400}),
                None,
                "no cap, no iat",
            ),
        ];
        for (patch, cap, why) in table {
            let token = hs(&with(patch));
            assert!(
                super::verify(&token, SITE, &keys(), cap).is_ok(),
                "{why}: {:?}",
                super::verify(&token, SITE, &keys(), cap)
            );
        }
    }

    #[test]
    fn a_single_key_needs_no_kid_and_a_site_without_keys_refuses_every_token() {
        let one = vec![IdentityKey::new("hs".into(), Algorithm::Hs256, SECRET.as_bytes()).unwrap()];
        let token = sign(jsonwebtoken::Algorithm::HS256, None, &claims());
        assert!(verify(&token, SITE, &one).is_ok());
        assert_eq!(verify(&token, SITE, &[]), Err(IdentityError::NoKeys));
    }

    #[test]
    fn messages_name_the_reason() {
        assert_eq!(
            IdentityError::Expired.to_string(),
            "The identity token has expired; the site must issue a fresh one."
        );
        assert_eq!(
            IdentityError::AlgorithmNotAllowed("none".into()).to_string(),
            "The identity token's algorithm \"none\" is not allowed for this site."
        );
    }
}
