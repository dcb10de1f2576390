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
    /// `GROUP BY`'s fields, empty without one.
    pub group_by: Vec<Spanned<String>>,
    /// `HAVING`'s condition, over aggregates and grouped fields.
    pub having: Option<Condition>,
    pub order: Vec<Order>,
    pub limit: Option<Spanned<u64>>,
    pub offset: Option<Spanned<u64>>,
    pub tracking: Option<Tracking>,
    /// The relationship subqueries of the SELECT list (`(SELECT Id FROM Tasks)`), in order; a
    /// subquery has none.
    pub subqueries: Vec<Spanned<Query>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    Count,
    /// Plain field names, as every query without aggregates or aliases selects; a name may be a path
    /// through parents (`Owner.Name`).
    Fields(Vec<Spanned<String>>),
    /// A list with an aggregate or an alias in it.
    Items(Vec<Item>),
}

/// One item of a SELECT list: a field or an aggregate, maybe with an alias.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub expr: Expr,
    pub alias: Option<Spanned<String>>,
}

/// A field, or an aggregate function of one.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Field(Spanned<String>),
    Aggregate {
        function: Spanned<Function>,
        /// The field aggregated; `None` only for `COUNT()`.
        field: Option<Spanned<String>>,
    },
}

impl Expr {
    /// Where the expression starts.
    pub fn position(&self) -> usize {
        match self {
            Self::Field(name) => name.position,
            Self::Aggregate { function, .. } => function.position,
        }
    }
}

/// SOQL's aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Count,
    CountDistinct,
    Min,
    Max,
    Sum,
    Avg,
}

impl Function {
    /// The function named `word` (without regard to case), if it is one.
    pub fn named(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "COUNT" => Self::Count,
            "COUNT_DISTINCT" => Self::CountDistinct,
            "MIN" => Self::Min,
            "MAX" => Self::Max,
            "SUM" => Self::Sum,
            "AVG" => Self::Avg,
            _ => return None,
        })
    }

    /// The name as SOQL writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Count => "COUNT",
            Self::CountDistinct => "COUNT_DISTINCT",
            Self::Min => "MIN",
            Self::Max => "MAX",
            Self::Sum => "SUM",
            Self::Avg => "AVG",
        }
    }
}

/// `FOR VIEW` or `FOR REFERENCE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    View,
    Reference,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// A field, or (in an aggregate query) an aggregate.
    pub by: Expr,
    pub descending: bool,
    /// `Some(true)` for NULLS FIRST; unspecified follows SOQL (first ascending, last descending).
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    /// A field (or, in HAVING, an aggregate) compared with a value.
    Compare {
        field: Expr,
        op: Op,
        value: Spanned<Literal>,
    },
    In {
        field: Expr,
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
