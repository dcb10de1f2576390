//! Callbacks: the telephony endpoint, call centers through the API, routing and claiming, and the call
//! log with the status machine and EngagementInteraction it drives.

mod call_log;
mod representatives;
mod routing;
mod startup;
mod support;
mod telephony;
