//! Integration tests of the server: the real router through `oneshot`, and the real binary on real sockets.

mod abuse;
mod admin_cli;
mod bad_input;
mod call_centers;
mod callbacks;
mod console;
mod contact_requests;
// Shared with the PostgreSQL engine's own tests, which use the rest of it.
#[allow(dead_code)]
#[path = "../common/fresh_postgres.rs"]
mod fresh_postgres;
mod health;
mod idempotency;
mod outbox;
mod process;
mod sharing;
mod sites;
mod slow_readers;
mod sobjects;
mod support;
mod widget;
mod xdm_events;
mod xdm_forwarding;
