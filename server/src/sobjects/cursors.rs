//! The open query cursors behind `nextRecordsUrl`: each keeps its query's page statement once, for the
//! user who opened it. A user has at most [`PER_USER`] open, as in Salesforce, which releases the oldest
//! when an eleventh is opened; a cursor holds at most [`MAX_BYTES`]; and a timer drops expired cursors
//! whether or not anyone queries again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::salesforce::schema::{Field, SObject};
use crate::soql::ast::Tracking;
use crate::store::Page;

/// How many cursors one user may have open, as in Salesforce.
pub const PER_USER: usize = 10;
/// The most one cursor may hold. A query whose filter is larger still answers when one batch holds all
/// its rows; past that it is refused, as paging it would keep the filter for as long as the cursor lives.
pub const MAX_BYTES: usize = 64 * 1024;
/// How many cursors the server keeps in all, as a last bound; past it the oldest is released.
const MAX_CURSORS: usize = 10_000;

/// What one open query reads from, shared by its cursor and the batch being read.
#[derive(Debug)]
pub struct Plan {
    pub object: &'static SObject,
    /// `None` for `COUNT()`.
    pub fields: Option<Vec<&'static Field>>,
    pub tracking: Option<Tracking>,
    pub page: Page,
}

impl Plan {
    /// About how many bytes the cursor keeps for this plan.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.page.bytes()
            + self
                .fields
                .as_ref()
                .map_or(0, |f| f.len() * std::mem::size_of::<&Field>())
    }
}

/// One open query: what it selects, for whom, and how far the client has read.
pub struct Cursor {
    pub plan: Arc<Plan>,
    pub user: String,
    pub total: u64,
    pub batch: u64,
    opened: Instant,
    touched: Instant,
}

impl Cursor {
    pub fn new(plan: Arc<Plan>, user: String, total: u64, batch: u64) -> Self {
        let now = Instant::now();
        Self {
            plan,
            user,
            total,
            batch,
            opened: now,
            touched: now,
        }
    }
}

/// The open query cursors, by locator.
pub struct Cursors {
    lifetime: Duration,
    open: Mutex<HashMap<String, Cursor>>,
}

impl Cursors {
    /// Cursors that live `lifetime` unused.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cursor>> {
        // Every change to the map is one call that cannot panic halfway, so a poisoned lock is safe.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `cursor` and returns its locator; the user's oldest cursor is released if it has
    /// [`PER_USER`] open already.
    pub fn open(&self, cursor: Cursor) -> String {
        let mut rng = rand::rng();
        let id: String = (0..15)
            .map(|_| {
                char::from(
                    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        [rng.random_range(0..62)],
                )
            })
            .collect();
        let key = format!("01g{id}");
        let mut map = self.map();
        let users: Vec<(&String, Instant)> = map
            .iter()
            .filter(|(_, c)| c.user == cursor.user)
            .map(|(k, c)| (k, c.opened))
            .collect();
        if users.len() >= PER_USER
            && let Some(oldest) = users
                .iter()
                .min_by_key(|(_, opened)| *opened)
                .map(|(k, _)| (*k).clone())
        {
            map.remove(&oldest);
        }
        if map.len() >= MAX_CURSORS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, c)| c.touched)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(key.clone(), cursor);
        key
    }

    /// Takes the cursor `key` out, if it is `user`'s and alive; it goes back with [`Cursors::put_back`].
    pub fn take(&self, key: &str, user: &str) -> Option<Cursor> {
        let mut map = self.map();
        let cursor = map.remove(key)?;
        if cursor.user != user {
            map.insert(key.to_owned(), cursor);
            return None;
        }
        (cursor.touched.elapsed() < self.lifetime).then_some(cursor)
    }

    /// Puts a cursor taken out back under its locator, as just used.
    pub fn put_back(&self, key: String, mut cursor: Cursor) {
        cursor.touched = Instant::now();
        self.map().insert(key, cursor);
    }

    /// Drops every cursor unused for its lifetime as of `now`.
    pub fn sweep(&self, now: Instant) {
        self.map()
            .retain(|_, c| now.saturating_duration_since(c.touched) < self.lifetime);
    }

    /// How many cursors are open.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// Whether no cursor is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sweeps `cursors` every `every` until they are dropped. Started only inside a Tokio runtime (the
/// server's, a test's); without one nothing sweeps but use.
pub fn sweep_every(cursors: &Arc<Cursors>, every: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let cursors: Weak<Cursors> = Arc::downgrade(cursors);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(cursors) = cursors.upgrade() else {
                return;
            };
            cursors.sweep(Instant::now());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soql::check::check;
    use crate::soql::parser::parse;

    fn plan(soql: &str) -> Arc<Plan> {
        let checked = check(&parse(soql).unwrap(), jiff::Timestamp::now()).unwrap();
        let translated =
            crate::store::render_for_tests(&checked.select("005000000000002AAA", false));
        Arc::new(Plan {
            object: checked.object,
            fields: checked.fields,
            tracking: checked.tracking,
            page: translated.page,
        })
    }

    fn cursor(user: &str) -> Cursor {
        Cursor::new(
            plan("SELECT Id FROM ContactRequest"),
            user.to_owned(),
            5_000,
            2_000,
        )
    }

    /// A user's eleventh cursor releases that user's oldest, as Salesforce does, and no other user's.
    /// Before, one user could open 10,000 and release everyone else's.
    #[test]
    fn an_eleventh_cursor_releases_the_users_oldest_and_no_one_elses() {
        let cursors = Cursors::new(Duration::from_secs(900));
        let theirs = cursors.open(cursor("them"));
        let mine: Vec<String> = (0..=PER_USER).map(|_| cursors.open(cursor("me"))).collect();
        assert_eq!(cursors.len(), PER_USER + 1, "ten of mine and theirs");
        assert!(
            cursors.take(&mine[0], "me").is_none(),
            "my oldest was released"
        );
        for key in &mine[1..] {
            assert!(cursors.take(key, "me").is_some(), "{key} is still open");
        }
        assert!(cursors.take(&theirs, "them").is_some());
    }

    /// Expired cursors are dropped by the timer, with no query to trigger it. Before, they stayed until
    /// the next query was opened.
    #[tokio::test]
    async fn expired_cursors_are_swept_on_a_timer_without_any_use() {
        let cursors = Arc::new(Cursors::new(Duration::ZERO));
        sweep_every(&cursors, Duration::from_millis(5));
        cursors.open(cursor("me"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !cursors.is_empty() {
            assert!(Instant::now() < deadline, "the cursor was never swept");
            tokio::time::sleep(Duration::from_millis(5)).await;
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
}
