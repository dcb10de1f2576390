//! The one sharing model: which requests a caller sees and changes, decided from the caller's role and
//! queues, and applied by every path of the API that reaches a ContactRequest or one of its children.
//!
//! Supervisors and admins see and change every record (Salesforce's View All and Modify All). A
//! representative sees and changes the requests owned by themselves or by a queue they belong to; a
//! Task or EngagementInteraction follows the request it belongs to (and, belonging to none, its own
//! owner). A record the caller cannot see is answered as one that does not exist, so ids leak nothing.
//! Giving a request to another owner and deleting are limited further: see [`Visibility::may_give`]
//! and [`Visibility::may_delete`].

use axum::http::StatusCode;
use contact_shared::console::Role;

use super::Caller;
use crate::ids;
use crate::salesforce::SfError;
use crate::salesforce::schema::{SObject, Sharing};
use crate::store::{Column, Db, Filter, Operand, Select, StoreError, Value};

/// What one caller may see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    pub user: String,
    pub role: Role,
    /// The owners whose records a representative sees: themselves, then their queues. `None` for a
    /// role that sees everything.
    owners: Option<Vec<String>>,
}

impl Visibility {
    /// The caller's visibility, read in the transaction that uses it, so a membership changed
    /// meanwhile cannot widen it.
    pub fn of(db: &Db<'_>, caller: &Caller) -> Result<Self, StoreError> {
        let user = caller.user_id.as_str().to_owned();
        let owners = if caller.role.sees_everything() {
            None
        } else {
            let queues = db.queues_of(&user)?;
            Some(
                std::iter::once(user.clone())
                    .chain(queues.into_iter().map(|q| q.id))
                    .collect(),
            )
        };
        Ok(Self {
            user,
            role: caller.role,
            owners,
        })
    }

    /// The visibility a query's cursor kept from its first batch (see [`Self::owners`]), so that no
    /// later batch, in whichever process, shows more than the first could.
    pub fn kept(caller: &Caller, owners: Option<Vec<String>>) -> Self {
        Self {
            user: caller.user_id.as_str().to_owned(),
            role: caller.role,
            owners,
        }
    }

    /// The owners whose records the caller sees, for a cursor to keep; `None` when they see every record.
    pub fn owners(&self) -> Option<&[String]> {
        self.owners.as_deref()
    }

    /// Whether the caller sees every record (View All).
    pub fn sees_everything(&self) -> bool {
        self.owners.is_none()
    }

    /// Whether the caller sees the records `owner` owns.
    pub fn sees_owner(&self, owner: &str) -> bool {
        self.owners
            .as_ref()
            .is_none_or(|owners| owners.iter().any(|o| o == owner))
    }

    /// The filter of `object`'s records the caller sees, over their own columns; `None` when the caller
    /// sees them all.
    pub fn filter(&self, object: &SObject) -> Option<Filter> {
        let owners: Vec<Value> = self
            .owners
            .as_ref()?
            .iter()
            .map(|o| Value::Text(o.clone()))
            .collect();
        let owned_by = |owners: Vec<Value>| {
            Filter::In(
                Operand {
                    column: Column::Own("owner_id"),
                    text: false,
                },
                false,
                owners,
            )
        };
        match object.sharing {
            Sharing::Public => None,
            Sharing::Owned => Some(owned_by(owners)),
            Sharing::Child { column, parent } => {
                let belongs = |owners| Filter::InParent {
                    column: Column::Own(column),
                    parent: parent.table,
                    owner: "owner_id",
                    owners,
                };
                Some(Filter::Or(vec![
                    belongs(Some(owners.clone())),
                    Filter::And(vec![Filter::Not(Box::new(belongs(None))), owned_by(owners)]),
                ]))
            }
        }
    }

    /// Narrows a query of `object` to the records the caller sees; its cursor keeps the narrowed plan,
    /// so no later page shows more.
    pub fn narrow(&self, object: &SObject, select: &mut Select) {
        select.filter = Filter::and(select.filter.take(), self.filter(object));
    }

    /// Whether the caller sees the record `id` of `object` (`false` too when there is none).
    pub fn sees(&self, db: &Db<'_>, object: &SObject, id: &str) -> Result<bool, StoreError> {
        match self.filter(object) {
            None => Ok(true),
            Some(filter) => db.matches(object.storage(), id, &filter),
        }
    }

