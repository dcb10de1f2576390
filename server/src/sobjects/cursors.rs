//! The open query cursors behind `nextRecordsUrl`. Each is a row of the store ([`QueryCursor`]), so
//! any server process serves the next batch and a restart keeps it: the query's text, re-planned for
//! each batch as it was first checked, and what the sharing model let the first batch see, for the
//! user who opened it. A user has at most [`PER_USER`] open, as in Salesforce, which releases the
//! oldest when an eleventh is opened; a cursor holds at most [`MAX_BYTES`]; one unused for its lifetime
//! is refused, and swept by the server's periodic sweep.

use std::time::Duration;

use rand::Rng;

use super::related::{Children, Shape};
use crate::access::{Caller, Visibility};
use crate::salesforce::schema::{Field, SObject};
use crate::soql::ast::Tracking;
use crate::soql::check::{Checked, check};
use crate::soql::parser::parse;
use crate::store::{CursorBounds, Page, QueryCursor, Statement, Store, StoreError};

/// How many cursors one user may have open, as in Salesforce.
pub const PER_USER: usize = 10;
/// The most one cursor may hold. A query whose filter is larger still answers when one batch holds all
/// its rows; past that it is refused, as paging it would keep the filter for as long as the cursor lives.
pub const MAX_BYTES: usize = 64 * 1024;
/// How many cursors the server keeps in all, as a last bound; past it the least recently used goes.
const MAX_CURSORS: usize = 10_000;

/// What one batch of an open query reads.
#[derive(Debug)]
pub struct Plan {
    pub object: &'static SObject,
    /// `None` for `COUNT()`.
    pub fields: Option<Vec<&'static Field>>,
    pub tracking: Option<Tracking>,
    pub page: Page,
    /// What each record holds: its fields and its parents.
    pub shape: Shape,
    /// The relationship subqueries, read for each batch.
    pub children: Vec<Children>,
}

impl Plan {
    /// The count and the batches of `checked`, for `user` and narrowed to what `seen` may see.
    pub fn of(
        store: &Store,
        checked: Checked,
        user: &str,
        all_rows: bool,
        seen: &Visibility,
    ) -> (Statement, Self) {
        let mut select = checked.select(user, all_rows, &|object| seen.filter(object));
        seen.narrow(checked.object, &mut select);
        let prepared = store.prepare(&select);
        let plan = Self {
            shape: Shape::of(&checked),
            children: checked
                .children
                .iter()
                .map(|child| Children::of(child, user, all_rows, seen))
                .collect(),
            object: checked.object,
            fields: checked.fields,
            tracking: checked.tracking,
            page: prepared.page,
        };
        (prepared.count, plan)
    }

    /// The plan of `cursor`'s next batch, for its user `caller`: its query checked again at the instant
    /// it was first checked and narrowed as its first batch was. `None` when it no longer checks (the
    /// server was upgraded since, say): the cursor cannot go on.
    pub fn again(store: &Store, cursor: &QueryCursor, caller: &Caller) -> Option<Self> {
        let at = crate::instant::parse(&cursor.checked_at)?;
        let checked = check(&parse(&cursor.soql).ok()?, at).ok()?;
        let seen = Visibility::kept(caller, cursor.sharing.as_deref())?;
        Some(Self::of(store, checked, &cursor.user, cursor.all_rows, &seen).1)
    }

    /// About how many bytes the plan holds, to bound what a cursor keeps: its statement's parameters are
    /// what its filter weighs.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.page.bytes()
            + self
                .fields
                .as_ref()
                .map_or(0, |f| f.len() * std::mem::size_of::<&Field>())
    }
}

/// A new cursor's locator: `01g` (Salesforce's prefix for one) and 15 random letters and digits.
fn locator() -> String {
    let mut rng = rand::rng();
    let id: String = (0..15)
        .map(|_| {
            char::from(
                b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    [rng.random_range(0..62)],
            )
        })
        .collect();
    format!("01g{id}")
}

