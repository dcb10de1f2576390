//! What the generic record layer asks of the store, in no engine's terms: values, the columns records
//! keep, and the plan of a query (its filter tree, order and window). The Salesforce-compatible API builds
//! these from its object descriptions and SOQL; each engine renders them in its own SQL
//! ([`super::render`] for SQLite), every value a bound parameter.

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl Value {
    /// The text, if the value is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    /// About how many bytes the value holds, to bound what an open cursor keeps.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + match self {
                Self::Text(text) => text.len(),
                _ => 0,
            }
    }
}

/// Where a field's value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// On the record's own row.
    Own(&'static str),
    /// On the calling user's view of the record (when they last viewed or referenced it).
    Viewed(&'static str),
    /// The `n`th column of the `join`th of the query's [`Join`]s: [`Join::ID`] its record's id,
    /// [`Join::OBJECT`] the name of its record's object, then the columns its branches read.
    Joined { join: u8, n: u8 },
    /// The same number for every record (a view's `IsTask`), written as the description says.
    Fixed(i64),
}

/// A parent record a query reads through a reference: `on` (a column of the record or of an earlier
/// join) holds the parent's id, found in one of the `branches` (one per kind of record the reference
/// may point to). The parent is empty when none holds it, or when the branch's filter leaves it out
/// (one the caller may not see), as an empty reference is.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub on: Column,
    /// None when the reference points only to kinds of record the store does not keep.
    pub branches: Vec<Branch>,
    /// How many columns each branch reads after the id and the object's name.
    pub columns: usize,
}

impl Join {
    /// The column of the parent's id.
    pub const ID: u8 = 0;
    /// The column of the name of the parent's object (`User`, `Group`…).
    pub const OBJECT: u8 = 1;
}

/// One kind of record a [`Join`] may find its parent among.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The table of the records, read as `c` (so that `filter` renders as any filter does).
    pub table: &'static str,
    /// The name of the records' object, the join's [`Join::OBJECT`] column.
    pub object: &'static str,
    /// Whether the table has a recycle bin, whose records are no parent.
    pub live: bool,
    /// The columns after the id and the object's name, in the join's order.
    pub columns: Vec<Source>,
    /// The records of the table that may be the parent (the caller's sharing); all when `None`.
    pub filter: Option<Filter>,
}

/// What a branch of a [`Join`] reads into one of its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A column of the parent's own row.
    Own(&'static str),
    /// The same text for every record of the branch (a polymorphic parent's `Type`).
    Text(&'static str),
    /// Nothing: the kind of record has no such field.
    Null,
}

/// A kind of records: the table of the records and the per-user table of their view dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub records: &'static str,
    pub views: &'static str,
}

/// A comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// SQL's `LIKE` with `\` as the escape character.
    Like,
}

/// A column a filter compares; text is compared without regard to case, as SOQL does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operand {
    pub column: Column,
    pub text: bool,
}

/// A filter over one kind of records.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `column op value`; `!=` keeps records where the column is empty, as SOQL's does.
    Compare(Operand, Op, Value),
    /// `IS NULL` when `true`, `IS NOT NULL` when `false`.
    IsNull(Column, bool),
    /// A stored-instant column against `[start, end)`: a whole day or days.
    Range(Column, Op, String, String),
    /// `IN` (or `NOT IN` when `true`); a null in the list matches empty columns.
    In(Operand, bool, Vec<Value>),
    /// `column` holds the id of a record of the table `parent` that `within` keeps (a filter of the
    /// parent's own columns; any record of `parent` when `None`): how a child record follows its
    /// parent. An empty column matches nothing.
    InParent {
        column: Column,
        parent: &'static str,
        within: Option<Box<Filter>>,
    },
    /// The record is shared by a live row of the share table `table` (its `parent_id`) with one of
    /// `with` (its `user_or_group_id`), at one of `levels` (its `access_level`).
    Shared {
        table: &'static str,
        with: Vec<Value>,
        levels: Vec<Value>,
    },
    /// A SOSL search term found in any of `columns`: its words in order, each a whole word of the text,
    /// without regard to case (any Unicode text). A column marked `true` is a phone number, where a term
    /// of digits matches the number's digits whatever separates them.
    Search {
        columns: Vec<(Column, bool)>,
        words: Vec<Vec<Piece>>,
    },
}

/// A piece of one word of a search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Letters, digits and underscores, matched as written but for case.
    Text(String),
    /// `*`: any number of word characters, none included.
    Many,
    /// `?`: exactly one word character.
    One,
}

impl Filter {
    /// Both filters, either of which may be absent.
    pub fn and(first: Option<Self>, second: Option<Self>) -> Option<Self> {
        match (first, second) {
            (Some(a), Some(b)) => Some(Self::And(vec![a, b])),
            (a, b) => a.or(b),
        }
    }
}

/// A query of one kind of records for one user (whose view dates it can read).
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub table: Table,
    /// The columns to read, after the record's id, which every row starts with.
    pub columns: Vec<Column>,
    /// The parents the columns, filter and order read through [`Column::Joined`].
    pub joins: Vec<Join>,
    pub filter: Option<Filter>,
    /// Each column to order by, descending or not, and nulls first or not.
    pub order: Vec<(Column, bool, bool)>,
    pub limit: Option<u64>,
    pub offset: u64,
    /// Whether records in the recycle bin count (queryAll).
    pub all_rows: bool,
    /// The user whose view dates [`Column::Viewed`] reads.
    pub user: String,
}

/// How a column's values compare in an aggregate query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integers and flags, compared as numbers.
    Number,
    /// Text compared as written, by code point: ids, instants.
    Exact,
    /// Text compared without regard to case, as SOQL compares text: grouped by its lowercase (full
    /// Unicode case mapping, the same on both engines).
    Folded,
}

/// A column of an aggregate query, with how its values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grouping {
    pub column: Column,
    pub kind: Kind,
}

/// What one column of a group's row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The group's value of its `n`th grouped column: for folded text, the smallest of the group's
    /// spellings by code point (`NEW` before `New` before `new`).
    Group(usize),
    /// How many of the group's records have a value in the column.
    Count(Column),
    /// How many different values the column holds in the group (text without regard to case).
    CountDistinct(Grouping),
    /// The smallest value (text by code point).
    Min(Grouping),
    Max(Grouping),
    /// The sum of the column's numbers, as a fraction; empty when none has one.
    Sum(Column),
    Avg(Column),
}

/// A condition on groups (HAVING).
#[derive(Debug, Clone, PartialEq)]
pub enum Having {
    And(Vec<Having>),
    Or(Vec<Having>),
    Not(Box<Having>),
    /// As [`Filter::Compare`]: `!=` keeps empty values; folded text compares by its lowercase.
    Compare(Measure, Op, Value),
    IsNull(Measure, bool),
    In(Measure, bool, Vec<Value>),
}

/// An aggregate query (GROUP BY, aggregate functions, HAVING) of one kind of records for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    /// The records aggregated, their filter and the window over the groups (LIMIT and OFFSET); its
    /// columns and order are not used.
    pub records: Select,
    /// The columns the records are grouped by, none for one group of every record.
    pub groups: Vec<Grouping>,
    /// The columns of each group's row, in order.
    pub measures: Vec<Measure>,
    pub having: Option<Having>,
    /// Each measure to order the groups by, descending or not, and nulls first or not; the grouped
    /// columns follow, ascending, so that the order is always the same.
    pub order: Vec<(Measure, bool, bool)>,
}
