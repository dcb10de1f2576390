//! The signed-in visitor, as the page's identity token says: read only to show who is sending.
//!
//! The token is a JWT the host's back end signed. The widget never checks its signature (it has no key,
//! and must not): the server verifies it on submit and uses its claims, whatever the browser sends. The
//! widget only decodes the payload to show the visitor the name, email and phone that will be used.

use contact_shared::field;

pub use crate::wire::Claims;

impl Claims {
    /// The claims of a compact JWT; `None` when it is not one. Verification is the server's job.
    pub fn of_token(token: &str) -> Option<Self> {
        let mut parts = contact_shared::split_ascii(token.trim(), b'.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let json = String::from_utf8(base64url(payload)?).ok()?;
        crate::wire::claims(&json)
    }

    /// `(field, value)` for each form field a claim fills, in form order. These fields are read-only.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        [
            (field::PREFERRED_PHONE, &self.phone),
            (field::NAME, &self.name),
            (field::EMAIL, &self.email),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value.as_deref()?.trim();
            (!value.is_empty()).then(|| (field, value.to_owned()))
        })
        .collect()
    }
}

/// Decodes unpadded base64url (RFC 4648 §5), as JWTs use. A dozen lines here instead of a crate, because
/// every byte of the widget is downloaded by each visitor who opens it.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in contact_shared::trim_end_ascii(text, b'=').bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_decodes_every_tail_length_and_refuses_other_alphabets() {
        let table = [
            ("", Some(&b""[..]), "empty"),
            ("YQ", Some(&b"a"[..]), "one byte"),
            ("YWI", Some(&b"ab"[..]), "two bytes"),
            ("YWJj", Some(&b"abc"[..]), "three bytes"),
            ("YWJj==", Some(&b"abc"[..]), "padding is tolerated"),
            ("-_8", Some(&[0xfb, 0xff][..]), "the URL-safe characters"),
            (
                "+/8",
                None,
                "standard base64's characters are not base64url",
            ),
            ("YW J", None, "a space"),
        ];
        for (text, expected, why) in table {
            assert_eq!(base64url(text).as_deref(), expected, "{why}");
        }
    }

    /// A token with this payload; the header and signature are never looked at.
    fn token(payload: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut encoded = String::new();
        for chunk in payload.as_bytes().chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                encoded.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        format!("eyJhbGciOiJIUzI1NiJ9.{encoded}.c2lnbmF0dXJl")
    }

    #[test]
    fn a_token_s_claims_fill_the_fields_they_name_and_nothing_else() {
        let claims = Claims::of_token(&token(
            r#"{"sub":"u1","name":"Zoë Ørsted","email":"zoe@example.com","exp":1}"#,
        ))
        .unwrap();
        assert_eq!(
            claims.fields(),
            [
                (field::NAME, "Zoë Ørsted".to_owned()),
                (field::EMAIL, "zoe@example.com".to_owned()),
            ]
        );
    }

    #[test]
    fn blank_or_non_string_claims_fill_nothing() {
        let claims = Claims::of_token(&token(
            r#"{"sub":"u1","name":"  ","phone":44,"email":null}"#,
        ))
        .unwrap();
        assert_eq!(claims.fields(), []);
    }

    #[test]
    fn what_is_not_a_compact_jwt_has_no_claims() {
        let table = [
            ("", "empty"),
            ("abc", "one part"),
            ("a.b", "two parts"),
            ("a.b.c.d", "four parts"),
            ("a.!!!.c", "a payload that is not base64url"),
            ("a.bm90IGpzb24.c", "a payload that is not JSON"),
            ("a.WzFd.c", "a payload that is not an object"),
        ];
        for (token, why) in table {
            assert_eq!(Claims::of_token(token), None, "{why}");
        }
    }
}
