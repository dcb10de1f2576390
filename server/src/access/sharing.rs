//! The one sharing model: which requests a caller sees and changes, decided from the caller's role, their
//! queues, the organisation-wide default, manual shares (ContactRequestShare) and owner sharing rules
//! (ContactRequestOwnerSharingRule), and applied by every path of the API that reaches a ContactRequest
//! or one of its children.
//!
//! Supervisors and admins see and change every record (Salesforce's View All and Modify All). A
//! representative reads and edits the requests owned by themselves or by a queue they belong to; the
//! organisation-wide default (Private unless set) opens every request to Read or to Edit; a manual
//! share gives one request to a user or a queue at Read or Edit; an owner sharing rule gives the
//! requests owned by a queue and by its members to a user or a queue at Read or Edit. A Task or
//! EngagementInteraction follows the request it belongs to (and, belonging to none, its own owner); a
//! share follows the request it shares, and only whoever may share that request changes it. A record
//! the caller cannot see is answered as one that does not exist, so ids leak nothing; one they read but
//! may not edit is `403 INSUFFICIENT_ACCESS_OR_READONLY` on a write. Giving a request to another owner
//! and deleting are limited further: see [`Visibility::may_give`] and [`Visibility::may_delete`]. Call
//! centers and their additional numbers (`Sharing::Configured`) everyone reads and only admins change,
//! never the records the call-center file keeps.

use axum::http::StatusCode;
use contact_shared::console::Role;
use serde::{Deserialize, Serialize};

use super::Caller;
use crate::ids;
use crate::salesforce::SfError;
use crate::salesforce::schema::{SObject, Sharing};
use crate::store::{Column, Db, Filter, Operand, Select, StoreError, Value};

/// A level of access to a record, as shares, rules and the organisation-wide default name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    Read,
    Edit,
}

impl Level {
    /// The level a stored or given access level names (`All` is more than Edit: the owner's).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "Read" => Some(Self::Read),
            "Edit" | "All" => Some(Self::Edit),
            _ => None,
        }
    }

    /// The share access levels that give at least this level.
    fn share_levels(self) -> Vec<Value> {
        let names: &[&str] = match self {
            Self::Read => &["Read", "Edit", "All"],
            Self::Edit => &["Edit", "All"],
        };
        names.iter().map(|n| Value::Text((*n).to_owned())).collect()
    }
}

/// The table of manual shares of requests.
const SHARES: &str = "contact_request_shares";

/// What a representative's access rests on: kept by a query's cursor, so that no later batch shows more
/// than the first could (a share removed meanwhile still takes its record away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    /// Themselves, then their queues: the owners whose records they read and edit, and the grantees a
    /// share or a rule names for them.
    owners: Vec<String>,
    /// The owners whose records a sharing rule gives them at Read only.
    read_owners: Vec<String>,
    /// The owners whose records a sharing rule gives them at Edit.
    edit_owners: Vec<String>,
    /// The organisation-wide default: `None` for Private.
    default: Option<Level>,
}

/// What one caller may see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    pub user: String,
    pub role: Role,
    /// `None` for a role that sees and changes everything.
    grants: Option<Grants>,
}

/// The organisation-wide default as stored (`Private`, `Read`, `Edit`).
pub fn default_level(stored: &str) -> Option<Level> {
    Level::parse(stored)
}

impl Visibility {
    /// The caller's visibility, read in the transaction that uses it, so a membership, share or rule
    /// changed meanwhile cannot widen it.
    pub fn of(db: &Db<'_>, caller: &Caller) -> Result<Self, StoreError> {
        let user = caller.user_id.as_str().to_owned();
        let grants = if caller.role.sees_everything() {
            None
        } else {
            let queues = db.queues_of(&user)?;
            let owners: Vec<String> = std::iter::once(user.clone())
                .chain(queues.into_iter().map(|q| q.id))
                .collect();
            let (mut read_owners, mut edit_owners) = (Vec::new(), Vec::new());
            for rule in db.rules_for(&owners)? {
                let into = match Level::parse(&rule.access_level) {
                    Some(Level::Edit) => &mut edit_owners,
                    _ => &mut read_owners,
                };
                into.extend(db.member_ids(&rule.group_id)?);
                into.push(rule.group_id);
            }
            for list in [&mut read_owners, &mut edit_owners] {
                list.sort();
                list.dedup();
            }
            Some(Grants {
                owners,
                read_owners,
                edit_owners,
                default: default_level(&db.sharing_default()?),
            })
        };
        Ok(Self {
            user,
            role: caller.role,
            grants,
        })
    }

