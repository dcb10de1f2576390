//! The contact-request form as both sides of the wire see it.
//!
//! This crate is the contract between the server and its two browser apps, the widget and the
//! representatives' console ([`console`]), and nothing else: the picklists with the
//! reference values of the Salesforce `ContactRequest` object, the value types a visitor types into the form
//! (each parsed once into a normalised newtype), the form itself with one set of rules that the widget runs
//! as the visitor types and the server runs again on receipt, the error body both sides speak, and the rest
//! of the API between them: its addresses and header names, the proof-of-work challenge and the rule its
//! solution meets.
//! No I/O, no web framework.

#[macro_use]
mod picklist;

mod callback_time;
mod channel;
#[cfg(feature = "console")]
pub mod console;
mod created;
mod description;
#[cfg(feature = "console")]
pub mod dial;
mod email;
mod error;
pub mod field;
mod form;
mod http;
mod journey;
mod locale;
mod name;
mod phone;
mod proof;
mod reason;
#[cfg(feature = "console")]
pub mod reports;
mod site;
mod status;
mod text;
mod time_zone;

pub use callback_time::{CallbackSlot, CallbackSlots, CallbackTime, CallbackTimeError};
pub use channel::PreferredChannel;
pub use created::ContactRequestCreated;
pub use description::{DescriptionError, RequestDescription};
pub use email::{EmailError, VisitorEmail};
pub use error::{ErrorBody, FieldErrors};
pub use form::{ContactRequestForm, NewContactRequest};
pub use http::{
    CALLBACK_SLOTS_SUBPATH, CHALLENGE_PATH, CONTACT_REQUESTS_PATH, IDEMPOTENCY_KEY_HEADER,
    PROOF_HEADER, SESSION_HEADER, SITE_HEADER, SITES_PATH, TRAP_HEADER, callback_slots_url,
    site_url,
};
pub use journey::{Journey, Measure, Step};
pub use locale::Locale;
pub use name::{NameError, VisitorName};
pub use phone::{PhoneError, PreferredPhone, parse_country_code};
pub use picklist::UnknownValue;
pub use proof::{
    Challenge, ChallengeQuery, ProofHash, leading_zero_bits, proof_value, search, solves,
    split_proof,
};
pub use reason::{InvalidReason, RequestReason};
pub use site::{Choice, DirectContact, DirectKind, FormRules, SiteSettings};
pub use status::Status;
pub use text::{split_ascii, trim_end_ascii};
pub use time_zone::{NoTimeZones, TimeZoneDatabase, TimeZoneError, VisitorTimeZone};
