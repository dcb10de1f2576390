//! The admin routes under `/console/api/admin` (admins only): users and their passwords, queues and their
//! members, API tokens. Their refusals are the console's `{"message","fields"}`, read into [`ApiError`].

use contact_shared::console::{API_PREFIX, Role};
use gloo_net::http::Request;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, get, json, same_origin, send};

/// A user as the admin routes list them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
}

/// A queue with its members.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Queue {
    pub id: String,
    pub name: String,
    /// How long an offer waits for an answer.
    pub offer_timeout_seconds: u32,
    /// How long whoever let an offer pass is not offered the same request again.
    pub offer_cooldown_seconds: u32,
    /// The service level: business seconds from a callback falling due to its first call attempt.
    pub service_target_seconds: u32,
    pub members: Vec<Person>,
}

/// An API token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: i64,
    pub username: String,
    pub scope: String,
    pub label: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A token just made: the only time its secret is seen.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewToken {
    pub token: String,
}

fn url(path: &str) -> String {
    format!("{API_PREFIX}/admin/{path}")
}

fn segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
}

/// Every user.
pub async fn users() -> Result<Vec<Person>, ApiError> {
    get(&url("users")).await
}

/// Adds a user `{username, name, email?, role}`.
pub async fn add_user(user: &Value) -> Result<Person, ApiError> {
    json(send(same_origin(Request::post(&url("users"))).json(user)).await?).await
}

/// Changes a user's `{role?, isActive?}`.
pub async fn change_user(id: &str, change: &Value) -> Result<Person, ApiError> {
    let request = same_origin(Request::patch(&url(&format!("users/{}", segment(id))))).json(change);
    json(send(request).await?).await
}

/// Sets a user's password, which ends their sessions.
pub async fn set_password(id: &str, password: &str) -> Result<(), ApiError> {
    let path = url(&format!("users/{}/password", segment(id)));
    send(same_origin(Request::put(&path)).json(&json!({ "password": password }))).await?;
    Ok(())
}

/// Every queue with its members.
pub async fn queues() -> Result<Vec<Queue>, ApiError> {
    get(&url("queues")).await
}

/// Adds a queue.
pub async fn add_queue(name: &str) -> Result<Queue, ApiError> {
    let request = same_origin(Request::post(&url("queues"))).json(&json!({ "name": name }));
    json(send(request).await?).await
}

/// Changes a queue's `{offerTimeoutSeconds?, offerCooldownSeconds?}`.
pub async fn change_queue(id: &str, change: &Value) -> Result<Queue, ApiError> {
    let request =
        same_origin(Request::patch(&url(&format!("queues/{}", segment(id))))).json(change);
    json(send(request).await?).await
}

/// Makes `user` a member of `queue` (`member`), or takes them out.
pub async fn set_member(queue: &str, user: &str, member: bool) -> Result<(), ApiError> {
    let path = url(&format!(
        "queues/{}/members/{}",
        segment(queue),
        segment(user)
    ));
    let builder = if member {
        Request::put(&path)
    } else {
        Request::delete(&path)
    };
    send(same_origin(builder).build()).await?;
    Ok(())
}

/// Every token, revoked ones too.
pub async fn tokens() -> Result<Vec<Token>, ApiError> {
    get(&url("tokens")).await
}

/// Makes a token `{user, scope, label?}` for the API.
pub async fn add_token(token: &Value) -> Result<NewToken, ApiError> {
    json(send(same_origin(Request::post(&url("tokens"))).json(token)).await?).await
}

/// Revokes a token: it stops working at once.
pub async fn revoke_token(id: i64) -> Result<(), ApiError> {
    send(same_origin(Request::delete(&url(&format!("tokens/{id}")))).build()).await?;
    Ok(())
}

/// A webhook endpoint as listed: never its secrets, which are shown once.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub name: String,
    /// `api`, or `file` for the webhooks file's, which change only there.
    pub source: String,
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
    pub enabled: bool,
    /// Why the server disabled it (every delivery failing for five days, and the last error); none
    /// unless it did.
    #[serde(default)]
    pub disabled_reason: Option<String>,
}

#[derive(Deserialize)]
struct Endpoints {
    endpoints: Vec<Endpoint>,
}

/// An endpoint just made or rotated: the only time its new secret is seen.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewSecret {
    pub secret: String,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: i64,
    /// The first bytes of the receiver's answer.
    pub answer: String,
}

/// A delivery of the log, its tries oldest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    pub state: String,
    pub attempts: Vec<Attempt>,
}

#[derive(Deserialize)]
struct Page {
    deliveries: Vec<Delivery>,
}

fn webhook(name: &str, rest: &str) -> String {
    url(&format!("webhooks/{}{rest}", segment(name)))
}

/// Every webhook endpoint, the file's and the API's.
pub async fn endpoints() -> Result<Vec<Endpoint>, ApiError> {
    Ok(get::<Endpoints>(&url("webhooks")).await?.endpoints)
}

/// Makes an endpoint `{name, url, events, site?}`.
pub async fn add_endpoint(endpoint: &Value) -> Result<NewSecret, ApiError> {
    json(send(same_origin(Request::post(&url("webhooks"))).json(endpoint)).await?).await
}

/// Changes an endpoint's `{url?, events?, site?, enabled?}`.
pub async fn change_endpoint(name: &str, change: &Value) -> Result<(), ApiError> {
    send(same_origin(Request::patch(&webhook(name, ""))).json(change)).await?;
    Ok(())
}

/// Gives an endpoint a new secret; the old ones keep signing until removed.
pub async fn rotate_endpoint(name: &str) -> Result<NewSecret, ApiError> {
    let request = same_origin(Request::post(&webhook(name, "/rotate"))).json(&json!({}));
    json(send(request).await?).await
}

/// Deletes an endpoint with its delivery log.
pub async fn delete_endpoint(name: &str) -> Result<(), ApiError> {
    send(same_origin(Request::delete(&webhook(name, ""))).build()).await?;
    Ok(())
}

/// An endpoint's newest deliveries, each with its tries.
pub async fn deliveries(name: &str) -> Result<Vec<Delivery>, ApiError> {
    Ok(get::<Page>(&webhook(name, "/deliveries")).await?.deliveries)
}

/// Delivers one event again, with the same `webhook-id`.
pub async fn replay(name: &str, event_id: &str) -> Result<(), ApiError> {
    let path = webhook(name, &format!("/deliveries/{}/replay", segment(event_id)));
    send(same_origin(Request::post(&path)).build()).await?;
    Ok(())
}
