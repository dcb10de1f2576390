//! Checking a parsed search against the objects' descriptions: each RETURNING object must exist and be
//! searchable, and is checked as the SOQL query it amounts to (`SELECT fields FROM Object WHERE …`), so
//! its fields, filters and order follow SOQL's rules and errors. The result is one store plan per object:
//! the search's terms over the object's fields in scope, ANDed with the object's own WHERE.

use jiff::Timestamp;

use super::parser::{Returning, Search};
use super::term::Expr;
use super::{MAX_RECORDS, Scope, SoslError};
use crate::objects::{OBJECTS, object, searchable};
use crate::salesforce::schema::{Field, FieldType, SObject};
use crate::soql::ast::{self, Select, Spanned};
use crate::soql::check::{Checked, check_at as check_soql};
use crate::store::{self, Column};

/// A search whose objects, fields and values are all checked.
#[derive(Debug, Clone)]
pub struct CheckedSearch {
    pub objects: Vec<Found>,
    /// The most records the whole search answers.
    pub limit: u64,
}

/// One object a search returns, as a checked query, and its search condition.
#[derive(Debug, Clone)]
pub struct Found {
    pub query: Checked,
    /// The fields each record answers with (the id alone when the search named none).
    pub fields: Vec<&'static Field>,
    search: store::Filter,
}

impl Found {
    /// The store's plan of this object's part of the search for `user`, at most `limit` records; the
    /// caller narrows it to what the user may see.
    pub fn select(&self, user: &str, limit: u64) -> store::Select {
        let mut select = self.query.select(user, false, &|_| None);
        select.filter = store::Filter::and(Some(self.search.clone()), select.filter.take());
        select.limit = Some(select.limit.map_or(limit, |l| l.min(limit)));
        select
    }
}

