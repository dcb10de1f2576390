//! Creating a contact request from a widget submission.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use contact_shared::{ContactRequestCreated, ContactRequestForm};

use crate::AppState;
use crate::error::{AppError, Json};
use crate::sites::{SITE_HEADER, Site, VerifiedVisitor, identity};
use crate::store::Submission;

/// The longest `Origin` header value kept with a record; browsers send far shorter ones.
const MAX_ORIGIN_LEN: usize = 255;

/// Checks the site, the page's origin and the visitor's identity, parses the form under the site's rules,
/// stores it durably, and answers `201` with its id and number.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(mut form): Json<ContactRequestForm>,
) -> Result<(StatusCode, axum::Json<ContactRequestCreated>), AppError> {
    let site_key = headers.get(SITE_HEADER).and_then(|v| v.to_str().ok());
    let site = state.sites.resolve(site_key)?;
    let source_origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= MAX_ORIGIN_LEN)
        .map(str::to_owned);
    if let Some(origin) = &source_origin
        && !site.allows_origin(origin)
    {
        return Err(AppError::OriginNotAllowed {
            origin: origin.clone(),
            site: site.name.clone(),
        });
    }
    let visitor = verified_visitor(site, &headers)?;
    if let Some(visitor) = &visitor {
        use_verified_values(&mut form, visitor);
    }
    let request = form.parse_with(&site.rules()).map_err(AppError::Invalid)?;
    let submission = Submission {
        request,
        source_origin,
        site_key: site.key.clone(),
        visitor_sub: visitor.map(|v| v.sub),
    };
    let created = state.store.insert(submission).await?;
    tracing::info!(name = %created.name, site = %site.key, "contact request stored");
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// The visitor a bearer token proves, or `None` for a guest where the site lets guests submit. A token
/// that is present but fails is an error: it never falls back to a guest submission.
fn verified_visitor(site: &Site, headers: &HeaderMap) -> Result<Option<VerifiedVisitor>, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(identity::IdentityError::Malformed)
        })
        .transpose()?;
    match token {
        Some(token) => Ok(Some(identity::verify(token.trim(), &site.key, &site.identity_keys)?)),
        None if site.guests => Ok(None),
        None => Err(AppError::SignInRequired(site.name.clone())),
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
