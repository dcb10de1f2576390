//! The console's sign-in routes, under `/console/api`: signing in and out, signing out everywhere, who is
//! signed in, and an admin setting a user's password. Errors have the console's `ErrorBody` shape.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, FromRequest, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum_extra::extract::cookie::CookieJar;
use contact_shared::console::{API_PREFIX, Me, Presence, SignIn};
use serde::Deserialize;

use super::backoff::{Backoff, Keys};
use super::password::{self, Password};
use super::session::{SessionId, Sessions};
use super::{ConsoleCaller, Unauthenticated};
use crate::error::{AppError, Json, Path, Refusal};
use crate::instant;
use crate::protection::{TrustedProxy, client_bucket, client_ip};
use crate::store::Store;

/// What the sign-in routes reach.
#[derive(Clone)]
pub struct SignInState {
    pub store: Store,
    pub sessions: Arc<Sessions>,
    pub backoff: Arc<Backoff>,
    pub trusted_proxies: Arc<Vec<TrustedProxy>>,
    /// The organisation's RequestReason values, which the console's filters offer.
    pub request_reasons: Arc<crate::salesforce::reasons::RequestReasons>,
}

impl FromRef<SignInState> for Store {
    fn from_ref(state: &SignInState) -> Self {
        state.store.clone()
    }
}

/// The routes, with their state.
pub fn routes<S: Clone + Send + Sync + 'static>(state: SignInState) -> Router<S> {
    Router::new()
        .route(
            &format!("{API_PREFIX}/session"),
            post(sign_in).delete(sign_out),
        )
        .route(
            &format!("{API_PREFIX}/sessions"),
            delete(sign_out_everywhere),
        )
        .route(&format!("{API_PREFIX}/me"), get(me))
        .route(
            &format!("{API_PREFIX}/admin/users/{{id}}/password"),
            put(set_password),
        )
        .method_not_allowed_fallback(crate::error::method_not_allowed)
        .with_state(state)
}

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInRefused {
    /// The same answer whether the username is unknown, the password wrong, or the user deactivated.
    #[error("Wrong username or password.")]
    WrongCredentials,
    #[error("{}", wait_message(*.0))]
    Wait(u64),
    #[error("Only an admin may set another user's password.")]
    NotAdmin,
    #[error("There is no user with this id.")]
    NoSuchUser,
}

fn wait_message(seconds: u64) -> String {
    let (n, unit) = if seconds < 120 {
        (seconds, "second")
    } else {
        (seconds.div_ceil(60), "minute")
    };
    format!(
        "Too many failed sign-ins. Try again in {n} {unit}{}.",
        if n == 1 { "" } else { "s" }
    )
}

