//! Endpoints an admin configures through the API (`/console/api/admin/webhooks`), beside the webhooks
//! file's: their rules (a name, a URL by the file's rule, the events, an optional site), their secrets
//! made here and shown once as `whsec_…`, sealed at rest ([`super::seal`]), rotated with the old one
//! signing alongside until removed or for a stated time. The file's endpoints are listed too, read-only:
//! they change in the file. Every process's delivery worker reads these from the store
//! ([`for_delivery`]), so a change needs no restart.

use serde::Serialize;

use super::seal::SealKey;
use super::{EVENTS, Endpoint, Secret, address};
use crate::instant;
use crate::store::{EndpointChange, EndpointRow, SecretRow, Store, StoreError};

/// The longest an endpoint's name, and its site's key, may be.
pub const NAME_MAX: usize = 64;
/// The longest an old secret may keep signing after a rotation: thirty days.
pub const KEEP_OLD_MAX_MINUTES: i64 = 30 * 24 * 60;

/// What this server can do with the API's endpoints.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// The key their secrets are sealed with; without it none can be created or rotated.
    pub key: Option<SealKey>,
    /// Whether `http://` and internal addresses may be delivered to (`--webhooks-allow-private`).
    pub allow_private: bool,
}

/// Why a change of the endpoints was refused.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// A field to fix: its key in the body, and what is wrong with it.
    #[error("{1}")]
    Field(&'static str, String),
    #[error("A webhook endpoint named {0:?} already exists (in the webhooks file or the API).")]
    Taken(String),
    #[error("There is no webhook endpoint named {0:?}.")]
    NoSuch(String),
    #[error("The endpoint {0:?} is configured in the webhooks file; change it there.")]
    InFile(String),
    #[error("The endpoint {0:?} has no secret {1:?}.")]
    NoSecret(String, String),
    #[error(
        "An endpoint keeps at least one secret; rotate to add another before removing this one."
    )]
    LastSecret,
    #[error(
        "This server has no --webhooks-key (CRW_WEBHOOKS_KEY) to seal webhook secrets with; an operator sets one (openssl rand -base64 32)."
    )]
    NoKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A secret as admins see it: never the secret itself, which is shown once.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretView {
    pub id: String,
    pub created_at: String,
    /// When it stops signing; null until it is removed.
    pub expires_at: Option<String>,
}

/// An endpoint as admins see it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub name: String,
    /// `api`, or `file` for the webhooks file's (read-only here).
    pub source: String,
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Since when every try has failed (no 2xx since); null while the last try succeeded.
    pub failing_since: Option<String>,
    /// When the server disabled it for failing every delivery for five days, and why (with the last
    /// error); null unless it did. Enabling it again clears them.
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    /// The secrets signing now, oldest first (none listed for the file's).
    pub secrets: Vec<SecretView>,
}

fn at(ms: i64) -> String {
    instant::stored(jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::MAX))
}

/// Whether a stored secret still signs at `now_ms`.
fn signs(secret: &SecretRow, now_ms: i64) -> bool {
    secret.expires_at_ms.is_none_or(|until| until > now_ms)
}

fn view(row: EndpointRow, now_ms: i64) -> EndpointView {
    EndpointView {
        secrets: row
            .secrets
            .iter()
            .filter(|s| signs(s, now_ms))
            .map(|s| SecretView {
                id: s.id.clone(),
                created_at: instant::wire(&s.created_at),
                expires_at: s.expires_at_ms.map(at),
            })
            .collect(),
        name: row.name,
        source: row.source,
        url: row.url,
        events: row.events,
        site: row.site,
        enabled: row.enabled,
        created_at: instant::wire(&row.created_at),
        updated_at: instant::wire(&row.updated_at),
        failing_since: row.failing_since_ms.map(|ms| instant::wire(&at(ms))),
        disabled_at: row.disabled_at.as_deref().map(instant::wire),
        disabled_reason: row.disabled_reason,
    }
}

