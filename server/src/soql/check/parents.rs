//! Parent fields: a name that is a path through references (`Owner.Name`, `CreatedBy.CallCenter.Name`)
//! resolved to the parent's field, each parent a join of the query. A reference that may point to more
//! than one kind of record (Owner: a User or a queue) reads its parent as Salesforce's `Name` object,
//! whose fields are [`NAME_FIELDS`]; kinds of record this server does not keep (Account, Contact…)
//! are no parent, so the path reads as empty.

use crate::objects;
use crate::salesforce::schema::prop::*;
use crate::salesforce::schema::{Field, FieldType, SObject, field};
use crate::soql::SoqlError;
use crate::soql::ast::Spanned;
use crate::store::{self, Column};

use super::{Placed, described};

/// How many relationships one path may cross, as in Salesforce.
pub const MAX_DEPTH: usize = 5;
/// How many parents one query may join, as Salesforce's relationships per query.
pub const MAX_JOINS: usize = 35;

/// The fields of Salesforce's `Name` object that this server fills: the fields a polymorphic parent
/// offers.
pub static NAME_FIELDS: [Field; 3] = [
    field(
        "Id",
        "Id",
        FieldType::Id,
        18,
        Column::Own("id"),
        FILTER | SORT,
    ),
    field(
        "Name",
        "Name",
        FieldType::String,
        255,
        Column::Own("name"),
        FILTER | SORT | NILLABLE,
    ),
    field(
        "Type",
        "Type",
        FieldType::Picklist,
        40,
        Column::Own("type"),
        FILTER | SORT | NILLABLE,
    ),
];

/// One parent a query reads: the record `reference` (a field of the record, or of the parent
/// `from`) points to.
#[derive(Debug, Clone)]
pub struct Parent {
    /// The reference whose relationship the path named.
    pub reference: &'static Field,
    /// The parent it hangs from: `None` for the record's own reference.
    pub from: Option<usize>,
    /// The kinds of record it may be that the server keeps.
    pub targets: Vec<&'static SObject>,
    /// The fields read of it, in column order (the id is always read).
    pub fields: Vec<&'static Field>,
    /// Whether the SELECT list shows it (a parent only filtered or ordered by is not in the record).
    pub shown: bool,
}

impl Parent {
    /// Whether the parent is read as Salesforce's `Name` object.
    pub fn polymorphic(&self) -> bool {
        self.reference.polymorphic()
    }

    /// The relationship's name as described (`Owner`).
    pub fn relationship(&self) -> &'static str {
        self.reference.relationship.unwrap_or(self.reference.name)
    }

    /// The join the store reads this parent with; `visible` is the filter of a kind of record's parents
    /// the caller may see.
    pub fn join(
        &self,
        on: Column,
        visible: &dyn Fn(&SObject) -> Option<store::Filter>,
    ) -> store::Join {
        let branches = self
            .targets
            .iter()
            .map(|target| store::Branch {
                table: target.table,
                object: target.name,
                live: target.field("IsDeleted").is_some(),
                columns: self
                    .fields
                    .iter()
                    .map(|field| source(target, field, self.polymorphic()))
                    .collect(),
                filter: visible(target),
            })
            .collect();
        store::Join {
            on,
            branches,
            columns: self.fields.len(),
        }
    }
}

/// What a branch of `target` reads for `field`: its own column, or for the `Name` object the target's
/// name field and its kind.
fn source(target: &SObject, field: &Field, polymorphic: bool) -> store::Source {
    let own = |field: &Field| match field.column {
        Column::Own(name) => store::Source::Own(name),
        _ => store::Source::Null,
    };
    if !polymorphic {
        return own(field);
    }
    match field.name {
        "Type" => store::Source::Text(kind(target)),
        name => target.field(name).map_or(store::Source::Null, own),
    }
}

/// The `Type` the `Name` object gives a record of `target`: a queue is a `Queue`.
fn kind(target: &SObject) -> &'static str {
    if target.name == "Group" {
        "Queue"
    } else {
        target.name
    }
}

/// The parents of a query, as its names are resolved.
#[derive(Debug, Clone, Default)]
pub struct Parents {
    pub joins: Vec<Parent>,
}

