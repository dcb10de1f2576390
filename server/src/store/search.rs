//! SOSL's word matching, rendered for each engine from one [`Piece`] list: a regular expression that
//! finds a term's words, in order, as whole words of a text, without regard to case over any Unicode
//! text. PostgreSQL runs it with `~*` under ICU's root collation (whose case mapping covers Unicode);
//! SQLite has no regular expressions of its own, so [`register`] gives each connection a `regexp`
//! function built on the `regex` crate, whose `(?i)` folds Unicode case too. Both take `\w` as Unicode
//! letters, digits and underscores, so a term means the same on either engine.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::plan::Piece;
use super::sql::Dialect;

/// The expression finding `words` in a text of `dialect`; `phone` reads a term of digits alone as a
/// phone number's digits, whatever separates them there (`415-555-0100` finds `+1 (415) 555 0100`).
pub(super) fn pattern(words: &[Vec<Piece>], phone: bool, dialect: Dialect) -> String {
    let flags = match dialect {
        Dialect::Sqlite => "(?i)",
        Dialect::Postgres => "",
    };
    if phone && let Some(digits) = digits_only(words) {
        let spaced: Vec<String> = digits.chars().map(String::from).collect();
        // No boundary in front: a number written with its country code ends in the digits asked for.
        return format!("{flags}{}(?:\\D|$)", spaced.join("\\D*"));
    }
    let words: Vec<String> = words
        .iter()
        .map(|pieces| pieces.iter().map(|p| piece(p, dialect)).collect())
        .collect();
    format!("{flags}(?:^|\\W){}(?:\\W|$)", words.join("\\W+"))
}

/// The term's digits, when it holds nothing but digits (and no wildcard).
fn digits_only(words: &[Vec<Piece>]) -> Option<String> {
    let mut digits = String::new();
    for piece in words.iter().flatten() {
        match piece {
            Piece::Text(text) if text.chars().all(|c| c.is_ascii_digit()) => digits.push_str(text),
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some(digits)
}

fn piece(piece: &Piece, dialect: Dialect) -> String {
    match piece {
        Piece::Many => "\\w*".to_owned(),
        Piece::One => "\\w".to_owned(),
        // The parser keeps only word characters in text; anything else is escaped all the same.
        Piece::Text(text) => match dialect {
            Dialect::Sqlite => regex::escape(text),
            Dialect::Postgres => text
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '_' {
                        c.to_string()
                    } else {
                        format!("\\{c}")
                    }
                })
                .collect(),
        },
    }
}

/// Gives a SQLite connection `regexp(pattern, text)`, which [`pattern`]'s expressions run with: each
/// statement compiles its pattern once. A pattern that does not compile is an error of the statement.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let compiled: std::sync::Arc<regex::Regex> = ctx.get_or_create_aux(
                0,
                |pattern| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                    Ok(regex::Regex::new(pattern.as_str()?)?)
                },
            )?;
            let text = ctx.get_raw(1);
            Ok(match text {
                rusqlite::types::ValueRef::Text(bytes) => {
                    compiled.is_match(&String::from_utf8_lossy(bytes))
                }
                _ => false,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&[Piece]]) -> Vec<Vec<Piece>> {
        list.iter().map(|w| w.to_vec()).collect()
    }

    fn text(t: &str) -> Piece {
        Piece::Text(t.into())
    }

    fn finds(words: &[Vec<Piece>], phone: bool, haystack: &str) -> bool {
        regex::Regex::new(&pattern(words, phone, Dialect::Sqlite))
            .unwrap()
            .is_match(haystack)
    }

    #[test]
    fn a_word_is_found_whole_and_without_regard_to_case_in_any_script() {
        let zoe = words(&[&[text("zoë")]]);
        assert!(finds(&zoe, false, "Call ZOË back"));
        assert!(!finds(&zoe, false, "Zoëlle"));
        let cyrillic = words(&[&[text("ПЕТР")]]);
        assert!(finds(&cyrillic, false, "звонок: петр, завтра"));
    }

    #[test]
    fn wildcards_stay_within_a_word_and_phrases_keep_their_order() {
        let prefix = words(&[&[text("john"), Piece::Many]]);
        assert!(finds(&prefix, false, "Mr Johnson"));
        assert!(finds(&prefix, false, "john"));
        assert!(!finds(&prefix, false, "jo hnny"));
        let one = words(&[&[text("j"), Piece::One, text("hn")]]);
        assert!(finds(&one, false, "JOHN"));
        assert!(!finds(&one, false, "jhn"));
        let phrase = words(&[&[text("billing")], &[text("question")]]);
        assert!(finds(&phrase, false, "a Billing-question, urgent"));
        assert!(!finds(&phrase, false, "question about billing"));
    }

    #[test]
    fn digits_find_a_phone_number_however_it_is_written() {
        let number = words(&[&[text("415")], &[text("555")], &[text("0100")]]);
        assert!(finds(&number, true, "+1 (415) 555-0100"));
        assert!(finds(&number, true, "+14155550100"));
        assert!(!finds(&number, true, "+14155550101"));
        assert!(
            !finds(&number, false, "+14155550100"),
            "not in a text field"
        );
    }

    #[test]
    fn postgres_patterns_have_no_inline_flags() {
        let p = pattern(
            &words(&[&[text("ann"), Piece::One]]),
            false,
            Dialect::Postgres,
        );
        assert_eq!(p, "(?:^|\\W)ann\\w(?:\\W|$)");
    }
}
