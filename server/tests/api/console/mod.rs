//! The console's sign-in routes under `/console/api`, and the API reached with the console's session.

mod admin;
mod api;
mod backoff;
mod live;
mod offers;
mod reports;
mod sessions;
mod supervisor;
mod support;
mod transfer;
mod views;
