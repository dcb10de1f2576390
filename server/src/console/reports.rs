//! `GET /console/api/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]` (supervisors and admins): the
//! report of the requests created on those UTC days (both included; the last seven days by default), as
//! JSON or as the CSV download. The figures are `crate::reports`'.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use contact_shared::reports::MAX_REPORT_DAYS;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::{ConsoleError, Signed};
use crate::error::AppError;
use crate::store::Store;

/// What the query asks for.
#[derive(Debug, PartialEq, Eq)]
struct Asked {
    from: Date,
    to: Date,
    csv: bool,
}

fn day(key: &'static str, value: &str) -> Result<Date, AppError> {
    value
        .parse::<Date>()
        .ok()
        .filter(|_| value.len() == 10)
        .ok_or_else(|| {
            ConsoleError::Field(key, format!("{key} must be a day such as 2026-03-02")).into()
        })
}

/// The query's days and format; an unknown parameter or a malformed value is refused at its key.
fn asked(query: Option<&str>, today: Date) -> Result<Asked, AppError> {
    let (mut from, mut to, mut csv) = (None, None, false);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "from" => from = Some(day("from", value)?),
            "to" => to = Some(day("to", value)?),
            "format" => match value {
                "csv" => csv = true,
                "json" => csv = false,
                _ => {
                    return Err(
                        ConsoleError::Field("format", "format must be json or csv".into()).into(),
                    );
                }
            },
            _ => {
                return Err(ConsoleError::Field(
                    "query",
                    format!("unknown parameter {key:?}; a report takes from, to and format"),
                )
                .into());
            }
        }
    }
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub(6.days()).unwrap_or(to));
    if from > to {
        return Err(ConsoleError::Field("from", "from must not be after to".into()).into());
    }
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if i64::from(days) >= MAX_REPORT_DAYS {
        return Err(ConsoleError::Field(
            "to",
            format!("a report covers at most {MAX_REPORT_DAYS} days"),
        )
        .into());
    }
    Ok(Asked { from, to, csv })
}

fn midnight(date: Date) -> String {
    format!("{date}T00:00:00.000Z")
}

/// `GET /console/api/reports`.
pub async fn report(
    State(store): State<Store>,
    signed: Signed,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if !signed.0.role.sees_everything() {
        return Err(ConsoleError::Forbidden(
            "Only supervisors and admins read the reports.".into(),
        )
        .into());
    }
    let now = Timestamp::now();
    let asked = asked(
        query.as_deref(),
        now.to_zoned(jiff::tz::TimeZone::UTC).date(),
    )?;
    let (from, until) = (
        midnight(asked.from),
        midnight(asked.to.tomorrow().unwrap_or(asked.to)),
    );
    let (requests, queues, users) = store
        .read(move |db| {
            Ok((
                db.reported_requests(&from, &until)?,
                db.queue_targets()?,
                db.user_names()?,
            ))
        })
        .await?;
    let report = crate::reports::report(
        &asked.from.to_string(),
        &asked.to.to_string(),
        &requests,
        &queues,
        &users,
        now,
    );
    if asked.csv {
        let name = format!(
            "attachment; filename=\"report-{}-{}.csv\"",
            asked.from, asked.to
        );
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, name),
            ],
            report.to_csv(),
        )
            .into_response())
    } else {
        Ok(axum::Json(report).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_s_days_are_read_from_the_query_and_refused_at_their_key() {
        let today: Date = "2026-03-09".parse().unwrap();
        let plain = asked(None, today).unwrap();
        assert_eq!(
            (plain.from.to_string(), plain.to.to_string(), plain.csv),
            ("2026-03-03".into(), "2026-03-09".into(), false),
            "the last seven days"
        );
        let csv = asked(Some("from=2026-03-01&to=2026-03-02&format=csv"), today).unwrap();
        assert_eq!(csv.from.to_string(), "2026-03-01");
        assert!(csv.csv);
        let table = [
            ("from=2026-3-1", "from", "a short day"),
            ("to=tomorrow", "to", "no day"),
            ("from=2026-03-05&to=2026-03-01", "from", "backwards"),
            ("from=2024-01-01&to=2026-01-01", "to", "too long"),
            ("format=xml", "format", "an unknown format"),
            ("site=shop", "query", "an unknown parameter"),
        ];
        for (query, key, why) in table {
            let error = asked(Some(query), today).expect_err(why);
            let AppError::Refused(refusal) = error else {
                panic!("{why}: {error:?}");
            };
            let body = refusal.body();
            assert!(body.fields.contains_key(key), "{why}: {body:?}");
        }
    }
}
