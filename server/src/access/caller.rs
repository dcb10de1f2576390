//! The caller of the API, found from its bearer token or its console session cookie: which user it acts
//! as and with which scope. Every route of `/services` and `/console/api` authenticates through here, so
//! both ways in meet the same rules.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};

use contact_shared::console::Role;

use super::session::Sessions;
use super::{Scope, tokens};
use crate::error::{AppError, Refusal};
use crate::ids::UserId;
use crate::salesforce::SfError;
use crate::store::{Store, StoreError};

/// An authenticated caller. Extracting it answers `401 INVALID_SESSION_ID` for a missing, wrong or
/// revoked token or session, and `403` when a read-scoped token asks to change something or a
/// state-changing request carrying the session cookie comes from another origin.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: UserId,
    pub scope: Scope,
    /// What the user may see and do, whichever way they authenticated.
    pub role: Role,
}

/// A [`Caller`] on the console's own routes, whose refusals have the console's error shape
/// (`ErrorBody`) instead of Salesforce's.
#[derive(Debug, Clone)]
pub struct ConsoleCaller(pub Caller);

/// Why a request has no caller.
#[derive(Debug, thiserror::Error)]
pub enum Unauthenticated {
    /// No bearer token or session cookie, or one that is wrong, expired, revoked or of a deactivated user.
    #[error("Sign in to continue: the session has expired or is not valid.")]
    NoSession,
    #[error(
        "This access token has the read scope only; create a token with --scope write to change records."
    )]
    ReadOnly,
    /// A state-changing request carrying the session cookie, from a page of another origin.
    #[error(
        "This request came from another site and was refused; use the console on this server's own address."
    )]
    CrossSite,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Refusal for Unauthenticated {
    fn status(&self) -> StatusCode {
        match self {
            Self::NoSession => StatusCode::UNAUTHORIZED,
            Self::ReadOnly | Self::CrossSite => StatusCode::FORBIDDEN,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<Unauthenticated> for SfError {
    fn from(refused: Unauthenticated) -> Self {
        match refused {
            Unauthenticated::NoSession => SfError::session(),
            Unauthenticated::ReadOnly => SfError::read_only(),
            Unauthenticated::CrossSite => SfError::new(
                StatusCode::FORBIDDEN,
                "INSUFFICIENT_ACCESS_OR_READONLY",
                refused.to_string(),
            ),
            Unauthenticated::Store(error) => error.into(),
        }
    }
}

/// The console's form of the refusal: a store failure stays a store failure (503, logged once).
fn console_error(refused: Unauthenticated) -> AppError {
    match refused {
        Unauthenticated::Store(error) => AppError::Store(error),
        other => other.into(),
    }
}

/// Finds the caller of the request: by its bearer token when it has one (no cookie is read then, so
/// integrations are unaffected), else by the console's session cookie.
pub async fn authenticate(parts: &Parts, store: &Store) -> Result<Caller, Unauthenticated> {
    let reads = matches!(parts.method, Method::GET | Method::HEAD);
    // Salesforce takes both schemes. A request with any Authorization header is judged by it alone.
    match crate::bearer::token_of(&parts.headers, &["Bearer", "OAuth"]) {
        Ok(None) => {}
        Ok(Some(token)) => return by_token(store, token, reads).await,
        Err(_) => return Err(Unauthenticated::NoSession),
    }
    let sessions = parts
        .extensions
        .get::<Arc<Sessions>>()
        .ok_or(Unauthenticated::NoSession)?;
    let id = sessions
        .presented(&parts.headers)
        .ok_or(Unauthenticated::NoSession)?;
    // Before the session is looked up: a forged request learns nothing, and changes nothing.
    if !sessions.allows(&parts.method, &parts.headers) {
        return Err(Unauthenticated::CrossSite);
    }
    let (user_id, role) = sessions
        .verify(store, &id)
        .await?
        .ok_or(Unauthenticated::NoSession)?;
    Ok(Caller {
        user_id: UserId::stored(user_id),
        scope: Scope::Write,
        role,
    })
}

/// The caller a bearer token names.
async fn by_token(store: &Store, token: &str, reads: bool) -> Result<Caller, Unauthenticated> {
    let token = Some(token)
        .filter(|t| t.len() <= 200)
        .and_then(tokens::Presented::parse)
        .ok_or(Unauthenticated::NoSession)?;
    let grant = tokens::verify(store, token)
        .await?
        .ok_or(Unauthenticated::NoSession)?;
    if grant.scope == Scope::Read && !reads {
        return Err(Unauthenticated::ReadOnly);
    }
    Ok(Caller {
        user_id: UserId::stored(grant.user_id),
        scope: grant.scope,
        role: grant.role,
    })
}

/// Any router state that holds the store can name its caller.
impl<S> FromRequestParts<S> for Caller
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SfError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SfError> {
        Ok(authenticate(parts, &Store::from_ref(state)).await?)
    }
}

impl<S> FromRequestParts<S> for ConsoleCaller
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        authenticate(parts, &Store::from_ref(state))
            .await
            .map(Self)
            .map_err(console_error)
    }
}
