//! Integration tests of the server: the real router through `oneshot`, and the real binary on real sockets.

mod abuse;
mod admin_cli;
mod bad_input;
mod callbacks;
mod console;
mod contact_requests;
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
