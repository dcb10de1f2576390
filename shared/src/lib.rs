//! The contact-request form as both sides of the wire see it.
//!
//! This crate is the contract between the widget and the server, and nothing else: the picklists with the
//! reference values of the Salesforce `ContactRequest` object, the value types a visitor types into the form
//! (each parsed once into a normalised newtype), the form itself with one set of rules that the widget runs
//! as the visitor types and the server runs again on receipt, and the error body both sides speak.
//! No I/O, no web framework.

#[macro_use]
mod picklist;

mod callback_time;
mod channel;
mod created;
mod description;
mod email;
mod error;
pub mod field;
mod form;
mod name;
mod phone;
mod reason;
mod site;
mod status;

pub use callback_time::{CallbackSlot, CallbackSlots, CallbackTime, CallbackTimeError};
pub use channel::PreferredChannel;
pub use created::ContactRequestCreated;
pub use description::{DescriptionError, RequestDescription};
pub use email::{EmailError, VisitorEmail};
pub use error::{ErrorBody, FieldErrors};
pub use form::{ContactRequestForm, NewContactRequest};
pub use name::{NameError, VisitorName};
pub use phone::{PhoneError, PreferredPhone};
pub use picklist::UnknownValue;
pub use reason::RequestReason;
pub use site::{Choice, FormRules, SiteSettings};
pub use status::Status;

/// The path of the public intake endpoint, relative to the server's origin.
pub const CONTACT_REQUESTS_PATH: &str = "/api/v1/contact-requests";
