//! The search expression between SOSL's braces (and `parameterizedSearch`'s `q`): words and quoted
//! phrases, the wildcards `*` (any number of characters) and `?` (one), `AND`, `OR` and `AND NOT` with
//! parentheses, and a backslash before any reserved character to search for it as written. Terms side
//! by side are ANDed, as in Salesforce; AND binds tighter than OR.
//!
//! A term is kept as its words: runs of letters, digits and underscores (punctuation separates words,
//! as the search index splits text), which the store finds as whole words in that order.

use super::{SoslError, malformed};
use crate::store::Piece;

/// Characters SOSL reserves: outside a quoted phrase each must be escaped with `\` to be searched for
/// (`*` and `?` are the wildcards, `"` and the parentheses are syntax).
pub const RESERVED: &str = "&|!{}[]^~:'+-";
/// How deeply parentheses may nest.
pub const MAX_DEPTH: usize = 32;
/// How many terms one search may hold, and how many words and wildcards one term.
pub const MAX_TERMS: usize = 64;
pub const MAX_WORDS: usize = 32;
pub const MAX_WILDCARDS: usize = 16;

/// A parsed search expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// One word or phrase: its words, in order.
    Term(Vec<Vec<Piece>>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Term(Vec<Vec<Piece>>),
}

/// Parses `text`, which starts `offset` characters into the whole search (for error positions).
pub fn parse(text: &str, offset: usize) -> Result<Expr, SoslError> {
    let tokens = lex(text, offset)?;
    if tokens.is_empty() {
        return Err(malformed(
            offset,
            "No search term found. The search term must be enclosed in braces: FIND {term}",
        ));
    }
    let terms = tokens
        .iter()
        .filter(|(t, _)| matches!(t, Token::Term(_)))
        .count();
    if terms > MAX_TERMS {
        return Err(malformed(
            offset,
            format!("a search may hold at most {MAX_TERMS} terms"),
        ));
    }
    let end = offset + text.chars().count();
    let mut parser = Parser { tokens, at: 0, end };
    let expr = parser.or(0)?;
    if let Some((_, position)) = parser.tokens.get(parser.at) {
        return Err(malformed(
            *position,
            "unexpected token in the search: put parentheses around every group",
        ));
    }
    Ok(expr)
}

fn lex(text: &str, offset: usize) -> Result<Vec<(Token, usize)>, SoslError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = offset + i;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push((Token::Open, position));
            i += 1;
        } else if c == ')' {
            tokens.push((Token::Close, position));
            i += 1;
        } else if c == '"' {
            let mut words = Words::new(position);
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(malformed(position, "unterminated phrase: close it with \""));
                    }
                    Some('"') => break,
                    Some('\\') => {
                        let escaped = chars.get(i + 1).ok_or_else(|| {
                            malformed(offset + i, "a backslash must escape a character")
                        })?;
                        words.literal(*escaped);
                        i += 2;
                    }
                    Some(&c) => {
                        words.push(c);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push((Token::Term(words.finish()?), position));
        } else {
            let start = i;
            let mut words = Words::new(position);
            let mut plain = String::new();
            while let Some(&c) = chars.get(i) {
                if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                    break;
                }
                if c == '\\' {
                    let escaped = chars.get(i + 1).ok_or_else(|| {
                        malformed(offset + i, "a backslash must escape a character")
                    })?;
                    words.literal(*escaped);
                    plain.push('\\');
                    i += 2;
                    continue;
                }
                if RESERVED.contains(c) {
                    return Err(malformed(
                        offset + i,
                        format!(
                            "'{c}' is reserved in a search: escape it as \\{c} to search for it, or quote the phrase"
                        ),
                    ));
                }
                words.push(c);
                plain.push(c);
                i += 1;
            }
            debug_assert!(i > start);
            let token = match plain.to_ascii_uppercase().as_str() {
                "AND" => Token::And,
                "OR" => Token::Or,
                "NOT" => Token::Not,
                _ => Token::Term(words.finish()?),
            };
            tokens.push((token, position));
        }
    }
    Ok(tokens)
}

/// The words of one term as they are read.
struct Words {
    position: usize,
    words: Vec<Vec<Piece>>,
    current: Vec<Piece>,
    letters: usize,
    wildcards: usize,
}

impl Words {
    fn new(position: usize) -> Self {
        Self {
            position,
            words: Vec::new(),
            current: Vec::new(),
            letters: 0,
            wildcards: 0,
        }
    }

    /// A character as written in the term: `*` and `?` are wildcards.
    fn push(&mut self, c: char) {
        match c {
            '*' => self.wildcard(Piece::Many),
            '?' => self.wildcard(Piece::One),
            c => self.literal(c),
        }
    }

    fn wildcard(&mut self, piece: Piece) {
        self.wildcards += 1;
        self.current.push(piece);
    }

