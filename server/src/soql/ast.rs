//! The tree a SOQL query parses to. Every name and literal keeps its position for error messages.

/// A value with the character offset it started at.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Select,
    pub from: Spanned<String>,
    pub filter: Option<Condition>,
    pub order: Vec<Order>,
    pub limit: Option<Spanned<u64>>,
    pub offset: Option<Spanned<u64>>,
    pub tracking: Option<Tracking>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    Count,
    Fields(Vec<Spanned<String>>),
}

/// `FOR VIEW` or `FOR REFERENCE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    View,
    Reference,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub field: Spanned<String>,
    pub descending: bool,
    /// `Some(true)` for NULLS FIRST; unspecified follows SOQL (first ascending, last descending).
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        field: Spanned<String>,
        op: Op,
        value: Spanned<Literal>,
    },
    In {
        field: Spanned<String>,
        negated: bool,
        values: Vec<Spanned<Literal>>,
    },
}

/// A comparison: the store's own, as the checked query hands it on unchanged.
pub use crate::store::Op;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    /// A string: its value, and its value as a SQL `LIKE` pattern with `\` as the escape.
    Text {
        value: String,
        like: String,
    },
    Number(String),
    /// A datetime as written (`2024-05-01T00:00:00Z`).
    DateTime(String),
    /// A date as written (`2024-05-01`).
    Date(String),
    Relative(Relative),
}

/// The relative date literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    Today,
    Yesterday,
    Tomorrow,
    LastNDays(u32),
    NextNDays(u32),
}
