//! The console's live feed, `GET /console/api/events`: every change the outbox records that the console
//! listens to, as Server-Sent Events, to each signed-in person who may see the request it is about.
//!
//! The outbox is the source, so the feed tells exactly of what was committed, in commit order, and each
//! event's `id:` is its place in the outbox: a browser that lost its connection sends `Last-Event-ID` and
//! is given what it missed from the store, not from memory. One follower task per process reads the
//! outbox as the writer ends each transaction (on a short timer where other processes write too) and
//! hands new events to the open connections through a broadcast channel; it runs only while someone
//! listens. A connection that falls behind the channel reads on from the store, the same way.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use contact_shared::console::live::{self, RESYNC, SIGNED_OUT};
use contact_shared::console::{API_PREFIX, LiveChange};
use futures_util::{Stream, StreamExt};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, watch};

use crate::access::{ConsoleCaller, Visibility, caller};
use crate::error::AppError;
use crate::ids;
use crate::store::{OutboxEvent, Store, StoreError};

/// The longest the feed waits for an event whose number it has passed (see [`InOrder`]).
const HOLD: Duration = Duration::from_secs(5);
/// How often it looks again meanwhile.
const HELD_LOOK: Duration = Duration::from_millis(250);
/// Events read from the store per look.
const PAGE: u32 = 256;
/// The most a reconnecting browser is sent of what it missed; past that it is told to reload instead.
const MAX_REPLAY: usize = 2_000;
/// How often an open connection checks that its session still holds (signed out, expired, revoked).
const RECHECK: Duration = Duration::from_secs(30);
/// How often an open connection notes that its person's console is connected: push routing takes a
/// console unseen for a minute as Offline.
const PRESENT: Duration = Duration::from_secs(20);
/// How long a browser waits before it reconnects after a dropped connection.
const RETRY: Duration = Duration::from_secs(2);

/// The outbox's events the console listens to. The others (an assignment, which `updated` tells it too;
/// a logged call, whose data is a Task) are for webhooks: the feed passes over them. A presence change
/// and a callback falling due are for the supervisor view.
const TOLD: &[&str] = &[
    live::CREATED,
    live::STATUS_CHANGED,
    live::UPDATED,
    live::OFFER_MADE,
    live::OFFER_ENDED,
    live::PRESENCE_CHANGED,
    live::CALLBACK_DUE,
];

/// One event of the feed: its place, its name and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub seq: i64,
    pub kind: String,
    pub change: LiveChange,
    /// The owner before the change, when it moved: people who saw it there see it leave.
    pub previous_owner: Option<String>,
}

impl FeedEvent {
    /// The feed's view of an outbox row; `None` for one the console does not listen to (see [`TOLD`]).
    pub fn from_outbox(event: &OutboxEvent) -> Option<Self> {
        if !TOLD.contains(&event.event_type.as_str()) {
            return None;
        }
        let payload: Value = serde_json::from_str(&event.payload).ok()?;
        let data = payload.get("data")?;
        // `created` carries the record as its data; the other events carry it under `record`.
        let record = data.get("record").unwrap_or(data);
        let text =
            |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let by = text(data, "who")
            .or_else(|| text(data, "by"))
            .or_else(|| text(record, "LastModifiedById"))
            .or_else(|| text(record, "CreatedById"))
            .unwrap_or_else(|| ids::SITE_GUEST_USER_ID.to_owned());
        Some(Self {
            seq: event.seq,
            kind: event.event_type.clone(),
            change: LiveChange {
                id: event.record_id.clone(),
                owner_id: text(record, "OwnerId").unwrap_or_default(),
                status: text(record, "Status").unwrap_or_default(),
                by,
            },
            previous_owner: text(data, "fromOwnerId"),
        })
    }
}

/// Whether the caller whose visibility is `seen` hears of `event`: the sharing model's owner rule, for a
/// request where it is now and where it was (so a request leaving someone's queue leaves their view).
fn hears(seen: &Visibility, event: &FeedEvent) -> bool {
    seen.sees_owner(&event.change.owner_id)
        || event
            .previous_owner
            .as_deref()
            .is_some_and(|owner| seen.sees_owner(owner))
}

/// The process's feed: the broadcast channel and whether its follower runs.
pub struct Feed {
    store: Store,
    sender: broadcast::Sender<Arc<FeedEvent>>,
    following: Arc<Mutex<bool>>,
    /// Set when the server stops: every open stream ends, so that shutdown does not wait on them.
    closing: watch::Sender<bool>,
}

