//! SOSL: the search language of `search/?q=FIND {…}` and the terms of `parameterizedSearch/`. The text
//! between the braces is parsed here ([`term`]); the clauses after it reuse SOQL's lexer and parser, and
//! each RETURNING object is checked as the SOQL query it amounts to, so the two languages share one
//! checker and one set of errors. [`check`] turns a search into one store plan per object.

pub mod check;
pub mod parser;
pub mod term;

pub use crate::soql::SoqlError as SoslError;

/// The most records one search answers, in all and per object, as in Salesforce.
pub const MAX_RECORDS: u64 = 2_000;

/// Which fields a search looks in (`IN … FIELDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Name,
    Email,
    Phone,
}

impl Scope {
    /// The scope named `word` (`ALL`, `NAME`, `EMAIL`, `PHONE`; `SIDEBAR` searches as `ALL` does).
    pub fn named(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "ALL" | "SIDEBAR" => Self::All,
            "NAME" => Self::Name,
            "EMAIL" => Self::Email,
            "PHONE" => Self::Phone,
            _ => return None,
        })
    }
}

/// A malformed search at `position`: Salesforce's `MALFORMED_SEARCH`.
pub fn malformed(position: usize, message: impl Into<String>) -> SoslError {
    SoslError {
        code: "MALFORMED_SEARCH",
        message: message.into(),
        position,
    }
}
