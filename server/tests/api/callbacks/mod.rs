//! Callbacks: the telephony endpoint, call centers through the API, routing and claiming, the call log
//! with the status machine and EngagementInteraction it drives, and the slots visitors book.

mod call_log;
mod representatives;
mod routing;
mod slots;
mod softphone;
mod startup;
pub mod support;
mod telephony;
