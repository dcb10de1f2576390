//! A view of requests as its URL query says it: filters, search, sort and page, read once from the query
//! (unknown or malformed values are dropped, so a hand-edited link still opens a view) and written back to
//! it, so reload, back and a shared link land on the same view. It also writes the view's SOQL.

use contact_shared::{PreferredChannel, Status};

/// Rows per page.
pub const PAGE_SIZE: u32 = 25;

/// The fields a list shows.
pub const LIST_FIELDS: &str = "Id, Name, Status, RequestReason, PreferredChannel, PreferredPhone, \
VisitorName__c, VisitorEmail__c, SourceOrigin__c, OwnerId, CreatedDate, ScheduledRoutingDateTime__c, \
ServiceLevelDueDateTime__c";

/// Which requests a page lists, before its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Owned by this user or queue (005… or 00G…).
    OwnedBy(String),
    /// Every request the caller may see (the API applies the sharing model).
    All,
}

/// Which statuses a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// New and Attempted: what still takes calls.
    #[default]
    Open,
    /// Any status.
    Any,
    One(Status),
}

impl StatusFilter {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Self::Open),
            "any" => Some(Self::Any),
            other => other.parse().ok().map(Self::One),
        }
    }

    /// The value in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Any => "any",
            Self::One(status) => status.as_str(),
        }
    }
}

/// A calendar day, `YYYY-MM-DD`, as a date input gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day(String);

impl Day {
    pub fn parse(value: &str) -> Option<Self> {
        let bytes = value.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && digits(0..4)
            && digits(5..7)
            && digits(8..10);
        let month: u32 = value.get(5..7)?.parse().ok()?;
        let day: u32 = value.get(8..10)?.parse().ok()?;
        (shaped && (1..=12).contains(&month) && (1..=31).contains(&day))
            .then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Oldest first: who has waited longest.
    #[default]
    Oldest,
    Newest,
    /// Earliest chosen callback time first, those without one last.
    Scheduled,
    Number,
    /// Closest to its service-level target first (its deadline for a first attempt), those with none last.
    Target,
}

impl Sort {
    pub const ALL: [Self; 5] = [
        Self::Oldest,
        Self::Newest,
        Self::Scheduled,
        Self::Number,
        Self::Target,
    ];

    fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "oldest",
            Self::Newest => "newest",
            Self::Scheduled => "scheduled",
            Self::Number => "number",
            Self::Target => "target",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Oldest => "Oldest first",
            Self::Newest => "Newest first",
            Self::Scheduled => "Callback time",
            Self::Number => "Number",
            Self::Target => "Closest to target",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Self::Oldest => "CreatedDate ASC, Name ASC",
            Self::Newest => "CreatedDate DESC, Name DESC",
            Self::Scheduled => "ScheduledRoutingDateTime__c ASC NULLS LAST, CreatedDate ASC",
            Self::Number => "Name ASC",
            Self::Target => "ServiceLevelDueDateTime__c ASC NULLS LAST, CreatedDate ASC",
        }
    }
}

/// A view's filters, search, sort and page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewQuery {
    pub status: StatusFilter,
    /// A RequestReason value: the organisation's, so any text.
    pub reason: Option<String>,
    pub channel: Option<PreferredChannel>,
    /// The page origin the request came from (`SourceOrigin__c`).
    pub site: Option<String>,
    pub created_from: Option<Day>,
    pub created_to: Option<Day>,
    pub scheduled_from: Option<Day>,
    pub scheduled_to: Option<Day>,
    pub search: Option<String>,
    pub sort: Sort,
    /// From 1.
    pub page: u32,
}

