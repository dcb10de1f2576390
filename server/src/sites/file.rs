//! The sites configuration file (TOML): its format, and every check it must pass before the server starts.
//!
//! A mistake is reported with the file, the line and the column, and what to write instead. See
//! `sites.example.toml` at the repository root for a commented example.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use contact_shared::{
    DirectContact, DirectKind, PreferredChannel, PreferredPhone, RequestReason, VisitorEmail,
};
use serde::Deserialize;
use toml::Spanned;

use super::identity::{Algorithm, IdentityKey};
use super::{CallbackTimes, DEFAULT_IDENTITY_MAX_LIFETIME, Site};
use crate::call_centers::CallCenters;
use crate::salesforce::reasons::{ReasonValue, RequestReasons, STANDARD_DEFAULT};

/// The shortest shared secret accepted for HS256, in bytes (RFC 7518 asks for at least the hash size).
const MIN_SECRET_BYTES: usize = 32;
const MAX_LABEL_CHARS: usize = 60;
/// As a Salesforce Group name.
const MAX_QUEUE_CHARS: usize = 80;
/// The hardest proof of work a site may ask: 24 bits is about 16 million hashes, tens of seconds on a phone.
const MAX_POW_DIFFICULTY: u8 = 24;
/// The longest minimum fill time a site may ask, in milliseconds.
const MAX_MIN_FILL_MS: u64 = 60_000;
/// The longest identity-token lifetime cap a site may set: 30 days.
const MAX_IDENTITY_LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;
/// The most direct contact links a site may show beside its form.
const MAX_DIRECT: usize = 6;

/// A configuration mistake, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default, rename = "request_reason")]
    reasons: Vec<Spanned<ReasonFormat>>,
    #[serde(default, rename = "site")]
    sites: Vec<Spanned<SiteFormat>>,
}

/// A `[[request_reason]]` entry: one of the organisation's RequestReason values, a reference value
/// relabelled, deactivated or made the default, or one of its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonFormat {
    value: Spanned<String>,
    label: Option<Spanned<String>>,
    #[serde(default = "yes")]
    active: bool,
    default: Option<Spanned<bool>>,
}

