//! The reports' wire contract (`GET /console/api/reports`, supervisors and admins): requests per day by
//! site and reason, and for all requests, each queue and each representative the service-level figures
//! (time to first attempt in business time, breaches of the queue's target), contact rate, abandonment
//! and attempts per Contacted request; and the one CSV form the download has.

use serde::{Deserialize, Serialize};

/// Where the reports are served, under the console's prefix; `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days,
/// both included) and `&format=csv` for the download.
pub const REPORTS_PATH: &str = "/reports";

/// The longest stretch one report covers, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// One report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The first and last UTC day counted (`YYYY-MM-DD`), by the requests' creation.
    pub from: String,
    pub to: String,
    pub per_day: Vec<DayCount>,
    pub overall: Figures,
    pub per_queue: Vec<Group>,
    pub per_representative: Vec<Group>,
}

/// How many requests one site had for one reason on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    pub day: String,
    /// The site key; none for requests made through the API or by telephony.
    pub site: Option<String>,
    pub reason: Option<String>,
    pub requests: u64,
}

/// The figures of one queue or representative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The figures of a set of requests. A rate or an average of nothing is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub requests: u64,
    /// Those with a first call attempt logged.
    pub attempted: u64,
    /// The median and 90th percentile (nearest rank) of the business seconds from falling due to the
    /// first attempt.
    pub median_first_attempt_seconds: Option<i64>,
    pub p90_first_attempt_seconds: Option<i64>,
    /// First attempts later than their queue's target, and requests still waiting past it.
    pub breaches: u64,
    /// Contacted or Abandoned.
    pub closed: u64,
    pub contacted: u64,
    pub abandoned: u64,
    /// Contacted / closed.
    pub contact_rate: Option<f64>,
    /// Abandoned / closed.
    pub abandonment_rate: Option<f64>,
    /// Call attempts per Contacted request.
    pub attempts_per_contacted: Option<f64>,
}

/// The nearest-rank `percent` percentile of `sorted` (ascending): the smallest value that at least
/// `percent` % of the values are at or below.
pub fn percentile(sorted: &[i64], percent: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(percent) * n).div_ceil(100).clamp(1, n);
    sorted.get(rank as usize - 1).copied()
}

/// The CSV columns of a figures row.
const FIGURE_COLUMNS: &str = "requests,attempted,median_first_attempt_seconds,\
p90_first_attempt_seconds,breaches,closed,contacted,abandoned,contact_rate,abandonment_rate,\
attempts_per_contacted";

fn field(text: &str) -> String {
    // A leading =, +, - or @ would be a formula to a spreadsheet.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn figures_csv(f: &Figures) -> String {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rate = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{},{},{}",
        f.requests,
        f.attempted,
        opt(f.median_first_attempt_seconds),
        opt(f.p90_first_attempt_seconds),
        f.breaches,
        f.closed,
        f.contacted,
        f.abandoned,
        rate(f.contact_rate),
        rate(f.abandonment_rate),
        rate(f.attempts_per_contacted),
    )
}

impl Report {
    /// The report as one CSV table: a `section` column tells the per-day counts, the overall figures,
    /// the queues' and the representatives' apart.
    pub fn to_csv(&self) -> String {
        let mut out = format!("section,day,site,reason,id,name,{FIGURE_COLUMNS}\r\n");
        for d in &self.per_day {
            out.push_str(&format!(
                "per_day,{},{},{},,,{}{}\r\n",
                d.day,
                field(d.site.as_deref().unwrap_or("")),
                field(d.reason.as_deref().unwrap_or("")),
                d.requests,
                ",".repeat(10),
            ));
        }
        out.push_str(&format!("overall,,,,,,{}\r\n", figures_csv(&self.overall)));
        for (section, groups) in [
            ("queue", &self.per_queue),
            ("representative", &self.per_representative),
        ] {
            for g in groups {
                out.push_str(&format!(
                    "{section},,,,{},{},{}\r\n",
                    field(&g.id),
                    field(&g.name),
                    figures_csv(&g.figures)
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_by_nearest_rank() {
        let values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&values, 50), Some(50));
        assert_eq!(percentile(&values, 90), Some(90));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn the_csv_has_one_row_per_count_and_group_and_quotes_what_needs_it() {
        let report = Report {
            from: "2026-03-02".into(),
            to: "2026-03-02".into(),
            per_day: vec![DayCount {
                day: "2026-03-02".into(),
                site: Some("shop".into()),
                reason: Some("Billing".into()),
                requests: 2,
            }],
            overall: Figures {
                requests: 2,
                closed: 1,
                contacted: 1,
                contact_rate: Some(1.0),
                ..Figures::default()
            },
            per_queue: vec![Group {
                id: "00G000000000001AAA".into(),
                name: "Sales, \"EU\"".into(),
                figures: Figures::default(),
            }],
            per_representative: vec![Group {
                id: "005000000000002AAA".into(),
                name: "=cmd()".into(),
                figures: Figures::default(),
            }],
        };
        let csv = report.to_csv();
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 5);
        let columns = lines[0].split(',').count();
        assert_eq!(columns, 17);
        assert_eq!(lines[1], "per_day,2026-03-02,shop,Billing,,,2,,,,,,,,,,");
        assert_eq!(lines[1].split(',').count(), columns);
        assert_eq!(lines[2], "overall,,,,,,2,0,,,0,1,1,0,1.0000,,");
        assert!(lines[3].contains("\"Sales, \"\"EU\"\"\""), "{}", lines[3]);
        assert!(lines[4].contains(",'=cmd(),"), "{}", lines[4]);
    }
}
