//! Parsing a whole SOSL search: `FIND {terms} [IN scope FIELDS] [RETURNING Object[(fields [WHERE …]
//! [ORDER BY …] [LIMIT n] [OFFSET n])], …] [LIMIT n]`. The braces are read here; every clause after
//! them is lexed and parsed by SOQL's lexer and parser, with positions in the whole search.

use super::term::{self, Expr};
use super::{Scope, SoslError, malformed};
use crate::soql::ast::Spanned;
use crate::soql::lexer::lex;
use crate::soql::parser::{Clauses, Parser};

/// A parsed search.
#[derive(Debug, Clone)]
pub struct Search {
    pub terms: Expr,
    pub scope: Scope,
    /// Empty when the search names no object: every searchable object, ids only.
    pub returning: Vec<Returning>,
    pub limit: Option<Spanned<u64>>,
}

/// One object of `RETURNING`.
#[derive(Debug, Clone)]
pub struct Returning {
    pub object: Spanned<String>,
    /// Empty for the id alone.
    pub fields: Vec<Spanned<String>>,
    pub clauses: Clauses,
}

/// Parses `text`.
pub fn parse(text: &str) -> Result<Search, SoslError> {
    if text.chars().count() > crate::soql::MAX_QUERY_CHARS {
        return Err(malformed(
            0,
            format!(
                "SOSL searches cannot be longer than {} characters",
                crate::soql::MAX_QUERY_CHARS
            ),
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    let find: String = chars.iter().skip(i).take(4).collect();
    if !find.eq_ignore_ascii_case("FIND") {
        return Err(malformed(
            i,
            "a search starts with FIND and its terms in braces: FIND {term}",
        ));
    }
    i += 4;
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    if chars.get(i) != Some(&'{') {
        return Err(malformed(
            i,
            "No search term found. The search term must be enclosed in braces: FIND {term}",
        ));
    }
    let open = i + 1;
    let mut close = open;
    loop {
        match chars.get(close) {
            None => {
                return Err(malformed(
                    i,
                    "the search term's braces are not closed: end it with } (escape a } inside as \\})",
                ));
            }
            Some('\\') => close += 2,
            Some('}') => break,
            Some(_) => close += 1,
        }
    }
    let inside: String = chars[open..close].iter().collect();
    let terms = term::parse(&inside, open)?;
    let rest_start = close + 1;
    let rest: String = chars[rest_start..].iter().collect();
    let tokens = lex(&rest)
        .map_err(searching)?
        .into_iter()
        .map(|mut t| {
            t.position += rest_start;
            t
        })
        .collect();
    let mut parser = Parser::over(tokens, chars.len());
    clauses(&mut parser, terms).map_err(searching)
}

/// SOQL's parser says MALFORMED_QUERY; a search answers MALFORMED_SEARCH for the same mistakes.
fn searching(mut error: SoslError) -> SoslError {
    if error.code == "MALFORMED_QUERY" {
        error.code = "MALFORMED_SEARCH";
    }
    error
}

fn clauses(parser: &mut Parser, terms: Expr) -> Result<Search, SoslError> {
    let mut scope = Scope::All;
    if parser.eat_word("IN") {
        let position = parser.position();
        let word = parser.name().map_err(|_| {
            malformed(
                position,
                "expecting ALL, NAME, EMAIL or PHONE FIELDS after IN",
            )
        })?;
        scope = Scope::named(&word.value).ok_or_else(|| {
            malformed(
                position,
                format!(
                    "Malformed search token: {}; search IN ALL, NAME, EMAIL or PHONE FIELDS",
                    word.value
                ),
            )
        })?;
        parser.expect_word("FIELDS")?;
    }
    let mut returning: Vec<Returning> = Vec::new();
    if parser.eat_word("RETURNING") {
        loop {
            let object = parser.name()?;
            if returning
                .iter()
                .any(|r| r.object.value.eq_ignore_ascii_case(&object.value))
            {
                return Err(malformed(
                    object.position,
                    format!("duplicate sObject type in RETURNING: {}", object.value),
                ));
            }
            let mut fields = Vec::new();
            let clauses = if parser.eat_symbol("(") {
                fields.push(parser.name()?);
                while parser.eat_symbol(",") {
                    fields.push(parser.name()?);
                }
                let clauses = parser.clauses()?;
                if !parser.eat_symbol(")") {
                    return Err(parser.expected("')' after the object's fields and clauses"));
                }
                clauses
            } else {
                Clauses {
                    filter: None,
                    order: Vec::new(),
                    limit: None,
                    offset: None,
                }
            };
            returning.push(Returning {
                object,
                fields,
                clauses,
            });
            if !parser.eat_symbol(",") {
                break;
            }
        }
    }
    let limit = if parser.eat_word("LIMIT") {
        Some(parser.number("a LIMIT")?)
    } else {
        None
    };
    parser.finish()?;
    Ok(Search {
        terms,
        scope,
        returning,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clause_parses() {
        let search = parse(
            "find {ann* OR \"billing question\"} in EMAIL fields returning ContactRequest(Id, Name \
             WHERE Status = 'New' ORDER BY Name DESC LIMIT 5 OFFSET 1), EngagementInteraction LIMIT 20",
        )
        .unwrap();
        assert_eq!(search.scope, Scope::Email);
        assert_eq!(search.returning.len(), 2);
        assert_eq!(search.returning[0].fields.len(), 2);
        assert!(search.returning[0].clauses.filter.is_some());
        assert_eq!(
            search.returning[0].clauses.limit.as_ref().map(|l| l.value),
            Some(5)
        );
        assert!(search.returning[1].fields.is_empty());
        assert_eq!(search.limit.map(|l| l.value), Some(20));
    }

    #[test]
    fn malformed_searches_are_refused_where_they_go_wrong() {
        let table = [
            ("SELECT Id FROM ContactRequest", 0, "not a search"),
            ("FIND ann", 5, "no braces"),
            ("FIND {ann", 5, "unclosed braces"),
            ("FIND {ann} IN ALL TYPE", 18, "not FIELDS"),
            ("FIND {ann} IN EVERY FIELDS", 14, "an unknown scope"),
            ("FIND {ann} RETURNING", 20, "RETURNING nothing"),
            ("FIND {ann} RETURNING ContactRequest(", 36, "no field list"),
            (
                "FIND {ann} RETURNING ContactRequest(Id",
                38,
                "unclosed parentheses",
            ),
            (
                "FIND {ann} RETURNING ContactRequest, contactrequest",
                37,
                "an object twice",
            ),
            ("FIND {ann} LIMIT -1", 17, "a negative LIMIT"),
            ("FIND {ann} WITH SNIPPET", 11, "a clause not served"),
        ];
        for (text, position, why) in table {
            let error = parse(text).unwrap_err();
            assert_eq!(error.code, "MALFORMED_SEARCH", "{why}: {error:?}");
            assert_eq!(error.position, position, "{why}: {error:?}");
        }
    }

    #[test]
    fn an_escaped_brace_stays_inside_the_term() {
        let search = parse("FIND {ann\\}s} RETURNING ContactRequest").unwrap();
        assert_eq!(search.returning.len(), 1);
    }
}
