//! Verifying the telephony provider's JWT: the `kid` header picks the call center and key (so keys
//! rotate by adding a new `kid` before retiring the old), the key fixes the one allowed algorithm, and
//! issuer, audience and expiry are required and checked.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde::Deserialize;

use super::error::TelephonyError;
use crate::call_centers::{CallCenter, CallCenters};

#[derive(Debug, Deserialize)]
struct Claims {}

/// The call center whose key signed `token`, once every check passed.
pub fn verify<'a>(centers: &'a CallCenters, token: &str) -> Result<&'a CallCenter, TelephonyError> {
    let unauthorized = |m: &str| TelephonyError::Unauthorized(m.to_owned());
    let header = decode_header(token)
        .map_err(|_| unauthorized("The bearer token is not a JWT (header.payload.signature)."))?;
    let kid = header
        .kid
        .ok_or_else(|| unauthorized("The JWT header has no kid naming the key that signed it."))?;
    let (center, key) = centers.key(&kid).ok_or_else(|| {
        TelephonyError::Unauthorized(format!("No call center has a key with kid {kid:?}."))
    })?;
    if header.alg != key.algorithm {
        return Err(TelephonyError::Unauthorized(format!(
            "Key {kid:?} signs with {:?}, not {:?}.",
            key.algorithm, header.alg
        )));
    }
    let mut validation = Validation::new(key.algorithm);
    validation.set_issuer(&[&center.issuer]);
    validation.set_audience(&[&center.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.leeway = center.leeway_seconds;
    decode::<Claims>(token, &key.decoding, &validation).map_err(|e| {
        TelephonyError::Unauthorized(
            match e.kind() {
                ErrorKind::ExpiredSignature => "The JWT has expired.",
                ErrorKind::InvalidIssuer => "The JWT's iss is not this call center's issuer.",
                ErrorKind::InvalidAudience => "The JWT's aud is not this server's audience.",
                ErrorKind::MissingRequiredClaim(_) => "The JWT must carry exp, iss and aud.",
                ErrorKind::InvalidSignature => "The JWT's signature does not match the key.",
                ErrorKind::ImmatureSignature => "The JWT is not valid yet (nbf).",
                ErrorKind::InvalidAlgorithm => "The JWT's algorithm is not allowed for this key.",
                _ => "The JWT could not be verified.",
            }
            .to_owned(),
        )
    })?;
    Ok(center)
}