impl ViewQuery {
    /// The view a URL query names; `get` answers a query parameter's value.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |key: &str| {
            get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let day = |key: &str| text(key).and_then(|v| Day::parse(&v));
        Self {
            status: text("status")
                .and_then(|v| StatusFilter::parse(&v))
                .unwrap_or_default(),
            reason: text("reason"),
            channel: text("channel").and_then(|v| v.parse().ok()),
            site: text("site"),
            created_from: day("created_from"),
            created_to: day("created_to"),
            scheduled_from: day("scheduled_from"),
            scheduled_to: day("scheduled_to"),
            search: text("q"),
            sort: text("sort")
                .and_then(|v| Sort::parse(&v))
                .unwrap_or_default(),
            page: text("page")
                .and_then(|v| v.parse().ok())
                .filter(|page| *page >= 1)
                .unwrap_or(1),
        }
    }

    /// The URL query of this view (without `?`); defaults are left out, so the plain view has none.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.status != StatusFilter::Open {
            pairs.push(("status", self.status.as_str().to_owned()));
        }
        if let Some(reason) = &self.reason {
            pairs.push(("reason", reason.clone()));
        }
        if let Some(channel) = self.channel {
            pairs.push(("channel", channel.as_str().to_owned()));
        }
        let optional = [
            ("site", self.site.clone()),
            (
                "created_from",
                self.created_from.as_ref().map(|d| d.0.clone()),
            ),
            ("created_to", self.created_to.as_ref().map(|d| d.0.clone())),
            (
                "scheduled_from",
                self.scheduled_from.as_ref().map(|d| d.0.clone()),
            ),
            (
                "scheduled_to",
                self.scheduled_to.as_ref().map(|d| d.0.clone()),
            ),
            ("q", self.search.clone()),
        ];
        pairs.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The SOQL `WHERE` of this view in `scope` (empty when nothing narrows it).
    pub fn condition(&self, scope: &Scope) -> String {
        let mut all = Vec::new();
        if let Scope::OwnedBy(owner) = scope {
            all.push(format!("OwnerId = {}", literal(owner)));
        }
        match self.status {
            StatusFilter::Open => all.push(format!(
                "Status IN ({})",
                Status::OPEN
                    .iter()
                    .map(|s| literal(s.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            StatusFilter::Any => {}
            StatusFilter::One(status) => all.push(format!("Status = {}", literal(status.as_str()))),
        }
        if let Some(reason) = &self.reason {
            all.push(format!("RequestReason = {}", literal(reason)));
        }
        if let Some(channel) = self.channel {
            all.push(format!("PreferredChannel = {}", literal(channel.as_str())));
        }
        if let Some(site) = &self.site {
            all.push(format!("SourceOrigin__c = {}", literal(site)));
        }
        let ranges = [
            ("CreatedDate", &self.created_from, ">=", "T00:00:00Z"),
            ("CreatedDate", &self.created_to, "<=", "T23:59:59Z"),
            (
                "ScheduledRoutingDateTime__c",
                &self.scheduled_from,
                ">=",
                "T00:00:00Z",
            ),
            (
                "ScheduledRoutingDateTime__c",
                &self.scheduled_to,
                "<=",
                "T23:59:59Z",
            ),
        ];
        for (field, day, op, time) in ranges {
            if let Some(day) = day {
                all.push(format!("{field} {op} {}{time}", day.0));
            }
        }
        if let Some(search) = &self.search {
            let pattern = contains_pattern(search);
            all.push(format!(
                "(Name LIKE {pattern} OR VisitorName__c LIKE {pattern} OR PreferredPhone LIKE {pattern} \
                 OR VisitorEmail__c LIKE {pattern} OR RequestDescription LIKE {pattern})"
            ));
        }
        all.join(" AND ")
    }

    /// The query of this page of the view.
    pub fn soql(&self, scope: &Scope) -> String {
        let offset = (self.page - 1) * PAGE_SIZE;
        format!(
            "SELECT {LIST_FIELDS} FROM ContactRequest{} ORDER BY {} LIMIT {PAGE_SIZE} OFFSET {offset}",
            where_clause(&self.condition(scope)),
            self.sort.order_by()
        )
    }

    /// The query counting the whole view.
    pub fn count_soql(&self, scope: &Scope) -> String {
        format!(
            "SELECT COUNT() FROM ContactRequest{}",
            where_clause(&self.condition(scope))
        )
    }
}

fn where_clause(condition: &str) -> String {
    if condition.is_empty() {
        String::new()
    } else {
        format!(" WHERE {condition}")
    }
}

/// A SOQL string literal.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A LIKE literal matching text that contains `value`, its own `%` and `_` taken as themselves.
fn contains_pattern(value: &str) -> String {
    let escaped = literal(value);
    let inner = &escaped[1..escaped.len() - 1];
    format!("'%{}%'", inner.replace('%', "\\%").replace('_', "\\_"))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters are kept).
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ViewQuery {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.replace("%20", " ")))
            .collect();
        ViewQuery::from_query(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_plain_view_has_an_empty_query_and_shows_open_requests() {
        let view = parse("");
        assert_eq!(
            view,
            ViewQuery {
                page: 1,
                ..ViewQuery::default()
            }
        );
        assert_eq!(view.to_query(), "");
        assert_eq!(
            view.count_soql(&Scope::OwnedBy("005000000000002AAA".into())),
            "SELECT COUNT() FROM ContactRequest WHERE OwnerId = '005000000000002AAA' AND Status IN ('New', 'Attempted')"
        );
    }

    #[test]
    fn a_view_reads_back_from_its_own_query() {
        let query = "status=Contacted&reason=Billing&channel=Email&site=https%3A%2F%2Fshop.example&created_from=2026-01-01&created_to=2026-01-31&scheduled_from=2026-02-01&scheduled_to=2026-02-02&q=ada%20l&sort=newest&page=3";
        let view = ViewQuery::from_query(|key| {
            query.split('&').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k == key).then(|| {
                    v.replace("%3A", ":")
                        .replace("%2F", "/")
                        .replace("%20", " ")
                })
            })
        });
        assert_eq!(view.status, StatusFilter::One(Status::Contacted));
        assert_eq!(view.site.as_deref(), Some("https://shop.example"));
        assert_eq!(view.page, 3);
        assert_eq!(view.to_query(), query);
    }

    #[test]
    fn malformed_values_are_dropped_rather_than_failing_the_view() {
        for (query, why) in [
            ("status=Closed", "not a status"),
            ("created_from=2026-13-01", "no month 13"),
            ("created_to=26-01-01", "not YYYY-MM-DD"),
            ("scheduled_from=2026-01-01T00:00", "a time is not a day"),
            ("sort=random", "not a sort"),
            ("page=0", "pages count from 1"),
            ("page=-2", "not a page"),
            ("q=%20%20", "blank search"),
        ] {
            assert_eq!(parse(query).to_query(), "", "{query}: {why}");
        }
    }

    #[test]
    fn the_soql_applies_every_filter_and_pages() {
        let view = parse(
            "status=any&reason=Order&site=https://a.example&created_from=2026-01-01&scheduled_to=2026-01-02&sort=scheduled&page=2",
        );
        assert_eq!(
            view.soql(&Scope::All),
            format!(
                "SELECT {LIST_FIELDS} FROM ContactRequest WHERE RequestReason = 'Order' AND SourceOrigin__c = 'https://a.example' \
                 AND CreatedDate >= 2026-01-01T00:00:00Z AND ScheduledRoutingDateTime__c <= 2026-01-02T23:59:59Z \
                 ORDER BY ScheduledRoutingDateTime__c ASC NULLS LAST, CreatedDate ASC LIMIT 25 OFFSET 25"
            )
        );
    }

    #[test]
    fn an_organisation_s_own_reason_is_a_filter_and_stays_a_literal() {
        let view = parse("reason=Warranty%20(Bob's)");
        assert_eq!(view.reason.as_deref(), Some("Warranty (Bob's)"));
        assert!(
            view.condition(&Scope::All)
                .contains(r"RequestReason = 'Warranty (Bob\'s)'"),
            "{}",
            view.condition(&Scope::All)
        );
        assert_eq!(view.to_query(), "reason=Warranty%20%28Bob%27s%29");
    }

    #[test]
    fn search_text_cannot_break_out_of_its_literal() {
        let view = parse("q=O'Brien\\ 50%_");
        let condition = view.condition(&Scope::All);
        assert!(
            condition.contains(r"Name LIKE '%O\'Brien\\ 50\%\_%'"),
            "{condition}"
        );
    }
}
