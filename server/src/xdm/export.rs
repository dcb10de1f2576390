//! Reading the events back through the Salesforce-compatible API's bearer token: an NDJSON export of a
//! site's ExperienceEvents in a time range (supervisors and admins: a sent request's event holds the
//! visitor's contact details), and the daily counts per site and measure, as JSON or CSV.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::Caller;
use crate::salesforce::SfError;
use crate::store::{DailyCount, Store};

/// The most events one export answers; past it the answer says so and the caller narrows the range.
pub const MAX_EXPORT: usize = 10_000;
/// The longest range of days one counts request covers.
const MAX_DAYS: i64 = 400;
/// Set on an export cut at [`MAX_EXPORT`] events.
const TRUNCATED: &str = "x-crw-truncated";

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    site: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /services/apexrest/xdm/events?site=…&from=…&to=…`: the events of `site` with `from <= xdm:timestamp
/// < to` (RFC 3339; `to` defaults to now), one JSON-LD ExperienceEvent a line, oldest first.
pub async fn events(
    State(store): State<Store>,
    caller: Caller,
    Query(query): Query<ExportQuery>,
) -> Result<Response, SfError> {
    if !caller.role.sees_everything() {
        return Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "only supervisors and admins export events: they hold visitors' contact details",
        ));
    }
    let site = query.site.ok_or_else(|| missing("site"))?;
    let from = instant(
        "from",
        query.from.as_deref().ok_or_else(|| missing("from"))?,
    )?;
    let to = match query.to.as_deref() {
        Some(to) => instant("to", to)?,
        None => Timestamp::now(),
    };
    let (from, to) = (crate::instant::stored(from), crate::instant::stored(to));
    let mut bodies = store
        .read(move |db| db.experience_events(&site, &from, &to, MAX_EXPORT + 1))
        .await?;
    let truncated = bodies.len() > MAX_EXPORT;
    bodies.truncate(MAX_EXPORT);
    let mut text = String::with_capacity(bodies.iter().map(|b| b.len() + 1).sum());
    for body in &bodies {
        text.push_str(body);
        text.push('\n');
    }
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        text,
    )
        .into_response();
    if truncated {
        response
            .headers_mut()
            .insert(TRUNCATED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CountsQuery {
    site: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

#[derive(Debug, Serialize)]
struct Count {
    site: String,
    day: String,
    measure: String,
    count: i64,
}

/// `GET /services/apexrest/xdm/daily-counts?site=…&from=…&to=…`: per site (all, or `site`), UTC day
/// (`from..=to`, `YYYY-MM-DD`; the last 30 days by default) and measure, how many occurrences were
/// recorded, GPC browsers' aggregate counts included. JSON, or CSV with `Accept: text/csv` or
/// `?format=csv`.
pub async fn daily_counts(
    State(store): State<Store>,
    _caller: Caller,
    headers: HeaderMap,
    Query(query): Query<CountsQuery>,
) -> Result<Response, SfError> {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let to = match query.to.as_deref() {
        Some(to) => day("to", to)?,
        None => today,
    };
    let from = match query.from.as_deref() {
        Some(from) => day("from", from)?,
        None => to.saturating_sub(jiff::Span::new().days(29)),
    };
    let days = from.until(to).map(|span| span.get_days()).unwrap_or(-1);
    if !(0..MAX_DAYS).contains(&i64::from(days)) {
        return Err(SfError::bad_request(
            "INVALID_QUERY_FILTER_OPERATOR",
            format!("from must not be after to, and the range at most {MAX_DAYS} days"),
        ));
    }
    let csv = match query.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(SfError::bad_request(
                "INVALID_QUERY_FILTER_OPERATOR",
                format!("format must be json or csv, not {other:?}"),
            ));
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")),
    };
    let (from, to) = (from.to_string(), to.to_string());
    let site = query.site;
    let counts = store
        .read(move |db| db.daily_event_counts(site.as_deref(), &from, &to))
        .await?;
    let counts: Vec<Count> = counts
        .into_iter()
        .map(
            |DailyCount {
                 site_key,
                 day,
                 measure,
                 count,
             }| Count {
                site: site_key,
                day,
                measure,
                count,
            },
        )
        .collect();
    if csv {
        let mut text = String::from("site,day,measure,count\r\n");
        for count in &counts {
            text.push_str(&format!(
                "{},{},{},{}\r\n",
                csv_field(&count.site),
                count.day,
                count.measure,
                count.count
            ));
        }
        return Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            )],
            text,
        )
            .into_response());
    }
    Ok(axum::Json(serde_json::json!({ "counts": counts })).into_response())
}

/// A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn missing(name: &str) -> SfError {
    SfError::bad_request("MISSING_ARGUMENT", format!("{name} is required"))
}

fn instant(name: &str, text: &str) -> Result<Timestamp, SfError> {
    text.parse().map_err(|_| {
        SfError::bad_request(
            "INVALID_QUERY_FILTER_OPERATOR",
            format!(
                "{name} must be an RFC 3339 instant such as 2026-02-26T15:40:52Z, not {text:?}"
            ),
        )
    })
}

fn day(name: &str, text: &str) -> Result<Date, SfError> {
    text.parse().map_err(|_| {
        SfError::bad_request(
            "INVALID_QUERY_FILTER_OPERATOR",
            format!("{name} must be a day such as 2026-02-26, not {text:?}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_field_is_quoted_only_when_it_must_be() {
        for (given, written) in [
            ("demo", "demo"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ] {
            assert_eq!(csv_field(given), written, "{given:?}");
        }
    }
}