    /// The visibility a query's cursor kept from its first batch (see [`Self::kept_grants`]); `None`
    /// when what was kept no longer reads.
    pub fn kept(caller: &Caller, kept: Option<&str>) -> Option<Self> {
        let grants = match kept {
            None => None,
            Some(text) => Some(serde_json::from_str(text).ok()?),
        };
        Some(Self {
            user: caller.user_id.as_str().to_owned(),
            role: caller.role,
            grants,
        })
    }

    /// What a cursor keeps of this visibility; `None` when the caller sees every record.
    pub fn kept_grants(&self) -> Option<String> {
        self.grants
            .as_ref()
            .map(|g| serde_json::to_string(g).unwrap_or_default())
    }

    /// Whether the caller sees every record (View All).
    pub fn sees_everything(&self) -> bool {
        self.grants.is_none()
    }

    /// Whether `owner` is the caller or one of their queues: whose requests they work, claim and give.
    pub fn works_for(&self, owner: &str) -> bool {
        self.grants
            .as_ref()
            .is_none_or(|g| g.owners.iter().any(|o| o == owner))
    }

    /// Whether the caller reads every record `owner` owns: their own, their queues', those a rule gives
    /// them, or all by the organisation-wide default. (Manual shares give single records: see
    /// [`Self::filter`].)
    pub fn sees_owner(&self, owner: &str) -> bool {
        self.grants.as_ref().is_none_or(|g| {
            g.default.is_some()
                || [&g.owners, &g.read_owners, &g.edit_owners]
                    .iter()
                    .any(|list| list.iter().any(|o| o == owner))
        })
    }

    /// The filter of `object`'s records the caller reads, over their own columns; `None` when the caller
    /// reads them all.
    pub fn filter(&self, object: &SObject) -> Option<Filter> {
        self.filter_at(object, Level::Read)
    }

