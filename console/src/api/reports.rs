//! The reports route (`GET /console/api/reports`, supervisors and admins): the report as JSON, and the
//! address of its CSV download; and the widget's daily counts of the visitor's journey
//! (`GET /services/apexrest/xdm/daily-counts`), which the funnel is drawn from.

use contact_shared::console::API_PREFIX;
use contact_shared::reports::{REPORTS_PATH, Report};

use serde::Deserialize;

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

/// How many times one measure of the visitor's journey was recorded on one site on one UTC day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Count {
    pub site: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The field group's name of the measure (`chatStart`, …: `contact_shared::Measure::name`).
    pub measure: String,
    pub count: i64,
}

#[derive(Deserialize)]
struct Counts {
    counts: Vec<Count>,
}

/// The daily counts of every site over the days `from..=to`.
pub async fn daily_counts(from: String, to: String) -> Result<Vec<Count>, ApiError> {
    let counts: Counts = get(&format!(
        "/services/apexrest/xdm/daily-counts?from={}&to={}",
        js_sys::encode_uri_component(&from),
        js_sys::encode_uri_component(&to)
    ))
    .await?;
    Ok(counts.counts)
}