impl Refusal for SignInRefused {
    fn status(&self) -> StatusCode {
        match self {
            Self::WrongCredentials => StatusCode::UNAUTHORIZED,
            Self::Wait(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::NotAdmin => StatusCode::FORBIDDEN,
            Self::NoSuchUser => StatusCode::NOT_FOUND,
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Wait(seconds) => Some(*seconds),
            _ => None,
        }
    }
}

/// `POST /console/api/session`: checks the username and password and starts a new session, ending the
/// one the browser brought, if any (a fresh id at every sign-in: an id planted before it is useless).
async fn sign_in(State(state): State<SignInState>, request: Request) -> Result<Response, AppError> {
    let client = client_bucket(client_ip(&request, &state.trusted_proxies));
    if !state.sessions.allows_sign_in(request.headers()) {
        return Err(Unauthenticated::CrossSite.into());
    }
    let brought = state.sessions.presented(request.headers());
    let jar = CookieJar::from_headers(request.headers());
    let Json(SignIn { username, password }) = Json::<SignIn>::from_request(request, &()).await?;
    let store = &state.store;
    let now = state.sessions.now();
    let keys = Keys::new(&username, client);
    let turn = match state.backoff.take_turn(store, &keys, now).await? {
        Ok(turn) => turn,
        Err(seconds) => return Err(SignInRefused::Wait(seconds).into()),
    };
    let found = store.read(move |db| db.credentials(&username)).await?;
    let (user, phc) = match found {
        Some(row) => (row.is_active.then_some(row.user_id), row.password_hash),
        None => (None, None),
    };
    // The hash is verified even for a deactivated user, so the answer takes as long as any other.
    let matches = password::verify_off_thread(password, phc).await;
    let Some(user_id) = user.filter(|_| matches) else {
        // Counted already, by the turn.
        return Err(SignInRefused::WrongCredentials.into());
    };
    state.backoff.succeeded(store, turn).await?;
    let id = SessionId::generate();
    let (id_hash, owner, at) = (id.hash(), user_id.clone(), instant::stored(now));
    store
        .write(move |tx| {
            if let Some(brought) = brought {
                tx.end_session(&brought.hash(), &at)?;
            }
            tx.start_session(&id_hash, &owner, &at)
        })
        .await?;
    let me = who(store, &state.request_reasons, user_id).await?;
    Ok((jar.add(state.sessions.cookie(&id)), axum::Json(me)).into_response())
}

/// `DELETE /console/api/session`: ends the browser's session on the server and clears its cookie. A
/// request carrying the cookie must come from the server's own origin, like any other change.
async fn sign_out(
    State(state): State<SignInState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let sessions = &state.sessions;
    if sessions.carries_cookie(&headers) && !sessions.allows(&Method::DELETE, &headers) {
        return Err(Unauthenticated::CrossSite.into());
    }
    if let Some(id) = sessions.presented(&headers) {
        let (id_hash, now) = (id.hash(), instant::stored(sessions.now()));
        state
            .store
            .write(move |tx| {
                // Signing out is Offline: no offer waits for someone who has gone.
                tx.offline_on_sign_out(&id_hash, &now)?;
                tx.end_session(&id_hash, &now)
            })
            .await?;
    }
    let jar = CookieJar::from_headers(&headers).add(sessions.removal());
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

/// `DELETE /console/api/sessions`: ends every session of the caller ("sign out everywhere").
async fn sign_out_everywhere(
    State(state): State<SignInState>,
    ConsoleCaller(caller): ConsoleCaller,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let user_id = caller.user_id.as_str().to_owned();
    let now = instant::stored(state.sessions.now());
    state
        .store
        .write(move |tx| {
            tx.set_presence(&user_id, Presence::Offline, &now, 0)?;
            tx.end_sessions_of(&user_id, &now)
        })
        .await?;
    let jar = CookieJar::from_headers(&headers).add(state.sessions.removal());
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

/// `GET /console/api/me`: who is signed in.
async fn me(
    State(state): State<SignInState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> Result<axum::Json<Me>, AppError> {
    Ok(axum::Json(
        who(
            &state.store,
            &state.request_reasons,
            caller.user_id.as_str().to_owned(),
        )
        .await?,
    ))
}

/// The user with this id as the console names them.
async fn who(
    store: &Store,
    reasons: &crate::salesforce::reasons::RequestReasons,
    user_id: String,
) -> Result<Me, AppError> {
    let user = store
        .read(move |db| db.user(&user_id))
        .await?
        .ok_or(Unauthenticated::NoSession)?;
    let queues = super::directory::queues_of(store, user.id.clone()).await?;
    Ok(Me {
        id: user.id,
        username: user.username,
        name: user.name,
        role: user.role,
        queues,
        reasons: reasons
            .active()
            .map(|r| r.value.as_str().to_owned())
            .collect(),
    })
}

/// The body of `PUT /console/api/admin/users/{id}/password`.
#[derive(Debug, Deserialize)]
struct NewPassword {
    password: String,
}

/// `PUT /console/api/admin/users/{id}/password`: an admin sets a user's password, which ends the
/// user's sessions.
async fn set_password(
    State(state): State<SignInState>,
    ConsoleCaller(caller): ConsoleCaller,
    Path(id): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<StatusCode, AppError> {
    if !caller.role.administers() {
        return Err(SignInRefused::NotAdmin.into());
    }
    let password = Password::parse(body.password).map_err(|error| {
        let mut refusal = contact_shared::ErrorBody::new(error.to_string());
        refusal
            .fields
            .insert("password".into(), vec![error.to_string()]);
        AppError::Invalid(refusal)
    })?;
    let now = instant::stored(state.sessions.now());
    if !password::set(&state.store, id, password, now).await? {
        return Err(SignInRefused::NoSuchUser.into());
    }
    Ok(StatusCode::NO_CONTENT)
}
