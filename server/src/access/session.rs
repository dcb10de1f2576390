//! The console's sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie (with `Secure` and
//! the `__Host-` name behind an https public URL), of which the store keeps only the SHA-256; idle and
//! absolute expiry; and the check that a state-changing request carrying the cookie comes from the
//! server's own origin.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use contact_shared::console::{Role, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use jiff::Timestamp;

use crate::instant;
use crate::origin::Origin;
use crate::store::{Store, StoreError};

/// What the sessions' clock reads. Tests turn it by hand, so expiry is stepped over instead of waited for.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The machine's clock.
pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// How long a session lasts with nothing done in it, by default.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(8 * 3_600);
/// How long a session lasts at most, however busy, by default.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3_600);
/// How stale a session's `last_seen_at` may get before a request refreshes it: the store has one
/// writer, and a console calls the API many times a minute.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// How this server's sessions are made, named and checked.
#[derive(Clone)]
pub struct Sessions {
    pub idle: Duration,
    pub lifetime: Duration,
    /// The public URL's origin, when one is configured; without it a request's own `Host` is the origin.
    pub origin: Option<Origin>,
    pub clock: Clock,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("idle", &self.idle)
            .field("lifetime", &self.lifetime)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Default for Sessions {
    /// The default expiries, no public URL, the machine's clock.
    fn default() -> Self {
        Self {
            idle: DEFAULT_IDLE,
            lifetime: DEFAULT_LIFETIME,
            origin: None,
            clock: system_clock(),
        }
    }
}

/// A session id as the browser presents it: 32 random bytes in unpadded base64url.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(…)")
    }
}

impl SessionId {
    /// A fresh id from the operating system's random source (through `rand`'s thread generator).
    pub fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
    }

    /// A cookie's value, if it has the form of an id (anything else cannot be one of ours).
    pub fn parse(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        (bytes.len() == 32).then(|| Self(value.to_owned()))
    }

    /// What the store keeps: the id's SHA-256, so a copy of the database signs no one in.
    pub fn hash(&self) -> String {
        super::tokens::hash(&self.0)
    }
}

impl Sessions {
    /// Sessions for a server reached at `public_url` (when one is configured).
    pub fn new(
        public_url: Option<&str>,
        idle: Duration,
        lifetime: Duration,
    ) -> Result<Self, String> {
        let origin = public_url
            .map(|url| {
                let url = url.trim_end_matches('/');
                // The origin is the URL's scheme, host and port: whatever path it has is dropped.
                let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
                let authority = rest.split('/').next().unwrap_or_default();
                Origin::parse(&format!("{scheme}://{authority}"))
                    .map_err(|e| format!("--public-url {url:?}: {e}"))
            })
            .transpose()?;
        Ok(Self {
            idle,
            lifetime,
            origin,
            clock: system_clock(),
        })
    }

    /// Whether browsers reach this server over https: then the cookie is `Secure` with the `__Host-` name.
    pub fn secure(&self) -> bool {
        self.origin
            .as_ref()
            .is_some_and(|o| o.as_str().starts_with("https://"))
    }