impl Feed {
    pub fn new(store: Store) -> Arc<Self> {
        let (sender, _) = broadcast::channel(1_024);
        Arc::new(Self {
            store,
            sender,
            following: Arc::new(Mutex::new(false)),
            closing: watch::Sender::new(false),
        })
    }

    /// Ends every open stream and every one opened from now on: the server is stopping. A console's
    /// `EventSource` reconnects by itself (to another process, behind a proxy) from its last event.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Self::close`] was called.
    fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closed| *closed).await;
        }
    }

    /// Listens from now on. Before a listener catches up from the store, so nothing committed between
    /// its catch-up and its first broadcast event is lost; events in both are told once (by place).
    fn listen(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.sender.subscribe()
    }

    /// Starts the follower, reading after `from`, unless it runs.
    fn follow_from(&self, from: i64) {
        let mut following = self.following.lock().unwrap_or_else(|e| e.into_inner());
        if *following {
            return;
        }
        *following = true;
        tokio::spawn(follow(
            self.store.clone(),
            self.sender.clone(),
            Arc::clone(&self.following),
            from,
        ));
    }
}

/// The follower: reads the outbox on from `cursor` each time the writer ends a transaction, and
/// broadcasts what it finds, until nobody listens.
async fn follow(
    store: Store,
    sender: broadcast::Sender<Arc<FeedEvent>>,
    following: Arc<Mutex<bool>>,
    mut cursor: i64,
) {
    let mut committed = store.committed();
    let mut order = InOrder::default();
    loop {
        {
            // Under the lock a new listener takes to start the follower: it either sees this one
            // running, or starts the next.
            let mut running = following.lock().unwrap_or_else(|e| e.into_inner());
            if sender.receiver_count() == 0 {
                *running = false;
                return;
            }
        }
        let read = store
            .read(move |db| db.outbox_settled_after(cursor, PAGE))
            .await;
        match read {
            Ok((events, settled)) => {
                let full = events.len() == PAGE as usize;
                let tellable = order.tellable(cursor, &events, settled, Instant::now());
                for event in &events[..tellable] {
                    cursor = event.seq;
                    if let Some(event) = FeedEvent::from_outbox(event) {
                        let _ = sender.send(Arc::new(event));
                    }
                }
                if full && tellable == events.len() {
                    continue;
                }
            }
            Err(error) => tracing::warn!(%error, "the live feed cannot read the outbox; retrying"),
        }
        // Waiting on a gap, look again soon: its event commits (and is heard) or the wait ends.
        let wait = if order.holding() { HELD_LOOK } else { RECHECK };
        let changed = tokio::time::timeout(wait, committed.changed()).await;
        if matches!(changed, Ok(Err(_))) {
            // The writer (or the listener) is gone: the store stopped.
            *following.lock().unwrap_or_else(|e| e.into_inner()) = false;
            return;
        }
    }
}

/// Events are told in number order. On PostgreSQL an event's number is drawn when it is written but the
/// event is seen at its commit, so a gap in what a read found may be an event still being written, with
/// later ones already committed: the follower tells up to the gap and waits for it. A read taken while
/// nobody writes events is settled (a gap in it is a rolled-back write, never filled), and a gap waited
/// on for [`HOLD`] is given up, so a rollback delays the feed, never stops it. SQLite's reads are always
/// settled.
#[derive(Debug, Default)]
struct InOrder {
    held_since: Option<Instant>,
}

impl InOrder {
    /// How many of `events`, read after `cursor` in number order, may be told now.
    fn tellable(
        &mut self,
        cursor: i64,
        events: &[OutboxEvent],
        settled: bool,
        now: Instant,
    ) -> usize {
        let gap = (!settled)
            .then(|| {
                let mut previous = cursor;
                events.iter().position(|event| {
                    let next = event.seq != previous + 1;
                    previous = event.seq;
                    next
                })
            })
            .flatten();
        let Some(gap) = gap else {
            self.held_since = None;
            return events.len();
        };
        let since = *self.held_since.get_or_insert(now);
        if now.saturating_duration_since(since) >= HOLD {
            self.held_since = None;
            return events.len();
        }
        gap
    }

    /// Whether a gap is being waited on.
    fn holding(&self) -> bool {
        self.held_since.is_some()
    }
}

async fn read_after(store: &Store, after: i64, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
    store.read(move |db| db.outbox_after(after, limit)).await
}

/// What the events route needs.
#[derive(Clone)]
pub struct LiveState {
    pub store: Store,
    pub feed: Arc<Feed>,
}

