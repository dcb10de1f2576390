//! One module per route.

pub mod admin;
pub mod admin_reports;
pub mod list;
pub mod request;
pub mod sign_in;
