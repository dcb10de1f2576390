//! `GET /api/v1/sites/{key}/callback-slots`: the times the site's call center can call a visitor back,
//! with the room left in each, for the widget's "Pick a time". Never cached: slots fill up.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use contact_shared::CallbackSlots;

use super::{KeyInPath, PageSite};
use crate::AppState;
use crate::call_centers::slots;
use crate::error::AppError;

pub async fn callback_slots(
    State(state): State<AppState>,
    PageSite { site, .. }: PageSite<KeyInPath>,
) -> Result<Response, AppError> {
    let Some(center) = site.call_center.clone() else {
        return Err(AppError::NoCallbackTimes(site.name.clone()));
    };
    let now = jiff::Timestamp::now();
    let scheduled = match slots::window(&center, now) {
        None => Vec::new(),
        Some((from, to)) => {
            let name = center.internal_name.clone();
            state.store.taken_slots(name, from, to).await?
        }
    };
    let offered: CallbackSlots = slots::offer(&center, now, &scheduled);
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        axum::Json(offered),
    )
        .into_response())
}
