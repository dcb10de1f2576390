//! Conditional requests on sObject Rows, as Salesforce's REST API takes them: an `ETag` on every record
//! read, `If-Match` / `If-None-Match` (strong) and `If-Unmodified-Since` / `If-Modified-Since` (weak) on
//! reads and updates. Two people changing one record at once is then a `412` for the second, never a
//! silent overwrite.
//!
//! Salesforce gives ETags to Account rows only; here every object has them, since a record's version is
//! its `SystemModstamp`, which every object keeps. The weak headers work to the second (HTTP dates
//! carry no more), so a client that must catch a change within the same second sends `If-Match`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};

use super::SfError;

/// A record's entity tag: a hash of its id and its `SystemModstamp`, quoted as HTTP writes tags.
pub fn etag(id: &str, system_modstamp: &str) -> String {
    let digest = Sha256::new()
        .chain_update(id.as_bytes())
        .chain_update([0])
        .chain_update(system_modstamp.as_bytes())
        .finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Entity tags as a header lists them: `*`, or one or more quoted tags (weak `W/` ones compare by their
/// tag, as `If-None-Match` does).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tags {
    Any,
    These(Vec<String>),
}

impl Tags {
    fn parse(name: &str, value: &HeaderValue) -> Result<Self, SfError> {
        let text = value.to_str().map_err(|_| invalid(name))?.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        let mut tags = Vec::new();
        for tag in text.split(',') {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            let quoted = tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"');
            if !quoted || tag[1..tag.len() - 1].contains('"') {
                return Err(invalid(name));
            }
            tags.push(tag.to_owned());
        }
        Ok(Self::These(tags))
    }

    fn matches(&self, current: &str) -> bool {
        match self {
            Self::Any => true,
            Self::These(tags) => tags.iter().any(|tag| tag == current),
        }
    }
}

/// What a request's conditional headers ask, checked against the record's current version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    if_match: Option<Tags>,
    if_none_match: Option<Tags>,
    /// Seconds since the Unix epoch.
    if_unmodified_since: Option<i64>,
    if_modified_since: Option<i64>,
}

/// What to do with a request once its preconditions are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Proceed,
    /// A read whose copy is still current: `304 Not Modified`.
    NotModified,
}

impl Preconditions {
    /// The conditional headers of `headers`; a malformed one is a `400` naming it, as Salesforce answers.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, SfError> {
        let tags = |name: header::HeaderName| {
            headers
                .get(&name)
                .map(|value| Tags::parse(name.as_str(), value))
                .transpose()
        };
        let date = |name: header::HeaderName| {
            headers
                .get(&name)
                .map(|value| http_date(name.as_str(), value))
                .transpose()
        };
        Ok(Self {
            if_match: tags(header::IF_MATCH)?,
            if_none_match: tags(header::IF_NONE_MATCH)?,
            if_unmodified_since: date(header::IF_UNMODIFIED_SINCE)?,
            if_modified_since: date(header::IF_MODIFIED_SINCE)?,
        })
    }

    /// Whether any condition was given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks a read of the record whose tag is `etag` and whose `SystemModstamp` is `modstamp`.
    pub fn check_read(&self, etag: &str, modstamp: &str) -> Result<Verdict, SfError> {
        self.check_strong_and_weak_failures(etag, modstamp)?;
        let unchanged = match (&self.if_none_match, self.if_modified_since) {
            (Some(tags), _) => tags.matches(etag),
            (None, Some(since)) => seconds(modstamp) <= since,
            (None, None) => false,
        };
        Ok(if unchanged {
            Verdict::NotModified
        } else {
            Verdict::Proceed
        })
    }

    /// Checks a change of the record whose tag is `etag` and whose `SystemModstamp` is `modstamp`:
    /// `412` when it is no longer the version the client had.
    pub fn check_write(&self, etag: &str, modstamp: &str) -> Result<(), SfError> {
        self.check_strong_and_weak_failures(etag, modstamp)?;
        if self
            .if_none_match
            .as_ref()
            .is_some_and(|tags| tags.matches(etag))
        {
            return Err(failed("the record matches If-None-Match"));
        }
        Ok(())
    }

    fn check_strong_and_weak_failures(&self, etag: &str, modstamp: &str) -> Result<(), SfError> {
        if let Some(tags) = &self.if_match {
            if !tags.matches(etag) {
                return Err(failed(
                    "the record has changed since it was read (its ETag no longer matches If-Match)",
                ));
            }
        } else if let Some(since) = self.if_unmodified_since
            && seconds(modstamp) > since
        {
            return Err(failed(
                "the record has changed since the date given in If-Unmodified-Since",
            ));
        }
        Ok(())
    }
}

