//! Relationship subqueries: `(SELECT Id, Subject FROM Tasks WHERE … ORDER BY … LIMIT n)` in a query's
//! SELECT list, a query of the records of one of the object's child relationships (describe's
//! `childRelationships`), each parent's own LIMIT of them. A subquery holds fields, parent fields, WHERE,
//! ORDER BY and LIMIT; not another subquery (the parser refuses it), an aggregate, OFFSET or FOR VIEW.

use jiff::Timestamp;

use crate::objects::child_relationship;
use crate::salesforce::schema::{Field, SObject};
use crate::soql::SoqlError;
use crate::soql::ast::{self, Spanned};

use super::{Checked, group, records};

/// A checked relationship subquery.
#[derive(Debug, Clone)]
pub struct Child {
    /// The child relationship as described (`Tasks`), the key of each parent's records.
    pub name: &'static str,
    /// The child's reference to the parent.
    pub link: &'static Field,
    /// The query of the children, its LIMIT each parent's.
    pub query: Box<Checked>,
}

/// Checks `subquery` of a query of `parent`.
pub fn check(
    parent: &'static SObject,
    subquery: &Spanned<ast::Query>,
    now: Timestamp,
) -> Result<Child, SoqlError> {
    let query = &subquery.value;
    let relationship = child_relationship(parent, &query.from.value).ok_or_else(|| SoqlError {
        code: "INVALID_TYPE",
        message: format!(
            "Didn't understand relationship '{}' in FROM part of query call. If you are attempting to use \
             a custom relationship, be sure to append the '__r' after the custom relationship name. Please \
             reference your WSDL or the describe call for the appropriate names.",
            query.from.value
        ),
        position: query.from.position,
    })?;
    let refuse = |position: usize, what: &str| {
        Err(SoqlError::malformed(
            position,
            format!("a relationship subquery cannot have {what}"),
        ))
    };
    if group::is_aggregate(query) {
        return refuse(subquery.position, "GROUP BY, HAVING or aggregate functions");
    }
    if matches!(query.select, ast::Select::Count) {
        return refuse(subquery.position, "COUNT()");
    }
    if let Some(offset) = &query.offset {
        return refuse(offset.position, "an OFFSET");
    }
    if query.tracking.is_some() {
        return refuse(subquery.position, "FOR VIEW or FOR REFERENCE");
    }
    let checked = records(relationship.child, query, now)?;
    Ok(Child {
        name: relationship
            .field
            .children
            .unwrap_or(relationship.child.name),
        link: relationship.field,
        query: Box::new(checked),
    })
}
