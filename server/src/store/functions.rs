//! The server's own SQLite functions, given to every connection it opens: `regexp` for SOSL's word
//! matching ([`super::search`]) and `fold` for grouping text without regard to case
//! ([`super::render::prepare_grouped`]). PostgreSQL has both built in (`~*`, `lower` under ICU).

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};

/// Gives `conn` the server's functions.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    super::search::register(conn)?;
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) => Value::Text(fold(&String::from_utf8_lossy(bytes))),
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Integer(n),
                ValueRef::Real(x) => Value::Real(x),
                ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
            })
        },
    )
}

/// `text` lowered by Unicode's full case mapping, as ICU's root locale lowers it on PostgreSQL.
fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_lowers_any_unicode_text_and_leaves_the_rest() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let folded: (String, String, Option<String>, i64) = conn
            .query_row(
                "SELECT fold('NEW Zoë'), fold('ZOË ΣΑΣ'), fold(NULL), fold(3)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            folded,
            ("new zoë".into(), "zoë σας".into(), None, 3),
            "ASCII, accented capitals and a final sigma"
        );
    }
}