/// Keeps `cursor` and answers its locator; the user's oldest cursor is released if they have
/// [`PER_USER`] open already.
pub async fn open(store: &Store, cursor: QueryCursor) -> Result<String, StoreError> {
    let key = locator();
    let kept = key.clone();
    let bounds = CursorBounds {
        per_user: PER_USER,
        in_all: MAX_CURSORS,
    };
    store
        .write(move |tx| tx.open_query_cursor(&kept, &cursor, &crate::instant::now(), bounds))
        .await?;
    Ok(key)
}

/// The cursor `key`, if it is `user`'s and was used within `lifetime`.
pub async fn find(
    store: &Store,
    key: &str,
    user: &str,
    lifetime: Duration,
) -> Result<Option<QueryCursor>, StoreError> {
    let alive_after = alive_after(jiff::Timestamp::now(), lifetime);
    let (key, user) = (key.to_owned(), user.to_owned());
    store
        .read(move |db| db.query_cursor(&key, &user, &alive_after))
        .await
}

/// The stored instant a cursor must have been used after, at `now`, to be alive for `lifetime`.
pub fn alive_after(now: jiff::Timestamp, lifetime: Duration) -> String {
    crate::instant::stored(
        jiff::SignedDuration::try_from(lifetime)
            .ok()
            .and_then(|lifetime| now.checked_sub(lifetime).ok())
            .unwrap_or(jiff::Timestamp::MIN),
    )
}

/// Marks the cursor `key` used now, or releases it when its query has been read to the end.
pub async fn used(store: &Store, key: String, done: bool) -> Result<(), StoreError> {
    store
        .write(move |tx| {
            if done {
                tx.close_query_cursor(&key)
            } else {
                tx.touch_query_cursor(&key, &crate::instant::now())
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(soql: &str) -> Plan {
        let checked = check(&parse(soql).unwrap(), jiff::Timestamp::now()).unwrap();
        let translated =
            crate::store::render_for_tests(&checked.select("005000000000002AAA", false, &|_| None));
        Plan {
            shape: Shape::of(&checked),
            children: Vec::new(),
            object: checked.object,
            fields: checked.fields,
            tracking: checked.tracking,
            page: translated.page,
        }
    }

    /// A cursor keeps its filter's values once: a 3,900-value NOT IN costs about those values, and one
    /// that large is over the cap, so it is never kept. Before, the parsed query and its SQL were both kept.
    #[test]
    fn a_cursor_keeps_its_filter_once_and_a_huge_one_is_over_the_cap() {
        let values: Vec<String> = (0..3_900).map(|i| format!("'nobody{i:04}'")).collect();
        let plan = plan(&format!(
            "SELECT Id FROM ContactRequest WHERE VisitorName__c NOT IN ({})",
            values.join(",")
        ));
        let once = 3_900 * (std::mem::size_of::<crate::store::Value>() + "nobody0000".len() + 8);
        assert!(plan.bytes() < once, "{} bytes for {once}", plan.bytes());
        assert!(plan.bytes() > MAX_BYTES);
        assert!(
            self::plan("SELECT Id, Name FROM ContactRequest WHERE Status = 'New'").bytes() < 4_096
        );
    }

    /// A cursor used exactly its lifetime ago is expired, one used a moment later alive: the read's
    /// bound and the sweep's (at or before it) agree.
    #[test]
    fn a_cursor_lives_its_lifetime_since_its_last_use_and_no_longer() {
        let now: jiff::Timestamp = "2026-02-26T15:40:52.123Z".parse().unwrap();
        let bound = alive_after(now, Duration::from_secs(15 * 60));
        assert_eq!(bound, "2026-02-26T15:25:52.123Z");
        assert!("2026-02-26T15:25:52.124Z" > bound.as_str());
        assert_eq!(
            alive_after(now, Duration::MAX),
            crate::instant::stored(jiff::Timestamp::MIN)
        );
    }
}
