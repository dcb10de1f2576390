//! One module per route.

pub mod admin;
pub mod list;
pub mod request;
pub mod sign_in;
