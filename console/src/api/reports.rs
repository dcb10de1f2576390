//! The reports route (`GET /console/api/reports`, supervisors and admins): the report as JSON, and the
//! address of its CSV download.

use contact_shared::console::API_PREFIX;
use contact_shared::reports::{REPORTS_PATH, Report};

use super::{ApiError, get};

/// The address of the report of the days `from..=to` (`YYYY-MM-DD`), as JSON or as CSV.
pub fn url(from: &str, to: &str, csv: bool) -> String {
    let format = if csv { "&format=csv" } else { "" };
    format!(
        "{API_PREFIX}{REPORTS_PATH}?from={}&to={}{format}",
        js_sys::encode_uri_component(from),
        js_sys::encode_uri_component(to)
    )
}

/// The report of the days `from..=to`.
pub async fn report(from: String, to: String) -> Result<Report, ApiError> {
    get(&url(&from, &to, false)).await
}
