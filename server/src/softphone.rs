//! The softphone layout resource: `GET /services/apexrest/callCenters/{id}/softphoneLayout` answers a
//! call center's layout (`call_centers::softphone`) in the shape of Salesforce's
//! DescribeSoftphoneLayoutResult, which the REST API has no route of its own for, with one property of
//! ours beside it: `softphoneUrl`, the center's click-to-dial template (`contact_shared::dial`), null
//! for `tel:` links. Also the check the
//! call-center file's layouts are read with: their fields must be the API's.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::get;
use serde_json::Value;

use crate::access::Caller;
use crate::call_centers::CallCenters;
use crate::ids;
use crate::salesforce::SfPath as Path;
use crate::salesforce::{SfError, record_id};
use crate::store::Store;

/// Whether `field` is a field of `object` as the API describes it (names exactly as described).
pub fn known_field(object: &str, field: &str) -> bool {
    crate::objects::OBJECTS
        .iter()
        .find(|o| o.name == object)
        .is_some_and(|o| o.fields.iter().any(|f| f.name == field))
}

#[derive(Clone)]
struct SoftphoneState {
    store: Store,
    call_centers: CallCenters,
}

impl FromRef<SoftphoneState> for Store {
    fn from_ref(state: &SoftphoneState) -> Store {
        state.store.clone()
    }
}

/// The route, with the API's bearer tokens (or the console's session) and error shape.
pub fn routes<S: Clone + Send + Sync + 'static>(
    store: Store,
    call_centers: CallCenters,
) -> Router<S> {
    Router::new()
        .route(
            "/services/apexrest/callCenters/{id}/softphoneLayout",
            get(layout),
        )
        .with_state(SoftphoneState {
            store,
            call_centers,
        })
}

/// `GET /services/apexrest/callCenters/{id}/softphoneLayout`: 200 with the layout; 404 `NOT_FOUND` for
/// an id that is no live call center's. Any signed-in caller may read it, as they may CallCenter. A
/// center created through the API has the default layout and `tel:` links: both are the file's settings.
async fn layout(
    State(state): State<SoftphoneState>,
    _caller: Caller,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, SfError> {
    let id = record_id::to_18(&raw)
        .filter(|id| id.starts_with(ids::CALL_CENTER_PREFIX))
        .ok_or_else(|| SfError::malformed_id("CallCenter", &raw))?;
    let wanted = id.clone();
    let (internal_name, name) = state
        .store
        .read(move |db| db.live_call_center(&wanted))
        .await?
        .ok_or_else(SfError::not_found)?;
    let configured = state.call_centers.by_internal_name(&internal_name);
    let mut layout = match configured {
        Some(center) => center.softphone_layout.describe(&id, &name),
        None => crate::call_centers::SoftphoneLayout::default().describe(&id, &name),
    };
    layout["softphoneUrl"] = configured
        .and_then(|center| center.softphone_url.clone())
        .into();
    Ok(axum::Json(layout))
}
