//! XDM ExperienceEvents: stored (a beacon's repeat, by `@id`, kept once), counted per site, day and
//! measure (with the aggregate-only counts of browsers that asked not to be tracked), exported, and
//! swept past their retention. A sent request's event is written by the intake itself, in the request's
//! transaction, with [`SENT_EVENT_COLUMNS`].

use super::StoreError;
use super::sql::{Row, args};
use super::tx::{Db, Tx};

/// An event to store, as the feature parsed and wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Its `@id`.
    pub id: String,
    /// Its `xdm:timestamp`, in the stored instant format.
    pub at: String,
    pub event_type: String,
    /// The one measure it records an occurrence of (`chatOffered`, …).
    pub measure: &'static str,
    pub session_id: Option<String>,
    /// The event as exported (JSON).
    pub body: String,
}

/// The event a stored request gets, written in the same transaction: its `@id`, `xdm:timestamp` (stored
/// format), `xdm:eventType`, measure, the widget session that sent it and JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEvent {
    pub id: String,
    pub at: String,
    pub event_type: &'static str,
    pub measure: &'static str,
    pub session_id: Option<String>,
    pub body: String,
}

/// The columns of a sent request's event, in the order both intakes bind them: site, `@id`, instant,
/// type, measure, JSON, request id, session.
pub const SENT_EVENT_COLUMNS: &str = "INSERT INTO experience_events
    (site_key, id, occurred_at, event_type, measure, body, contact_request_id, session_id) VALUES";

/// How many occurrences of one measure a site had on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCount {
    pub site_key: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub measure: String,
    pub count: i64,
}

impl Db<'_> {
    /// The JSON of `site`'s events in `[from, to)` (stored instants), oldest first, at most `limit`.
    pub fn experience_events(
        &self,
        site: &str,
        from: &str,
        to: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.rows(
            "SELECT body FROM experience_events
              WHERE site_key = ?1 AND occurred_at >= ?2 AND occurred_at < ?3
              ORDER BY occurred_at, seq LIMIT ?4",
            args![site, from, to, limit],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect()
    }

    /// The counts per site, day and measure for the days `from..=to` (`YYYY-MM-DD`), of one site or
    /// all: the stored events and the aggregate-only counts together, by site, day and measure.
    pub fn daily_event_counts(
        &self,
        site: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<DailyCount>, StoreError> {
        let count = |row: &Row| {
            Ok(DailyCount {
                site_key: row.get(0)?,
                day: row.get(1)?,
                measure: row.get(2)?,
                count: row.get(3)?,
            })
        };
        // The day of the last instant of `to`: every stored instant of that day sorts before it.
        let until = format!("{to}T99");
        self.rows(
            "SELECT site_key, day, measure, CAST(SUM(n) AS BIGINT) FROM (
                 SELECT site_key, substr(occurred_at, 1, 10) AS day, measure, count(*) AS n
                   FROM experience_events
                  WHERE (CAST(?1 AS TEXT) IS NULL OR site_key = ?1)
                    AND occurred_at >= ?2 AND occurred_at < ?3
                  GROUP BY site_key, substr(occurred_at, 1, 10), measure
                 UNION ALL
                 SELECT site_key, day, measure, count AS n FROM experience_event_totals
                  WHERE (CAST(?1 AS TEXT) IS NULL OR site_key = ?1) AND day >= ?2 AND day <= ?4
             ) AS counted
             GROUP BY site_key, day, measure ORDER BY site_key, day, measure",
            args![site, from, until.as_str(), to],
        )?
        .iter()
        .map(count)
        .collect()
    }
}

impl Tx<'_> {
    /// Stores `site`'s event; `false` when one with its `@id` was stored before (and nothing changes).
    pub fn insert_experience_event(
        &self,
        site: &str,
        event: &NewEvent,
    ) -> Result<bool, StoreError> {
        let changed = self.run(
            "INSERT INTO experience_events
                (site_key, id, occurred_at, event_type, measure, session_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (site_key, id) DO NOTHING",
            args![
                site,
                &event.id,
                &event.at,
                &event.event_type,
                event.measure,
                &event.session_id,
                &event.body
            ],
        )?;
        Ok(changed == 1)
    }

    /// Counts one occurrence of `measure` on `site` on `day`, and keeps nothing else of it.
    pub fn count_experience_event(
        &self,
        site: &str,
        day: &str,
        measure: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO experience_event_totals (site_key, day, measure, count) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (site_key, day, measure)
             DO UPDATE SET count = experience_event_totals.count + 1",
            args![site, day, measure],
        )?;
        Ok(())
    }

    /// Deletes the events that occurred before `before` (a stored instant) and the counts of days before
    /// its day; answers how many rows went.
    pub fn sweep_experience_events(&self, before: &str) -> Result<usize, StoreError> {
        let day = before.get(..10).unwrap_or(before);
        let events = self.run(
            "DELETE FROM experience_events WHERE occurred_at < ?1",
            args![before],
        )?;
        let totals = self.run(
            "DELETE FROM experience_event_totals WHERE day < ?1",
            args![day],
        )?;
        Ok(events + totals)
    }
}