impl FromRef<LiveState> for Store {
    fn from_ref(state: &LiveState) -> Store {
        state.store.clone()
    }
}

/// The feed's route, under the console's prefix.
pub fn routes<S: Clone + Send + Sync + 'static>(store: Store, feed: Arc<Feed>) -> Router<S> {
    Router::new()
        .route(&format!("{API_PREFIX}/events"), get(events))
        .with_state(LiveState { store, feed })
}

/// `GET /console/api/events`: the live feed of the caller's requests.
async fn events(
    State(state): State<LiveState>,
    ConsoleCaller(who): ConsoleCaller,
    parts: Parts,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let resume = last_event_id(&parts.headers)?;
    let user = who.user_id.as_str().to_owned();
    let seen = state.store.read(move |db| Visibility::of(db, &who)).await?;
    let listener = state.feed.listen();
    let newest = state.store.read(|db| db.outbox_newest()).await?;
    state.feed.follow_from(newest);
    let (out, events) = mpsc::channel(64);
    tokio::spawn(serve(Connection {
        store: state.store,
        seen,
        listener,
        cursor: resume.unwrap_or(newest).min(newest),
        resumed: resume.is_some(),
        out,
        parts,
        user,
    }));
    let stream = futures_util::stream::unfold(events, |mut events| async move {
        events.recv().await.map(|event| (Ok(event), events))
    })
    .take_until(Box::pin(state.feed.closed()));
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `Last-Event-ID`: the place of the last event the browser had.
fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|seq| *seq >= 0)
        .map(Some)
        .ok_or_else(|| {
            AppError::BadHeader(
                "Last-Event-ID must be the id of an event this feed sent (a whole number).".into(),
            )
        })
}

/// One open connection.
struct Connection {
    store: Store,
    /// What the person may see, as of the connection's start; a reconnect reads it again.
    seen: Visibility,
    listener: broadcast::Receiver<Arc<FeedEvent>>,
    /// The place of the last event handled (sent or not for this listener).
    cursor: i64,
    resumed: bool,
    out: mpsc::Sender<Event>,
    /// The request, to check again from time to time that its session still holds.
    parts: Parts,
    /// Whose console it is.
    user: String,
}

