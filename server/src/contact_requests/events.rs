//! The outbox events of ContactRequest writes through the Salesforce-compatible API: a create writes
//! `contact_request.created`, an update that moves the status `contact_request.status_changed`, one that
//! moves the owner `contact_request.updated` and `contact_request.assigned`, each in the write's own
//! transaction. The widget's intake and telephony callbacks write theirs in the store.

use crate::ids::{RecordId, UserId};
use crate::salesforce::SfError;
use crate::salesforce::schema::Written;
use crate::store::{Tx, Value};

/// ContactRequest's hook (see `SObject::after_write`).
pub fn after_write(
    tx: &Tx<'_>,
    written: &Written,
    id: &RecordId,
    user: &UserId,
) -> Result<(), SfError> {
    match written {
        Written::Created => tx.record_created(id.as_str())?,
        Written::Updated(_) => {
            // Any value: the organisation's own too, as the picklist is not restricted.
            if let Some(Value::Text(from)) = written.before("Status") {
                tx.record_status_changed(id.as_str(), from, user.as_str())?;
            }
            // The update set OwnerId; whether it moved is the stored row's to say.
            if let Some(before) = written.before("OwnerId").and_then(Value::as_text) {
                let now = tx.owner_of(id.as_str())?;
                if Some(before) != now.as_deref() {
                    tx.record_owner_moved(id.as_str(), user.as_str(), before)?;
                }
            }
        }
    }
    Ok(())
}
