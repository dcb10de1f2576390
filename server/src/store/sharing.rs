//! What the sharing model reads beyond owners and queues (see `access::sharing`): the organisation-wide
//! default for requests, and the owner sharing rules that give a user the requests of a queue's members.

use super::StoreError;
use super::plan::Value;
use super::sql::{Param, args};
use super::tx::{Db, Tx};

/// One owner sharing rule as it reaches a user: the records owned by `group_id` and by its members,
/// at `access_level` (`Read` or `Edit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleGrant {
    pub group_id: String,
    pub access_level: String,
}

/// `?1, ?2, …` for `n` values after `first - 1` others.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Db<'_> {
    /// The organisation-wide default access to requests: `Private`, `Read` or `Edit`.
    pub fn sharing_default(&self) -> Result<String, StoreError> {
        Ok(self
            .row(
                "SELECT contact_request_access FROM sharing_defaults WHERE id = 1",
                args![],
            )?
            .map(|row| row.get(0))
            .transpose()?
            .unwrap_or_else(|| "Private".to_owned()))
    }

    /// The live owner sharing rules whose target is one of `grantees` (a user and their queues).
    pub fn rules_for(&self, grantees: &[String]) -> Result<Vec<RuleGrant>, StoreError> {
        if grantees.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT group_id, access_level FROM contact_request_sharing_rules
              WHERE is_deleted = 0 AND user_or_group_id IN ({}) ORDER BY seq",
            placeholders(1, grantees.len())
        );
        let values: Vec<Value> = grantees.iter().map(|g| Value::Text(g.clone())).collect();
        let params: Vec<Param<'_>> = values.iter().map(Param::from).collect();
        self.rows(&sql, &params)?
            .iter()
            .map(|row| {
                Ok(RuleGrant {
                    group_id: row.get(0)?,
                    access_level: row.get(1)?,
                })
            })
            .collect()
    }

    /// The ids of the members of the queue `queue_id`.
    pub fn member_ids(&self, queue_id: &str) -> Result<Vec<String>, StoreError> {
        self.rows(
            "SELECT user_id FROM queue_members WHERE queue_id = ?1 ORDER BY user_id",
            args![queue_id],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect()
    }

    /// The owner of the live or deleted request `id`, if there is one.
    pub fn request_owner(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT owner_id FROM contact_requests WHERE id = ?1",
            args![id],
        )?
        .map(|row| row.get(0))
        .transpose()
    }

    /// The id of the live manual share of the request `parent_id` with `grantee`, if there is one.
    pub fn manual_share(
        &self,
        parent_id: &str,
        grantee: &str,
    ) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT id FROM contact_request_shares
              WHERE parent_id = ?1 AND user_or_group_id = ?2 AND row_cause = 'Manual' AND is_deleted = 0
              ORDER BY seq LIMIT 1",
            args![parent_id, grantee],
        )?
        .map(|row| row.get(0))
        .transpose()
    }
}

impl Tx<'_> {
    /// Sets the organisation-wide default access to requests (`Private`, `Read` or `Edit`).
    pub fn set_sharing_default(&self, access: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE sharing_defaults SET contact_request_access = ?1 WHERE id = 1",
            args![access],
        )?;
        Ok(())
    }
}