impl Parents {
    /// The field `name` names on `object`: its own, or a parent's through a path; `shown` when the
    /// SELECT list names it.
    pub fn resolve(
        &mut self,
        object: &'static SObject,
        name: &Spanned<String>,
        shown: bool,
    ) -> Result<Placed, SoqlError> {
        let hops: Vec<&str> = name.value.split('.').collect();
        let Some((last, through)) = hops.split_last() else {
            return Err(SoqlError::malformed(
                name.position,
                "expecting a field name",
            ));
        };
        if through.is_empty() {
            let field = described(object, name)?;
            return Ok(Placed {
                field,
                column: field.column,
            });
        }
        if through.len() > MAX_DEPTH {
            return Err(SoqlError::malformed(
                name.position,
                format!(
                    "{}: a path may cross at most {MAX_DEPTH} relationships",
                    name.value
                ),
            ));
        }
        let mut on: &'static SObject = object;
        let mut from: Option<usize> = None;
        for hop in through {
            let reference = on
                .fields
                .iter()
                .find(|f| f.relationship.is_some_and(|r| r.eq_ignore_ascii_case(hop)))
                .ok_or_else(|| not_understood(hop, name.position))?;
            // A polymorphic parent is a `Name`, which has no relationships of its own.
            if from.is_some_and(|j| self.joins[j].polymorphic()) {
                return Err(not_understood(hop, name.position));
            }
            if let Some(above) = from {
                // The parent above reads the reference its own parent is found by.
                let above = &mut self.joins[above];
                if !above.fields.iter().any(|f| f.name == reference.name) {
                    above.fields.push(reference);
                }
            }
            let index = self.join(reference, from, name.position)?;
            if shown {
                self.joins[index].shown = true;
            }
            from = Some(index);
            if !reference.polymorphic() {
                // A single kind of record: the path goes on through its own fields.
                on = match self.joins[index].targets.first() {
                    Some(target) => target,
                    None => return Err(not_understood(hop, name.position)),
                };
            }
        }
        let join = from.unwrap_or_default();
        let parent = &self.joins[join];
        let field: &'static Field = if parent.polymorphic() {
            NAME_FIELDS
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(last))
                .ok_or_else(|| no_column(last, "Name", name.position))?
        } else {
            let found = described(
                on,
                &Spanned {
                    value: (*last).to_owned(),
                    position: name.position,
                },
            )?;
            if !matches!(found.column, Column::Own(_)) {
                return Err(no_column(last, on.name, name.position));
            }
            found
        };
        let join_u8 = u8::try_from(join).unwrap_or(u8::MAX);
        if field.ty == FieldType::Id {
            return Ok(Placed {
                field,
                column: Column::Joined {
                    join: join_u8,
                    n: store::Join::ID,
                },
            });
        }
        let parent = &mut self.joins[join];
        let at = match parent.fields.iter().position(|f| f.name == field.name) {
            Some(at) => at,
            None => {
                parent.fields.push(field);
                parent.fields.len() - 1
            }
        };
        Ok(Placed {
            field,
            column: Column::Joined {
                join: join_u8,
                n: u8::try_from(at + 2).unwrap_or(u8::MAX),
            },
        })
    }

    /// The index of the join of `reference` from `from`, added if new.
    fn join(
        &mut self,
        reference: &'static Field,
        from: Option<usize>,
        position: usize,
    ) -> Result<usize, SoqlError> {
        if let Some(known) = self
            .joins
            .iter()
            .position(|j| j.from == from && j.reference.name == reference.name)
        {
            return Ok(known);
        }
        if self.joins.len() >= MAX_JOINS {
            return Err(SoqlError::malformed(
                position,
                format!("a query may read at most {MAX_JOINS} parent relationships"),
            ));
        }
        self.joins.push(Parent {
            reference,
            from,
            targets: reference
                .reference_to
                .iter()
                .filter_map(|name| objects::parent(name))
                .collect(),
            fields: Vec::new(),
            shown: false,
        });
        Ok(self.joins.len() - 1)
    }

    /// The store's joins, each on the column of the record or of its parent join that holds its id.
    pub fn plan(&self, visible: &dyn Fn(&SObject) -> Option<store::Filter>) -> Vec<store::Join> {
        self.joins
            .iter()
            .map(|parent| {
                let on = match parent.from {
                    None => parent.reference.column,
                    Some(from) => {
                        let above = &self.joins[from];
                        let n = above
                            .fields
                            .iter()
                            .position(|f| f.name == parent.reference.name)
                            .map_or(usize::from(store::Join::ID), |at| at + 2);
                        Column::Joined {
                            join: u8::try_from(from).unwrap_or(u8::MAX),
                            n: u8::try_from(n).unwrap_or(u8::MAX),
                        }
                    }
                };
                parent.join(on, visible)
            })
            .collect()
    }
}

fn not_understood(hop: &str, position: usize) -> SoqlError {
    SoqlError::field(
        position,
        format!(
            "Didn't understand relationship '{hop}' in field path. If you are attempting to use a custom \
             relationship, be sure to append the '__r' after the custom relationship name. Please reference \
             your WSDL or the describe call for the appropriate names."
        ),
    )
}

fn no_column(name: &str, entity: &str, position: usize) -> SoqlError {
    SoqlError::field(
        position,
        format!(
            "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be \
             sure to append the '__c' after the custom field name. Please reference your WSDL or the describe \
             call for the appropriate names."
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::soql::check::check;
    use crate::soql::parser::parse;
    use crate::store::{self, Column, Filter};

    /// A parent the caller may not see is no parent: its branch holds the caller's filter of its
    /// object, and a reference to kinds of record the server does not keep finds nothing.
    #[test]
    fn a_parents_branch_keeps_only_what_the_caller_sees() {
        let checked = check(
            &parse("SELECT Id, What.Name FROM Task WHERE What.Name LIKE 'CR-%'").unwrap(),
            jiff::Timestamp::now(),
        )
        .unwrap();
        let hidden = Filter::IsNull(Column::Own("owner_id"), true);
        let select = checked.select("005000000000002AAA", false, &|object| {
            (object.name == "ContactRequest").then(|| hidden.clone())
        });
        assert_eq!(select.joins.len(), 1);
        let branches = &select.joins[0].branches;
        assert_eq!(branches.len(), 1, "only ContactRequest is kept here");
        assert_eq!(branches[0].filter, Some(hidden));
        let sql = store::render_for_tests(&select).page;
        let text = format!("{sql:?}");
        assert!(text.contains("LEFT JOIN (SELECT c.id AS f0"), "{text}");
        assert!(text.contains("c.owner_id IS NULL"), "{text}");

        let none = check(
            &parse("SELECT What.Name FROM ContactRequest").unwrap(),
            jiff::Timestamp::now(),
        )
        .unwrap();
        let select = none.select("005000000000002AAA", false, &|_| None);
        assert!(select.joins[0].branches.is_empty());
        let text = format!("{:?}", store::render_for_tests(&select).page);
        assert!(text.contains("WHERE 1 = 0"), "{text}");
    }
}