    /// `404 NOT_FOUND` unless the caller sees the record `id` of `object`: what a record that does not
    /// exist answers.
    pub fn check_sees(&self, db: &Db<'_>, object: &SObject, id: &str) -> Result<(), SfError> {
        if self.sees(db, object, id)? {
            Ok(())
        } else {
            Err(SfError::not_found())
        }
    }

    /// Whether the caller may make `owner` the owner of a request: a representative only themselves (a
    /// claim) or a queue they belong to (a return to the queue); supervisors and admins anyone (a
    /// reassign, to an active user or a queue, which the write checks as a reference).
    pub fn may_give(&self, owner: &str) -> Result<(), SfError> {
        if self.sees_owner(owner) {
            return Ok(());
        }
        let why = if owner.starts_with(ids::QUEUE_PREFIX) {
            format!(
                "you can return a request only to a queue you belong to, and {owner} is not one of yours"
            )
        } else {
            format!(
                "a representative can take a request for themselves or return it to their queue, but not \
                 give it to {owner}; ask a supervisor to reassign it"
            )
        };
        Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!("Owner ID: {why}"),
        )
        .on(["OwnerId"]))
    }

    /// Whether the caller may delete (or undelete) records of `object`: shared records only supervisors
    /// and admins.
    pub fn may_delete(&self, object: &SObject) -> Result<(), SfError> {
        if matches!(object.sharing, Sharing::Public) || self.role.sees_everything() {
            return Ok(());
        }
        Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!(
                "only supervisors and admins delete {} records; ask one to delete it",
                object.label
            ),
        ))
    }

    /// Checks that a child record of `object` may belong to `parent_id` (the value of its link to the
    /// parent): the caller must see that record. A representative is told the same whether it does not
    /// exist or they cannot see it, as Salesforce answers.
    pub fn check_parent(
        &self,
        db: &Db<'_>,
        object: &SObject,
        field: &str,
        parent_id: &str,
    ) -> Result<(), SfError> {
        let Sharing::Child { parent, .. } = object.sharing else {
            return Ok(());
        };
        if self.sees_everything() || !parent_id.starts_with(parent.key_prefix) {
            return Ok(());
        }
        if self.sees(db, parent, parent_id)?
            && db.record_state(parent.storage(), parent_id)?.is_some()
        {
            return Ok(());
        }
        Err(SfError::bad_request(
            "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
            format!(
                "insufficient access rights on cross-reference id: {parent_id}; a representative works \
                 only requests of their own and of their queues"
            ),
        )
        .on([field]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::object;

    fn representative(owners: &[&str]) -> Visibility {
        Visibility {
            user: owners[0].to_owned(),
            role: Role::Representative,
            owners: Some(owners.iter().map(|o| (*o).to_owned()).collect()),
        }
    }

    fn supervisor() -> Visibility {
        Visibility {
            user: "005000000000009AAA".into(),
            role: Role::Supervisor,
            owners: None,
        }
    }

    #[test]
    fn supervisors_are_never_narrowed() {
        for name in ["ContactRequest", "Task", "EngagementInteraction", "User"] {
            assert_eq!(supervisor().filter(object(name).unwrap()), None, "{name}");
        }
    }

    #[test]
    fn representatives_are_narrowed_on_shared_objects_only() {
        let rep = representative(&["005000000000002AAA", "00G000000000001EAA"]);
        let table = [
            ("ContactRequest", true),
            ("Task", true),
            ("EngagementInteraction", true),
            ("User", false),
            ("CallCenter", false),
        ];
        for (name, narrowed) in table {
            assert_eq!(
                rep.filter(object(name).unwrap()).is_some(),
                narrowed,
                "{name}"
            );
        }
    }

    #[test]
    fn a_representative_gives_requests_only_to_themselves_and_their_queues() {
        let rep = representative(&["005000000000002AAA", "00G000000000001EAA"]);
        let table = [
            ("005000000000002AAA", true, "themselves: a claim"),
            ("00G000000000001EAA", true, "their queue: a return"),
            ("00G000000000002EAA", false, "another queue"),
            ("005000000000003AAA", false, "another person"),
        ];
        for (owner, allowed, why) in table {
            assert_eq!(rep.may_give(owner).is_ok(), allowed, "{why}");
            assert!(supervisor().may_give(owner).is_ok(), "{why}");
        }
        let refused = rep.may_give("005000000000003AAA").unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.message.contains("supervisor"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn only_supervisors_and_admins_delete_shared_records() {
        let rep = representative(&["005000000000002AAA"]);
        let request = object("ContactRequest").unwrap();
        assert!(rep.may_delete(request).is_err());
        assert!(supervisor().may_delete(request).is_ok());
    }
}
