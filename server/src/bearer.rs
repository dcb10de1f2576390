//! The token of a request's `Authorization` header, read in one place for every API that takes one. Each
//! API turns [`NotBearer`] into its own dialect's refusal.

use axum::http::{HeaderMap, header};

/// The `Authorization` header is there but carries no token of an accepted scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotBearer;

/// The `Bearer` token of `headers`, trimmed (possibly empty: each API says what an empty one means), or
/// `None` when the request sends no `Authorization` at all.
pub fn token(headers: &HeaderMap) -> Result<Option<&str>, NotBearer> {
    token_of(headers, &["Bearer"])
}

/// As [`token`], taking any of `schemes` (as written, case and all) before the space.
pub fn token_of<'h>(
    headers: &'h HeaderMap,
    schemes: &[&str],
) -> Result<Option<&'h str>, NotBearer> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| NotBearer)?;
    schemes
        .iter()
        .find_map(|scheme| value.strip_prefix(scheme)?.strip_prefix(' '))
        .map(|token| Some(token.trim()))
        .ok_or(NotBearer)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(authorization: Option<&[u8]>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn a_bearer_token_is_read_trimmed_and_no_header_is_no_token() {
        type Row = (
            Option<&'static [u8]>,
            Result<Option<&'static str>, NotBearer>,
            &'static str,
        );
        let table: [Row; 7] = [
            (None, Ok(None), "no header"),
            (Some(b"Bearer abc"), Ok(Some("abc")), "a token"),
            (Some(b"Bearer  abc "), Ok(Some("abc")), "spaces around it"),
            (
                Some(b"Bearer "),
                Ok(Some("")),
                "an empty token, for the API to judge",
            ),
            (Some(b"Basic dXNlcg=="), Err(NotBearer), "another scheme"),
            (
                Some(b"Bearerabc"),
                Err(NotBearer),
                "no space after the scheme",
            ),
            (Some(b"Bearer \xff"), Err(NotBearer), "not text"),
        ];
        for (value, expected, why) in table {
            assert_eq!(token(&headers(value)), expected, "{why}");
        }
    }

    #[test]
    fn other_schemes_are_taken_only_when_asked_for() {
        let oauth = headers(Some(b"OAuth abc"));
        assert_eq!(token(&oauth), Err(NotBearer));
        assert_eq!(token_of(&oauth, &["Bearer", "OAuth"]), Ok(Some("abc")));
    }
}
