//! The console's own routes under `/console/api` (see `contact_shared::console`): a request's notes and
//! history, the directory the reassign picker reads, the reports (`reports`), each person's saved views and
//! email notifications, presence and offers, the supervisor view and its take-back, and administration (users, queues and their
//! members, API tokens, webhook endpoints, the webhook delivery log and its replays). Records themselves are read and changed through the Salesforce-compatible API,
//! so every rule of the sharing model holds for the console as it does for any client.
//!
//! Errors here have the intake's shape (`ErrorBody`, through [`AppError`]); [`Signed`] names the caller
//! and answers a missing or refused sign-in in that shape too.

mod admin;
mod deliveries;
mod endpoints;
mod notifications;
mod offers;
mod reports;
mod requests;
mod signed;
mod supervisor;
mod transfer;
mod views;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use contact_shared::ErrorBody;
use contact_shared::console::API_PREFIX;
use contact_shared::console::supervisor as floor;

use crate::error::{AppError, Refusal};
use crate::store::Store;

pub use signed::Signed;

/// Why a console route refused a call; each answers in the intake's error shape.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("Sign in to use the console: the session or token is missing, expired or revoked.")]
    SignIn,
    #[error("{0}")]
    Forbidden(String),
    #[error("There is nothing at this address, or nothing you may see.")]
    NotFound,
    /// A thing named in the address that does not exist, said in its own words.
    #[error("{0}")]
    NoSuch(String),
    /// A body field to fix: its key in the body, and what is wrong with it.
    #[error("{1}")]
    Field(&'static str, String),
    /// A name that must be unique is taken.
    #[error("{1}")]
    Taken(&'static str, String),
    /// The thing acted on has moved on (an offer that ended).
    #[error("{0}")]
    Conflict(String),
    #[error("The console is unavailable just now; try again in a moment.")]
    Unavailable,
}

impl Refusal for ConsoleError {
    fn status(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NoSuch(_) => StatusCode::NOT_FOUND,
            Self::Field(..) => StatusCode::BAD_REQUEST,
            Self::Taken(..) | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self.to_string());
        if let Self::Field(field, message) | Self::Taken(field, message) = self {
            body.fields
                .insert((*field).to_owned(), vec![message.clone()]);
        }
        body
    }
}

/// The console's routes, to be merged into the app.
pub fn routes<S: Clone + Send + Sync + 'static>(
    store: Store,
    webhooks: crate::webhooks::endpoints::Registry,
) -> Router<S> {
    let endpoints = Router::new()
        .route(
            "/admin/webhooks",
            get(endpoints::list).post(endpoints::create),
        )
        .route(
            "/admin/webhooks/{endpoint}",
            get(endpoints::show)
                .patch(endpoints::change)
                .delete(endpoints::delete),
        )
        .route("/admin/webhooks/{endpoint}/rotate", post(endpoints::rotate))
        .route(
            "/admin/webhooks/{endpoint}/secrets/{id}",
            axum::routing::delete(endpoints::remove_secret),
        )
        .with_state(endpoints::EndpointsState {
            store: store.clone(),
            registry: webhooks,
        });
    let api = Router::new()
        .merge(endpoints)
        .route("/requests/{id}/notes", post(requests::add_note))
        .route("/requests/{id}/history", get(requests::history))
        .route("/requests/{id}/transfer", post(transfer::transfer))
        .route("/directory", get(admin::directory))
        .route(contact_shared::reports::REPORTS_PATH, get(reports::report))
        .route(
            "/me/notifications",
            get(notifications::show).patch(notifications::change),
        )
        .route("/views", get(views::list).post(views::save))
        .route("/presence", get(offers::presence).put(offers::set_presence))
        .route("/offers", get(offers::offers))
        .route("/offers/{id}/accept", post(offers::accept))
        .route("/offers/{id}/decline", post(offers::decline))
        .route("/admin/users/{id}/capacity", put(offers::set_capacity))
        .route(floor::PATH, get(supervisor::floor))
        .route(floor::TAKE_BACK_PATH, post(supervisor::take_back))
        .route("/views/{id}", axum::routing::delete(views::delete))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", patch(admin::change_user))
        .route("/admin/queues", get(admin::queues).post(admin::add_queue))
        .route("/admin/queues/{id}", patch(admin::change_queue))
        .route(
            "/admin/queues/{id}/members/{user}",
            put(admin::add_member).delete(admin::remove_member),
        )
        .route("/admin/tokens", get(admin::tokens).post(admin::add_token))
        .route(
            "/admin/tokens/{id}",
            axum::routing::delete(admin::revoke_token),
        )
        .route(
            "/admin/webhooks/{endpoint}/deliveries",
            get(deliveries::list),
        )
        .route(
            "/admin/webhooks/{endpoint}/deliveries/{event}",
            get(deliveries::show),
        )
        .route(
            "/admin/webhooks/{endpoint}/deliveries/{event}/replay",
            post(deliveries::replay_one),
        )
        .route(
            "/admin/webhooks/{endpoint}/replay",
            post(deliveries::replay_range),
        )
        .fallback(crate::error::not_found)
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .with_state(store);
    Router::new().nest(API_PREFIX, api)
}

/// The text of the body field `key`: absent (or null) is `None`; anything but a string is refused.
fn text(
    body: &serde_json::Map<String, serde_json::Value>,
    key: &'static str,
) -> Result<Option<String>, AppError> {
    match body.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        // NUL is no text a person types, and PostgreSQL's text cannot hold it.
        Some(serde_json::Value::String(text)) if text.contains('\0') => Err(ConsoleError::Field(
            key,
            format!("{key} must not hold the NUL character (U+0000)"),
        )
        .into()),
        Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ConsoleError::Field(key, format!("{key} must be text")).into()),
    }
}

/// The text of the required body field `key`, trimmed, at most `max` characters.
fn required(
    body: &serde_json::Map<String, serde_json::Value>,
    key: &'static str,
    max: usize,
) -> Result<String, AppError> {
    let value = text(body, key)?.unwrap_or_default();
    let value = value.trim();
    if value.is_empty() {
        return Err(ConsoleError::Field(key, format!("{key} is required")).into());
    }
    if value.chars().count() > max {
        return Err(
            ConsoleError::Field(key, format!("{key} must be at most {max} characters")).into(),
        );
    }
    Ok(value.to_owned())
}
