//! SOQL: the lexer, the parser to a tree, the checker against an object's description, and the
//! translator to parameterised SQL. No text of a query ever reaches SQL: identifiers are replaced by the
//! description's columns and every literal becomes a bound parameter.

pub mod ast;
pub mod check;
mod error;
pub mod lexer;
pub mod parser;

pub use error::SoqlError;

/// The longest query taken, as Salesforce's limit.
pub const MAX_QUERY_CHARS: usize = 100_000;
