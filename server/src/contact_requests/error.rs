//! Why the intake turned a submission away, as a value that knows its metric label: every refusal is
//! counted under the `reason` of `crw_submissions_rejected_total` its variant names, once, where it
//! becomes the answer, and answers in the intake's [`AppError`] shape.

use std::convert::Infallible;

use axum::response::{IntoResponse, Response};
use contact_shared::{ErrorBody, FieldErrors, field};

use crate::call_centers::slots::SlotError;
use crate::error::AppError;
use crate::protection::Blocked;
use crate::sites::{IdentityError, SiteError};
use crate::store::{KeyError, StoreError};

#[derive(Debug)]
pub enum IntakeError {
    /// The body is not the form's JSON (or not JSON, or too large).
    Malformed(AppError),
    /// No such site, or a page on an origin it does not allow.
    Site(SiteError),
    /// An identity token that does not verify.
    Identity(IdentityError),
    /// A guest on a site that takes only signed-in visitors (the site's name).
    SignInRequired(String),
    /// A form rule was broken.
    Invalid(ErrorBody),
    IdempotencyKey(KeyError),
    /// The key was used before for other content.
    IdempotencyConflict,
    Blocked(Blocked),
    /// A callback time that cannot be booked.
    Slot(SlotError),
    /// Ours, not the submission's: not counted as a rejection.
    Store(StoreError),
}

impl IntakeError {
    /// The label this refusal is counted under; `None` for a failure of the server's own.
    pub fn reason(&self) -> Option<&'static str> {
        Some(match self {
            Self::Malformed(_) => "malformed",
            Self::Site(SiteError::Unknown(_) | SiteError::Unnamed) => "site",
            Self::Site(SiteError::OriginNotAllowed { .. } | SiteError::UnusableOrigin(_)) => {
                "origin"
            }
            Self::Identity(_) | Self::SignInRequired(_) => "identity",
            Self::Invalid(_) => "invalid",
            Self::IdempotencyKey(_) => "idempotency_key",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::Blocked(blocked) => blocked.reason(),
            Self::Slot(SlotError::SignInToChoose) => "booking_sign_in",
            Self::Slot(SlotError::Full) => "slot_full",
            Self::Slot(SlotError::PhoneBooked) => "phone_booked",
            Self::Slot(
                SlotError::NoCallCenter
                | SlotError::Past
                | SlotError::TooSoon(_)
                | SlotError::NotOffered,
            ) => "invalid",
            Self::Store(_) => return None,
        })
    }
}

impl From<IntakeError> for AppError {
    fn from(error: IntakeError) -> Self {
        match error {
            IntakeError::Malformed(error) => error,
            IntakeError::Site(error) => error.into(),
            IntakeError::Identity(error) => error.into(),
            IntakeError::SignInRequired(site) => AppError::SignInRequired(site),
            IntakeError::Invalid(body) => AppError::Invalid(body),
            IntakeError::IdempotencyKey(error) => AppError::BadHeader(error.to_string()),
            IntakeError::IdempotencyConflict => AppError::IdempotencyConflict,
            IntakeError::Blocked(blocked) => blocked.into(),
            // A 422 on `callback_time`, which tells the widget to show fresh slots.
            IntakeError::Slot(error) => {
                let fields =
                    FieldErrors::from([(field::CALLBACK_TIME.to_owned(), vec![error.to_string()])]);
                AppError::Invalid(ErrorBody::with_fields(fields))
            }
            IntakeError::Store(error) => error.into(),
        }
    }
}

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        if let Some(reason) = self.reason() {
            crate::metrics::rejected(reason);
        }
        AppError::from(self).into_response()
    }
}

impl From<SiteError> for IntakeError {
    fn from(error: SiteError) -> Self {
        Self::Site(error)
    }
}

impl From<IdentityError> for IntakeError {
    fn from(error: IdentityError) -> Self {
        Self::Identity(error)
    }
}

impl From<Blocked> for IntakeError {
    fn from(blocked: Blocked) -> Self {
        Self::Blocked(blocked)
    }
}

impl From<SlotError> for IntakeError {
    fn from(error: SlotError) -> Self {
        Self::Slot(error)
    }
}

impl From<StoreError> for IntakeError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// The header site key is always readable: see [`crate::sites::KeyInHeader`].
impl From<Infallible> for IntakeError {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

#[cfg(test)]
mod tests {
    use crate::protection::ProofError;

    use super::*;

    #[test]
    fn each_refusal_is_counted_under_the_label_the_readme_documents() {
        let table = [
            (
                IntakeError::Malformed(AppError::UnsupportedMediaType),
                Some("malformed"),
            ),
            (IntakeError::Site(SiteError::Unnamed), Some("site")),
            (
                IntakeError::Site(SiteError::Unknown("x".into())),
                Some("site"),
            ),
            (
                IntakeError::Site(SiteError::UnusableOrigin("Shop".into())),
                Some("origin"),
            ),
            (
                IntakeError::Site(SiteError::OriginNotAllowed {
                    origin: "https://evil.example".into(),
                    site: "Shop".into(),
                }),
                Some("origin"),
            ),
            (
                IntakeError::Identity(IdentityError::Malformed),
                Some("identity"),
            ),
            (IntakeError::SignInRequired("Shop".into()), Some("identity")),
            (IntakeError::Invalid(ErrorBody::new("x")), Some("invalid")),
            (
                IntakeError::IdempotencyKey(KeyError::InvalidCharacter),
                Some("idempotency_key"),
            ),
            (
                IntakeError::IdempotencyConflict,
                Some("idempotency_conflict"),
            ),
            (IntakeError::Blocked(Blocked::Honeypot), Some("honeypot")),
            (
                IntakeError::Blocked(Blocked::Proof(ProofError::TooFast)),
                Some("too_fast"),
            ),
            (
                IntakeError::Blocked(Blocked::Proof(ProofError::Spent)),
                Some("proof_spent"),
            ),
            (
                IntakeError::Blocked(Blocked::SiteRateLimited { retry_after: 1 }),
                Some("rate_limited_site"),
            ),
            (
                IntakeError::Blocked(Blocked::BookingRateLimited { retry_after: 1 }),
                Some("rate_limited_booking"),
            ),
            (
                IntakeError::Slot(SlotError::SignInToChoose),
                Some("booking_sign_in"),
            ),
            (IntakeError::Slot(SlotError::Full), Some("slot_full")),
            (
                IntakeError::Slot(SlotError::PhoneBooked),
                Some("phone_booked"),
            ),
            (IntakeError::Slot(SlotError::Past), Some("invalid")),
            (IntakeError::Slot(SlotError::NotOffered), Some("invalid")),
        ];
        for (error, expected) in table {
            assert_eq!(error.reason(), expected, "{error:?}");
        }
    }
}