/// An endpoint's name: 1 to [`NAME_MAX`] letters, digits, `-`, `_` and `.`, as it appears in the API's
/// addresses.
pub fn name(text: &str) -> Result<String, EndpointError> {
    let text = text.trim();
    let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if text.is_empty() || text.len() > NAME_MAX || !text.chars().all(fine) {
        return Err(EndpointError::Field(
            "name",
            format!("name must be 1 to {NAME_MAX} letters, digits, '-', '_' or '.'"),
        ));
    }
    Ok(text.to_owned())
}

/// An endpoint's URL, by the webhooks file's rule; and, unless private targets are allowed, one a
/// delivery may be posted to (`https://`, no internal address written in it).
pub fn url(text: &str, registry: &Registry) -> Result<String, EndpointError> {
    let url = address::endpoint_url(text).map_err(|m| EndpointError::Field("url", m))?;
    if let Some(refused) = address::refusal(&url, registry.allow_private) {
        return Err(EndpointError::Field(
            "url",
            format!(
                "url is refused: {refused} (this server delivers only to public https:// addresses)"
            ),
        ));
    }
    Ok(url.to_string())
}

/// The events wanted: a non-empty list among [`EVENTS`], each once.
pub fn events(value: &serde_json::Value) -> Result<Vec<String>, EndpointError> {
    let wrong = || {
        EndpointError::Field(
            "events",
            format!(
                "events must be a list of one or more of {}",
                EVENTS.join(", ")
            ),
        )
    };
    let list = value
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(wrong)?;
    let mut wanted: Vec<String> = Vec::new();
    for event in list {
        let event = event.as_str().ok_or_else(wrong)?;
        if !EVENTS.contains(&event) {
            return Err(EndpointError::Field(
                "events",
                format!(
                    "unknown event {event:?}; the events are {}",
                    EVENTS.join(", ")
                ),
            ));
        }
        if !wanted.iter().any(|w| w == event) {
            wanted.push(event.to_owned());
        }
    }
    Ok(wanted)
}

/// The site filter: a site's key, or none for every site.
pub fn site(text: Option<&str>) -> Result<Option<String>, EndpointError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(key) if key.chars().count() > NAME_MAX => Err(EndpointError::Field(
            "site",
            format!("site must be a site's key of at most {NAME_MAX} characters"),
        )),
        Some(key) => Ok(Some(key.to_owned())),
    }
}

/// A new secret for `endpoint`: its stored row (sealed) and its `whsec_…` form, to show once.
fn new_secret(key: &SealKey, endpoint: &str, now: &str) -> (SecretRow, String) {
    let mut id = [0u8; 8];
    rand::fill(&mut id);
    let id = format!("sec_{}", hex::encode(id));
    let (secret, text) = Secret::generate();
    let row = SecretRow {
        sealed: key.seal(endpoint, &id, &secret),
        id,
        created_at: now.to_owned(),
        expires_at_ms: None,
    };
    (row, text)
}

/// Every endpoint, the file's and the API's, by name.
pub async fn list(store: &Store, now_ms: i64) -> Result<Vec<EndpointView>, EndpointError> {
    let rows = store.read(|db| db.webhook_endpoints()).await?;
    Ok(rows.into_iter().map(|r| view(r, now_ms)).collect())
}

/// The endpoint named `name`.
pub async fn one(store: &Store, name: String, now_ms: i64) -> Result<EndpointView, EndpointError> {
    let found = store
        .read({
            let name = name.clone();
            move |db| db.webhook_endpoint(&name)
        })
        .await?;
    found
        .map(|r| view(r, now_ms))
        .ok_or(EndpointError::NoSuch(name))
}

/// What an endpoint is created with, its values already checked.
pub struct NewEndpoint {
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
    pub enabled: bool,
}

