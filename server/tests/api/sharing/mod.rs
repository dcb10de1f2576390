//! The sharing model at the API, and the console's routes built on it: who sees and changes which
//! request, children following their request, owner changes, notes and history, and the role checks of
//! the administration routes.

mod admin;
mod history;
mod records;
mod relationships;
mod search;
mod shares;
pub mod support;
