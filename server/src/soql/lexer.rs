//! Splitting a SOQL query into tokens. Anything SOQL does not have (comments, semicolons, double quotes,
//! unknown escapes) is refused here with its position.

use super::SoqlError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(String),
    /// A string literal: its value, and its value as a `LIKE` pattern escaped with `\`.
    Text {
        value: String,
        like: String,
    },
    Number(String),
    DateTime(String),
    Date(String),
    Symbol(&'static str),
}

/// A token and the character offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub struct Lexed {
    pub token: Token,
    pub position: usize,
}

const SYMBOLS: &[&str] = &[
    "!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", ":", ".",
];

/// The tokens of `query`.
pub fn lex(query: &str) -> Result<Vec<Lexed>, SoqlError> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '\'' {
            let (token, next) = text(&chars, i)?;
            tokens.push(Lexed {
                token,
                position: start,
            });
            i = next;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(Lexed {
                token: Token::Word(word),
                position: start,
            });
            continue;
        }
        if c.is_ascii_digit()
            || (matches!(c, '-' | '+') && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | ':' | '-' | '+'))
            {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            tokens.push(Lexed {
                token: number_or_date(&raw, start)?,
                position: start,
            });
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            Some(symbol) => {
                tokens.push(Lexed {
                    token: Token::Symbol(symbol),
                    position: start,
                });
                i += symbol.chars().count();
            }
            None => {
                return Err(SoqlError::malformed(
                    start,
                    format!("unexpected token: '{c}'"),
                ));
            }
        }
    }
    Ok(tokens)
}

fn number_or_date(raw: &str, position: usize) -> Result<Token, SoqlError> {
    let bytes = raw.as_bytes();
    let looks_dated = bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-';
    if looks_dated {
        if raw.len() == 10
            && raw
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        {
            return Ok(Token::Date(raw.to_owned()));
        }
        if bytes.get(10) == Some(&b'T') {
            return Ok(Token::DateTime(raw.to_owned()));
        }
    }
    // An integer or a decimal: digits, then optionally a point and more digits (`60`, `-3`, `+2.5`).
    let unsigned = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if digits(whole) && digits(fraction) {
        let number = raw.strip_prefix('+').unwrap_or(raw);
        return Ok(Token::Number(number.to_owned()));
    }
    Err(SoqlError::malformed(
        position,
        format!("unexpected token: '{raw}'"),
    ))
}

/// A quoted string from `chars[start]`, with SOQL's escapes.
fn text(chars: &[char], start: usize) -> Result<(Token, usize), SoqlError> {
    let mut value = String::new();
    let mut like = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(SoqlError::malformed(
                start,
                "unterminated string: close it with '",
            ));
        };
        match c {
            '\'' => return Ok((Token::Text { value, like }, i + 1)),
            '\\' => {
                let Some(&escaped) = chars.get(i + 1) else {
                    return Err(SoqlError::malformed(
                        i,
                        "unterminated string: close it with '",
                    ));
                };
                let (plain, pattern): (char, &str) = match escaped {
                    'n' => ('\n', "\n"),
                    'r' => ('\r', "\r"),
                    't' => ('\t', "\t"),
                    'b' => ('\u{8}', "\u{8}"),
                    'f' => ('\u{c}', "\u{c}"),
                    '"' => ('"', "\""),
                    '\'' => ('\'', "'"),
                    '\\' => ('\\', "\\\\"),
                    '%' => ('%', "\\%"),
                    '_' => ('_', "\\_"),
                    other => {
                        return Err(SoqlError::malformed(
                            i,
                            format!(
                                "Invalid string literal: the escape \\{other} is not SOQL; escape a backslash as \\\\"
                            ),
                        ));
                    }
                };
                value.push(plain);
                like.push_str(pattern);
                i += 2;
            }
            other => {
                value.push(other);
                like.push(other);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_their_escapes_apart_for_like() {
        let tokens = lex(r"'O\'Brien \%50\_off \\ ünï'").unwrap();
        assert_eq!(
            tokens[0].token,
            Token::Text {
                value: r"O'Brien %50_off \ ünï".into(),
                like: r"O'Brien \%50\_off \\ ünï".into()
            }
        );
    }

    #[test]
    fn what_soql_does_not_have_is_refused_with_its_position() {
        let table = [
            ("SELECT Id FROM X; DROP TABLE users", 16, "a semicolon"),
            ("SELECT Id -- comment", 10, "a line comment"),
            ("SELECT /* c */ Id", 7, "a block comment"),
            ("SELECT \"Id\"", 7, "a double-quoted name"),
            ("SELECT Id WHERE Name = 'open", 23, "an unterminated string"),
            ("WHERE Name = '\\q'", 14, "an unknown escape"),
        ];
        for (query, position, why) in table {
            let error = lex(query).unwrap_err();
            assert_eq!(error.position, position, "{why}: {error:?}");
            assert_eq!(error.code, "MALFORMED_QUERY", "{why}");
        }
    }

    #[test]
    fn integers_and_decimals_are_numbers_and_malformed_ones_are_refused() {
        let tokens = lex("60 -3 +2.5 0.125 007").unwrap();
        let numbers: Vec<Token> = ["60", "-3", "2.5", "0.125", "007"]
            .into_iter()
            .map(|n| Token::Number(n.into()))
            .collect();
        assert_eq!(
            tokens.into_iter().map(|t| t.token).collect::<Vec<_>>(),
            numbers
        );
        for (query, why) in [
            ("1.", "a point without a fraction"),
            ("1.2.3", "two points"),
            ("12abc", "letters after digits"),
            ("1e3", "an exponent"),
            ("--1", "two signs"),
        ] {
            assert_eq!(
                lex(query).map_err(|e| e.code),
                Err("MALFORMED_QUERY"),
                "{why}"
            );
        }
    }

    #[test]
    fn dates_datetimes_and_numbers_are_told_apart() {
        let tokens =
            lex("2024-05-01 2024-05-01T10:00:00Z 2024-05-01T10:00:00.000+0100 42").unwrap();
        assert!(matches!(tokens[0].token, Token::Date(_)));
        assert!(matches!(tokens[1].token, Token::DateTime(_)));
        assert!(matches!(tokens[2].token, Token::DateTime(_)));
        assert_eq!(tokens[3].token, Token::Number("42".into()));
    }
}
