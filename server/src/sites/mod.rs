//! Sites: the pages a widget may run on, what each offers its visitors, and who each lets submit.
//!
//! One server serves many sites. Each is declared in the configuration file ([`file`]) and held here as a
//! [`Site`], already checked, so handlers never re-validate it. Signed-in visitors prove who they are with
//! tokens the site signs ([`identity`]).

mod callback_slots;
mod demo;
pub mod experience_platform;
pub mod file;
pub mod identity;
mod page;
mod routes;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{HeaderMap, header};
use contact_shared::{Choice, FormRules, PreferredChannel, RequestReason, SiteSettings};

use crate::call_centers::CallCenter;
use crate::origin::{MAX_ORIGIN_LEN, Origin};

pub use demo::{DEMO_MEMBERS_SITE_KEY, DemoSigner, demo_sites};
pub use file::ConfigError;
pub use identity::{IdentityError, IdentityKey, VerifiedVisitor};
pub use page::{KeyInHeader, KeyInHeaderOrQuery, KeyInPath, PageSite, SiteKey};
pub use routes::routes;

/// The key of the built-in site used when no configuration file exists.
pub const DEMO_SITE_KEY: &str = "demo";

/// One site, as configured and checked.
#[derive(Debug, Clone)]
pub struct Site {
    /// The public key pages embed as `data-site`.
    pub key: String,
    pub name: String,
    /// Exact origins (`scheme://host[:port]`) the widget may run on.
    pub allowed_origins: Vec<Origin>,
    /// Whether visitors who are not signed in may submit.
    pub guests: bool,
    /// The reasons offered, in the order shown, each with its label.
    pub reasons: Vec<(RequestReason, String)>,
    /// The channels offered, in the order shown, each with its label.
    pub channels: Vec<(PreferredChannel, String)>,
    /// Digits of the calling code assumed for numbers typed without `+`, such as `44`.
    pub default_country_code: Option<String>,
    /// Keys that verify this site's identity tokens, selected by `kid`.
    pub identity_keys: Vec<IdentityKey>,
    /// The queue that owns this site's new requests (created at start-up if missing); `None` for the
    /// store's default queue.
    pub default_queue: Option<String>,
    /// The call center that calls this site's visitors back, whose slots they may choose from.
    pub call_center: Option<CallCenter>,
    /// The proof-of-work difficulty this site's visitors solve; `None` for the server's.
    pub pow_difficulty: Option<u8>,
    /// The least time between the form showing and its submission; `None` for the server's.
    pub min_fill: Option<std::time::Duration>,
    /// Who may choose a callback time (book a slot of the call center).
    pub callback_times: CallbackTimes,
    /// The longest lifetime (`exp - iat`) of an identity token this site accepts; `None` for no cap.
    pub identity_max_lifetime: Option<std::time::Duration>,
    /// Where this site's events are forwarded to Adobe Experience Platform; `None` for nowhere.
    pub experience_platform: Option<experience_platform::ExperiencePlatform>,
    /// Whether a visitor who gives an email address is sent a confirmation of their request
    /// (`mail::confirmation`); off unless the sites file turns it on.
    pub confirmation_email: bool,
    /// The links to call, email or text the site shows beside its form (`[[site.direct]]`).
    pub direct: Vec<contact_shared::DirectContact>,
}

/// Who may choose a callback time on a site: everyone, or only verified (signed-in) visitors, so that
/// anonymous visitors cannot book a call center's slots full. Others may still ask to be called as soon as
/// possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallbackTimes {
    #[default]
    Everyone,
    SignedIn,
}

/// How long an identity token may live, unless a site sets its own cap: a host signs short-lived tokens.
pub const DEFAULT_IDENTITY_MAX_LIFETIME: std::time::Duration =
    std::time::Duration::from_secs(24 * 60 * 60);

impl Site {
    /// The label this site shows for `reason`, or its API name when the site does not offer it.
    pub fn reason_label<'a>(&'a self, reason: &'a RequestReason) -> &'a str {
        self.reasons
            .iter()
            .find(|(offered, _)| offered == reason)
            .map_or(reason.as_str(), |(_, label)| label.as_str())
    }

