//! Call centers: read from the configuration file (`--call-centers`) and created by admins through the
//! API, kept in the database as CallCenter records with their AdditionalNumber records, holding the keys
//! that sign telephony tokens and the business hours the callback slots offered to visitors follow
//! ([`slots`]).
//!
//! How the file and the API share the records: at each start the file's centers and numbers are
//! written again as the file has them, marked `FromFile__c`, and the API reads but never changes them
//! (`403 INSUFFICIENT_ACCESS_OR_READONLY`: change the file). A center or number gone from the file goes
//! to the recycle bin. What an admin creates through the API is the API's: it persists as written across
//! restarts, and the file never touches it, with one exception: a file center whose internal name an
//! API center already has takes that record over (its id and its requests stay, its settings become
//! the file's), which is how an API center gets telephony keys, which only the file holds. An
//! additional number the API adds to a file center stays the API's.

mod demo;
pub mod file;
pub mod objects;
pub mod rules;
pub mod slots;
pub mod softphone;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey};

use crate::ids;
use crate::instant::now;
use crate::store::{CallCenterRow, NumberRow, Store, StoreError};

pub use crate::business_time::BusinessHours;
pub use demo::{DEMO_CALL_CENTER, demo_center};
pub use file::AdditionalNumber;
pub use slots::SlotPolicy;
pub use softphone::SoftphoneLayout;

/// A key that may sign a call center's telephony tokens, found by the token's `kid`.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub decoding: DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// One call center of the configuration file.
#[derive(Debug, Clone)]
pub struct CallCenter {
    pub internal_name: String,
    pub name: String,
    pub unified_routing: bool,
    pub time_zone_name: String,
    pub time_zone: jiff::tz::TimeZone,
    pub business_hours: BusinessHours,
    pub additional_numbers: Vec<AdditionalNumber>,
    pub retry_delay_seconds: i64,
    pub max_attempts: i64,
    pub issuer: String,
    pub audience: String,
    pub leeway_seconds: u64,
    pub keys: Vec<SigningKey>,
    /// How the callback slots offered to visitors are cut.
    pub slots: SlotPolicy,
    /// Which fields show for each call type (`softphone`).
    pub softphone_layout: SoftphoneLayout,
    /// The softphone URL template the console dials through (`contact_shared::dial`); `tel:` without.
    pub softphone_url: Option<String>,
    /// The name of the queue callbacks requested through this center's telephony API go to; the
    /// default queue without one, or while no queue has that name.
    pub queue: Option<String>,
    /// The calling code (digits) of the country a telephony `callbackNumber` without `+` is read in.
    pub default_country_code: Option<String>,
}

/// Every configured call center; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct CallCenters(Arc<Vec<CallCenter>>);

impl CallCenters {
    pub fn new(centers: Vec<CallCenter>) -> Self {
        Self(Arc::new(centers))
    }

    /// These centers and `center`, unless one of them already has its internal name.
    pub fn with(&self, center: CallCenter) -> Self {
        if self.by_internal_name(&center.internal_name).is_some() {
            return self.clone();
        }
        let mut centers = self.0.as_ref().clone();
        centers.push(center);
        Self::new(centers)
    }

    /// The internal names, in file order.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|c| c.internal_name.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &CallCenter> {
        self.0.iter()
    }

    pub fn by_internal_name(&self, name: &str) -> Option<&CallCenter> {
        self.0.iter().find(|c| c.internal_name == name)
    }

    /// The call center and key a token's `kid` names.
    pub fn key(&self, kid: &str) -> Option<(&CallCenter, &SigningKey)> {
        self.0
            .iter()
            .find_map(|c| c.keys.iter().find(|k| k.kid == kid).map(|k| (c, k)))
    }

    /// Writes the file's centers and their numbers into the database: new ones are added, known ones
    /// (a center by internal name, a number by its center and name) updated in place so their ids stay,
    /// and the file's ones gone from it move to the recycle bin; what the API made stays as it is.
    pub async fn sync(&self, store: &Store) -> Result<(), StoreError> {
        let rows: Vec<CallCenterRow> = self
            .iter()
            .map(|c| CallCenterRow {
                new_id: ids::new_id(ids::CALL_CENTER_PREFIX),
                internal_name: c.internal_name.clone(),
                name: c.name.clone(),
                unified_routing: c.unified_routing,
                time_zone: c.time_zone_name.clone(),
                business_hours: c.business_hours.to_json(),
                numbers: c
                    .additional_numbers
                    .iter()
                    .map(|n| NumberRow {
                        new_id: ids::new_id(ids::ADDITIONAL_NUMBER_PREFIX),
                        name: n.name.clone(),
                        phone: n.phone.clone(),
                        description: n.description.clone(),
                    })
                    .collect(),
                retry_delay_seconds: c.retry_delay_seconds,
                max_attempts: c.max_attempts,
            })
            .collect();
        // The system user owns the file's records.
        let system = crate::ids::SITE_GUEST_USER_ID;
        store
            .write(move |tx| tx.sync_call_centers(&rows, system, &now()))
            .await
    }
}
