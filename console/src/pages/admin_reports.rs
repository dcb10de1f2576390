//! `/console/admin/reports` (supervisors and admins): the report of a stretch of days (the last seven by
//! default): requests per day by site and reason, and overall, per queue and per representative the time
//! to first attempt (median and 90th percentile, business time), the service-level breaches, contact
//! rate, abandonment and attempts per Contacted request; with the same report as a CSV download. Then the
//! widget's funnel over the same days, per day and site: offered, started, sent and declined, and the
//! direct contact links used (the XDM Contact Request Details measures, from the daily counts).

use std::collections::BTreeMap;

use contact_shared::Measure;
use contact_shared::console::Me;
use contact_shared::reports::{Figures, Group, Report};
use leptos::prelude::*;

use crate::api::reports;
use crate::session::or_sign_in;

/// A day `days` before today (UTC), `YYYY-MM-DD`.
fn day_before(days: u32) -> String {
    let now = js_sys::Date::now() - f64::from(days) * 86_400_000.0;
    let date = js_sys::Date::new(&now.into());
    String::from(date.to_iso_string())
        .get(..10)
        .unwrap_or_default()
        .to_owned()
}

fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "–".into(),
        Some(s) if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0))
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

/// The figures' cells, in the order of [`HEADINGS`].
fn cells(f: &Figures) -> impl IntoView + use<> {
    let values = [
        f.requests.to_string(),
        duration(f.median_first_attempt_seconds),
        duration(f.p90_first_attempt_seconds),
        f.breaches.to_string(),
        rate(f.contact_rate),
        rate(f.abandonment_rate),
        ratio(f.attempts_per_contacted),
    ];
    values.map(|v| view! { <td>{v}</td> })
}

const HEADINGS: [&str; 7] = [
    "Requests",
    "First attempt, median",
    "First attempt, 90th percentile",
    "Breaches",
    "Contact rate",
    "Abandonment",
    "Attempts per Contacted",
];

/// A table of figures: one row per group, after the overall row when there is one.
fn figures_table(
    caption: &'static str,
    overall: Option<Figures>,
    groups: Vec<Group>,
) -> impl IntoView {
    view! {
        <table class="report">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Who"</th>
                    {HEADINGS.map(|h| view! { <th scope="col">{h}</th> })}
                </tr>
            </thead>
            <tbody>
                {overall.map(|f| view! { <tr><th scope="row">"All requests"</th>{cells(&f)}</tr> })}
                {groups.into_iter().map(|g| {
                    view! { <tr><th scope="row">{g.name}</th>{cells(&g.figures)}</tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn show(report: Report) -> impl IntoView {
    let per_day = if report.per_day.is_empty() {
        view! { <p class="note">"No requests on these days."</p> }.into_any()
    } else {
        view! {
            <table class="report">
                <caption>"Requests per day, by site and reason"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Day"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Requests"</th>
                    </tr>
                </thead>
                <tbody>
                    {report.per_day.into_iter().map(|d| view! {
                        <tr>
                            <td>{d.day}</td>
                            <td>{d.site.unwrap_or_else(|| "(none)".into())}</td>
                            <td>{d.reason.unwrap_or_else(|| "(none)".into())}</td>
                            <td>{d.requests}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {per_day}
        {figures_table("Service levels and outcomes", Some(report.overall), Vec::new())}
        {figures_table("Per queue", None, report.per_queue)}
        {figures_table("Per representative", None, report.per_representative)}
    }
}

/// The funnel's columns: the measure and its heading, in the visitor's order.
const FUNNEL: [(Measure, &str); 7] = [
    (Measure::ChatOffered, "Offered"),
    (Measure::ChatStart, "Started"),
    (Measure::ClickToDirectMessage, "Sent"),
    (Measure::ChatDeclined, "Declined"),
    (Measure::ClickToCall, "Calls"),
    (Measure::ClickToEmail, "Emails"),
    (Measure::ClickToText, "Texts"),
];

/// The funnel of `counts`: a row per day (newest first) and site, a column per measure of [`FUNNEL`],
/// and the share of started sessions that sent a request.
fn funnel(counts: Vec<reports::Count>) -> impl IntoView {
    let mut rows: BTreeMap<(String, String), [i64; 7]> = BTreeMap::new();
    for count in counts {
        if let Some(column) = FUNNEL.iter().position(|(m, _)| m.name() == count.measure) {
            rows.entry((count.day, count.site)).or_default()[column] += count.count;
        }
    }
    if rows.is_empty() {
        return view! { <p class="note">"No widget sessions on these days."</p> }.into_any();
    }
    view! {
        <table class="report">
            <caption>"Widget funnel, per day and site"</caption>
            <thead>
                <tr>
                    <th scope="col">"Day"</th>
                    <th scope="col">"Site"</th>
                    {FUNNEL.iter().map(|(_, h)| view! { <th scope="col">{*h}</th> }).collect_view()}
                    <th scope="col">"Sent of started"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().rev().map(|((day, site), values)| {
                    let sent = (values[1] > 0).then(|| values[2] as f64 / values[1] as f64);
                    view! {
                        <tr>
                            <td>{day}</td>
                            <th scope="row">{site}</th>
                            {values.iter().map(|v| view! { <td>{*v}</td> }).collect_view()}
                            <td>{rate(sent)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.sees_everything() {
        return view! {
            <h1>"Reports"</h1>
            <p role="alert">"Only supervisors and admins read the reports."</p>
        }
        .into_any();
    }
    let from = RwSignal::new(day_before(6));
    let to = RwSignal::new(day_before(0));
    let report = LocalResource::new(move || {
        let (from, to) = (from.get(), to.get());
        async move { or_sign_in(reports::report(from, to).await) }
    });
    let csv = move || reports::url(&from.get(), &to.get(), true);
    let counts = LocalResource::new(move || {
        let (from, to) = (from.get(), to.get());
        async move { or_sign_in(reports::daily_counts(from, to).await) }
    });
    view! {
        <h1>"Reports"</h1>
        <form class="report-days" on:submit=|e| e.prevent_default()>
            <label for="report-from">"From"</label>
            <input id="report-from" type="date" prop:value=from
                on:change=move |e| from.set(event_target_value(&e))/>
            <label for="report-to">"To"</label>
            <input id="report-to" type="date" prop:value=to
                on:change=move |e| to.set(event_target_value(&e))/>
            <a class="button" href=csv download="report.csv">"Download CSV"</a>
        </form>
        <p class="note">
            "Days are UTC, by when each request was made. The first attempt is counted in business time \
             from when the callback fell due; a breach is a first attempt later than its queue's target, or \
             a request still waiting past it."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || match report.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(report)) => show(report).into_any(),
                Some(Err(error)) => {
                    view! { <p role="alert" class="error">{error.message()}</p> }.into_any()
                }
            }}
            {move || match counts.get() {
                None => None,
                Some(Ok(counts)) => Some(funnel(counts).into_any()),
                Some(Err(error)) => Some(view! { <p role="alert" class="error">{error.message()}</p> }.into_any()),
            }}
        </Transition>
    }
    .into_any()
}
