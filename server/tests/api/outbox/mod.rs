//! The transactional outbox: the events each write of a contact request leaves, their webhooks and
//! their email.

mod events;
mod mail;
mod webhooks;
