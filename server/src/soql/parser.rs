//! Parsing SOQL tokens into a [`Query`] tree by recursive descent, with a depth limit so that deeply
//! nested input is refused rather than exhausting the stack.

use super::SoqlError;
use super::ast::*;
use super::lexer::{Lexed, Token, lex};

/// How deeply parentheses and NOTs may nest.
pub const MAX_DEPTH: usize = 32;
/// How many values one IN list may hold.
pub const MAX_IN_VALUES: usize = 4_000;

/// Parses a whole query.
pub fn parse(query: &str) -> Result<Query, SoqlError> {
    if query.chars().count() > super::MAX_QUERY_CHARS {
        return Err(SoqlError::malformed(
            0,
            format!(
                "SOQL statements cannot be longer than {} characters",
                super::MAX_QUERY_CHARS
            ),
        ));
    }
    let tokens = lex(query)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        end: query.chars().count(),
        nested: false,
    };
    let parsed = parser.query()?;
    parser.finish()?;
    Ok(parsed)
}

/// The clauses that may follow a query's `FROM`.
#[derive(Debug, Clone)]
pub struct Clauses {
    pub filter: Option<Condition>,
    pub order: Vec<Order>,
    pub limit: Option<Spanned<u64>>,
    pub offset: Option<Spanned<u64>>,
}

/// A recursive-descent parser over SOQL's tokens; SOSL's parser drives it for the clauses the two share.
pub(crate) struct Parser {
    tokens: Vec<Lexed>,
    at: usize,
    end: usize,
    /// Whether the parser is inside a relationship subquery, which cannot hold another.
    nested: bool,
}

impl Parser {
    /// A parser over `tokens` of a text `end` characters long.
    pub(crate) fn over(tokens: Vec<Lexed>, end: usize) -> Self {
        Self {
            tokens,
            at: 0,
            end,
            nested: false,
        }
    }

    /// Refuses whatever follows the end of what was parsed.
    pub(crate) fn finish(&self) -> Result<(), SoqlError> {
        match self.tokens.get(self.at) {
            Some(extra) => Err(self.unexpected(extra.position)),
            None => Ok(()),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|t| &t.token)
    }

