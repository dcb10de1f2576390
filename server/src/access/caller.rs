//! The caller of the API, found from its bearer token: which user it acts as and with which scope.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;

use contact_shared::console::Role;

use super::{Scope, tokens};
use crate::ids::UserId;
use crate::salesforce::SfError;
use crate::store::Store;

/// An authenticated caller. Extracting it answers `401 INVALID_SESSION_ID` for a missing, wrong or
/// revoked token, and `403` when a read-scoped token asks to change something.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: UserId,
    pub scope: Scope,
    /// What the user may see and do, whichever way they authenticated.
    pub role: Role,
}

/// Any router state that holds the store can name its caller.
impl<S> FromRequestParts<S> for Caller
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SfError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SfError> {
        let store = Store::from_ref(state);
        // Salesforce takes both schemes.
        let token = crate::bearer::token_of(&parts.headers, &["Bearer", "OAuth"])
            .ok()
            .flatten()
            .filter(|t| t.len() <= 200)
            .and_then(tokens::Presented::parse)
            .ok_or_else(SfError::session)?;
        let grant = tokens::verify(&store, token)
            .await?
            .ok_or_else(SfError::session)?;
        let reads = matches!(parts.method, Method::GET | Method::HEAD);
        if grant.scope == Scope::Read && !reads {
            return Err(SfError::read_only());
        }
        Ok(Self {
            user_id: UserId::stored(grant.user_id),
            scope: grant.scope,
            role: grant.role,
        })
    }
}
