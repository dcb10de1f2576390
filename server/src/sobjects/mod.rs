//! The Salesforce-compatible REST API under `/services/data/vNN.N/`: describe, record CRUD with a recycle
//! bin, upsert by external id, SOQL queries with paging, and getUpdated/getDeleted. Existing Salesforce
//! clients (jsforce, simple-salesforce) work against it with only an instance URL and an access token.

mod aggregate;
mod changes;
mod columns;
mod conditions;
mod cursors;
mod describe;
mod persist;
mod query;
mod records;
mod related;
mod search;

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get, post};

pub use crate::salesforce::{SfError, SfPath};
pub use cursors::alive_after as cursor_alive_after;
pub use query::{Queries, QueryLimits, Running};

use crate::store::Store;

/// The oldest API version served, as the reference says ContactRequest appeared in 45.0.
pub const MIN_VERSION: u32 = 45;
/// The newest version listed by `GET /services/data/` (66.0, Spring '26, which added ContactRequest's
/// callback attempts); any later version is served as well.
pub const LATEST_VERSION: u32 = 66;
/// The largest body the API reads.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the API's handlers reach: the store (which keeps the open cursors) and the query state.
#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub queries: Arc<Queries>,
    /// The organisation's RequestReason values: what describe lists, and the default on create.
    pub reasons: Arc<crate::salesforce::reasons::RequestReasons>,
}

impl axum::extract::FromRef<ApiState> for Store {
    fn from_ref(state: &ApiState) -> Self {
        state.store.clone()
    }
}

/// The API version of the address, `NN.N` with NN at least 45.
#[derive(Debug, Clone)]
pub struct ApiVersion(pub String);

impl ApiVersion {
    /// The major version: `62` of `62.0`. Objects and fields that came later are not served to it.
    pub fn major(&self) -> u32 {
        self.0
            .split_once('.')
            .and_then(|(major, _)| major.parse().ok())
            .unwrap_or(MIN_VERSION)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = SfError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SfError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| SfError::not_found())?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == "version")
            .map(|(_, value)| value)
            .ok_or_else(SfError::not_found)?;
        parse_version(raw).map(Self).ok_or_else(SfError::not_found)
    }
}

/// Answers `404 NOT_FOUND` for an address whose version this server does not serve.
async fn check_version(
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let params = match params {
        Ok(params) => params,
        Err(rejection) => {
            return SfError::unreadable_address(rejection.body_text()).into_response();
        }
    };
    let version = params.iter().find(|(name, _)| *name == "version");
    match version {
        Some((_, raw)) if parse_version(raw).is_none() => SfError::not_found().into_response(),
        _ => next.run(request).await,
    }
}

/// `v50.0` → `50.0`, when it is a version this server serves.
pub fn parse_version(raw: &str) -> Option<String> {
    let number = raw.strip_prefix('v')?;
    let (major, minor) = number.split_once('.')?;
    let major_ok = !major.is_empty()
        && major.len() <= 3
        && major.bytes().all(|b| b.is_ascii_digit())
        && major.parse::<u32>().is_ok_and(|m| m >= MIN_VERSION);
    (major_ok && minor == "0").then(|| number.to_owned())
}

/// The object with this name as `version` serves it, or `404 NOT_FOUND` (also for an object that came
/// in a later version, as Salesforce answers).
pub fn object_named(
    name: &str,
    version: &ApiVersion,
) -> Result<&'static crate::salesforce::schema::SObject, SfError> {
    crate::objects::object(name)
        .filter(|o| o.available_in(version.major()))
        .ok_or_else(SfError::not_found)
}

/// The object `name` whose records the record calls (retrieve, create, update, delete, getUpdated…)
/// reach: a view (OpenActivity, ActivityHistory) is read only through a relationship subquery, and
/// answers `INVALID_TYPE_FOR_OPERATION` as in Salesforce.
pub fn stored_object(
    name: &str,
    version: &ApiVersion,
) -> Result<&'static crate::salesforce::schema::SObject, SfError> {
    let object = object_named(name, version)?;
    if object.scope.is_some() {
        return Err(SfError::bad_request(
            "INVALID_TYPE_FOR_OPERATION",
            format!(
                "entity type {} does not support this call: read it through a relationship subquery of \
                 its parent",
                object.name
            ),
        ));
    }
    Ok(object)
}

/// Registers `route` both with and without a trailing slash, as Salesforce answers both.
fn both(router: Router<ApiState>, path: &str, route: MethodRouter<ApiState>) -> Router<ApiState> {
    router
        .route(path, route.clone())
        .route(&format!("{path}/"), route)
}

/// Every API route, with its own state, errors and fallback, to be merged into the app.
pub fn routes<S: Clone + Send + Sync + 'static>(
    store: Store,
    queries: Arc<Queries>,
    reasons: Arc<crate::salesforce::reasons::RequestReasons>,
) -> Router<S> {
    let state = ApiState {
        store,
        queries,
        reasons,
    };
    let v = "/{version}";
    let mut api = Router::new().route("/", get(describe::versions));
    api = both(api, v, get(describe::resources));
    api = both(api, &format!("{v}/sobjects"), get(describe::global));
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}"),
        get(describe::basic).post(records::create),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/describe"),
        get(describe::describe),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/describe/layouts"),
        get(describe::layouts),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/describe/layouts/{{record_type}}"),
        get(describe::record_type_layout),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/updated"),
        get(changes::updated),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/deleted"),
        get(changes::deleted),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/{{id}}"),
        get(records::retrieve)
            .patch(records::update)
            .delete(records::delete),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/{{id}}/undelete"),
        post(records::undelete),
    );
    api = both(
        api,
        &format!("{v}/sobjects/{{object}}/{{field}}/{{value}}"),
        get(records::retrieve_by).patch(records::upsert),
    );
    api = both(api, &format!("{v}/search"), get(search::search));
    api = both(
        api,
        &format!("{v}/parameterizedSearch"),
        get(search::parameterized).post(search::parameterized_body),
    );
    api = both(api, &format!("{v}/query"), get(query::query));
    api = both(api, &format!("{v}/queryAll"), get(query::query_all));
    api = api.route(&format!("{v}/query/{{locator}}"), get(query::more));
    api = api.route(&format!("{v}/queryAll/{{locator}}"), get(query::more));
    let api = api
        .fallback(crate::salesforce::error::not_found)
        .method_not_allowed_fallback(crate::salesforce::error::method_not_allowed)
        .route_layer(axum::middleware::from_fn(check_version))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    // The nest answers `/services/data`; the form with the slash, as clients and README write it, is
    // the same list of versions.
    Router::new()
        .route("/services/data/", get(describe::versions))
        .nest("/services/data", api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_45_up_are_served() {
        let table = [
            ("v45.0", Some("45.0")),
            ("v50.0", Some("50.0")),
            ("v99.0", Some("99.0")),
            ("v44.0", None),
            ("50.0", None),
            ("v50", None),
            ("v50.1", None),
            ("v-50.0", None),
            ("v9999.0", None),
        ];
        for (raw, expected) in table {
            assert_eq!(parse_version(raw).as_deref(), expected, "{raw}");
        }
    }
}