    /// The filter of `object`'s records the caller has `level` on; `None` when they have it on all.
    pub fn filter_at(&self, object: &SObject, level: Level) -> Option<Filter> {
        // Before View All: supervisors see every record, but only admins change the sharing rules and
        // the call centers, and no one what the call-center file keeps.
        match object.sharing {
            Sharing::Setup => {
                return (level == Level::Edit && !self.role.administers()).then(nothing);
            }
            Sharing::Configured { from_file } => {
                return match level {
                    Level::Read => None,
                    Level::Edit if self.role.administers() => Some(Filter::In(
                        Operand {
                            column: Column::Own(from_file),
                            text: false,
                        },
                        false,
                        vec![Value::Integer(0)],
                    )),
                    Level::Edit => Some(nothing()),
                };
            }
            _ => {}
        }
        let grants = self.grants.as_ref()?;
        match object.sharing {
            Sharing::Public | Sharing::Setup | Sharing::Configured { .. } => None,
            Sharing::Owned => grants.owned(level),
            Sharing::Child { column, parent } => {
                let belongs = |within: Option<Filter>| Filter::InParent {
                    column: Column::Own(column),
                    parent: parent.table,
                    within: within.map(Box::new),
                };
                Some(Filter::Or(vec![
                    belongs(self.filter_at(parent, level)),
                    Filter::And(vec![
                        Filter::Not(Box::new(belongs(None))),
                        owned_by(&grants.owners),
                    ]),
                ]))
            }
            Sharing::Share { column, parent } => {
                let within = match level {
                    Level::Read => self.filter_at(parent, Level::Read)?,
                    // Only the request's owner shares it (or View All, above).
                    Level::Edit => owned_by(std::slice::from_ref(&self.user)),
                };
                Some(Filter::InParent {
                    column: Column::Own(column),
                    parent: parent.table,
                    within: Some(Box::new(within)),
                })
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
        self.has(db, object, id, Level::Read)
    }

    /// Whether the caller has `level` on the record `id` of `object` (`false` too when there is none).
    pub fn has(
        &self,
        db: &Db<'_>,
        object: &SObject,
        id: &str,
        level: Level,
    ) -> Result<bool, StoreError> {
        match self.filter_at(object, level) {
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

    /// As [`Self::check_sees`], and then `403 INSUFFICIENT_ACCESS_OR_READONLY` unless the caller may
    /// also edit it (a Read share, say).
    pub fn check_edits(&self, db: &Db<'_>, object: &SObject, id: &str) -> Result<(), SfError> {
        self.check_sees(db, object, id)?;
        if self.has(db, object, id, Level::Edit)? {
            return Ok(());
        }
        let why = match object.sharing {
            Sharing::Setup => "only admins change the sharing rules".to_owned(),
            Sharing::Configured { .. } if self.role.administers() => format!(
                "this {} comes from the call-center file, which sets it again at each start; change it there",
                object.label
            ),
            Sharing::Configured { .. } => format!("only admins change {}", object.label_plural),
            Sharing::Share { .. } => {
                "only the request's owner, a supervisor or an admin changes its shares".to_owned()
            }
            _ => format!(
                "you can read this {} but not edit it; ask its owner for Edit access",
                object.label
            ),
        };
        Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!("insufficient access rights on object id {id}: {why}"),
        ))
    }

    /// Whether the caller may make `owner` the owner of a request: a representative only themselves (a
    /// claim) or a queue they belong to (a return to the queue); supervisors and admins anyone (a
    /// reassign, to an active user or a queue, which the write checks as a reference).
    pub fn may_give(&self, owner: &str) -> Result<(), SfError> {
        if self.works_for(owner) {
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

    /// Whether the caller may create records of `object` at all: sharing rules only admins.
    pub fn may_create(&self, object: &SObject) -> Result<(), SfError> {
        if !matches!(object.sharing, Sharing::Setup | Sharing::Configured { .. })
            || self.role.administers()
        {
            return Ok(());
        }
        Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!(
                "only admins manage {}; ask one to add it",
                object.label_plural
            ),
        ))
    }

    /// Whether the caller may delete (or undelete) records of `object`: requests and their children only
    /// supervisors and admins, sharing rules only admins; a share whoever may change it.
    pub fn may_delete(&self, object: &SObject) -> Result<(), SfError> {
        let allowed = match object.sharing {
            Sharing::Public | Sharing::Share { .. } => true,
            Sharing::Setup | Sharing::Configured { .. } => self.role.administers(),
            Sharing::Owned | Sharing::Child { .. } => self.role.sees_everything(),
        };
        if allowed {
            return Ok(());
        }
        Err(SfError::new(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!(
                "only {} delete {} records; ask one to delete it",
                if matches!(object.sharing, Sharing::Setup | Sharing::Configured { .. }) {
                    "admins"
                } else {
                    "supervisors and admins"
                },
                object.label
            ),
        ))
    }

    /// Checks that a child record of `object` may belong to `parent_id` (the value of its link to the
    /// parent): the caller must see that record, and for a share, may share it. A representative is
    /// told the same whether it does not exist or they cannot see it, as Salesforce answers.
    pub fn check_parent(
        &self,
        db: &Db<'_>,
        object: &SObject,
        field: &str,
        parent_id: &str,
    ) -> Result<(), SfError> {
        let (parent, level, why) = match object.sharing {
            Sharing::Child { parent, .. } => (
                parent,
                Level::Read,
                "a representative works only requests they can see",
            ),
            Sharing::Share { parent, .. } => (
                parent,
                Level::Edit,
                "only the request's owner, a supervisor or an admin shares it",
            ),
            _ => return Ok(()),
        };
        let shares = matches!(object.sharing, Sharing::Share { .. });
        // A child may name a record of another system; a share only a request, checked by its field.
        if self.sees_everything() && !shares || !parent_id.starts_with(parent.key_prefix) {
            return Ok(());
        }
        let exists = db.record_state(parent.storage(), parent_id)?.is_some();
        let may = if shares {
            exists
                && (self.sees_everything()
                    || db.request_owner(parent_id)?.as_deref() == Some(self.user.as_str()))
        } else {
            exists && self.has(db, parent, parent_id, level)?
        };
        if may {
            return Ok(());
        }
        Err(SfError::bad_request(
            "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
            format!("insufficient access rights on cross-reference id: {parent_id}; {why}"),
        )
        .on([field]))
    }
}

/// Sets the organisation-wide default access to requests (`Private`, `Read` or `Edit`): every user's
/// next call sees it.
pub async fn set_default(
    store: &crate::store::Store,
    access: &'static str,
) -> Result<(), StoreError> {
    store.write(move |tx| tx.set_sharing_default(access)).await
}

impl Grants {
    /// The filter of an owned object's records these grants give `level` on; `None` for all of them.
    fn owned(&self, level: Level) -> Option<Filter> {
        if self.default.is_some_and(|default| default >= level) {
            return None;
        }
        let mut by_rule: Vec<String> = self.edit_owners.clone();
        if level == Level::Read {
            by_rule.extend(self.read_owners.iter().cloned());
        }
        let mut owners = self.owners.clone();
        owners.extend(by_rule);
        Some(Filter::Or(vec![
            owned_by(&owners),
            Filter::Shared {
                table: SHARES,
                with: self.owners.iter().map(|o| Value::Text(o.clone())).collect(),
                levels: level.share_levels(),
            },
        ]))
    }
}

/// Records owned by one of `owners`.
fn owned_by(owners: &[String]) -> Filter {
    Filter::In(
        Operand {
            column: Column::Own("owner_id"),
            text: false,
        },
        false,
        owners.iter().map(|o| Value::Text(o.clone())).collect(),
    )
}

/// No record.
fn nothing() -> Filter {
    owned_by(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::object;

    fn representative(owners: &[&str]) -> Visibility {
        Visibility {
            user: owners[0].to_owned(),
            role: Role::Representative,
            grants: Some(Grants {
                owners: owners.iter().map(|o| (*o).to_owned()).collect(),
                read_owners: Vec::new(),
                edit_owners: Vec::new(),
                default: None,
            }),
        }
    }

    fn supervisor() -> Visibility {
        Visibility {
            user: "005000000000009AAA".into(),
            role: Role::Supervisor,
            grants: None,
        }
    }

    #[test]
    fn supervisors_are_never_narrowed() {
        for name in [
            "ContactRequest",
            "Task",
            "EngagementInteraction",
            "User",
            "ContactRequestShare",
        ] {
            assert_eq!(supervisor().filter(object(name).unwrap()), None, "{name}");
            assert_eq!(
                supervisor().filter_at(object(name).unwrap(), Level::Edit),
                None,
                "{name}"
            );
        }
    }

    #[test]
    fn representatives_are_narrowed_on_shared_objects_only() {
        let rep = representative(&["005000000000002AAA", "00G000000000001EAA"]);
        let table = [
            ("ContactRequest", true),
            ("Task", true),
            ("EngagementInteraction", true),
            ("ContactRequestShare", true),
            ("ContactRequestOwnerSharingRule", false),
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
        let rules = object("ContactRequestOwnerSharingRule").unwrap();
        assert!(
            rep.filter_at(rules, Level::Edit).is_some(),
            "only admins edit rules"
        );
        assert!(
            supervisor().filter_at(rules, Level::Edit).is_some(),
            "nor supervisors"
        );
        let admin = Visibility {
            role: Role::Admin,
            ..supervisor()
        };
        assert_eq!(admin.filter_at(rules, Level::Edit), None);
    }

    #[test]
    fn the_organisation_wide_default_opens_requests_at_its_level_and_no_further() {
        let mut rep = representative(&["005000000000002AAA"]);
        let request = object("ContactRequest").unwrap();
        let table = [
            (None, true, true, "Private: narrowed to read and to edit"),
            (Some(Level::Read), false, true, "Public Read Only"),
            (Some(Level::Edit), false, false, "Public Read/Write"),
        ];
        for (default, read_narrowed, edit_narrowed, why) in table {
            rep.grants.as_mut().unwrap().default = default;
            assert_eq!(rep.filter(request).is_some(), read_narrowed, "{why}");
            assert_eq!(
                rep.filter_at(request, Level::Edit).is_some(),
                edit_narrowed,
                "{why}"
            );
        }
    }

    #[test]
    fn a_rule_at_read_opens_an_owner_to_read_only() {
        let mut rep = representative(&["005000000000002AAA"]);
        rep.grants.as_mut().unwrap().read_owners = vec!["005000000000003AAA".into()];
        assert!(rep.sees_owner("005000000000003AAA"));
        assert!(!rep.works_for("005000000000003AAA"));
        let request = object("ContactRequest").unwrap();
        let read = format!("{:?}", rep.filter(request).unwrap());
        let edit = format!("{:?}", rep.filter_at(request, Level::Edit).unwrap());
        assert!(read.contains("005000000000003AAA"), "{read}");
        assert!(!edit.contains("005000000000003AAA"), "{edit}");
    }

    #[test]
    fn kept_grants_read_back_as_they_were() {
        let rep = representative(&["005000000000002AAA", "00G000000000001EAA"]);
        let caller = Caller {
            user_id: crate::ids::UserId::stored("005000000000002AAA".into()),
            scope: super::super::Scope::Write,
            role: Role::Representative,
        };
        let kept = Visibility::kept(&caller, rep.kept_grants().as_deref()).unwrap();
        assert_eq!(kept, rep);
        assert!(Visibility::kept(&caller, Some("[\"005000000000002AAA\"]")).is_none());
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
        let rules = object("ContactRequestOwnerSharingRule").unwrap();
        assert!(
            supervisor().may_delete(rules).is_err(),
            "rules: admins only"
        );
        assert!(rep.may_create(rules).is_err());
        assert!(
            rep.may_delete(object("ContactRequestShare").unwrap())
                .is_ok()
        );
    }
}
