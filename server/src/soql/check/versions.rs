//! API version gates: a query sent to version NN names only the objects and fields NN serves, so a
//! client at 50.0 is told EngagementInteraction (55.0) is not supported and IsCallback (60.0) is no
//! column, as Salesforce tells it. Run on the tree before the checks, which then see only what is served.

use super::SoqlError;
use crate::objects::{child_relationship, object, parent};
use crate::salesforce::schema::SObject;
use crate::soql::ast::{Condition, Expr, Query, Select, Spanned};

/// `INVALID_TYPE` for an object the version does not serve, `INVALID_FIELD` for a field (its own, a
/// parent's through a path, or a relationship's); `Ok` leaves every other name to the checks.
pub fn gate(query: &Query, major: u32) -> Result<(), SoqlError> {
    let Some(from) = object(&query.from.value) else {
        return Ok(());
    };
    if !from.available_in(major) {
        return Err(unsupported(&query.from));
    }
    gate_on(from, query, major)
}

/// Gates the names of `query`, a query of `from`, and of its subqueries.
fn gate_on(from: &'static SObject, query: &Query, major: u32) -> Result<(), SoqlError> {
    let mut names: Vec<&Spanned<String>> = Vec::new();
    match &query.select {
        Select::Count => {}
        Select::Fields(fields) => names.extend(fields),
        Select::Items(items) => names.extend(items.iter().filter_map(|i| named(&i.expr))),
    }
    names.extend(&query.group_by);
    names.extend(query.order.iter().filter_map(|o| named(&o.by)));
    for condition in query.filter.iter().chain(&query.having) {
        conditions(condition, &mut names);
    }
    for name in names {
        path(from, name, major)?;
    }
    for subquery in &query.subqueries {
        let sub = &subquery.value;
        // A relationship the checks do not know is theirs to refuse.
        let Some(relationship) = child_relationship(from, &sub.from.value) else {
            continue;
        };
        if !relationship.child.available_in(major) || !relationship.field.available_in(major) {
            return Err(unsupported(&sub.from));
        }
        gate_on(relationship.child, sub, major)?;
    }
    Ok(())
}

/// `INVALID_TYPE` naming an object the version does not serve.
fn unsupported(name: &Spanned<String>) -> SoqlError {
    SoqlError {
        code: "INVALID_TYPE",
        message: format!("sObject type '{}' is not supported.", name.value),
        position: name.position,
    }
}

/// Gates a field name of `object`, itself or a path through parents (`ContactRequest__r.IsCallback`):
/// each relationship crossed, each parent and the last field must be served. A polymorphic parent is
/// Salesforce's `Name` object, which every version has.
fn path(object: &'static SObject, name: &Spanned<String>, major: u32) -> Result<(), SoqlError> {
    let hops: Vec<&str> = name.value.split('.').collect();
    let Some((last, through)) = hops.split_last() else {
        return Ok(());
    };
    let mut on = object;
    for hop in through {
        let Some(reference) = on
            .fields
            .iter()
            .find(|f| f.relationship.is_some_and(|r| r.eq_ignore_ascii_case(hop)))
        else {
            return Ok(());
        };
        let target = match reference.reference_to {
            [one] => parent(one),
            _ => None,
        };
        if !reference.available_in(major) || target.is_some_and(|t| !t.available_in(major)) {
            return Err(super::no_such_column(on, name));
        }
        match target {
            Some(target) => on = target,
            None => return Ok(()),
        }
    }
    match on.field(last) {
        Some(field) if !field.available_in(major) => Err(super::no_such_column(on, name)),
        _ => Ok(()),
    }
}

/// The field an expression names, itself or aggregated.
fn named(expr: &Expr) -> Option<&Spanned<String>> {
    match expr {
        Expr::Field(name) => Some(name),
        Expr::Aggregate { field, .. } => field.as_ref(),
    }
}

fn conditions<'a>(condition: &'a Condition, names: &mut Vec<&'a Spanned<String>>) {
    match condition {
        Condition::And(parts) | Condition::Or(parts) => {
            for part in parts {
                conditions(part, names);
            }
        }
        Condition::Not(inner) => conditions(inner, names),
        Condition::Compare { field, .. } | Condition::In { field, .. } => {
            names.extend(named(field));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::parser::parse;

    fn at(text: &str, major: u32) -> Result<(), SoqlError> {
        gate(&parse(text).unwrap(), major)
    }

    #[test]
    fn objects_and_fields_are_served_from_the_version_that_introduced_them() {
        let table = [
            (
                "SELECT Id FROM EngagementInteraction",
                54,
                Some("INVALID_TYPE"),
            ),
            ("SELECT Id FROM EngagementInteraction", 55, None),
            (
                "SELECT Id, Reason FROM EngagementInteraction",
                55,
                Some("INVALID_FIELD"),
            ),
            ("SELECT Id, Reason FROM EngagementInteraction", 56, None),
            (
                "SELECT Id FROM EngagementInteraction WHERE PhoneNumber != null",
                56,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT Id FROM EngagementInteraction ORDER BY RecordTypeId",
                61,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT Id FROM EngagementInteraction ORDER BY RecordTypeId",
                62,
                None,
            ),
            (
                "SELECT IsCallback FROM ContactRequest",
                59,
                Some("INVALID_FIELD"),
            ),
            ("SELECT IsCallback FROM ContactRequest", 60, None),
            (
                "SELECT Status, COUNT(Id) FROM ContactRequest GROUP BY Status HAVING MAX(AvailableCallbackAttempts) > 1",
                65,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT COUNT() FROM ContactRequest WHERE NOT (DelayBetweenCallbackAttempts > 5)",
                65,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT COUNT() FROM ContactRequest WHERE NOT (DelayBetweenCallbackAttempts > 5)",
                66,
                None,
            ),
            ("SELECT Id FROM ContactRequest", 45, None),
            (
                "SELECT Id, (SELECT Id, Reason FROM EngagementInteractions__r) FROM ContactRequest",
                55,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT Id, (SELECT Id FROM EngagementInteractions__r) FROM ContactRequest",
                54,
                Some("INVALID_TYPE"),
            ),
            (
                "SELECT Id, (SELECT Id FROM EngagementInteractions__r) FROM ContactRequest",
                55,
                None,
            ),
            (
                "SELECT Id, ContactRequest__r.IsCallback FROM EngagementInteraction",
                59,
                Some("INVALID_FIELD"),
            ),
            (
                "SELECT Id, ContactRequest__r.IsCallback FROM EngagementInteraction",
                60,
                None,
            ),
            ("SELECT Id, Owner.Name FROM ContactRequest", 45, None),
        ];
        for (text, major, expected) in table {
            assert_eq!(
                at(text, major).err().map(|e| e.code),
                expected,
                "{text} at {major}"
            );
        }
        let error = at("SELECT Id, IsCallback FROM ContactRequest", 59).unwrap_err();
        assert_eq!(error.position, 11);
        assert!(
            error.message.contains("No such column 'IsCallback'"),
            "{}",
            error.message
        );
    }
}