async fn serve(mut connection: Connection) {
    let _ = connection.out.send(Event::default().retry(RETRY)).await;
    if connection.resumed && !connection.catch_up().await {
        return;
    }
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    // Its first tick is at once: connecting counts as being seen.
    let mut present = tokio::time::interval(PRESENT);
    loop {
        tokio::select! {
            _ = present.tick() => connection.seen_now().await,
            received = connection.listener.recv() => match received {
                Ok(event) => {
                    if !connection.tell(&event).await {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if !connection.catch_up().await {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = recheck.tick() => {
                if !connection.still_signed_in().await {
                    let _ = connection.out.send(Event::default().event(SIGNED_OUT).data("{}")).await;
                    return;
                }
            }
            () = connection.out.closed() => return,
        }
    }
}

impl Connection {
    /// Sends `event` if it is new to this connection and its listener may hear of it; false once the
    /// browser has gone.
    async fn tell(&mut self, event: &FeedEvent) -> bool {
        if event.seq <= self.cursor {
            return true;
        }
        self.cursor = event.seq;
        if !hears(&self.seen, event) {
            return true;
        }
        let data = serde_json::to_string(&event.change).unwrap_or_default();
        let sse = Event::default()
            .id(event.seq.to_string())
            .event(event.kind.as_str())
            .data(data);
        self.out.send(sse).await.is_ok()
    }

    /// Reads what the connection missed from the store, up to [`MAX_REPLAY`] events; past that, tells
    /// the browser to read its views again and goes on from the newest. False once the browser has gone.
    async fn catch_up(&mut self) -> bool {
        let mut replayed = 0;
        loop {
            let events = match read_after(&self.store, self.cursor, PAGE).await {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, "the live feed cannot catch a connection up");
                    return self.resync().await;
                }
            };
            let full = events.len() == PAGE as usize;
            for event in &events {
                match FeedEvent::from_outbox(event) {
                    Some(event) => {
                        if !self.tell(&event).await {
                            return false;
                        }
                    }
                    None => self.cursor = event.seq,
                }
            }
            replayed += events.len();
            if !full {
                return true;
            }
            if replayed >= MAX_REPLAY {
                return self.resync().await;
            }
        }
    }

    async fn resync(&mut self) -> bool {
        if let Ok(newest) = self.store.read(|db| db.outbox_newest()).await {
            self.cursor = self.cursor.max(newest);
        }
        let event = Event::default()
            .id(self.cursor.to_string())
            .event(RESYNC)
            .data("{}");
        self.out.send(event).await.is_ok()
    }

    async fn seen_now(&self) {
        let (user, now_ms) = (self.user.clone(), jiff::Timestamp::now().as_millisecond());
        if let Err(error) = self
            .store
            .write(move |tx| tx.touch_presence(&user, now_ms))
            .await
        {
            tracing::warn!(%error, "the live feed cannot note a console as connected");
        }
    }

    async fn still_signed_in(&self) -> bool {
        // A store failure is not a sign-out: the next check decides.
        !matches!(
            caller::authenticate(&self.parts, &self.store).await,
            Err(crate::access::Unauthenticated::NoSession)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(seq: i64, kind: &str, payload: Value) -> OutboxEvent {
        OutboxEvent {
            seq,
            event_id: format!("msg_{seq}"),
            event_type: kind.into(),
            record_id: "0SR000000000001AAA".into(),
            payload: payload.to_string(),
        }
    }

    fn numbered(seqs: &[i64]) -> Vec<OutboxEvent> {
        seqs.iter()
            .map(|seq| outbox(*seq, "contact_request.created", Value::Null))
            .collect()
    }

    #[test]
    fn an_unsettled_read_is_told_up_to_its_first_gap_and_wholly_once_the_gap_fills() {
        let mut order = InOrder::default();
        let start = Instant::now();
        assert_eq!(order.tellable(3, &numbered(&[4, 5, 7, 8]), false, start), 2);
        assert!(order.holding());
        // Read again from 5: 6 has committed meanwhile.
        assert_eq!(order.tellable(5, &numbered(&[6, 7, 8]), false, start), 3);
        assert!(!order.holding());
        assert_eq!(order.tellable(8, &numbered(&[9, 10]), false, start), 2);
    }

    #[test]
    fn a_settled_read_is_told_whole_its_gaps_being_rolled_back_writes() {
        let mut order = InOrder::default();
        assert_eq!(
            order.tellable(3, &numbered(&[5, 9]), true, Instant::now()),
            2
        );
        assert!(!order.holding());
    }

    #[test]
    fn a_gap_waited_on_for_the_hold_is_given_up() {
        let mut order = InOrder::default();
        let start = Instant::now();
        assert_eq!(order.tellable(1, &numbered(&[3, 4]), false, start), 0);
        assert_eq!(
            order.tellable(1, &numbered(&[3, 4]), false, start + HOLD / 2),
            0
        );
        assert_eq!(
            order.tellable(1, &numbered(&[3, 4]), false, start + HOLD),
            2
        );
        assert!(!order.holding());
    }

    #[test]
    fn a_created_event_names_the_owner_status_and_creator() {
        let event = FeedEvent::from_outbox(&outbox(
            7,
            "contact_request.created",
            serde_json::json!({"type": "contact_request.created", "data": {
                "Id": "0SR000000000001AAA", "OwnerId": "00G000000000001EAA", "Status": "New",
                "CreatedById": "005000000000001AAA"}}),
        ))
        .unwrap();
        assert_eq!(event.seq, 7);
        assert_eq!(event.change.owner_id, "00G000000000001EAA");
        assert_eq!(event.change.status, "New");
        assert_eq!(event.change.by, "005000000000001AAA");
    }

    #[test]
    fn events_the_console_does_not_listen_to_are_passed_over() {
        let record = serde_json::json!({"data": {"from": "00G000000000001EAA",
            "to": "005000000000002AAA", "record": {"OwnerId": "005000000000002AAA"}}});
        for kind in ["contact_request.assigned", "call.logged", "something.new"] {
            assert_eq!(
                FeedEvent::from_outbox(&outbox(9, kind, record.clone())),
                None,
                "{kind}"
            );
        }
    }

    #[test]
    fn a_status_change_names_who_made_it() {
        let event = FeedEvent::from_outbox(&outbox(
            8,
            "contact_request.status_changed",
            serde_json::json!({"data": {"from": "New", "to": "Attempted", "who": "005000000000002AAA",
                "record": {"OwnerId": "005000000000002AAA", "Status": "Attempted"}}}),
        ))
        .unwrap();
        assert_eq!(event.change.status, "Attempted");
        assert_eq!(event.change.by, "005000000000002AAA");
    }
}
