//! EngagementInteraction's derived fields, kept true on every create and update: Duration from the start
//! and end times, MappedState from Status, and AttendeeVerificationTime defaulting to now when the
//! attendee is marked verified; and `engagement.completed` in the outbox when its Status becomes
//! Completed (created so, or moved there by an update: once per move).

use crate::ids::{RecordId, UserId};
use crate::instant::{self, now};
use crate::salesforce::SfError;
use crate::salesforce::schema::Written;
use crate::store::{InteractionTimes, Tx};

/// The state a Status implies, as the reference pairs them.
pub fn mapped_state(status: Option<&str>) -> &'static str {
    match status {
        Some("Completed") => "Completed",
        Some("In Progress") => "InProgress",
        _ => "New",
    }
}

/// The duration between two stored moments as `H:MM:SS`, or why there is none.
pub fn duration(start: &str, end: &str) -> Result<String, String> {
    let parse = |s: &str| instant::parse(s).ok_or_else(|| format!("{s} is not a stored instant"));
    let seconds = parse(end)?.duration_since(parse(start)?).as_secs();
    if seconds < 0 {
        return Err(format!(
            "EndDateTime ({end}) is before StartDateTime ({start}); an interaction cannot end before it starts"
        ));
    }
    Ok(format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    ))
}

/// The hook of EngagementInteraction (see `SObject::after_write`).
pub fn after_write(
    tx: &Tx<'_>,
    written: &Written,
    id: &RecordId,
    _user: &UserId,
) -> Result<(), SfError> {
    derive(tx, id.as_str())?;
    // An update that does not set Status, or sets it while it was already Completed, moved nothing.
    let moved = match written {
        Written::Created => true,
        Written::Updated(_) => written
            .before("Status")
            .is_some_and(|before| before.as_text() != Some("Completed")),
    };
    if moved {
        tx.record_engagement_completed(id.as_str())?;
    }
    Ok(())
}

/// Sets the derived fields of the EngagementInteraction `id`.
pub fn derive(tx: &Tx<'_>, id: &str) -> Result<(), SfError> {
    let InteractionTimes {
        start,
        end,
        status,
        verified,
        verified_at,
    } = tx.interaction_times(id)?;
    let duration = match (&start, &end) {
        (Some(start), Some(end)) => Some(duration(start, end).map_err(|message| {
            SfError::bad_request("FIELD_INTEGRITY_EXCEPTION", message).on(["EndDateTime"])
        })?),
        _ => None,
    };
    let verified_at = match (verified, verified_at) {
        (true, None) => Some(now()),
        (_, at) => at,
    };
    tx.set_interaction_derived(
        id,
        duration.as_deref(),
        mapped_state(status.as_deref()),
        verified_at.as_deref(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_is_hours_minutes_and_seconds_between_start_and_end() {
        let table = [
            (
                "2024-05-01T09:00:00.000Z",
                "2024-05-01T09:00:00.000Z",
                "0:00:00",
            ),
            (
                "2024-05-01T09:00:00.000Z",
                "2024-05-01T09:05:30.000Z",
                "0:05:30",
            ),
            (
                "2024-05-01T09:00:00.000Z",
                "2024-05-01T11:01:02.900Z",
                "2:01:02",
            ),
            (
                "2024-05-01T23:00:00.000Z",
                "2024-05-03T00:00:00.000Z",
                "25:00:00",
            ),
        ];
        for (start, end, expected) in table {
            assert_eq!(
                duration(start, end).as_deref(),
                Ok(expected),
                "{start}..{end}"
            );
        }
        let err = duration("2024-05-01T09:00:00.000Z", "2024-05-01T08:59:59.000Z").unwrap_err();
        assert!(err.contains("cannot end before it starts"), "{err}");
    }

    #[test]
    fn each_status_implies_its_mapped_state() {
        let table = [
            (Some("Completed"), "Completed"),
            (Some("In Progress"), "InProgress"),
            (Some("New"), "New"),
            (None, "New"),
        ];
        for (status, state) in table {
            assert_eq!(mapped_state(status), state, "{status:?}");
        }
    }
}
