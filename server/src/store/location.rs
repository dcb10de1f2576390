//! Where the store lives, as `--database` names it: a PostgreSQL URL or a SQLite file, told apart once
//! when the flag is read, so that a URL is never taken for a path.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A database the server can run on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file: a bare path, or `sqlite:PATH`.
    Sqlite(PathBuf),
    /// A PostgreSQL server: `postgres://…` or `postgresql://…`, as libpq reads it.
    Postgres(PostgresUrl),
}

/// A `postgres://` or `postgresql://` URL. Its password never reaches a log: [`fmt::Display`] hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The URL as given, password included, for the driver alone.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What `--database` accepts, for every refusal to say.
const ACCEPTED: &str = "use postgres://USER@HOST:PORT/DATABASE (or postgresql://…) for PostgreSQL, \
                        or a file path or sqlite:PATH for SQLite";

/// Why a `--database` value names no database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseError {
    #[error("the database is empty: {ACCEPTED}")]
    Empty,
    #[error("{scheme}:// is not a database this server runs on: {ACCEPTED}")]
    UnknownScheme { scheme: String },
    #[error("{given:?} is missing the // of a PostgreSQL URL: {ACCEPTED}")]
    PostgresWithoutSlashes { given: String },
    #[error("sqlite: names no file: {ACCEPTED}")]
    SqliteWithoutPath,
    /// A PostgreSQL URL the driver cannot read, with the driver's reason (which never repeats a value).
    #[error("the PostgreSQL URL cannot be read: {reason}")]
    BadPostgresUrl { reason: String },
    /// Where only PostgreSQL will do (`--database-listen-url`), a SQLite file.
    #[error(
        "{given:?} is not a PostgreSQL URL: use postgres://USER@HOST:PORT/DATABASE (or postgresql://…)"
    )]
    NotPostgres { given: String },
}

impl FromStr for PostgresUrl {
    type Err = DatabaseError;

    /// A PostgreSQL URL as `--database` reads one; anything `--database` would take for a file is refused.
    fn from_str(given: &str) -> Result<Self, DatabaseError> {
        match given.parse()? {
            Database::Postgres(url) => Ok(url),
            Database::Sqlite(_) => Err(DatabaseError::NotPostgres {
                given: given.to_owned(),
            }),
        }
    }
}

impl FromStr for Database {
    type Err = DatabaseError;

    fn from_str(given: &str) -> Result<Self, DatabaseError> {
        if given.trim().is_empty() {
            return Err(DatabaseError::Empty);
        }
        let Some((scheme, rest)) = scheme_of(given) else {
            return Ok(Self::Sqlite(PathBuf::from(given)));
        };
        match scheme.to_ascii_lowercase().as_str() {
            lower @ ("postgres" | "postgresql") if rest.starts_with("//") => {
                // The driver reads the scheme in lower case only.
                let url = format!("{lower}:{rest}");
                url.parse::<tokio_postgres::Config>().map_err(|error| {
                    DatabaseError::BadPostgresUrl {
                        reason: std::error::Error::source(&error)
                            .map_or_else(|| error.to_string(), |cause| format!("{error}: {cause}")),
                    }
                })?;
                Ok(Self::Postgres(PostgresUrl(url)))
            }
            "postgres" | "postgresql" => Err(DatabaseError::PostgresWithoutSlashes {
                given: given.to_owned(),
            }),
            // `sqlite://PATH` is how other tools write `sqlite:PATH`; the path follows the slashes.
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.is_empty() {
                    Err(DatabaseError::SqliteWithoutPath)
                } else {
                    Ok(Self::Sqlite(PathBuf::from(path)))
                }
            }
            _ if rest.starts_with("//") => Err(DatabaseError::UnknownScheme {
                scheme: scheme.to_owned(),
            }),
            // `C:\data\file` or `notes:2024.sqlite3`: a path that happens to hold a colon.
            _ => Ok(Self::Sqlite(PathBuf::from(given))),
        }
    }
}

/// The URL scheme `given` starts with (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`), and what
/// follows its colon.
fn scheme_of(given: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = given.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => url.fmt(f),
        }
    }
}