    /// A character searched for as it is: a word character joins the word, anything else ends it.
    fn literal(&mut self, c: char) {
        if c.is_alphanumeric() || c == '_' {
            self.letters += 1;
            match self.current.last_mut() {
                Some(Piece::Text(text)) => text.push(c),
                _ => self.current.push(Piece::Text(c.to_string())),
            }
        } else if !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
        }
    }

    fn finish(mut self) -> Result<Vec<Vec<Piece>>, SoslError> {
        if !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
        }
        if self.letters < 2 {
            return Err(malformed(
                self.position,
                "search term must be longer than one character (wildcards not counted)",
            ));
        }
        if self.words.len() > MAX_WORDS || self.wildcards > MAX_WILDCARDS {
            return Err(malformed(
                self.position,
                format!(
                    "a search term may hold at most {MAX_WORDS} words and {MAX_WILDCARDS} wildcards"
                ),
            ));
        }
        Ok(self.words)
    }
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(_, p)| *p)
    }

    fn or(&mut self, depth: usize) -> Result<Expr, SoslError> {
        let mut parts = vec![self.and(depth)?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, SoslError> {
        let mut parts = vec![self.unary(depth)?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.at += 1;
                    if self.peek() == Some(&Token::Not) {
                        self.at += 1;
                        parts.push(Expr::Not(Box::new(self.unary(depth)?)));
                    } else {
                        parts.push(self.unary(depth)?);
                    }
                }
                // Terms side by side: all of them, as Salesforce reads them.
                Some(Token::Term(_) | Token::Open) => parts.push(self.unary(depth)?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, SoslError> {
        let position = self.position();
        match self.tokens.get(self.at).map(|(t, _)| t.clone()) {
            Some(Token::Term(words)) => {
                self.at += 1;
                Ok(Expr::Term(words))
            }
            Some(Token::Open) => {
                if depth >= MAX_DEPTH {
                    return Err(malformed(
                        position,
                        format!("parentheses nest more than {MAX_DEPTH} deep"),
                    ));
                }
                self.at += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(malformed(self.position(), "expecting ')' in the search"));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Not) => Err(malformed(
                position,
                "NOT must follow a term: write AND NOT between two terms",
            )),
            Some(Token::And | Token::Or) => Err(malformed(
                position,
                "expecting a search term before and after AND and OR",
            )),
            Some(Token::Close) => Err(malformed(position, "unexpected ')' in the search")),
            None => Err(malformed(
                position,
                "expecting a search term after the operator",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(words: &[&str]) -> Expr {
        Expr::Term(
            words
                .iter()
                .map(|w| vec![Piece::Text((*w).into())])
                .collect(),
        )
    }

    #[test]
    fn terms_side_by_side_are_anded_and_and_binds_tighter_than_or() {
        assert_eq!(
            parse("ann smith OR bob", 0).unwrap(),
            Expr::Or(vec![
                Expr::And(vec![term(&["ann"]), term(&["smith"])]),
                term(&["bob"])
            ])
        );
        assert_eq!(
            parse("(ann OR bob) AND NOT \"Billing question\"", 0).unwrap(),
            Expr::And(vec![
                Expr::Or(vec![term(&["ann"]), term(&["bob"])]),
                Expr::Not(Box::new(term(&["Billing", "question"]))),
            ])
        );
    }

    #[test]
    fn wildcards_and_escapes_become_pieces() {
        assert_eq!(
            parse("jo?n* ann\\-marie", 0).unwrap(),
            Expr::And(vec![
                Expr::Term(vec![vec![
                    Piece::Text("jo".into()),
                    Piece::One,
                    Piece::Text("n".into()),
                    Piece::Many
                ]]),
                term(&["ann", "marie"]),
            ])
        );
        assert_eq!(
            parse("ann@example.com", 0).unwrap(),
            term(&["ann", "example", "com"])
        );
    }

    #[test]
    fn malformed_searches_are_refused_with_their_position() {
        let table = [
            ("", 0, "nothing to search for"),
            ("a", 0, "one character"),
            ("j*", 0, "one character and a wildcard"),
            ("ann-marie", 3, "an unescaped reserved character"),
            ("\"ann", 0, "an unterminated phrase"),
            ("ann AND", 7, "AND with nothing after"),
            ("OR ann", 0, "OR with nothing before"),
            ("NOT ann", 0, "NOT without AND"),
            ("(ann", 4, "an unclosed parenthesis"),
            ("ann)", 3, "a parenthesis never opened"),
            ("ann\\", 3, "a backslash escaping nothing"),
        ];
        for (text, position, why) in table {
            let error = parse(text, 0).unwrap_err();
            assert_eq!(error.code, "MALFORMED_SEARCH", "{why}");
            assert_eq!(error.position, position, "{why}: {error:?}");
        }
        let deep = format!("{}ann{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep, 0).is_err());
        let many = vec!["ann"; MAX_TERMS + 1].join(" ");
        assert!(parse(&many, 0).is_err());
    }
}
