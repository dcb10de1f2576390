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
use crate::call_centers::{CallCenters, stored_id};
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
/// an id that is no configured call center's. Any signed-in caller may read it, as they may CallCenter.
async fn layout(
    State(state): State<SoftphoneState>,
    _caller: Caller,
    Path(raw): Path<String>,
) -> Result<axum::Json<Value>, SfError> {
    let id = record_id::to_18(&raw)
        .filter(|id| id.starts_with(ids::CALL_CENTER_PREFIX))
        .ok_or_else(|| SfError::malformed_id("CallCenter", &raw))?;
    // The file has a handful of centers: finding the one by its stored id needs no index.
    for center in state.call_centers.iter() {
        if stored_id(&state.store, &center.internal_name)
            .await?
            .as_deref()
            == Some(&id)
        {
            let mut layout = center.softphone_layout.describe(&id, &center.name);
            layout["softphoneUrl"] = center.softphone_url.clone().into();
            return Ok(axum::Json(layout));
        }
    }
    Err(SfError::not_found())
}
