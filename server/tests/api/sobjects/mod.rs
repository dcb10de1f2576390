//! The Salesforce-compatible API under `/services/data`, through the real router.

mod cli;
mod conditions;
mod cursors;
mod errors;
mod groups;
mod reads;
mod reasons;
mod records;
mod relationships;
mod search;
mod short_values;
pub mod support;
mod versions;
