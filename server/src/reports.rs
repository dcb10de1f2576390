//! Service levels and the reports' figures, from the facts the store reads of each request
//! ([`ReportedRequest`]): when it fell due (its scheduled time, or its creation when it had none or that
//! was earlier), how long in its call center's business time it waited for its first call attempt, and
//! whether that broke its queue's target. Pure: the clock and the rows come in, the [`Report`] goes out;
//! [`refresh`] keeps each waiting request's deadline (`ServiceLevelDueDateTime__c`), which the
//! console's lists sort by.

use std::collections::{BTreeMap, HashMap};

use contact_shared::console::SERVICE_TARGET;
use contact_shared::reports::{DayCount, Figures, Group, Report, percentile};
use jiff::{SignedDuration, Timestamp};

use crate::business_time::{BusinessHours, Calendar};
use crate::ids;
use crate::store::{QueueTarget, ReportedRequest, Store, StoreError, Tx};

/// Where one request stands against its queue's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceLevel {
    /// When it fell due: the service level counts from here.
    pub due: Timestamp,
    /// When, in business time, its first attempt should have come by.
    pub deadline: Timestamp,
    /// The business seconds from falling due to the first attempt, once there is one.
    pub first_attempt_seconds: Option<i64>,
    /// The first attempt came after the deadline, or none came and the deadline passed while it was open.
    pub breached: bool,
}

fn instant(text: &str) -> Option<Timestamp> {
    crate::instant::parse(text)
}

/// The calendar a request's call center counts business time in: its hours in its zone; always open in
/// UTC for a request of no call center.
pub fn calendar_of(request: &ReportedRequest) -> Calendar {
    match (
        request.time_zone.as_deref(),
        request.business_hours.as_deref(),
    ) {
        (Some(zone), hours) => match crate::instant::time_zone(zone) {
            Some(zone) => Calendar::new(
                hours.map(BusinessHours::from_json).unwrap_or_default(),
                zone,
            ),
            None => Calendar::always_open(),
        },
        (None, _) => Calendar::always_open(),
    }
}

/// Where `request` stands at `now` against a target of `target_seconds`.
pub fn service_level(
    request: &ReportedRequest,
    target_seconds: i64,
    now: Timestamp,
) -> Option<ServiceLevel> {
    let created = instant(&request.created_at)?;
    let first_attempt = request.first_attempt_at.as_deref().and_then(instant);
    let scheduled = if first_attempt.is_some() {
        request.first_due_at.as_deref()
    } else {
        request.scheduled_at.as_deref()
    };
    let due = scheduled
        .and_then(instant)
        .map_or(created, |s| s.max(created));
    let calendar = calendar_of(request);
    let deadline = calendar.add(due, SignedDuration::from_secs(target_seconds));
    let open = matches!(request.status.as_str(), "New" | "Attempted");
    let (first_attempt_seconds, breached) = match first_attempt {
        Some(at) => {
            let waited = calendar.elapsed(due, at).as_secs();
            (Some(waited), waited > target_seconds)
        }
        None => (None, open && request.attempts == 0 && now > deadline),
    };
    Some(ServiceLevel {
        due,
        deadline,
        first_attempt_seconds,
        breached,
    })
}

/// How many deadlines one round works out at most.
const REFRESH_ROUND: u32 = 500;

/// Works out again the service-level deadline of each request waiting for its first attempt whose
/// schedule, queue, target or call center changed since (or that has none yet); answers how many.
pub fn refresh(tx: &Tx<'_>) -> Result<usize, StoreError> {
    let stale = tx.stale_service_levels(REFRESH_ROUND)?;
    for item in &stale {
        let target = item
            .target_seconds
            .unwrap_or(i64::from(SERVICE_TARGET.default));
        let due = service_level(&item.request, target, Timestamp::now())
            .map(|level| crate::instant::stored(level.deadline));
        tx.set_service_due(&item.request.id, due.as_deref(), &item.basis)?;
    }
    Ok(stale.len())
}

/// Starts keeping the deadlines: a round each second one is to be worked out (a read decides, so an
/// idle server writes nothing).
pub fn start(store: Store) {
    crate::callbacks::each_second(
        store,
        "service levels",
        |db, _| db.service_levels_stale(),
        |tx, _| refresh(tx),
    );
}

/// The figures of a set of requests, with each one's service level.
fn figures<'a>(
    requests: impl Iterator<Item = (&'a ReportedRequest, Option<ServiceLevel>)>,
) -> Figures {
    let mut f = Figures::default();
    let (mut waits, mut contacted_attempts) = (Vec::new(), 0i64);
    for (request, level) in requests {
        f.requests += 1;
        if let Some(level) = level {
            if let Some(waited) = level.first_attempt_seconds {
                f.attempted += 1;
                waits.push(waited);
            }
            f.breaches += u64::from(level.breached);
        }
        match request.status.as_str() {
            "Contacted" => {
                f.closed += 1;
                f.contacted += 1;
                contacted_attempts += request.attempts;
            }
            "Abandoned" => {
                f.closed += 1;
                f.abandoned += 1;
            }
            _ => {}
        }
    }
    waits.sort_unstable();
    f.median_first_attempt_seconds = percentile(&waits, 50);
    f.p90_first_attempt_seconds = percentile(&waits, 90);
    let ratio = |part: f64, whole: u64| (whole > 0).then(|| part / whole as f64);
    f.contact_rate = ratio(f.contacted as f64, f.closed);
    f.abandonment_rate = ratio(f.abandoned as f64, f.closed);
    f.attempts_per_contacted = ratio(contacted_attempts as f64, f.contacted);
    f
}

