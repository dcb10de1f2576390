//! Integration tests of the server: the real router through `oneshot`, and the real binary on real sockets.

mod callbacks;
mod contact_requests;
mod health;
mod process;
mod sobjects;
mod support;
mod widget;