/// `412 Precondition Failed`, saying which condition failed; the client reads the record again to see
/// who changed it, and when.
fn failed(why: &str) -> SfError {
    SfError::new(
        StatusCode::PRECONDITION_FAILED,
        "PRECONDITION_FAILED",
        format!("{why}; read it again to see its current values"),
    )
}

fn invalid(name: &str) -> SfError {
    SfError::bad_request(
        "INVALID_HEADER_VALUE",
        format!(
            "the {name} header is not valid: send entity tags in double quotes (as an ETag header gave them) or an HTTP date such as Tue, 01 Dec 2026 10:00:00 GMT"
        ),
    )
}

/// An HTTP date (`Tue, 01 Dec 2026 10:00:00 GMT`) as seconds since the epoch.
fn http_date(name: &str, value: &HeaderValue) -> Result<i64, SfError> {
    let text = value.to_str().map_err(|_| invalid(name))?;
    jiff::fmt::rfc2822::parse(text)
        .map(|zoned| zoned.timestamp().as_second())
        .map_err(|_| invalid(name))
}

/// A stored `SystemModstamp` (RFC 3339) to whole seconds; one that does not parse counts as changed now.
fn seconds(modstamp: &str) -> i64 {
    modstamp
        .parse::<jiff::Timestamp>()
        .map_or(i64::MAX, |t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    const STAMP: &str = "2026-12-01T10:00:00.250Z";

    #[test]
    fn a_tag_names_one_version_of_one_record() {
        let tag = etag("0SM000000000001AAA", STAMP);
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 26);
        assert_ne!(tag, etag("0SM000000000001AAA", "2026-12-01T10:00:00.251Z"));
        assert_ne!(tag, etag("0SM000000000002AAA", STAMP));
    }

    #[test]
    fn a_write_with_the_current_tag_proceeds_and_with_an_old_one_fails() {
        let tag = etag("id", STAMP);
        let current = Preconditions::from_headers(&headers(&[("if-match", &tag)])).unwrap();
        assert!(current.check_write(&tag, STAMP).is_ok());
        let newer = etag("id", "2026-12-01T10:00:00.900Z");
        let stale = current
            .check_write(&newer, "2026-12-01T10:00:00.900Z")
            .unwrap_err();
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
        let any = Preconditions::from_headers(&headers(&[("if-match", "*")])).unwrap();
        assert!(any.check_write(&newer, STAMP).is_ok());
    }

    #[test]
    fn a_write_since_a_date_fails_once_the_record_changed_after_it() {
        let since = Preconditions::from_headers(&headers(&[(
            "if-unmodified-since",
            "Tue, 01 Dec 2026 10:00:00 GMT",
        )]))
        .unwrap();
        assert!(since.check_write("\"x\"", STAMP).is_ok(), "same second");
        let later = since.check_write("\"x\"", "2026-12-01T10:00:01.000Z");
        assert_eq!(later.unwrap_err().status, StatusCode::PRECONDITION_FAILED);
    }

    #[test]
    fn a_read_of_an_unchanged_record_is_not_modified() {
        let tag = etag("id", STAMP);
        let same = Preconditions::from_headers(&headers(&[("if-none-match", &tag)])).unwrap();
        assert_eq!(same.check_read(&tag, STAMP).unwrap(), Verdict::NotModified);
        assert_eq!(
            same.check_read("\"other\"", STAMP).unwrap(),
            Verdict::Proceed
        );
        assert!(
            Preconditions::from_headers(&HeaderMap::new())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn malformed_conditions_are_refused_naming_the_header() {
        for (name, value) in [
            ("if-match", "abc"),
            ("if-match", "\"a\"b\""),
            ("if-none-match", ""),
            ("if-unmodified-since", "yesterday"),
            ("if-modified-since", "2026-12-01"),
        ] {
            let refused = Preconditions::from_headers(&headers(&[(name, value)])).unwrap_err();
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}: {value}");
            assert!(refused.message.contains(name), "{}", refused.message);
        }
    }
}