/// The report of `requests` (those created on the days `from..=to`), at `now`.
pub fn report(
    from: &str,
    to: &str,
    requests: &[ReportedRequest],
    queues: &[QueueTarget],
    users: &[(String, String)],
    now: Timestamp,
) -> Report {
    let target_of: HashMap<&str, i64> = queues
        .iter()
        .map(|q| (q.id.as_str(), q.target_seconds))
        .collect();
    let levels: Vec<(&ReportedRequest, Option<ServiceLevel>)> = requests
        .iter()
        .map(|r| {
            let target = r
                .queue_id
                .as_deref()
                .and_then(|q| target_of.get(q).copied())
                .unwrap_or(i64::from(SERVICE_TARGET.default));
            (r, service_level(r, target, now))
        })
        .collect();
    let mut per_day: BTreeMap<(String, Option<String>, Option<String>), u64> = BTreeMap::new();
    for r in requests {
        let day = r.created_at.get(..10).unwrap_or_default().to_owned();
        *per_day
            .entry((day, r.site_key.clone(), r.reason.clone()))
            .or_default() += 1;
    }
    let per_queue = queues
        .iter()
        .filter_map(|q| {
            let mine = levels
                .iter()
                .filter(|(r, _)| r.queue_id.as_deref() == Some(q.id.as_str()));
            let figures = figures(mine.map(|(r, l)| (*r, *l)));
            (figures.requests > 0).then(|| Group {
                id: q.id.clone(),
                name: q.name.clone(),
                figures,
            })
        })
        .collect();
    let per_representative = users
        .iter()
        .filter(|(id, _)| id.starts_with(ids::USER_PREFIX))
        .filter_map(|(id, name)| {
            let theirs = levels.iter().filter(|(r, _)| r.owner_id == *id);
            let figures = figures(theirs.map(|(r, l)| (*r, *l)));
            (figures.requests > 0).then(|| Group {
                id: id.clone(),
                name: name.clone(),
                figures,
            })
        })
        .collect();
    Report {
        from: from.to_owned(),
        to: to.to_owned(),
        per_day: per_day
            .into_iter()
            .map(|((day, site, reason), requests)| DayCount {
                day,
                site,
                reason,
                requests,
            })
            .collect(),
        overall: figures(levels.iter().map(|(r, l)| (*r, *l))),
        per_queue,
        per_representative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(created: &str, status: &str) -> ReportedRequest {
        ReportedRequest {
            id: "0SR000000000001AAA".into(),
            site_key: Some("shop".into()),
            reason: Some("Billing".into()),
            status: status.into(),
            created_at: created.into(),
            scheduled_at: None,
            first_due_at: None,
            first_attempt_at: None,
            attempts: 0,
            owner_id: "00G000000000001AAA".into(),
            queue_id: Some("00G000000000001AAA".into()),
            time_zone: Some("America/New_York".into()),
            business_hours: Some(r#"{"mon":"09:00-17:00","tue":"09:00-17:00"}"#.into()),
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_first_attempt_is_counted_in_business_time_from_the_scheduled_time() {
        // Scheduled Monday 16:50 New York (21:50Z); attempted Tuesday 09:10 (14:10Z): 20 minutes.
        let mut r = request("2026-03-02T12:00:00.000Z", "Attempted");
        r.first_due_at = Some("2026-03-02T21:50:00.000Z".into());
        r.first_attempt_at = Some("2026-03-03T14:10:00.000Z".into());
        r.scheduled_at = Some("2026-03-03T15:00:00.000Z".into());
        r.attempts = 1;
        let level = service_level(&r, 900, at("2026-03-05T00:00:00Z")).unwrap();
        assert_eq!(level.first_attempt_seconds, Some(20 * 60));
        assert!(level.breached, "20 minutes is past a 15-minute target");
        assert_eq!(level.deadline, at("2026-03-03T14:05:00Z"));
        assert!(
            !service_level(&r, 1200, at("2026-03-05T00:00:00Z"))
                .unwrap()
                .breached
        );
    }

    #[test]
    fn an_open_request_breaches_once_its_deadline_passes_unattempted() {
        let r = request("2026-03-02T15:00:00.000Z", "New");
        let level = service_level(&r, 900, at("2026-03-02T15:14:00Z")).unwrap();
        assert!(!level.breached);
        assert!(
            service_level(&r, 900, at("2026-03-02T15:16:00Z"))
                .unwrap()
                .breached
        );
        let closed = request("2026-03-02T15:00:00.000Z", "Abandoned");
        assert!(
            !service_level(&closed, 900, at("2026-03-09T00:00:00Z"))
                .unwrap()
                .breached
        );
    }
}
