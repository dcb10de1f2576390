//! The one text form every stored instant has (`2026-03-02T14:30:00.000Z`): UTC, milliseconds, a `Z`,
//! so that stored instants sort as text in time order.

use jiff::Timestamp;

/// An instant in the store's format.
pub fn stored(moment: Timestamp) -> String {
    moment.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}
