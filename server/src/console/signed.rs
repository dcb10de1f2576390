//! [`Signed`]: the caller of a console route, found as the API finds it (a bearer token, and a console
//! session where sign-in provides one), with its refusals in the console's error shape.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::ConsoleError;
use crate::access::Caller;
use crate::error::AppError;
use crate::store::Store;

/// The signed-in caller of a console route.
#[derive(Debug, Clone)]
pub struct Signed(pub Caller);

impl<S> FromRequestParts<S> for Signed
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(Self(caller)),
            Err(refused) => Err(match refused.status {
                StatusCode::UNAUTHORIZED => ConsoleError::SignIn,
                StatusCode::FORBIDDEN => ConsoleError::Forbidden(refused.message),
                _ => ConsoleError::Unavailable,
            }
            .into()),
        }
    }
}

impl Signed {
    /// Refuses all but admins.
    pub fn admin(&self) -> Result<&Caller, AppError> {
        if self.0.role.administers() {
            Ok(&self.0)
        } else {
            Err(
                ConsoleError::Forbidden("Only admins manage users, queues and tokens.".into())
                    .into(),
            )
        }
    }

    /// Refuses representatives.
    pub fn supervisor(&self) -> Result<&Caller, AppError> {
        if self.0.role.sees_everything() {
            Ok(&self.0)
        } else {
            Err(ConsoleError::Forbidden(
                "Only supervisors and admins read the directory, to reassign requests.".into(),
            )
            .into())
        }
    }
}
