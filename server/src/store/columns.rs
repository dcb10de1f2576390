//! Reading typed values out of columns, and the SQL forms of the rules stored values follow.

use contact_shared::Status;

use super::StoreError;
use super::sql::Row;

/// The `Status` in column `index` of `row`, on either engine.
pub(super) fn status_at(row: &Row, index: usize) -> Result<Status, StoreError> {
    row.get::<String>(index)?
        .parse()
        .map_err(|error| StoreError::Reader(format!("column {index} is not a status: {error}")))
}

/// The open statuses (`Status::OPEN`) as an SQL list, `'New', 'Attempted'`: what `status IN (…)` checks.
/// The values are the picklist's own constants, never a client's text.
pub(super) fn open_statuses() -> String {
    Status::OPEN
        .iter()
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_statuses_are_new_and_attempted() {
        assert_eq!(super::open_statuses(), "'New', 'Attempted'");
    }
}
