//! What the store keeps for the telephony API: the callbacks a provider requested, one per call.

use super::sql::args;
use super::tx::Tx;
use super::{StoreError, contact_requests};

/// A callback a telephony provider asks for, as stored.
#[derive(Debug, Clone)]
pub struct ProviderCallback {
    pub id: String,
    pub callback_number: String,
    pub is_preview: bool,
    /// When it becomes routable (stored format); `None` at once.
    pub scheduled_at: Option<String>,
    pub call_id: String,
    pub provider: Option<String>,
    pub call_center_id: String,
    /// The name of the queue it goes to (the call center's); the default queue without one, or while
    /// no queue has that name.
    pub queue: Option<String>,
    /// When it is created (stored format).
    pub at: String,
    /// The organisation's default RequestReason ("Defaulted on create"), if it has one.
    pub request_reason: Option<String>,
}

impl Tx<'_> {
    /// The id of the call center with this internal name; an error when there is none, as the call
    /// centers of the configuration are all stored at start-up.
    pub fn call_center_id(&self, internal_name: &str) -> Result<String, StoreError> {
        self.row(
            "SELECT id FROM call_centers WHERE internal_name = ?1",
            args![internal_name],
        )?
        .ok_or_else(|| StoreError::Reader(format!("no call center is stored as {internal_name}")))?
        .get(0)
    }

    /// The id of the contact request already created for the call `call_id` of this call center.
    pub fn callback_of_call(
        &self,
        call_center_id: &str,
        call_id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.row(
            "SELECT id FROM contact_requests WHERE call_center_id = ?1 AND voice_call_id = ?2",
            args![call_center_id, call_id],
        )?
        .map(|row| row.get(0))
        .transpose()
    }

    /// Creates the New Phone contact request of a provider's callback, with its
    /// `contact_request.created` event, and answers its id; when another process stored a request for
    /// the same call meanwhile (its retry, say), writes nothing and answers that request's id instead.
    pub fn insert_provider_callback(
        &self,
        callback: &ProviderCallback,
    ) -> Result<String, StoreError> {
        // The unique index on the call makes a concurrent insert of the same call wait for the other's
        // commit, then do nothing; the read after sees the other's request.
        let inserted = self.run(
            "INSERT INTO contact_requests
                (id, status, preferred_channel, preferred_phone, is_callback, scheduled_routing_at,
                 voice_call_id, telephony_provider, call_center_id, created_at, updated_at,
                 system_modstamp, owner_id, created_by_id, last_modified_by_id, request_reason)
             VALUES (?1, ?9, 'Phone', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?10, ?11, ?11, ?12)
             ON CONFLICT DO NOTHING",
            args![
                &callback.id,
                &callback.callback_number,
                callback.is_preview,
                &callback.scheduled_at,
                &callback.call_id,
                &callback.provider,
                &callback.call_center_id,
                &callback.at,
                contact_requests::INITIAL_STATUS.as_str(),
                &self.new_request_owner(callback.queue.as_deref())?,
                contact_requests::ANONYMOUS_CREATOR,
                &callback.request_reason
            ],
        )?;
        if inserted == 0 {
            return self
                .callback_of_call(&callback.call_center_id, &callback.call_id)?
                .ok_or_else(|| {
                    StoreError::Reader(format!(
                        "the callback of call {} was neither stored nor found",
                        callback.call_id
                    ))
                });
        }
        self.record_created(&callback.id)?;
        Ok(callback.id.clone())
    }
}