/// What the sites file configures: its sites, and the organisation's reasons they offer.
#[derive(Debug, Clone)]
pub struct SitesFile {
    pub sites: Vec<Site>,
    pub reasons: RequestReasons,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFormat {
    key: Spanned<String>,
    name: Spanned<String>,
    allowed_origins: Spanned<Vec<Spanned<String>>>,
    #[serde(default = "yes")]
    guests: bool,
    reasons: Option<Spanned<Vec<Spanned<String>>>>,
    channels: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    labels: HashMap<String, Spanned<String>>,
    default_country_code: Option<Spanned<String>>,
    default_queue: Option<Spanned<String>>,
    call_center: Option<Spanned<String>>,
    pow_difficulty: Option<Spanned<i64>>,
    min_fill_ms: Option<Spanned<i64>>,
    callback_times: Option<Spanned<String>>,
    identity_max_lifetime_secs: Option<Spanned<i64>>,
    #[serde(default)]
    identity_keys: Vec<Spanned<KeyFormat>>,
    experience_platform: Option<super::experience_platform::Format>,
    #[serde(default)]
    confirmation_email: bool,
    #[serde(default)]
    direct: Vec<Spanned<DirectFormat>>,
}

/// A `[[site.direct]]` entry: a number to call or text, or an address to email, shown beside the form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectFormat {
    kind: Spanned<String>,
    value: Spanned<String>,
    label: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFormat {
    kid: Spanned<String>,
    alg: Spanned<String>,
    /// HS256: the shared secret itself…
    secret: Option<String>,
    /// …or the name of the environment variable holding it, to keep it out of the file.
    secret_env: Option<Spanned<String>>,
    /// RS256 / ES256: the public key in PEM…
    public_key: Option<String>,
    /// …or the path of a PEM file, relative to the configuration file.
    public_key_file: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}

/// Reads and checks the configuration file at `path`; a site's `call_center` must be one of `call_centers`.
pub fn load(path: &Path, call_centers: &CallCenters) -> Result<SitesFile, ConfigError> {
    let source = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(
        path,
        &source,
        &|name| std::env::var(name).ok(),
        call_centers,
    )
}

/// Parses and checks configuration text; `env` looks up environment variables named by `secret_env`,
/// and a site's `call_center` must be one of `call_centers`.
pub fn parse(
    path: &Path,
    source: &str,
    env: &dyn Fn(&str) -> Option<String>,
    call_centers: &CallCenters,
) -> Result<SitesFile, ConfigError> {
    let at = |span: Range<usize>, message: String| locate(path, source, span.start, message);
    let file: FileFormat = toml::from_str(source).map_err(|e| {
        let start = e.span().map_or(0, |s| s.start);
        locate(path, source, start, e.message().to_owned())
    })?;
    if file.sites.is_empty() {
        return Err(at(
            0..0,
            "declare at least one site with a [[site]] table".into(),
        ));
    }
    let reasons = request_reasons(file.reasons, &at)?;
    let active: Vec<&ReasonValue> = reasons.active().collect();
    let base = path.parent().unwrap_or(Path::new("."));
    let mut keys = HashSet::new();
    let mut sites = Vec::new();
    for entry in file.sites {
        let site_span = entry.span();
        let site = entry.into_inner();
        let key = site.key.get_ref();
        let valid_key = (1..=64).contains(&key.len())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_key {
            return Err(at(
                site.key.span(),
                "a site key has 1 to 64 letters, digits, - or _".into(),
            ));
        }
        if !keys.insert(key.clone()) {
            return Err(at(
                site.key.span(),
                format!("the site key {key:?} is declared twice"),
            ));
        }
        if site.name.get_ref().trim().is_empty() {
            return Err(at(site.name.span(), "give the site a display name".into()));
        }
        if site.allowed_origins.get_ref().is_empty() {
            return Err(at(
                site.allowed_origins.span(),
                "list at least one allowed origin, such as \"https://www.example.com\"".into(),
            ));
        }
        let mut origins = Vec::new();
        for origin in site.allowed_origins.into_inner() {
            let parsed =
                crate::origin::Origin::parse(origin.get_ref()).map_err(|e| at(origin.span(), e))?;
            origins.push(parsed);
        }
        let offers: Vec<&ReasonValue> = picklist(
            site.reasons,
            &active,
            |r| r.value.as_str(),
            "reason",
            " (or declare it with a [[request_reason]] table)",
            &at,
        )?;
        let channels: Vec<PreferredChannel> = picklist(
            site.channels,
            PreferredChannel::ALL,
            |c| c.as_str(),
            "channel",
            "",
            &at,
        )?;
        let offered: HashSet<&str> = offers
            .iter()
            .map(|r| r.value.as_str())
            .chain(channels.iter().map(|c| c.as_str()))
            .collect();
        for (value, label) in &site.labels {
            if !offered.contains(value.as_str()) {
                return Err(at(
                    label.span(),
                    format!("{value:?} is labelled but not among this site's reasons or channels"),
                ));
            }
            let chars = label.get_ref().trim().chars().count();
            if chars == 0 || chars > MAX_LABEL_CHARS {
                return Err(at(
                    label.span(),
                    format!("a label has 1 to {MAX_LABEL_CHARS} characters"),
                ));
            }
        }
        let label = |value: &str, default: &str| {
            site.labels
                .get(value)
                .map_or_else(|| default.to_owned(), |l| l.get_ref().trim().to_owned())
        };
        let default_country_code = match site.default_country_code {
            None => None,
            Some(code) => Some(
                contact_shared::parse_country_code(code.get_ref())
                    .map_err(|e| at(code.span(), e.into()))?,
            ),
        };
        let default_queue = match site.default_queue {
            None => None,
            Some(queue) => {
                let name = queue.get_ref().trim();
                if name.is_empty() || name.chars().count() > MAX_QUEUE_CHARS {
                    return Err(at(
                        queue.span(),
                        format!("a queue name has 1 to {MAX_QUEUE_CHARS} characters"),
                    ));
                }
                Some(name.to_owned())
            }
        };
        let call_center = match site.call_center {
            None => None,
            Some(name) => Some(
                call_centers
                    .by_internal_name(name.get_ref())
                    .cloned()
                    .ok_or_else(|| at(name.span(), unknown_center(name.get_ref(), call_centers)))?,
            ),
        };
        let pow_difficulty = match site.pow_difficulty {
            None => None,
            Some(bits) => Some(
                u8::try_from(*bits.get_ref())
                    .ok()
                    .filter(|b| *b <= MAX_POW_DIFFICULTY)
                    .ok_or_else(|| {
                        at(
                            bits.span(),
                            format!(
                                "pow_difficulty is 0 to {MAX_POW_DIFFICULTY} leading zero bits (each bit doubles the visitor's work; 16 takes a few hundred milliseconds on a phone, 0 turns it off)"
                            ),
                        )
                    })?,
            ),
        };
        let min_fill = match site.min_fill_ms {
            None => None,
            Some(ms) => Some(
                u64::try_from(*ms.get_ref())
                    .ok()
                    .filter(|ms| *ms <= MAX_MIN_FILL_MS)
                    .map(std::time::Duration::from_millis)
                    .ok_or_else(|| {
                        at(
                            ms.span(),
                            format!(
                                "min_fill_ms is 0 to {MAX_MIN_FILL_MS} milliseconds (the least time between the form showing and its submission, such as 1500)"
                            ),
                        )
                    })?,
            ),
        };
        let mut kids = HashSet::new();
        let mut identity_keys = Vec::new();
        for key_entry in site.identity_keys {
            let key_span = key_entry.span();
            let key_format = key_entry.into_inner();
            if !kids.insert(key_format.kid.get_ref().clone()) {
                return Err(at(
                    key_format.kid.span(),
                    format!("the kid {:?} is used twice", key_format.kid.get_ref()),
                ));
            }
            identity_keys.push(identity_key(key_format, key_span, base, env, &at)?);
        }
        if !site.guests && identity_keys.is_empty() {
            return Err(at(
                site_span,
                "a site with guests = false needs at least one [[site.identity_keys]] to verify signed-in visitors".into(),
            ));
        }
        let callback_times = match &site.callback_times {
            None => CallbackTimes::Everyone,
            Some(value) => {
                let times = match value.get_ref().as_str() {
                    "everyone" => CallbackTimes::Everyone,
                    "signed-in" => CallbackTimes::SignedIn,
                    other => {
                        return Err(at(
                            value.span(),
                            format!(
                                "unknown callback_times {other:?}: use \"everyone\" or \"signed-in\" (only verified visitors may choose a time)"
                            ),
                        ));
                    }
                };
                if call_center.is_none() {
                    return Err(at(
                        value.span(),
                        "callback_times needs a call_center, whose slots visitors choose from"
                            .into(),
                    ));
                }
                if times == CallbackTimes::SignedIn && identity_keys.is_empty() {
                    return Err(at(
                        value.span(),
                        "callback_times = \"signed-in\" needs at least one [[site.identity_keys]] to verify signed-in visitors".into(),
                    ));
                }
                times
            }
        };
        let identity_max_lifetime = match site.identity_max_lifetime_secs {
            None => Some(DEFAULT_IDENTITY_MAX_LIFETIME),
            Some(secs) => match u64::try_from(*secs.get_ref()) {
                Ok(0) => None,
                Ok(secs) if secs <= MAX_IDENTITY_LIFETIME_SECS => {
                    Some(std::time::Duration::from_secs(secs))
                }
                _ => {
                    return Err(at(
                        secs.span(),
                        format!(
                            "identity_max_lifetime_secs is 1 to {MAX_IDENTITY_LIFETIME_SECS} seconds (the longest exp - iat of a token this site accepts, such as 3600), or 0 for no cap"
                        ),
                    ));
                }
            },
        };
        let experience_platform = match site.experience_platform {
            None => None,
            Some(settings) => Some(super::experience_platform::parse(
                site.key.get_ref(),
                settings,
                env,
                &at,
            )?),
        };
        let direct = direct_contacts(site.direct, default_country_code.as_deref(), &at)?;
        sites.push(Site {
            key: site.key.into_inner(),
            name: site.name.into_inner().trim().to_owned(),
            allowed_origins: origins,
            guests: site.guests,
            reasons: offers
                .iter()
                .map(|r| (r.value.clone(), label(r.value.as_str(), &r.label)))
                .collect(),
            channels: channels
                .iter()
                .map(|c| (*c, label(c.as_str(), c.label())))
                .collect(),
            default_country_code,
            identity_keys,
            default_queue,
            call_center,
            pow_difficulty,
            min_fill,
            callback_times,
            identity_max_lifetime,
            experience_platform,
            confirmation_email: site.confirmation_email,
            direct,
        });
    }
    Ok(SitesFile { sites, reasons })
}

/// The organisation's reasons: the reference's, with each `[[request_reason]]` entry replacing the value
/// of its name or added after them, and the default the one entry with `default = true`, else
/// [`STANDARD_DEFAULT`] unless its entry says `default = false` or deactivates it.
fn request_reasons(
    entries: Vec<Spanned<ReasonFormat>>,
    at: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<RequestReasons, ConfigError> {
    let mut values = RequestReasons::default().all().to_vec();
    let mut standard = true;
    let mut chosen: Option<RequestReason> = None;
    let mut declared = HashSet::new();
    for entry in entries {
        let span = entry.span();
        let entry = entry.into_inner();
        let value = RequestReason::parse(entry.value.get_ref())
            .map_err(|e| at(entry.value.span(), e.to_string()))?;
        if !declared.insert(value.clone()) {
            return Err(at(
                entry.value.span(),
                format!("the reason {:?} is declared twice", value.as_str()),
            ));
        }
        let label = match entry.label {
            None => value.as_str().to_owned(),
            Some(label) => {
                let text = label.get_ref().trim();
                let chars = text.chars().count();
                if chars == 0 || chars > MAX_LABEL_CHARS {
                    return Err(at(
                        label.span(),
                        format!("a label has 1 to {MAX_LABEL_CHARS} characters"),
                    ));
                }
                text.to_owned()
            }
        };
        match entry.default {
            Some(flag) if *flag.get_ref() => {
                if let Some(earlier) = &chosen {
                    return Err(at(
                        flag.span(),
                        format!(
                            "only one reason is the default, and {:?} already is",
                            earlier.as_str()
                        ),
                    ));
                }
                if !entry.active {
                    return Err(at(
                        flag.span(),
                        "an inactive reason cannot be the default".into(),
                    ));
                }
                chosen = Some(value.clone());
            }
            Some(_) if value.as_str() == STANDARD_DEFAULT => standard = false,
            _ => {}
        }
        let configured = ReasonValue {
            value,
            label,
            active: entry.active,
        };
        match values.iter_mut().find(|v| v.value == configured.value) {
            Some(existing) => *existing = configured,
            None => values.push(configured),
        }
        if !values.iter().any(|v| v.active) {
            return Err(at(
                span,
                "every reason is inactive: keep at least one active".into(),
            ));
        }
    }
    let default = match &chosen {
        Some(value) => Some(value.as_str()),
        None => standard.then_some(STANDARD_DEFAULT),
    };
    Ok(RequestReasons::new(values, default))
}

/// A site's `[[site.direct]]` links, checked: a known kind, a number (E.164, or national with the site's
/// `default_country_code`) to call or text or an email address, and a label.
fn direct_contacts(
    entries: Vec<Spanned<DirectFormat>>,
    country_code: Option<&str>,
    at: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<Vec<DirectContact>, ConfigError> {
    if let Some(extra) = entries.get(MAX_DIRECT) {
        return Err(at(
            extra.span(),
            format!("a site shows at most {MAX_DIRECT} [[site.direct]] links"),
        ));
    }
    let mut direct = Vec::new();
    for entry in entries {
        let entry = entry.into_inner();
        let kind: DirectKind = entry.kind.get_ref().parse().map_err(|_| {
            at(
                entry.kind.span(),
                format!(
                    "unknown kind {:?}: use \"call\", \"email\" or \"text\"",
                    entry.kind.get_ref()
                ),
            )
        })?;
        let given = entry.value.get_ref();
        let value = match kind {
            DirectKind::Call | DirectKind::Text => {
                PreferredPhone::parse_with_country(given, country_code)
                    .map(|p| p.as_str().to_owned())
                    .map_err(|e| {
                        at(
                            entry.value.span(),
                            format!("{given:?} is not a phone number to {}: {e}", kind.as_str()),
                        )
                    })?
            }
            DirectKind::Email => VisitorEmail::parse(given)
                .map(|e| e.as_str().to_owned())
                .map_err(|e| {
                    at(
                        entry.value.span(),
                        format!("{given:?} is not an email address: {e}"),
                    )
                })?,
        };
        let label = entry.label.get_ref().trim();
        let chars = label.chars().count();
        if chars == 0 || chars > MAX_LABEL_CHARS {
            return Err(at(
                entry.label.span(),
                format!("a label has 1 to {MAX_LABEL_CHARS} characters, such as \"Call us now\""),
            ));
        }
        direct.push(DirectContact {
            kind,
            value,
            label: label.to_owned(),
        });
    }
    Ok(direct)
}

/// What to write when a site names a call center that is not declared.
fn unknown_center(name: &str, call_centers: &CallCenters) -> String {
    if call_centers.is_empty() {
        return format!(
            "there is no call center {name:?}: declare it with internal_name = {name:?} in a call-center file \
             passed with --call-centers"
        );
    }
    format!(
        "there is no call center {name:?} in the call-center file; its call centers are: {}",
        call_centers.names().join(", ")
    )
}

/// A subset of a picklist in the order given, or every value when the list is absent.
fn picklist<T: Clone>(
    list: Option<Spanned<Vec<Spanned<String>>>>,
    all: &[T],
    name: impl Fn(&T) -> &str,
    what: &str,
    hint: &str,
    at: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<Vec<T>, ConfigError> {
    let Some(list) = list else {
        return Ok(all.to_vec());
    };
    if list.get_ref().is_empty() {
        return Err(at(
            list.span(),
            format!("offer at least one {what}, or leave the list out to offer all"),
        ));
    }
    let mut values: Vec<T> = Vec::new();
    for item in list.into_inner() {
        let Some(value) = all.iter().find(|v| name(v) == item.get_ref()) else {
            let allowed: Vec<&str> = all.iter().map(&name).collect();
            return Err(at(
                item.span(),
                format!(
                    "unknown {what} {:?}: Choose one of: {}.{hint}",
                    item.get_ref(),
                    allowed.join(", ")
                ),
            ));
        };
        if values.iter().any(|v| name(v) == item.get_ref()) {
            return Err(at(
                item.span(),
                format!("the {what} {:?} is listed twice", item.get_ref()),
            ));
        }
        values.push(value.clone());
    }
    Ok(values)
}

fn identity_key(
    key: KeyFormat,
    span: Range<usize>,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    at: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<IdentityKey, ConfigError> {
    let kid = key.kid.get_ref().trim().to_owned();
    if kid.is_empty() {
        return Err(at(
            key.kid.span(),
            "give the key a kid, the name tokens use to select it".into(),
        ));
    }
    let algorithm = match key.alg.get_ref().as_str() {
        "HS256" => Algorithm::Hs256,
        "RS256" => Algorithm::Rs256,
        "ES256" => Algorithm::Es256,
        other => {
            return Err(at(
                key.alg.span(),
                format!("unsupported alg {other:?}: use HS256, RS256 or ES256"),
            ));
        }
    };
    let material = if algorithm == Algorithm::Hs256 {
        if key.public_key.is_some() || key.public_key_file.is_some() {
            return Err(at(
                span,
                "an HS256 key takes secret or secret_env, not a public key".into(),
            ));
        }
        let secret = match (key.secret, key.secret_env) {
            (Some(secret), None) => secret,
            (None, Some(name)) => env(name.get_ref()).ok_or_else(|| {
                at(
                    name.span(),
                    format!("the environment variable {} is not set", name.get_ref()),
                )
            })?,
            _ => {
                return Err(at(
                    span,
                    "an HS256 key needs exactly one of secret or secret_env".into(),
                ));
            }
        };
        if secret.len() < MIN_SECRET_BYTES {
            return Err(at(
                span,
                format!("an HS256 secret needs at least {MIN_SECRET_BYTES} bytes"),
            ));
        }
        secret.into_bytes()
    } else {
        if key.secret.is_some() || key.secret_env.is_some() {
            return Err(at(
                span,
                format!(
                    "an {} key takes public_key or public_key_file, not a secret",
                    key.alg.get_ref()
                ),
            ));
        }
        match (key.public_key, key.public_key_file) {
            (Some(pem), None) => pem.into_bytes(),
            (None, Some(file)) => std::fs::read(base.join(file.get_ref()))
                .map_err(|e| at(file.span(), format!("cannot read {}: {e}", file.get_ref())))?,
            _ => {
                return Err(at(
                    span,
                    "a public-key algorithm needs exactly one of public_key or public_key_file"
                        .into(),
                ));
            }
        }
    };
    IdentityKey::new(kid, algorithm, &material).map_err(|e| at(span, e))
}

/// Turns a byte offset into a located error.
fn locate(path: &Path, source: &str, offset: usize, message: String) -> ConfigError {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ConfigError {
        file: path.to_owned(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_PUBLIC: &str = include_str!("testdata/rsa-public.pem");

    fn env(name: &str) -> Option<String> {
        (name == "ACME_SECRET").then(|| "s".repeat(32))
    }

    fn reason(value: &str) -> RequestReason {
        RequestReason::parse(value).unwrap()
    }

    fn parse_text(text: &str) -> Result<Vec<Site>, ConfigError> {
        let centers =
            crate::call_centers::CallCenters::new(vec![crate::call_centers::demo_center()]);
        parse(Path::new("sites.toml"), text, &env, &centers).map(|file| file.sites)
    }

    const VALID: &str = r#"
[[site]]
key = "acme"
name = "Acme"
allowed_origins = ["https://www.acme.example"]
reasons = ["Order", "Billing"]
channels = ["Email", "Phone"]
default_country_code = "+44"
default_queue = "Acme callbacks"
call_center = "demo"
pow_difficulty = 18
min_fill_ms = 3000
callback_times = "signed-in"
identity_max_lifetime_secs = 3600
confirmation_email = true

[site.labels]
Order = "My order"

[[site.identity_keys]]
kid = "k1"
alg = "HS256"
secret_env = "ACME_SECRET"

[[site]]
key = "members"
name = "Members"
allowed_origins = ["https://members.acme.example"]
guests = false

[[site.identity_keys]]
kid = "rsa"
alg = "RS256"
public_key = """RSA_PUBLIC"""
"#;

    #[test]
    fn a_valid_file_gives_each_site_its_subset_labels_and_keys() {
        let sites = parse_text(&VALID.replace("RSA_PUBLIC", RSA_PUBLIC)).unwrap();
        let acme = &sites[0];
        assert_eq!(acme.key, "acme");
        assert!(acme.guests, "guests default to allowed");
        assert_eq!(
            acme.reasons,
            vec![
                (reason("Order"), "My order".to_owned()),
                (reason("Billing"), "Billing".to_owned())
            ]
        );
        assert_eq!(
            acme.channels,
            vec![
                (PreferredChannel::Email, "Email".to_owned()),
                (PreferredChannel::Phone, "Phone".to_owned())
            ]
        );
        assert_eq!(acme.default_country_code.as_deref(), Some("44"));
        assert_eq!(acme.default_queue.as_deref(), Some("Acme callbacks"));
        assert_eq!(sites[1].default_queue, None);
        assert_eq!(
            acme.call_center.as_ref().map(|c| c.internal_name.as_str()),
            Some("demo")
        );
        assert!(sites[1].call_center.is_none());
        assert_eq!(acme.pow_difficulty, Some(18));
        assert_eq!(acme.min_fill, Some(std::time::Duration::from_secs(3)));
        assert_eq!(
            (sites[1].pow_difficulty, sites[1].min_fill),
            (None, None),
            "the server's friction unless a site sets its own"
        );
        assert_eq!(acme.identity_keys[0].kid(), "k1");
        assert_eq!(acme.callback_times, CallbackTimes::SignedIn);
        assert_eq!(
            acme.identity_max_lifetime,
            Some(std::time::Duration::from_secs(3600))
        );
        assert_eq!(
            (sites[1].callback_times, sites[1].identity_max_lifetime),
            (CallbackTimes::Everyone, Some(DEFAULT_IDENTITY_MAX_LIFETIME)),
            "everyone may choose a time, and tokens live a day at most, unless a site says otherwise"
        );
        assert!(
            acme.confirmation_email && !sites[1].confirmation_email,
            "visitors are sent a confirmation only where a site turns it on"
        );
        let members = &sites[1];
        assert!(!members.guests);
        assert_eq!(members.reasons.len(), 7, "no list offers every reason");
        assert_eq!(
            members.channels[2],
            (PreferredChannel::Text, "Text (SMS)".to_owned())
        );
    }

    #[test]
    fn a_call_center_must_be_declared_in_the_call_center_file() {
        let text = "[[site]]\nkey = \"acme\"\nname = \"Acme\"\nallowed_origins = [\"https://acme.example\"]\ncall_center = \"main\"\n";
        let error =
            parse(Path::new("sites.toml"), text, &env, &CallCenters::default()).unwrap_err();
        assert_eq!(error.line, 5);
        assert_eq!(
            error.message,
            "there is no call center \"main\": declare it with internal_name = \"main\" in a call-center file passed with --call-centers"
        );
    }

    #[test]
    fn the_example_in_the_repository_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        let example = include_str!("../../../sites.example.toml");
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/members-rsa-1.pem"), RSA_PUBLIC).unwrap();
        let path = dir.path().join("sites.toml");
        let env = |name: &str| {
            matches!(name, "NORTHWIND_IDENTITY_SECRET" | "NORTHWIND_AEP_TOKEN")
                .then(|| "n".repeat(40))
        };
        let centers = crate::call_centers::file::parse(
            include_str!("../../../call-centers.example.toml"),
            crate::softphone::known_field,
        )
        .unwrap();
        let file = parse(&path, example, &env, &centers).unwrap();
        let warranty = file
            .reasons
            .find("Warranty")
            .expect("the example's own reason");
        assert_eq!(warranty.label, "A warranty claim");
        let sites = file.sites;
        assert_eq!(sites.len(), 2);
        assert!(sites[0].call_center.is_some());
        assert!(sites[0].experience_platform.is_some());
    }

    #[test]
    fn request_reasons_relabel_deactivate_add_and_choose_the_default() {
        let text = "[[request_reason]]\nvalue = \"Warranty\"\nlabel = \"A warranty claim\"\n\n\
                    [[request_reason]]\nvalue = \"Case\"\nactive = false\n\n\
                    [[request_reason]]\nvalue = \"Order\"\nlabel = \"An order\"\ndefault = true\n\n\
                    [[site]]\nkey = \"acme\"\nname = \"Acme\"\nallowed_origins = [\"https://acme.example\"]\n\n\
                    [[site]]\nkey = \"shop\"\nname = \"Shop\"\nallowed_origins = [\"https://shop.example\"]\n\
                    reasons = [\"Warranty\", \"Order\"]\n[site.labels]\nWarranty = \"Under warranty\"\n";
        let file = parse(Path::new("sites.toml"), text, &env, &CallCenters::default()).unwrap();
        let active: Vec<&str> = file.reasons.active().map(|r| r.value.as_str()).collect();
        assert_eq!(
            active,
            [
                "Account", "Billing", "General", "Order", "Other", "Product", "Warranty"
            ],
            "Case is inactive; the organisation's own value comes after the reference's"
        );
        assert_eq!(
            file.reasons.default_value().map(|r| r.as_str()),
            Some("Order")
        );
        let acme = &file.sites[0];
        assert_eq!(
            acme.reasons.len(),
            7,
            "a site without a list offers every active reason"
        );
        assert!(
            acme.reasons
                .contains(&(reason("Order"), "An order".to_owned()))
        );
        assert_eq!(
            file.sites[1].reasons,
            [
                (reason("Warranty"), "Under warranty".to_owned()),
                (reason("Order"), "An order".to_owned())
            ],
            "the site's label wins over the organisation's"
        );
        let no_default = "[[request_reason]]\nvalue = \"General\"\ndefault = false\n\n[[site]]\nkey = \"a\"\nname = \"A\"\nallowed_origins = [\"https://a.example\"]\n";
        let file = parse(
            Path::new("sites.toml"),
            no_default,
            &env,
            &CallCenters::default(),
        )
        .unwrap();
        assert_eq!(file.reasons.default_value(), None);
    }

    #[test]
    fn each_mistake_is_reported_with_its_line_and_what_to_fix() {
        let site = |body: &str| {
            format!(
                "[[site]]\nkey = \"acme\"\nname = \"Acme\"\nallowed_origins = [\"https://acme.example\"]\n{body}"
            )
        };
        let table: Vec<(String, usize, &str)> = vec![
            ("".into(), 1, "declare at least one site with a [[site]] table"),
            ("[[site]]\nkey = \"acme\"\n".into(), 1, "missing field `name`"),
            (site("colour = \"red\"\n"), 5, "unknown field `colour`"),
            (site("guests = \"no\"\n"), 5, "invalid type: string \"no\", expected a boolean"),
            ("[[site]]\nkey = \"a b\"\nname = \"A\"\nallowed_origins = [\"https://a.example\"]\n".into(), 2, "a site key has 1 to 64 letters"),
            (format!("{}{}", site(""), site("")), 6, "the site key \"acme\" is declared twice"),
            ("[[site]]\nkey = \"acme\"\nname = \" \"\nallowed_origins = [\"https://a.example\"]\n".into(), 3, "give the site a display name"),
            ("[[site]]\nkey = \"acme\"\nname = \"A\"\nallowed_origins = []\n".into(), 4, "list at least one allowed origin"),
            ("[[site]]\nkey = \"acme\"\nname = \"A\"\nallowed_origins = [\"https://a.example/contact\"]\n".into(), 4, "must be scheme://host[:port] with no path"),
            (site("reasons = [\"Billing\", \"Refund\"]\n"), 5, "unknown reason \"Refund\": Choose one of: Account"),
            (site("reasons = [\"Billing\", \"Billing\"]\n"), 5, "the reason \"Billing\" is listed twice"),
            (format!("[[request_reason]]\nvalue = \" Warranty\"\n{}", site("")), 2, "A reason is 1 to 255 characters, without line breaks or spaces around it."),
            (format!("[[request_reason]]\nvalue = \"W\"\n[[request_reason]]\nvalue = \"W\"\n{}", site("")), 4, "the reason \"W\" is declared twice"),
            (format!("[[request_reason]]\nvalue = \"W\"\nlabel = \"\"\n{}", site("")), 3, "a label has 1 to 60 characters"),
            (format!("[[request_reason]]\nvalue = \"W\"\ndefault = true\n[[request_reason]]\nvalue = \"V\"\ndefault = true\n{}", site("")), 6, "only one reason is the default, and \"W\" already is"),
            (format!("[[request_reason]]\nvalue = \"W\"\nactive = false\ndefault = true\n{}", site("")), 4, "an inactive reason cannot be the default"),
            (format!("[[request_reason]]\nvalue = \"Case\"\nactive = false\n{}", site("reasons = [\"Case\"]\n")), 8, "unknown reason \"Case\": Choose one of: Account, Billing, General, Order, Other, Product. (or declare it"),
            (format!("[[request_reason]]\nvalue = \"W\"\ncolour = \"red\"\n{}", site("")), 3, "unknown field `colour`"),
            (site("channels = []\n"), 5, "offer at least one channel"),
            (site("channels = [\"Fax\"]\n"), 5, "unknown channel \"Fax\""),
            (site("channels = [\"Phone\"]\n[site.labels]\nEmail = \"Mail\"\n"), 7, "\"Email\" is labelled but not among"),
            (site("default_country_code = \"044\"\n"), 5, "a country calling code has 1 to 3 digits"),
            (site("default_queue = \" \"\n"), 5, "a queue name has 1 to 80 characters"),
            (site("call_center = \"main\"\n"), 5, "there is no call center \"main\" in the call-center file; its call centers are: demo"),
            (site("pow_difficulty = 25\n"), 5, "pow_difficulty is 0 to 24 leading zero bits"),
            (site("pow_difficulty = -1\n"), 5, "pow_difficulty is 0 to 24 leading zero bits"),
            (site("pow_difficulty = \"hard\"\n"), 5, "invalid type: string \"hard\", expected i64"),
            (site("min_fill_ms = 60001\n"), 5, "min_fill_ms is 0 to 60000 milliseconds"),
            (site("min_fill_ms = -5\n"), 5, "min_fill_ms is 0 to 60000 milliseconds"),
            (site("call_center = \"demo\"\ncallback_times = \"members\"\n"), 6, "unknown callback_times \"members\": use \"everyone\" or \"signed-in\""),
            (site("callback_times = \"signed-in\"\n"), 5, "callback_times needs a call_center"),
            (site("call_center = \"demo\"\ncallback_times = \"signed-in\"\n"), 6, "callback_times = \"signed-in\" needs at least one [[site.identity_keys]]"),
            (site("callback_times = true\n"), 5, "invalid type: boolean `true`, expected a string"),
            (site("identity_max_lifetime_secs = -1\n"), 5, "identity_max_lifetime_secs is 1 to 2592000 seconds"),
            (site("identity_max_lifetime_secs = 2592001\n"), 5, "identity_max_lifetime_secs is 1 to 2592000 seconds"),
            (site("confirmation_email = \"yes\"\n"), 5, "invalid type: string \"yes\", expected a boolean"),
            (site("guests = false\n"), 1, "a site with guests = false needs at least one [[site.identity_keys]]"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"none\"\nsecret = \"x\"\n"), 7, "unsupported alg \"none\": use HS256, RS256 or ES256"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\nsecret = \"short\"\n"), 5, "an HS256 secret needs at least 32 bytes"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\nsecret_env = \"UNSET_VAR\"\n"), 8, "the environment variable UNSET_VAR is not set"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\n"), 5, "an HS256 key needs exactly one of secret or secret_env"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"RS256\"\npublic_key = \"not a pem\"\n"), 5, "is not a valid PEM key"),
            (site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"RS256\"\nsecret_env = \"ACME_SECRET\"\n"), 5, "takes public_key or public_key_file, not a secret"),
            (
                site("[[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\nsecret_env = \"ACME_SECRET\"\n[[site.identity_keys]]\nkid = \"k\"\nalg = \"HS256\"\nsecret_env = \"ACME_SECRET\"\n"),
                10,
                "the kid \"k\" is used twice",
            ),
            (site("[[site.direct]]\nkind = \"fax\"\nvalue = \"+442079460958\"\nlabel = \"Fax\"\n"), 6, "unknown kind \"fax\": use \"call\", \"email\" or \"text\""),
            (site("[[site.direct]]\nkind = \"call\"\nvalue = \"020 7946 0958\"\nlabel = \"Call\"\n"), 7, "\"020 7946 0958\" is not a phone number to call"),
            (site("[[site.direct]]\nkind = \"email\"\nvalue = \"help\"\nlabel = \"Mail\"\n"), 7, "\"help\" is not an email address"),
            (site("[[site.direct]]\nkind = \"text\"\nvalue = \"+447700900123\"\nlabel = \" \"\n"), 8, "a label has 1 to 60 characters"),
            (site("[[site.direct]]\nkind = \"text\"\nvalue = \"+447700900123\"\n"), 5, "missing field `label`"),
            (site(&"[[site.direct]]\nkind = \"call\"\nvalue = \"+442079460958\"\nlabel = \"Call\"\n".repeat(7)), 29, "a site shows at most 6 [[site.direct]] links"),
            ("[[site]\n".into(), 1, "unclosed array table, expected `]`"),
        ];
        for (text, line, says) in table {
            let error = parse_text(&text).unwrap_err();
            assert!(
                error.message.contains(says),
                "{says:?} not in {:?}",
                error.message
            );
            assert_eq!(error.line, line, "{says}: {error}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("sites.toml:{line}:")),
                "{error}"
            );
        }
    }
}