/// Creates an endpoint: it gets the events written from now on. Answers it and its secret, shown once.
pub async fn create(
    store: &Store,
    registry: &Registry,
    new: NewEndpoint,
    now_ms: i64,
) -> Result<(EndpointView, String), EndpointError> {
    let key = registry.key.as_ref().ok_or(EndpointError::NoKey)?;
    let now = instant::stored(jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default());
    let (secret, text) = new_secret(key, &new.name, &now);
    let row = EndpointRow {
        name: new.name.clone(),
        source: "api".into(),
        url: new.url,
        events: new.events,
        site: new.site,
        enabled: new.enabled,
        created_at: now.clone(),
        updated_at: now,
        failing_since_ms: None,
        disabled_at: None,
        disabled_reason: None,
        secrets: Vec::new(),
    };
    let added = store
        .write(move |tx| match tx.add_webhook_endpoint(&row, &secret)? {
            true => Ok(tx.webhook_endpoint(&row.name)?),
            false => Err(EndpointError::Taken(row.name.clone())),
        })
        .await?;
    let added = added.ok_or(EndpointError::NoSuch(new.name))?;
    Ok((view(added, now_ms), text))
}

/// The API endpoint `name`, or why it cannot be changed.
fn api_endpoint(found: Option<EndpointRow>, name: &str) -> Result<EndpointRow, EndpointError> {
    match found {
        None => Err(EndpointError::NoSuch(name.to_owned())),
        Some(e) if e.source != "api" => Err(EndpointError::InFile(name.to_owned())),
        Some(e) => Ok(e),
    }
}

/// Whether `change` only enables the endpoint: the one change a file's endpoint takes, so that one the
/// server disabled for failing can be enabled again without a restart.
fn only_enables(change: &EndpointChange) -> bool {
    change.enabled == Some(true)
        && change.url.is_none()
        && change.events.is_none()
        && change.site.is_none()
}

/// Changes the API endpoint `name`'s URL, events, site or whether it is enabled, or enables a file's
/// endpoint the server disabled; the workers of every process deliver by the change from their next
/// look.
pub async fn change(
    store: &Store,
    name: String,
    change: EndpointChange,
    now_ms: i64,
) -> Result<EndpointView, EndpointError> {
    let now = instant::stored(jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default());
    let changed = store
        .write(move |tx| {
            match tx.webhook_endpoint(&name)? {
                Some(file) if file.source == "file" && only_enables(&change) => {
                    if !file.enabled {
                        tx.reenable_webhook_endpoint(&name, &now)?;
                    }
                }
                found => {
                    api_endpoint(found, &name)?;
                    tx.change_webhook_endpoint(&name, &change, &now)?;
                }
            }
            tx.webhook_endpoint(&name)?
                .ok_or_else(|| EndpointError::NoSuch(name.clone()))
        })
        .await?;
    Ok(view(changed, now_ms))
}

/// Gives the API endpoint `name` a new secret, answered once; the old ones keep signing alongside it
/// until removed, or for `keep_old_minutes` when given (0: they stop at once).
pub async fn rotate(
    store: &Store,
    registry: &Registry,
    name: String,
    keep_old_minutes: Option<i64>,
    now_ms: i64,
) -> Result<(EndpointView, String), EndpointError> {
    let key = registry.key.as_ref().ok_or(EndpointError::NoKey)?;
    let now = instant::stored(jiff::Timestamp::from_millisecond(now_ms).unwrap_or_default());
    let (secret, text) = new_secret(key, &name, &now);
    let rotated = store
        .write(move |tx| {
            api_endpoint(tx.webhook_endpoint(&name)?, &name)?;
            tx.add_webhook_secret(&name, &secret)?;
            if let Some(minutes) = keep_old_minutes {
                let until = now_ms.saturating_add(minutes.saturating_mul(60_000));
                tx.expire_webhook_secrets(&name, &secret.id, until, now_ms)?;
            }
            api_endpoint(tx.webhook_endpoint(&name)?, &name)
        })
        .await?;
    Ok((view(rotated, now_ms), text))
}

/// Removes the API endpoint `name`'s secret `id`, which stops signing at once; its last one stays.
pub async fn remove_secret(
    store: &Store,
    name: String,
    id: String,
    now_ms: i64,
) -> Result<(), EndpointError> {
    store
        .write(move |tx| {
            let endpoint = api_endpoint(tx.webhook_endpoint(&name)?, &name)?;
            let signing: Vec<&SecretRow> = endpoint
                .secrets
                .iter()
                .filter(|s| signs(s, now_ms))
                .collect();
            if !signing.iter().any(|s| s.id == id) {
                return Err(EndpointError::NoSecret(name, id));
            }
            if signing.len() == 1 {
                return Err(EndpointError::LastSecret);
            }
            tx.remove_webhook_secret(&name, &id)?;
            Ok(())
        })
        .await
}

