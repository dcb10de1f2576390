//! The transactional outbox: the events each write of a contact request leaves, and their webhooks.

mod events;
mod webhooks;
