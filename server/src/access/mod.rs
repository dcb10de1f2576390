//! Who may use the Salesforce-compatible API: representatives and integrations (users), the queues that
//! own requests, and the bearer tokens each user calls with.

pub mod caller;
pub mod cli;
pub mod directory;
pub mod objects;
pub mod tokens;

pub use caller::Caller;
pub use tokens::Scope;