/// Checks `search` as API version `major` serves objects and fields; `now` anchors relative dates in
/// WHERE clauses.
pub fn check(search: &Search, now: Timestamp, major: u32) -> Result<CheckedSearch, SoslError> {
    let objects = if search.returning.is_empty() {
        OBJECTS
            .iter()
            .copied()
            .filter(|o| searchable(o) && o.available_in(major))
            .map(|o| found(search, &every(o), now, major))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        search
            .returning
            .iter()
            .map(|r| found(search, r, now, major))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(CheckedSearch {
        objects,
        limit: search
            .limit
            .as_ref()
            .map_or(MAX_RECORDS, |l| l.value.min(MAX_RECORDS)),
    })
}

/// `RETURNING object` with nothing more, for a search that names no object.
fn every(object: &SObject) -> Returning {
    Returning {
        object: Spanned {
            value: object.name.to_owned(),
            position: 0,
        },
        fields: Vec::new(),
        clauses: crate::soql::parser::Clauses {
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
        },
    }
}

fn found(
    search: &Search,
    returning: &Returning,
    now: Timestamp,
    major: u32,
) -> Result<Found, SoslError> {
    let name = &returning.object;
    let described = object(&name.value)
        .filter(|o| o.available_in(major))
        .ok_or_else(|| SoslError {
            code: "INVALID_TYPE",
            message: format!("sObject type '{}' is not supported.", name.value),
            position: name.position,
        })?;
    if !searchable(described) {
        return Err(SoslError {
            code: "INVALID_TYPE",
            message: format!(
                "entity type {} does not support search; search ContactRequest or EngagementInteraction, \
                 or query {} with SOQL",
                described.name, described.name
            ),
            position: name.position,
        });
    }
    let fields = if returning.fields.is_empty() {
        vec![Spanned {
            value: "Id".to_owned(),
            position: name.position,
        }]
    } else {
        returning.fields.clone()
    };
    let clauses = &returning.clauses;
    let query = ast::Query {
        select: Select::Fields(fields),
        from: name.clone(),
        filter: clauses.filter.clone(),
        group_by: Vec::new(),
        having: None,
        order: clauses.order.clone(),
        limit: clauses.limit.clone(),
        offset: clauses.offset.clone(),
        tracking: None,
        subqueries: Vec::new(),
    };
    let query = check_soql(&query, now, major)?;
    if let Some(parent) = query.parents.joins.first() {
        return Err(SoslError::malformed(
            name.position,
            format!(
                "a search's RETURNING fields are the object's own: {} is a parent's",
                parent.relationship()
            ),
        ));
    }
    let fields = query.fields.clone().unwrap_or_default();
    let columns = in_scope(described, search.scope, major);
    Ok(Found {
        search: plan(&search.terms, &columns),
        fields,
        query,
    })
}

/// The columns of `object` a search in `scope` looks in, each marked when it holds a phone number:
/// text, phone and email fields for ALL; the name field for NAME; the email or phone fields. Only
/// fields API version `major` serves.
pub fn in_scope(object: &SObject, scope: Scope, major: u32) -> Vec<(Column, bool)> {
    object
        .fields_in(major)
        .filter(|f| matches!(f.column, Column::Own(_)))
        .filter(|f| match scope {
            Scope::All => matches!(
                f.ty,
                FieldType::String | FieldType::TextArea | FieldType::Phone | FieldType::Email
            ),
            Scope::Name => f.name == "Name",
            Scope::Email => f.ty == FieldType::Email,
            Scope::Phone => f.ty == FieldType::Phone,
        })
        .map(|f| (f.column, f.ty == FieldType::Phone))
        .collect()
}

fn plan(terms: &Expr, columns: &[(Column, bool)]) -> store::Filter {
    let all = |parts: &[Expr]| parts.iter().map(|p| plan(p, columns)).collect();
    match terms {
        Expr::And(parts) => store::Filter::And(all(parts)),
        Expr::Or(parts) => store::Filter::Or(all(parts)),
        Expr::Not(inner) => store::Filter::Not(Box::new(plan(inner, columns))),
        Expr::Term(words) => store::Filter::Search {
            columns: columns.to_vec(),
            words: words.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sosl::parser::parse;

    fn checked(text: &str) -> Result<CheckedSearch, SoslError> {
        check(
            &parse(text).unwrap(),
            Timestamp::now(),
            crate::sobjects::LATEST_VERSION,
        )
    }

    #[test]
    fn a_search_without_returning_covers_every_searchable_object() {
        let names: Vec<&str> = checked("FIND {ann}")
            .unwrap()
            .objects
            .iter()
            .map(|f| f.query.object.name)
            .collect();
        assert_eq!(names, ["ContactRequest", "EngagementInteraction"]);
    }

    #[test]
    fn objects_and_fields_are_checked_as_soql_checks_them() {
        let table = [
            (
                "FIND {ann} RETURNING Account",
                "INVALID_TYPE",
                "an unknown object",
            ),
            (
                "FIND {ann} RETURNING CallCenter",
                "INVALID_TYPE",
                "an object that is not searchable",
            ),
            (
                "FIND {ann} RETURNING ContactRequest(Nope)",
                "INVALID_FIELD",
                "an unknown field",
            ),
            (
                "FIND {ann} RETURNING ContactRequest(Id WHERE RequestDescription = 'x')",
                "INVALID_FIELD",
                "a field that cannot be filtered",
            ),
        ];
        for (text, code, why) in table {
            assert_eq!(checked(text).unwrap_err().code, code, "{why}");
        }
    }

    #[test]
    fn the_scope_picks_the_fields_searched() {
        let request = object("ContactRequest").unwrap();
        assert_eq!(
            in_scope(request, Scope::Email, 66),
            vec![(Column::Own("visitor_email"), false)]
        );
        assert!(
            in_scope(request, Scope::Phone, 66)
                .iter()
                .all(|(_, phone)| *phone)
        );
        assert_eq!(in_scope(request, Scope::Name, 66).len(), 1);
        assert!(in_scope(request, Scope::All, 66).len() > 5);
    }

    #[test]
    fn limits_are_capped_at_salesforces_maximum() {
        assert_eq!(checked("FIND {ann} LIMIT 5000").unwrap().limit, MAX_RECORDS);
        assert_eq!(checked("FIND {ann} LIMIT 7").unwrap().limit, 7);
    }
}
