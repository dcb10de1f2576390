//! Creating a contact request from a widget submission, exactly once per idempotency key.

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use contact_shared::{ContactRequestForm, PreferredChannel};

use super::error::IntakeError;
use crate::AppState;
use crate::call_centers::slots::{self, SlotError};
use crate::error::{AppError, Json};
use crate::protection::{Blocked, Client, ProofError};
use crate::sites::{CallbackTimes, KeyInHeader, PageSite, Site, VerifiedVisitor, identity};
use crate::store::{Booking, IdempotencyKey, Inserted, KeyError, SpentChallenge, Submission};

/// The header a client names its attempt with.
pub const IDEMPOTENCY_KEY: HeaderName =
    HeaderName::from_static(contact_shared::IDEMPOTENCY_KEY_HEADER);
/// Set on an answer replayed for a repeated key, as Stripe and others do.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Checks the site, the page's origin and the visitor's identity, parses the form under the site's rules,
/// checks the proof of work, and only then charges the site's rate limit, so that requests anyone can make
/// for free never spend it. Checks a chosen callback time against the site's call center and the booking
/// limits, stores the request durably (a full slot and a spent proof refused in the same transaction), and
/// answers `201` with its id and number. A repeated `Idempotency-Key` (to the same site, from the same
/// visitor) with the same content gets the first answer again; with other content, `422`. Each refusal
/// is counted by [`IntakeError`] as it becomes the answer.
pub async fn create(
    State(state): State<AppState>,
    client: Option<Extension<Client>>,
    page: Result<PageSite<KeyInHeader, IntakeError>, IntakeError>,
    headers: HeaderMap,
    form: Result<Json<ContactRequestForm>, AppError>,
) -> Result<Response, IntakeError> {
    // The body is judged first, then the site: a broken request is told so whatever it names.
    let Json(mut form) = form.map_err(IntakeError::Malformed)?;
    let PageSite {
        site,
        origin: source_origin,
        ..
    } = page?;
    let visitor = verified_visitor(&site, &headers)?;
    if let Some(visitor) = &visitor {
        use_verified_values(&mut form, visitor);
    }
    let request = form
        .parse_with(&site.rules(), &crate::instant::TimeZones)
        .map_err(IntakeError::Invalid)?;
    // A call center calls back phone requests only.
    let call_center = site
        .call_center
        .as_ref()
        .filter(|_| request.preferred_channel() == PreferredChannel::Phone)
        .map(|c| c.internal_name.clone());
    let visitor_sub = visitor.map(|v| v.sub);
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            value
                .to_str()
                .map_err(|_| KeyError::InvalidCharacter)
                .and_then(|text| {
                    IdempotencyKey::new(text, &request, &site.key, visitor_sub.as_deref())
                })
        })
        .transpose()
        .map_err(IntakeError::IdempotencyKey)?;
    let key_text = key.as_ref().map(IdempotencyKey::as_str);
    let proof = state.protection.check_friction(&headers, key_text, &site)?;
    state.protection.charge_site(&site).await??;
    let booking = match request.callback_time() {
        None => None,
        Some(time) => {
            if site.callback_times == CallbackTimes::SignedIn && visitor_sub.is_none() {
                return Err(SlotError::SignInToChoose.into());
            }
            match slots::book(site.call_center.as_ref(), time, jiff::Timestamp::now()) {
                Ok(booking) => {
                    // Only a time that can be booked costs the client's booking budget.
                    if let Some(Extension(client)) = client {
                        state.protection.charge_booking(client).await??;
                    }
                    Some(Booking {
                        per_phone: state.protection.bookings_per_phone,
                        ..booking
                    })
                }
                Err(error) => {
                    // A retry of a submission that was stored, but whose answer was lost, may come after
                    // its slot moved inside the lead time: it still gets the first answer, from its key.
                    if let Some(key) = &key
                        && let Some(earlier) = state.store.earlier_answer(key).await?
                    {
                        return answer(earlier, &site.key);
                    }
                    return Err(error.into());
                }
            }
        }
    };
    let sent_event = crate::xdm::event::sent_request(
        &crate::xdm::event::SentRequest {
            site_key: &site.key,
            subject: site.reason_label(request.request_reason()),
            phone: request.preferred_phone().map(|p| p.as_str()),
            email: request.email().map(|e| e.as_str()),
            name: request.name().map(|n| n.as_str()),
            visitor_sub: visitor_sub.as_deref(),
            session_id: crate::xdm::submission_session(&headers),
        },
        jiff::Timestamp::now(),
    );
    let submission = Submission {
        request,
        source_origin,
        site_key: site.key.clone(),
        visitor_sub,
        owner_queue: site.default_queue.clone(),
        call_center,
        booking,
        spent_challenge: proof.as_ref().map(|p| SpentChallenge {
            nonce: p.nonce().to_owned(),
            expires_ms: p.expires_ms(),
        }),
        sent_event: Some(sent_event),
    };
    let inserted = state.store.insert_once(submission, key.clone()).await?;
    // Replays of a spent proof are then refused before they cost the site's budget.
    if let Some(proof) = &proof {
        match &inserted {
            Inserted::Created(_) => state.protection.challenger.spent(proof, key_text),
            Inserted::ProofSpent { spent_with } => state
                .protection
                .challenger
                .spent(proof, spent_with.as_deref()),
            _ => {}
        }
    }
    answer(inserted, &site.key)
}

/// The answer to what the store did with a submission.
fn answer(inserted: Inserted, site: &str) -> Result<Response, IntakeError> {
    match inserted {
        Inserted::Created(created) => {
            crate::metrics::accepted("created");
            tracing::info!(name = %created.name, %site, "contact request stored");
            Ok((StatusCode::CREATED, axum::Json(created)).into_response())
        }
        Inserted::Replayed(created) => {
            crate::metrics::accepted("replayed");
            tracing::info!(name = %created.name, "repeated submission answered from its key");
            let replayed = [(REPLAYED, HeaderValue::from_static("true"))];
            Ok((StatusCode::CREATED, replayed, axum::Json(created)).into_response())
        }
        Inserted::Conflict => Err(IntakeError::IdempotencyConflict),
        Inserted::SlotFull => Err(SlotError::Full.into()),
        Inserted::PhoneBooked => Err(SlotError::PhoneBooked.into()),
        Inserted::ProofSpent { .. } => Err(Blocked::Proof(ProofError::Spent).into()),
    }
}

/// The visitor a bearer token proves, or `None` for a guest where the site lets guests submit. A token
/// that is present but fails is an error: it never falls back to a guest submission.
fn verified_visitor(
    site: &Site,
    headers: &HeaderMap,
) -> Result<Option<VerifiedVisitor>, IntakeError> {
    let token = crate::bearer::token(headers).map_err(|_| identity::IdentityError::Malformed)?;
    match token {
        Some(token) => Ok(Some(identity::verify(
            token,
            &site.key,
            &site.identity_keys,
            site.identity_max_lifetime,
        )?)),
        None if site.guests => Ok(None),
        None => Err(IntakeError::SignInRequired(site.name.clone())),
    }
}

/// The verified claims replace what the browser sent for the same fields.
fn use_verified_values(form: &mut ContactRequestForm, visitor: &VerifiedVisitor) {
    if let Some(name) = &visitor.name {
        form.name = Some(name.as_str().to_owned());
    }
    if let Some(email) = &visitor.email {
        form.email = Some(email.as_str().to_owned());
    }
    if let Some(phone) = &visitor.phone {
        form.preferred_phone = Some(phone.as_str().to_owned());
    }
}