/// Deletes the API endpoint `name` with its deliveries and their log.
pub async fn delete(store: &Store, name: String) -> Result<(), EndpointError> {
    store
        .write(move |tx| {
            api_endpoint(tx.webhook_endpoint(&name)?, &name)?;
            tx.delete_webhook_endpoint(&name)?;
            Ok(())
        })
        .await
}

/// The API endpoint `name` as a delivery worker posts to it at `now_ms`, with the secrets signing then;
/// `None` once it is deleted or disabled. A secret that does not open under `key` is left out, and said.
pub async fn for_delivery(
    store: &Store,
    key: &SealKey,
    name: String,
    now_ms: i64,
) -> Result<Option<Endpoint>, StoreError> {
    let Some(row) = store.read(move |db| db.webhook_endpoint(&name)).await? else {
        return Ok(None);
    };
    if row.source != "api" || !row.enabled {
        return Ok(None);
    }
    let secrets: Vec<Secret> = row
        .secrets
        .iter()
        .filter(|s| signs(s, now_ms))
        .filter_map(|s| {
            let opened = key.open(&row.name, &s.id, &s.sealed);
            if opened.is_none() {
                tracing::warn!(endpoint = %row.name, secret = %s.id, "a webhook secret does not open under this server's --webhooks-key");
            }
            opened
        })
        .collect();
    let Ok(url) = address::endpoint_url(&row.url) else {
        return Ok(None);
    };
    Ok(Some(Endpoint {
        name: row.name,
        url,
        secrets,
        events: row.events,
        site: row.site,
    }))
}

/// The file's endpoints as recorded in the store, so that the API lists them and names stay unique.
pub fn file_rows(endpoints: &[Endpoint]) -> Vec<EndpointRow> {
    let now = instant::now();
    endpoints
        .iter()
        .map(|e| EndpointRow {
            name: e.name.clone(),
            source: "file".into(),
            url: e.url.to_string(),
            events: e.events.clone(),
            site: e.site.clone(),
            enabled: true,
            created_at: now.clone(),
            updated_at: now.clone(),
            failing_since_ms: None,
            disabled_at: None,
            disabled_reason: None,
            secrets: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_fits_in_an_address() {
        assert_eq!(name(" crm-1.prod_a ").unwrap(), "crm-1.prod_a");
        for (bad, why) in [
            ("", "empty"),
            ("a/b", "a slash"),
            ("crm hooks", "a space"),
            (&"x".repeat(NAME_MAX + 1), "too long"),
        ] {
            assert!(name(bad).is_err(), "{why}");
        }
    }

    #[test]
    fn events_are_known_ones_each_once() {
        let ok = events(&serde_json::json!(["call.logged", "call.logged"])).unwrap();
        assert_eq!(ok, ["call.logged"]);
        for (bad, why) in [
            (serde_json::json!([]), "none"),
            (serde_json::json!("call.logged"), "not a list"),
            (serde_json::json!(["call.eaten"]), "unknown"),
            (serde_json::json!([1]), "not text"),
        ] {
            assert!(
                matches!(events(&bad), Err(EndpointError::Field("events", _))),
                "{why}"
            );
        }
    }

    #[test]
    fn urls_follow_the_files_rule_and_the_private_targets_flag() {
        let strict = Registry::default();
        let open = Registry {
            allow_private: true,
            ..Registry::default()
        };
        assert!(url("https://crm.example.com/hooks", &strict).is_ok());
        for (bad, why) in [
            ("ftp://crm.example.com", "not http(s)"),
            ("http://crm.example.com", "not https"),
            ("https://127.0.0.1/hook", "loopback"),
            ("https://[::1]/hook", "IPv6 loopback"),
            ("https://10.0.0.7/hook", "10/8"),
        ] {
            assert!(url(bad, &strict).is_err(), "{why}");
        }
        assert!(url("http://127.0.0.1:9/hook", &open).is_ok());
        assert!(url("ftp://crm.example.com", &open).is_err());
    }
}
