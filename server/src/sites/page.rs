//! The site a request is for and the page asking, checked in one place: the site's key names a site this
//! server has, and the page's `Origin`, when the browser sends one, is one the site allows.
//!
//! The settings and slot routes name the site in their address, the intake in the `X-CRW-Site` header;
//! [`PageSite`] takes the key from where its [`SiteKey`] says and applies the same rule to both, and
//! refuses in the error type its route answers with.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::IntoResponse;

use super::{Site, SiteError};
use crate::AppState;
use crate::error::{AppError, Path};

/// A request's site and the origin of the page it comes from, checked against the site's allowed origins
/// (`None` when the request carries no `Origin`: not a browser's cross-origin request). `K` says where the
/// request names its site; `E` is the error the route answers with.
#[derive(Debug, Clone)]
pub struct PageSite<K, E = AppError> {
    pub site: Arc<Site>,
    pub origin: Option<crate::origin::Origin>,
    named: PhantomData<fn() -> (K, E)>,
}

/// Where a request names its site.
pub trait SiteKey: Send + Sync {
    /// Why the key cannot be read.
    type Error;

    /// The key the request names, or `None` when it names none (the server's only site, if it has one).
    fn key(parts: &mut Parts) -> impl Future<Output = Result<Option<String>, Self::Error>> + Send;
}

/// The site's key is the `{key}` of the address.
#[derive(Debug, Clone, Copy)]
pub struct KeyInPath;

impl SiteKey for KeyInPath {
    type Error = AppError;

    async fn key(parts: &mut Parts) -> Result<Option<String>, AppError> {
        let Path(key) = Path::<String>::from_request_parts(parts, &()).await?;
        Ok(Some(key))
    }
}

/// The site's key is the `X-CRW-Site` header; a value that is not text names no site.
#[derive(Debug, Clone, Copy)]
pub struct KeyInHeader;

impl SiteKey for KeyInHeader {
    type Error = Infallible;

    async fn key(parts: &mut Parts) -> Result<Option<String>, Infallible> {
        Ok(parts
            .headers
            .get(contact_shared::SITE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }
}

/// The site's key is the `X-CRW-Site` header or, for a beacon (which cannot set headers), the `site`
/// parameter of the address.
#[derive(Debug, Clone, Copy)]
pub struct KeyInHeaderOrQuery;

impl SiteKey for KeyInHeaderOrQuery {
    type Error = Infallible;

    async fn key(parts: &mut Parts) -> Result<Option<String>, Infallible> {
        #[derive(serde::Deserialize)]
        struct Named {
            site: Option<String>,
        }
        if let Some(key) = KeyInHeader::key(parts).await? {
            return Ok(Some(key));
        }
        Ok(axum::extract::Query::<Named>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|query| query.0.site))
    }
}

impl<K, E> FromRequestParts<AppState> for PageSite<K, E>
where
    K: SiteKey,
    E: From<K::Error> + From<SiteError> + IntoResponse,
{
    type Rejection = E;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = K::key(parts).await?;
        let site = state.sites.resolve_shared(key.as_deref())?;
        let origin = site.page_origin(&parts.headers)?;
        Ok(Self {
            site,
            origin,
            named: PhantomData,
        })
    }
}