impl fmt::Display for PostgresUrl {
    /// The URL with its password, if any, replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("postgres", &self.0));
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        match authority.rsplit_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
                let hidden = if credentials.contains(':') {
                    ":***"
                } else {
                    ""
                };
                write!(f, "{scheme}://{user}{hidden}@{host}{tail}")
            }
            None => write!(f, "{scheme}://{rest}"),
        }
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postgres(url: &str) -> Database {
        Database::Postgres(PostgresUrl(url.to_owned()))
    }

    fn sqlite(path: &str) -> Database {
        Database::Sqlite(PathBuf::from(path))
    }

    #[test]
    fn urls_and_paths_name_their_engine() {
        let cases = [
            (
                "postgres://user@host:5432/db",
                postgres("postgres://user@host:5432/db"),
            ),
            (
                "postgresql://host/db?sslmode=require",
                postgres("postgresql://host/db?sslmode=require"),
            ),
            ("POSTGRES://host/db", postgres("postgres://host/db")),
            (
                "data/contact-requests.sqlite3",
                sqlite("data/contact-requests.sqlite3"),
            ),
            (
                "/var/lib/contact/db.sqlite3",
                sqlite("/var/lib/contact/db.sqlite3"),
            ),
            ("sqlite:data/db.sqlite3", sqlite("data/db.sqlite3")),
            ("sqlite:/abs/db.sqlite3", sqlite("/abs/db.sqlite3")),
            ("sqlite://data/db.sqlite3", sqlite("data/db.sqlite3")),
            ("notes:2024.sqlite3", sqlite("notes:2024.sqlite3")),
            (r"C:\data\db.sqlite3", sqlite(r"C:\data\db.sqlite3")),
        ];
        for (given, expected) in cases {
            assert_eq!(given.parse::<Database>(), Ok(expected), "{given}");
        }
    }

    #[test]
    fn anything_else_is_refused_saying_what_is_accepted() {
        let cases = [
            ("", DatabaseError::Empty, "empty"),
            ("  ", DatabaseError::Empty, "blank"),
            (
                "mysql://root@localhost/db",
                DatabaseError::UnknownScheme {
                    scheme: "mysql".into(),
                },
                "another engine's URL",
            ),
            (
                "https://example.com/db",
                DatabaseError::UnknownScheme {
                    scheme: "https".into(),
                },
                "a web address",
            ),
            (
                "postgres:host/db",
                DatabaseError::PostgresWithoutSlashes {
                    given: "postgres:host/db".into(),
                },
                "a PostgreSQL URL without its slashes",
            ),
            (
                "sqlite:",
                DatabaseError::SqliteWithoutPath,
                "sqlite: without a file",
            ),
            (
                "sqlite://",
                DatabaseError::SqliteWithoutPath,
                "sqlite:// without a file",
            ),
        ];
        for (given, expected, why) in cases {
            let error = given.parse::<Database>().unwrap_err();
            assert_eq!(error, expected, "{why}");
            assert!(error.to_string().contains("postgres://"), "{why}: {error}");
            assert!(error.to_string().contains("sqlite:PATH"), "{why}: {error}");
        }
    }

    #[test]
    fn a_postgres_url_the_driver_cannot_read_is_refused_with_its_reason() {
        let cases = [
            ("postgres://host/db?sslmode=sometimes", "sslmode"),
            ("postgres://host/db?no_such_setting=1", "no_such_setting"),
            ("postgres://host:port/db", "port"),
        ];
        for (given, named) in cases {
            let Err(DatabaseError::BadPostgresUrl { reason }) = given.parse::<Database>() else {
                panic!("{given} is refused");
            };
            assert!(reason.contains(named), "{given}: {reason}");
        }
    }

    #[test]
    fn a_password_never_shows_when_the_url_is_printed() {
        let cases = [
            (
                "postgres://app:s3cret@db:5432/contact",
                "postgres://app:***@db:5432/contact",
            ),
            (
                "postgresql://app:p@ss@db/contact?sslmode=require",
                "postgresql://app:***@db/contact?sslmode=require",
            ),
            ("postgres://app@db/contact", "postgres://app@db/contact"),
            ("postgres://db/contact", "postgres://db/contact"),
        ];
        for (given, shown) in cases {
            let database: Database = given.parse().unwrap();
            assert_eq!(database.to_string(), shown);
            assert!(!format!("{database:?}").contains("s3cret"));
            assert!(!format!("{database:?}").contains("p@ss"));
        }
    }
}
