//! Which staff notifications each person gets: every kind is on until they unsubscribe from it (the
//! one-click link of its emails, by its random token) or turn it off in the console. The mail worker
//! leaves out those who turned a kind off when it takes events into emails.

use super::StoreError;
use super::sql::args;
use super::tx::{Db, Tx};

/// Emails of new requests in one's queues (the digests).
pub const NEW_REQUESTS: &str = "new_requests";
/// Emails of one's callbacks falling due.
pub const CALLBACK_DUE_NOTICES: &str = "callback_due";
/// Every kind a person may turn off.
pub const NOTIFICATION_KINDS: &[&str] = &[NEW_REQUESTS, CALLBACK_DUE_NOTICES];

/// SQL that holds when the user `user` (a column) has not turned the notifications `kind` off.
pub(super) fn wants(user: &str, kind: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM mail_subscriptions s
                      WHERE s.user_id = {user} AND s.kind = '{kind}' AND s.enabled = 0)"
    )
}

impl Db<'_> {
    /// The kind of notifications the unsubscribe token `token` is for; `None` for no such token.
    pub fn unsubscribe_kind(&self, token: &str) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT kind FROM mail_subscriptions WHERE token = ?1",
            args![token],
        )?
        .map(|r| r.get(0))
        .transpose()
    }

    /// Whether `user_id` gets each kind of [`NOTIFICATION_KINDS`], in that order.
    pub fn notifications(&self, user_id: &str) -> Result<Vec<(String, bool)>, StoreError> {
        let off: Vec<String> = self
            .rows(
                "SELECT kind FROM mail_subscriptions WHERE user_id = ?1 AND enabled = 0",
                args![user_id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_, _>>()?;
        Ok(NOTIFICATION_KINDS
            .iter()
            .map(|kind| ((*kind).to_owned(), !off.iter().any(|o| o == kind)))
            .collect())
    }
}

impl Tx<'_> {
    /// The token of `user_id`'s unsubscribe link for `kind`, made now from `fresh` unless they have one.
    pub fn unsubscribe_token(
        &self,
        user_id: &str,
        kind: &str,
        fresh: &str,
    ) -> Result<String, StoreError> {
        self.run(
            "INSERT INTO mail_subscriptions (user_id, kind, token) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id, kind) DO NOTHING",
            args![user_id, kind, fresh],
        )?;
        self.one(
            "SELECT token FROM mail_subscriptions WHERE user_id = ?1 AND kind = ?2",
            args![user_id, kind],
        )?
        .get(0)
    }

    /// Turns off the notifications the token `token` is for; answers their kind, `None` for no such
    /// token.
    pub fn unsubscribe(&self, token: &str) -> Result<Option<String>, StoreError> {
        self.row(
            "UPDATE mail_subscriptions SET enabled = 0 WHERE token = ?1 RETURNING kind",
            args![token],
        )?
        .map(|r| r.get(0))
        .transpose()
    }

    /// Turns `user_id`'s notifications `kind` on or off (`fresh` the token, should they have none).
    pub fn set_notifications(
        &self,
        user_id: &str,
        kind: &str,
        enabled: bool,
        fresh: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO mail_subscriptions (user_id, kind, token, enabled) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled",
            args![user_id, kind, fresh, enabled],
        )?;
        Ok(())
    }
}
