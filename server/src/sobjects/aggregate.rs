//! Aggregate queries (GROUP BY, COUNT(field), COUNT_DISTINCT, MIN, MAX, SUM, AVG, HAVING): run once,
//! narrowed to the records the caller may see as their other queries are, and answered in one batch of
//! `AggregateResult` records. As in Salesforce, they have no `queryMore`: past [`MAX_GROUPS`] groups
//! the query is refused, to be narrowed with a LIMIT.

use serde_json::{Map, Value, json};

use super::{ApiState, SfError};
use crate::access::{Caller, Visibility};
use crate::salesforce::rows;
use crate::soql::check::{AggregateColumn, Checked, Shown};
use crate::store::Value as Stored;

/// The most groups one aggregate query answers, as Salesforce's one batch.
pub const MAX_GROUPS: u64 = 2_000;

/// Runs the aggregate query `checked` for `caller`, who is counted as running a query already; `all_rows` includes the recycle bin (queryAll).
pub async fn answer(
    state: &ApiState,
    caller: &Caller,
    checked: Checked,
    all_rows: bool,
) -> Result<Value, SfError> {
    let Some(mut grouped) = checked.grouped(caller.user_id.as_str(), all_rows) else {
        return Err(SfError::bad_request(
            "MALFORMED_QUERY",
            "the query has no aggregate to answer",
        ));
    };
    let reader = caller.clone();
    let seen = state
        .store
        .read(move |db| Visibility::of(db, &reader))
        .await?;
    seen.narrow(checked.object, &mut grouped.records);
    // One more than a batch holds, to tell a query with too many groups from one with exactly a batch.
    let cap = MAX_GROUPS + 1;
    grouped.records.limit = Some(grouped.records.limit.map_or(cap, |l| l.min(cap)));
    let statement = state.store.prepare_grouped(&grouped);
    let rows = state
        .store
        .query(state.queries.limits.timeout, move |db| {
            db.groups(&statement)
        })
        .await?;
    if rows.len() as u64 > MAX_GROUPS {
        return Err(SfError::bad_request(
            "EXCEEDED_ID_LIMIT",
            format!(
                "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single \
                 batch: this one has more than {MAX_GROUPS} groups"
            ),
        ));
    }
    let columns = checked
        .aggregation
        .as_ref()
        .map_or(&[][..], |a| a.columns.as_slice());
    let records: Vec<Value> = rows.iter().map(|values| record(columns, values)).collect();
    Ok(json!({ "totalSize": records.len(), "done": true, "records": records }))
}

/// One group as an `AggregateResult` record.
fn record(columns: &[AggregateColumn], values: &[Stored]) -> Value {
    let mut map = Map::new();
    map.insert("attributes".into(), json!({ "type": "AggregateResult" }));
    for (column, stored) in columns.iter().zip(values) {
        map.insert(column.name.clone(), shown(column.shown, stored));
    }
    Value::Object(map)
}

/// A measure's stored value as Salesforce writes it.
fn shown(shown: Shown, stored: &Stored) -> Value {
    /// The largest whole number a JSON number holds exactly (2^53).
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match (shown, stored) {
        (_, Stored::Null) => Value::Null,
        (Shown::As(field), value) => rows::value(field, value),
        (Shown::Sum, Stored::Real(x)) if x.fract() == 0.0 && x.abs() <= EXACT => {
            Value::from(*x as i64)
        }
        (Shown::Count | Shown::Sum | Shown::Avg, Stored::Integer(n)) => Value::from(*n),
        (Shown::Count | Shown::Sum | Shown::Avg, Stored::Real(x)) => Value::from(*x),
        (Shown::Count | Shown::Sum | Shown::Avg, Stored::Text(text)) => Value::String(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_whole_when_they_are_and_averages_are_fractions() {
        assert_eq!(shown(Shown::Sum, &Stored::Real(180.0)), json!(180));
        assert_eq!(shown(Shown::Sum, &Stored::Real(1.5)), json!(1.5));
        assert_eq!(shown(Shown::Avg, &Stored::Real(90.0)), json!(90.0));
        assert_eq!(shown(Shown::Count, &Stored::Integer(3)), json!(3));
        assert_eq!(shown(Shown::Sum, &Stored::Null), Value::Null);
    }
}
