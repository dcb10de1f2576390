//! [`Signed`]: the caller of a console route, and the role checks of the console's routes.

use super::ConsoleError;
use crate::access::Caller;
use crate::error::AppError;

/// The signed-in caller of a console route: the API's own authentication (a bearer token, or the
/// console's session cookie with its cross-site check), with refusals in the console's error shape.
pub use crate::access::ConsoleCaller as Signed;

impl Signed {
    /// Refuses all but admins.
    pub fn admin(&self) -> Result<&Caller, AppError> {
        if self.0.role.administers() {
            Ok(&self.0)
        } else {
            Err(ConsoleError::Forbidden(
                "Only admins manage users, queues, tokens and webhooks.".into(),
            )
            .into())
        }
    }

    /// Refuses representatives.
    pub fn supervisor(&self) -> Result<&Caller, AppError> {
        self.supervises("Only supervisors and admins read the directory, to reassign requests.")
    }

    /// Refuses representatives, saying `why` (what only supervisors and admins do).
    pub fn supervises(&self, why: &str) -> Result<&Caller, AppError> {
        if self.0.role.sees_everything() {
            Ok(&self.0)
        } else {
            Err(ConsoleError::Forbidden(why.into()).into())
        }
    }
}
