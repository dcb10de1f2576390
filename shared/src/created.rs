//! The answer to an accepted submission.

use serde::{Deserialize, Serialize};

use crate::Status;

/// What the server answers with `201 Created` once the request is durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRequestCreated {
    /// The record's opaque id: it begins with its creation time, and no other record's id follows from it.
    pub id: String,
    /// The human request number from the autonumber, such as `CR-000042`.
    pub name: String,
    /// Always [`Status::New`] for a new request.
    pub status: Status,
}
