//! Callbacks worked by representatives: the status machine a logged call drives, the
//! EngagementInteraction of each completed contact, and the routing view with its atomic claim.

pub mod attempts;
pub mod engagement;
pub mod status;