    /// The session cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure() {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The cookie that carries `id`, kept by the browser as long as the session may last.
    pub fn cookie(&self, id: &SessionId) -> Cookie<'static> {
        let max_age = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        self.attributes(Cookie::new(self.cookie_name(), id.0.clone()))
            .max_age(cookie::time::Duration::seconds(max_age))
            .build()
    }

    /// The cookie that makes the browser forget its session cookie.
    pub fn removal(&self) -> Cookie<'static> {
        let mut removal = self.attributes(Cookie::new(self.cookie_name(), "")).build();
        removal.make_removal();
        removal
    }

    fn attributes(&self, cookie: Cookie<'static>) -> cookie::CookieBuilder<'static> {
        Cookie::build(cookie)
            .http_only(true)
            .same_site(SameSite::Strict)
            .path("/")
            .secure(self.secure())
    }

    /// The session id the request's cookie presents, if it has one of the right form.
    pub fn presented(&self, headers: &HeaderMap) -> Option<SessionId> {
        CookieJar::from_headers(headers)
            .get(self.cookie_name())
            .and_then(|cookie| SessionId::parse(cookie.value()))
    }

    /// Whether the request carries a session cookie at all (well formed or not).
    pub fn carries_cookie(&self, headers: &HeaderMap) -> bool {
        CookieJar::from_headers(headers)
            .get(self.cookie_name())
            .is_some()
    }

    /// The user, and their role, whose live session `id` is: not ended, of an active user, neither idle
    /// past [`Sessions::idle`] nor older than [`Sessions::lifetime`]. Refreshes its last use when that
    /// is over a minute old.
    pub async fn verify(
        &self,
        store: &Store,
        id: &SessionId,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let id_hash = id.hash();
        let key = id_hash.clone();
        // On the probes' connections, as token checks are: every console call checks its session.
        let Some(row) = store.probe(move |db| db.live_session(&key)).await? else {
            return Ok(None);
        };
        let now = self.now();
        let (Some(created), Some(seen)) = (
            instant::parse(&row.created_at),
            instant::parse(&row.last_seen_at),
        ) else {
            return Ok(None);
        };
        let since = |moment: Timestamp| {
            Duration::try_from(now.duration_since(moment)).unwrap_or(Duration::ZERO)
        };
        if since(seen) >= self.idle || since(created) >= self.lifetime {
            return Ok(None);
        }
        if since(seen) >= TOUCH_EVERY {
            let now = instant::stored(now);
            store
                .write(move |tx| tx.touch_session(&id_hash, &now))
                .await?;
        }
        Ok(Some((row.user_id, row.role)))
    }

    /// Whether a request that the session cookie would authenticate may change something: a safe
    /// method always may; any other must come from this server's own origin, by its `Origin` header or,
    /// without one, by `Sec-Fetch-Site: same-origin`. SameSite=Strict already keeps the cookie off other
    /// sites' requests; this also refuses them where a browser does not honour it.
    pub fn allows(&self, method: &Method, headers: &HeaderMap) -> bool {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return true;
        }
        match headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => self.is_own_origin(origin, headers),
            None => headers
                .get("sec-fetch-site")
                .is_some_and(|v| v.as_bytes() == b"same-origin"),
        }
    }

    /// Whether a sign-in may go ahead: refused only when the browser says it comes from elsewhere, so a
    /// foreign page cannot sign a visitor in as someone else. Clients that are not browsers send neither
    /// header.
    pub fn allows_sign_in(&self, headers: &HeaderMap) -> bool {
        let origin_ok = headers
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|origin| self.is_own_origin(origin, headers));
        let fetch_ok = headers
            .get("sec-fetch-site")
            .is_none_or(|v| matches!(v.as_bytes(), b"same-origin" | b"none"));
        origin_ok && fetch_ok
    }

    fn is_own_origin(&self, origin: &str, headers: &HeaderMap) -> bool {
        match &self.origin {
            Some(own) => origin.eq_ignore_ascii_case(own.as_str()),
            None => {
                // Without a public URL the server is wherever the browser reached it; the scheme is
                // whatever a proxy in front speaks, so the host and port decide.
                let host = headers.get(HOST).and_then(|v| v.to_str().ok());
                let authority = origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"));
                matches!((host, authority), (Some(h), Some(a)) if h.eq_ignore_ascii_case(a))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(public_url: Option<&str>) -> Sessions {
        Sessions::new(public_url, DEFAULT_IDLE, DEFAULT_LIFETIME).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn session_ids_are_256_random_bits_in_base64url() {
        let a = SessionId::generate();
        let b = SessionId::generate();
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 43);
        assert_eq!(SessionId::parse(&a.0), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        for junk in ["", "short", &"A".repeat(44), &format!("{}=", a.0)] {
            assert_eq!(SessionId::parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn the_cookie_is_secure_with_the_host_prefix_only_behind_https() {
        let id = SessionId::generate();
        let plain = sessions(Some("http://console.example.com"))
            .cookie(&id)
            .to_string();
        assert!(plain.starts_with("crw_session="), "{plain}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"] {
            assert!(plain.contains(part), "{plain} has {part}");
        }
        assert!(!plain.contains("Secure"), "{plain}");
        let secure = sessions(Some("https://console.example.com/"))
            .cookie(&id)
            .to_string();
        assert!(secure.starts_with("__Host-crw_session="), "{secure}");
        assert!(
            secure.contains("; Secure") && !secure.contains("Domain"),
            "{secure}"
        );
    }

    #[test]
    fn the_public_urls_origin_drops_its_path() {
        let sessions = sessions(Some("https://example.com/support/"));
        assert_eq!(sessions.origin.unwrap().as_str(), "https://example.com");
        assert!(Sessions::new(Some("ftp://x"), DEFAULT_IDLE, DEFAULT_LIFETIME).is_err());
    }

    #[test]
    fn state_changing_requests_must_come_from_the_servers_own_origin() {
        let public = sessions(Some("https://console.example.com"));
        let local = sessions(None);
        /// Which sessions, the method, the request's headers, whether it may go ahead, and why.
        type Row<'a> = (
            &'a Sessions,
            Method,
            &'a [(&'static str, &'a str)],
            bool,
            &'a str,
        );
        let table: [Row; 10] = [
            (&public, Method::GET, &[], true, "a read from anywhere"),
            (
                &public,
                Method::PATCH,
                &[("origin", "https://console.example.com")],
                true,
                "the public origin",
            ),
            (
                &public,
                Method::PATCH,
                &[("origin", "https://evil.example")],
                false,
                "another origin",
            ),
            (
                &public,
                Method::POST,
                &[("origin", "http://console.example.com")],
                false,
                "the public host over the other scheme",
            ),
            (
                &public,
                Method::DELETE,
                &[],
                false,
                "no Origin and no Sec-Fetch-Site",
            ),
            (
                &public,
                Method::DELETE,
                &[("sec-fetch-site", "same-origin")],
                true,
                "no Origin, but the browser says same-origin",
            ),
            (
                &public,
                Method::DELETE,
                &[("sec-fetch-site", "same-site")],
                false,
                "a sibling site",
            ),
            (
                &local,
                Method::POST,
                &[
                    ("host", "localhost:3000"),
                    ("origin", "http://localhost:3000"),
                ],
                true,
                "without a public URL, the request's host",
            ),
            (
                &local,
                Method::POST,
                &[
                    ("host", "localhost:3000"),
                    ("origin", "http://localhost:3001"),
                ],
                false,
                "without a public URL, another port",
            ),
            (
                &local,
                Method::POST,
                &[("origin", "http://localhost:3000")],
                false,
                "without a public URL and without a Host",
            ),
        ];
        for (sessions, method, pairs, allowed, why) in table {
            assert_eq!(sessions.allows(&method, &headers(pairs)), allowed, "{why}");
        }
    }

    #[test]
    fn a_sign_in_is_refused_only_when_the_browser_says_it_comes_from_elsewhere() {
        let public = sessions(Some("https://console.example.com"));
        assert!(
            public.allows_sign_in(&headers(&[])),
            "a script without a browser"
        );
        assert!(public.allows_sign_in(&headers(&[
            ("origin", "https://console.example.com"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!public.allows_sign_in(&headers(&[("origin", "https://evil.example")])));
        assert!(!public.allows_sign_in(&headers(&[("sec-fetch-site", "cross-site")])));
    }
}