    /// Whether a page on `origin` may use this site's widget.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o.as_str() == origin)
    }

    /// The origin of the page a request comes from, when the page may use this site: `None` when the
    /// request carries no `Origin` (not a browser's cross-origin request). An `Origin` that is sent but
    /// cannot be one (not visible ASCII, or longer than any origin kept) is refused like a disallowed one,
    /// never skipped.
    pub fn page_origin(&self, headers: &HeaderMap) -> Result<Option<Origin>, SiteError> {
        let Some(value) = headers.get(header::ORIGIN) else {
            return Ok(None);
        };
        let origin = value
            .to_str()
            .ok()
            .filter(|o| o.len() <= MAX_ORIGIN_LEN)
            .ok_or_else(|| SiteError::UnusableOrigin(self.name.clone()))?;
        match self.allowed_origins.iter().find(|o| o.as_str() == origin) {
            Some(allowed) => Ok(Some(allowed.clone())),
            None => Err(SiteError::OriginNotAllowed {
                origin: origin.to_owned(),
                site: self.name.clone(),
            }),
        }
    }

    /// The rules a submission to this site must pass.
    pub fn rules(&self) -> FormRules {
        FormRules {
            reasons: self.reasons.iter().map(|(r, _)| r.clone()).collect(),
            channels: self.channels.iter().map(|(c, _)| *c).collect(),
            default_country_code: self.default_country_code.clone(),
        }
    }

    /// What the widget needs to know about this site.
    pub fn settings(&self) -> SiteSettings {
        SiteSettings {
            key: self.key.clone(),
            name: self.name.clone(),
            sign_in_required: !self.guests,
            reasons: self
                .reasons
                .iter()
                .map(|(value, label)| Choice {
                    value: value.clone(),
                    label: label.clone(),
                })
                .collect(),
            channels: self
                .channels
                .iter()
                .map(|(value, label)| Choice {
                    value: *value,
                    label: label.clone(),
                })
                .collect(),
            default_country_code: self.default_country_code.clone(),
            callback_slots: self.call_center.is_some()
                && self
                    .channels
                    .iter()
                    .any(|(c, _)| *c == PreferredChannel::Phone),
            direct: self.direct.clone(),
        }
    }
}

/// Every configured site, by key. Each is shared, so a request can hold its site without a copy.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    by_key: HashMap<String, Arc<Site>>,
}

impl Sites {
    pub fn new(sites: impl IntoIterator<Item = Site>) -> Self {
        Self {
            by_key: sites
                .into_iter()
                .map(|s| (s.key.clone(), Arc::new(s)))
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Site> {
        self.by_key.get(key).map(Arc::as_ref)
    }

    /// Whether any site lets its widget run on `origin` (the CORS check before a site is known).
    pub fn any_allows_origin(&self, origin: &str) -> bool {
        self.by_key.values().any(|s| s.allows_origin(origin))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Site> {
        self.by_key.values().map(Arc::as_ref)
    }

    /// The site a request names, or the only site when it names none and there is just one.
    pub fn resolve(&self, key: Option<&str>) -> Result<&Site, SiteError> {
        self.resolve_shared_ref(key).map(Arc::as_ref)
    }

    /// [`Self::resolve`], shared: for a request that holds on to its site.
    fn resolve_shared(&self, key: Option<&str>) -> Result<Arc<Site>, SiteError> {
        self.resolve_shared_ref(key).map(Arc::clone)
    }

    fn resolve_shared_ref(&self, key: Option<&str>) -> Result<&Arc<Site>, SiteError> {
        match key {
            Some(key) => self
                .by_key
                .get(key)
                .ok_or_else(|| SiteError::Unknown(key.to_owned())),
            None if self.by_key.len() == 1 => self.by_key.values().next().ok_or(SiteError::Unnamed),
            None => Err(SiteError::Unnamed),
        }
    }
}

/// A request that names no site, or one this server does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error(
        "There is no site {0:?} on this server: check the data-site attribute of the script tag."
    )]
    Unknown(String),
    #[error(
        "Name the site with the X-CRW-Site header (the data-site attribute of the script tag)."
    )]
    Unnamed,
    #[error(
        "{site} does not allow its contact form on {origin}; the site's owner can add this origin to its allowed_origins."
    )]
    OriginNotAllowed { origin: String, site: String },
    #[error(
        "{0} cannot check the page's Origin header: it is not a web origin (scheme://host[:port], at most 255 characters)."
    )]
    UnusableOrigin(String),
}

impl crate::error::Refusal for SiteError {
    fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Unknown(_) => StatusCode::NOT_FOUND,
            Self::Unnamed => StatusCode::BAD_REQUEST,
            Self::OriginNotAllowed { .. } | Self::UnusableOrigin(_) => StatusCode::FORBIDDEN,
        }
    }
}

impl crate::error::Refusal for IdentityError {
    fn status(&self) -> axum::http::StatusCode {
        axum::http::StatusCode::UNAUTHORIZED
    }

    fn asks_for_token(&self) -> bool {
        true
    }
}