    pub(crate) fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |t| t.position)
    }

    fn unexpected(&self, position: usize) -> SoqlError {
        match self.tokens.iter().find(|t| t.position == position) {
            Some(t) => SoqlError::malformed(
                position,
                format!("unexpected token: {}", describe(&t.token)),
            ),
            None => SoqlError::malformed(position, "unexpected end of query"),
        }
    }

    pub(crate) fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    pub(crate) fn eat_word(&mut self, word: &str) -> bool {
        let found = self.is_word(word);
        if found {
            self.at += 1;
        }
        found
    }

    pub(crate) fn expect_word(&mut self, word: &str) -> Result<(), SoqlError> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.expected(word))
        }
    }

    pub(crate) fn expected(&self, what: &str) -> SoqlError {
        let position = self.position();
        match self.peek() {
            Some(token) => SoqlError::malformed(
                position,
                format!("expecting {what}, found {}", describe(token)),
            ),
            None => SoqlError::malformed(
                position,
                format!("expecting {what}, found the end of the query"),
            ),
        }
    }

    pub(crate) fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol);
        if found {
            self.at += 1;
        }
        found
    }

    /// A name, or a path of names through parents (`Owner.Name`), kept as written.
    pub(crate) fn name(&mut self) -> Result<Spanned<String>, SoqlError> {
        let position = self.position();
        let mut value = match self.peek() {
            Some(Token::Word(w)) if !is_reserved(w) => w.clone(),
            _ => return Err(self.expected("a field name")),
        };
        self.at += 1;
        while self.eat_symbol(".") {
            match self.peek() {
                Some(Token::Word(w)) => {
                    value.push('.');
                    value.push_str(w);
                    self.at += 1;
                }
                _ => return Err(self.expected("a field name after '.'")),
            }
        }
        Ok(Spanned { value, position })
    }

    pub(crate) fn number(&mut self, what: &str) -> Result<Spanned<u64>, SoqlError> {
        let position = self.position();
        match self.peek() {
            Some(Token::Number(n)) => {
                let value = n.parse::<u64>().map_err(|_| {
                    SoqlError::malformed(
                        position,
                        format!("{what} must be a whole number, not {n}"),
                    )
                })?;
                self.at += 1;
                Ok(Spanned { value, position })
            }
            _ => Err(self.expected(what)),
        }
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.expect_word("SELECT")?;
        let (select, subqueries) = self.select_list()?;
        self.expect_word("FROM")?;
        let from = self.name()?;
        let filter = self.filter()?;
        let (group_by, having) = self.grouping()?;
        let (order, limit, offset) = self.window()?;
        let tracking = if self.eat_word("FOR") {
            if self.eat_word("VIEW") {
                Some(Tracking::View)
            } else if self.eat_word("REFERENCE") {
                Some(Tracking::Reference)
            } else {
                return Err(self.expected("VIEW or REFERENCE"));
            }
        } else {
            None
        };
        Ok(Query {
            select,
            from,
            filter,
            group_by,
            having,
            order,
            limit,
            offset,
            tracking,
            subqueries,
        })
    }

    /// A relationship subquery of the SELECT list, from its `(`: a query of the records of a child
    /// relationship, which cannot hold another.
    fn subquery(&mut self) -> Result<Spanned<Query>, SoqlError> {
        let position = self.position();
        if self.nested {
            return Err(SoqlError::malformed(
                position,
                "unexpected token: '(': a relationship subquery cannot hold another; query the \
                 grandchildren in a query of their own",
            ));
        }
        self.at += 1;
        if !self.is_word("SELECT") {
            return Err(self.expected("SELECT after '(' in the SELECT list"));
        }
        self.nested = true;
        let query = self.query();
        self.nested = false;
        let query = query?;
        if !self.eat_symbol(")") {
            return Err(self.expected("')' after the subquery"));
        }
        Ok(Spanned {
            value: query,
            position,
        })
    }

    /// The SELECT list: `COUNT()` alone, plain field names, or items with aggregates and aliases; and
    /// the relationship subqueries among them.
    fn select_list(&mut self) -> Result<(Select, Vec<Spanned<Query>>), SoqlError> {
        let mut subqueries = Vec::new();
        while self.is_symbol("(") {
            subqueries.push(self.subquery()?);
            if !self.eat_symbol(",") {
                return Ok((Select::Fields(Vec::new()), subqueries));
            }
        }
        let first = self.item()?;
        if let Expr::Aggregate {
            function:
                Spanned {
                    value: Function::Count,
                    position,
                },
            field: None,
        } = first.expr
        {
            if first.alias.is_some() || self.is_symbol(",") {
                return Err(SoqlError::malformed(
                    position,
                    "COUNT() must be the only element in the SELECT list: count a field instead, as COUNT(Id)",
                ));
            }
            return Ok((Select::Count, subqueries));
        }
        let mut items = vec![first];
        while self.eat_symbol(",") {
            if self.is_symbol("(") {
                subqueries.push(self.subquery()?);
                continue;
            }
            let item = self.item()?;
            if let Expr::Aggregate {
                function,
                field: None,
                ..
            } = &item.expr
            {
                return Err(SoqlError::malformed(
                    function.position,
                    "COUNT() must be the only element in the SELECT list: count a field instead, as COUNT(Id)",
                ));
            }
            items.push(item);
        }
        let plain = items
            .iter()
            .all(|item| item.alias.is_none() && matches!(item.expr, Expr::Field(_)));
        let select = if plain {
            Select::Fields(
                items
                    .into_iter()
                    .filter_map(|item| match item.expr {
                        Expr::Field(name) => Some(name),
                        Expr::Aggregate { .. } => None,
                    })
                    .collect(),
            )
        } else {
            Select::Items(items)
        };
        Ok((select, subqueries))
    }

    /// One item of the SELECT list, with its alias if it has one.
    fn item(&mut self) -> Result<Item, SoqlError> {
        let expr = self.expr()?;
        let alias = match self.peek() {
            Some(Token::Word(w)) if !is_reserved(w) => Some(self.name()?),
            _ => None,
        };
        Ok(Item { expr, alias })
    }

    fn is_symbol(&self, symbol: &str) -> bool {
        matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol)
    }

    /// A field name, or an aggregate function of one (`COUNT()` with none).
    fn expr(&mut self) -> Result<Expr, SoqlError> {
        let position = self.position();
        let function = match self.peek() {
            Some(Token::Word(w))
                if matches!(
                    self.tokens.get(self.at + 1).map(|t| &t.token),
                    Some(Token::Symbol("("))
                ) =>
            {
                Function::named(w)
            }
            _ => None,
        };
        let Some(function) = function else {
            return Ok(Expr::Field(self.name()?));
        };
        self.at += 2;
        let field = if function == Function::Count && self.is_symbol(")") {
            None
        } else {
            Some(self.name()?)
        };
        if !self.eat_symbol(")") {
            return Err(self.expected("')'"));
        }
        Ok(Expr::Aggregate {
            function: Spanned {
                value: function,
                position,
            },
            field,
        })
    }

    /// The clauses after a query's `FROM` (and inside a SOSL `RETURNING` object's parentheses): WHERE,
    /// ORDER BY, LIMIT and OFFSET, each optional.
    pub(crate) fn clauses(&mut self) -> Result<Clauses, SoqlError> {
        let filter = self.filter()?;
        let (order, limit, offset) = self.window()?;
        Ok(Clauses {
            filter,
            order,
            limit,
            offset,
        })
    }

    fn filter(&mut self) -> Result<Option<Condition>, SoqlError> {
        if self.eat_word("WHERE") {
            Ok(Some(self.condition(0)?))
        } else {
            Ok(None)
        }
    }

    /// `GROUP BY` and `HAVING`, each optional.
    fn grouping(&mut self) -> Result<(Vec<Spanned<String>>, Option<Condition>), SoqlError> {
        let mut group_by = Vec::new();
        if self.eat_word("GROUP") {
            self.expect_word("BY")?;
            loop {
                group_by.push(self.name()?);
                if !self.eat_symbol(",") {
                    break;
                }
            }
        }
        let having = if self.eat_word("HAVING") {
            Some(self.condition(0)?)
        } else {
            None
        };
        Ok((group_by, having))
    }

    /// ORDER BY, LIMIT and OFFSET, each optional.
    #[allow(clippy::type_complexity)]
    fn window(
        &mut self,
    ) -> Result<(Vec<Order>, Option<Spanned<u64>>, Option<Spanned<u64>>), SoqlError> {
        let mut order = Vec::new();
        if self.eat_word("ORDER") {
            self.expect_word("BY")?;
            loop {
                let by = self.expr()?;
                let descending = if self.eat_word("DESC") {
                    true
                } else {
                    self.eat_word("ASC");
                    false
                };
                let nulls_first = if self.eat_word("NULLS") {
                    if self.eat_word("FIRST") {
                        Some(true)
                    } else {
                        self.expect_word("LAST")?;
                        Some(false)
                    }
                } else {
                    None
                };
                order.push(Order {
                    by,
                    descending,
                    nulls_first,
                });
                if !self.eat_symbol(",") {
                    break;
                }
            }
        }
        let limit = if self.eat_word("LIMIT") {
            Some(self.number("a LIMIT")?)
        } else {
            None
        };
        let offset = if self.eat_word("OFFSET") {
            Some(self.number("an OFFSET")?)
        } else {
            None
        };
        Ok((order, limit, offset))
    }

    /// Conditions joined by AND or by OR; mixing them needs parentheses, as in SOQL.
    pub(crate) fn condition(&mut self, depth: usize) -> Result<Condition, SoqlError> {
        if depth > MAX_DEPTH {
            return Err(SoqlError::malformed(
                self.position(),
                format!("conditions nest more than {MAX_DEPTH} deep"),
            ));
        }
        let first = self.term(depth)?;
        let mut parts = vec![first];
        let mut joiner: Option<&str> = None;
        loop {
            let word = if self.is_word("AND") {
                "AND"
            } else if self.is_word("OR") {
                "OR"
            } else {
                break;
            };
            if joiner.is_some_and(|j| j != word) {
                return Err(SoqlError::malformed(
                    self.position(),
                    format!(
                        "unexpected token: {word}; put parentheses around conditions that mix AND and OR"
                    ),
                ));
            }
            joiner = Some(word);
            self.at += 1;
            parts.push(self.term(depth)?);
        }
        Ok(match joiner {
            None => parts.remove(0),
            Some("AND") => Condition::And(parts),
            Some(_) => Condition::Or(parts),
        })
    }

    fn term(&mut self, depth: usize) -> Result<Condition, SoqlError> {
        if self.eat_word("NOT") {
            return Ok(Condition::Not(Box::new(self.nested(depth + 1)?)));
        }
        if self.eat_symbol("(") {
            let inner = self.condition(depth + 1)?;
            if !self.eat_symbol(")") {
                return Err(self.expected("')'"));
            }
            return Ok(inner);
        }
        self.comparison()
    }

    fn nested(&mut self, depth: usize) -> Result<Condition, SoqlError> {
        if depth > MAX_DEPTH {
            return Err(SoqlError::malformed(
                self.position(),
                format!("conditions nest more than {MAX_DEPTH} deep"),
            ));
        }
        self.term(depth)
    }

    fn comparison(&mut self) -> Result<Condition, SoqlError> {
        let field = self.expr()?;
        let negated = self.eat_word("NOT");
        if self.eat_word("IN") {
            if !self.eat_symbol("(") {
                return Err(self.expected("'(' after IN"));
            }
            let mut values = vec![self.literal()?];
            while self.eat_symbol(",") {
                if values.len() >= MAX_IN_VALUES {
                    return Err(SoqlError::malformed(
                        self.position(),
                        format!("an IN list may hold at most {MAX_IN_VALUES} values"),
                    ));
                }
                values.push(self.literal()?);
            }
            if !self.eat_symbol(")") {
                return Err(self.expected("')' or ','"));
            }
            return Ok(Condition::In {
                field,
                negated,
                values,
            });
        }
        if negated {
            return Err(self.expected("IN after NOT"));
        }
        let op = if self.eat_word("LIKE") {
            Op::Like
        } else {
            let op = match self.peek() {
                Some(Token::Symbol("=")) => Op::Eq,
                Some(Token::Symbol("!=" | "<>")) => Op::Ne,
                Some(Token::Symbol("<")) => Op::Lt,
                Some(Token::Symbol(">")) => Op::Gt,
                Some(Token::Symbol("<=")) => Op::Le,
                Some(Token::Symbol(">=")) => Op::Ge,
                _ => return Err(self.expected("an operator (= != < > <= >= LIKE IN NOT IN)")),
            };
            self.at += 1;
            op
        };
        let value = self.literal()?;
        Ok(Condition::Compare { field, op, value })
    }

    fn literal(&mut self) -> Result<Spanned<Literal>, SoqlError> {
        let position = self.position();
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected("a value"));
        };
        self.at += 1;
        let value = match token {
            Token::Text { value, like } => Literal::Text { value, like },
            Token::Number(n) => Literal::Number(n),
            Token::DateTime(d) => Literal::DateTime(d),
            Token::Date(d) => Literal::Date(d),
            Token::Word(w) => match w.to_ascii_uppercase().as_str() {
                "NULL" => Literal::Null,
                "TRUE" => Literal::Bool(true),
                "FALSE" => Literal::Bool(false),
                "TODAY" => Literal::Relative(Relative::Today),
                "YESTERDAY" => Literal::Relative(Relative::Yesterday),
                "TOMORROW" => Literal::Relative(Relative::Tomorrow),
                "LAST_N_DAYS" | "NEXT_N_DAYS" => {
                    if !self.eat_symbol(":") {
                        return Err(self.expected(&format!("':' and a number of days after {w}")));
                    }
                    let days = self.number("a number of days")?;
                    let days = u32::try_from(days.value)
                        .ok()
                        .filter(|d| *d <= 100_000)
                        .ok_or_else(|| {
                            SoqlError::malformed(days.position, "the number of days is too large")
                        })?;
                    Literal::Relative(if w.eq_ignore_ascii_case("LAST_N_DAYS") {
                        Relative::LastNDays(days)
                    } else {
                        Relative::NextNDays(days)
                    })
                }
                _ => {
                    self.at -= 1;
                    return Err(self.expected(
                        "a value (a quoted string, a number, true, false, null or a date)",
                    ));
                }
            },
            Token::Symbol(_) => {
                self.at -= 1;
                return Err(self.expected("a value"));
            }
        };
        Ok(Spanned { value, position })
    }
}

fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT",
        "OFFSET", "FOR", "NULL", "TRUE", "FALSE", "ASC", "DESC", "NULLS", "GROUP", "HAVING",
    ];
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => w.clone(),
        Token::Text { value, .. } => format!("'{}'", value.chars().take(40).collect::<String>()),
        Token::Number(n) | Token::DateTime(n) | Token::Date(n) => n.clone(),
        Token::Symbol(s) => (*s).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_query_parses_to_its_tree() {
        let query = parse(
            "select Id, Name from ContactRequest where (Status = 'New' or Status != null) and not IsCallback = true \
             and CreatedDate = LAST_N_DAYS:7 and RequestReason not in ('Billing', 'Order') \
             order by Name desc nulls last, Id limit 10 offset 5 for view",
        )
        .unwrap();
        assert_eq!(query.from.value, "ContactRequest");
        assert!(matches!(query.filter, Some(Condition::And(ref parts)) if parts.len() == 4));
        assert_eq!(query.order.len(), 2);
        assert_eq!(query.limit.map(|l| l.value), Some(10));
        assert_eq!(query.tracking, Some(Tracking::View));
    }

    #[test]
    fn an_aggregate_query_parses_to_its_items_groups_and_having() {
        let query = parse(
            "SELECT Status, count(Id) n, COUNT_DISTINCT(OwnerId) FROM ContactRequest WHERE IsCallback = true \
             GROUP BY Status HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC, Status LIMIT 5",
        )
        .unwrap();
        let Select::Items(items) = &query.select else {
            panic!("items: {:?}", query.select)
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0].expr, Expr::Field(name) if name.value == "Status"));
        assert!(matches!(
            &items[1],
            Item { expr: Expr::Aggregate { function, field: Some(field) }, alias: Some(alias) }
                if function.value == Function::Count && field.value == "Id" && alias.value == "n"
        ));
        assert!(matches!(
            &items[2].expr,
            Expr::Aggregate { function, .. } if function.value == Function::CountDistinct
        ));
        assert_eq!(query.group_by[0].value, "Status");
        assert!(matches!(
            query.having,
            Some(Condition::Compare {
                field: Expr::Aggregate { .. },
                op: Op::Gt,
                ..
            })
        ));
        assert!(matches!(query.order[0].by, Expr::Aggregate { .. }) && query.order[0].descending);
        assert_eq!(
            parse("SELECT COUNT() FROM ContactRequest").unwrap().select,
            Select::Count
        );
        assert!(matches!(
            parse("SELECT Id, Name FROM ContactRequest").unwrap().select,
            Select::Fields(ref names) if names.len() == 2
        ));
    }

    #[test]
    fn hostile_or_broken_queries_are_refused_with_a_position() {
        let deep = format!(
            "SELECT Id FROM ContactRequest WHERE {}Id = null{}",
            "(".repeat(200),
            ")".repeat(200)
        );
        let huge_in = format!(
            "SELECT Id FROM ContactRequest WHERE Name IN ({})",
            vec!["'CR-1'"; MAX_IN_VALUES + 1].join(",")
        );
        let too_long = format!(
            "SELECT Id FROM ContactRequest WHERE Name = '{}'",
            "x".repeat(100_001)
        );
        let table = [
            (
                "SELECT Id FROM ContactRequest; DELETE FROM users",
                "a second statement",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE Name = 'a' OR 1=1 --",
                "a trailing comment",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE Status = 'New' AND Name = 'a' OR Name = 'b'",
                "AND and OR mixed without parentheses",
            ),
            ("SELECT FROM ContactRequest", "no field list"),
            ("SELECT Id ContactRequest", "no FROM"),
            (
                "SELECT Id FROM ContactRequest WHERE",
                "a WHERE without a condition",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE Name IN ()",
                "an empty IN list",
            ),
            ("SELECT Id FROM ContactRequest LIMIT -1", "a negative LIMIT"),
            (
                "SELECT Id FROM ContactRequest LIMIT 99999999999999999999999",
                "a LIMIT beyond any number",
            ),
            ("SELECT Id FROM ContactRequest FOR UPDATE", "FOR UPDATE"),
            (
                "SELECT COUNT(), Id FROM ContactRequest",
                "COUNT() with a field",
            ),
            (
                "SELECT Id, COUNT() FROM ContactRequest",
                "a field with COUNT()",
            ),
            (
                "SELECT COUNT() n FROM ContactRequest",
                "COUNT() with an alias",
            ),
            ("SELECT MAX() FROM ContactRequest", "MAX of nothing"),
            (
                "SELECT COUNT(Id FROM ContactRequest",
                "an unclosed aggregate",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY",
                "GROUP BY without a field",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY ROLLUP(Status)",
                "GROUP BY ROLLUP",
            ),
            (
                "SELECT Status FROM ContactRequest GROUP BY Status HAVING",
                "HAVING without a condition",
            ),
            (
                "SELECT Status FROM ContactRequest ORDER BY Status GROUP BY Status",
                "GROUP BY after ORDER BY",
            ),
            (
                "SELECT Id FROM ContactRequest WHERE CreatedDate = LAST_N_DAYS",
                "LAST_N_DAYS without a number",
            ),
            (deep.as_str(), "nesting deeper than the limit"),
            (huge_in.as_str(), "an IN list over the limit"),
            (too_long.as_str(), "a query over 100,000 characters"),
        ];
        for (query, why) in table {
            let error = parse(query).unwrap_err();
            assert_eq!(error.code, "MALFORMED_QUERY", "{why}: {error:?}");
            assert!(error.position <= query.chars().count(), "{why}");
        }
    }

    #[test]
    fn unicode_and_quotes_stay_inside_their_string() {
        let query =
            parse("SELECT Id FROM ContactRequest WHERE VisitorName__c = 'Zoë \\' OR 1=1 — 名前'")
                .unwrap();
        let Some(Condition::Compare { value, .. }) = query.filter else {
            panic!("a comparison")
        };
        assert!(
            matches!(value.value, Literal::Text { ref value, .. } if value == "Zoë ' OR 1=1 — 名前")
        );
    }
}
