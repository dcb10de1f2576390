//! The live feed: `GET /console/api/events` (Server-Sent Events). The browser's EventSource reconnects by
//! itself and resumes with `Last-Event-ID`; each event bumps a counter that the open views read, so they
//! re-query, and keeps the change so a request's page re-reads only when it concerns it. A `resync` (the
//! browser was away too long to be told each change) has every open view read itself again; `signed_out`
//! sends the person to sign in, back to the same page afterwards.

use contact_shared::console::{API_PREFIX, LiveChange, live};
use futures::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;

/// What the open views listen to.
#[derive(Clone, Copy)]
pub struct Live {
    /// How many changes arrived since the page opened.
    pub changes: ReadSignal<u64>,
    /// The latest change.
    pub last: ReadSignal<Option<LiveChange>>,
    /// How many times the feed said that changes were missed: every open view reads itself again.
    pub resyncs: ReadSignal<u64>,
    /// How many times an offer was made or ended, a presence changed or a callback fell due: the offers
    /// panel (told only of offers to me, my presence and my queues' callbacks) and the supervisor view
    /// read themselves again. One counter: the work app is at its size budget.
    pub offers: ReadSignal<u64>,
}

/// Opens the feed and puts it into the context. Without a feed (a server that has none) the views still
/// work, refreshed by their own actions.
pub fn provide() -> Live {
    let (changes, set_changes) = signal(0u64);
    let (last, set_last) = signal(None::<LiveChange>);
    let (resyncs, set_resyncs) = signal(0u64);
    let (offers, set_offers) = signal(0u64);
    let live = Live {
        changes,
        last,
        resyncs,
        offers,
    };
    provide_context(live);
    if let Ok(mut source) = EventSource::new(&format!("{API_PREFIX}/events")) {
        let streams: Vec<_> = [
            live::CREATED,
            live::STATUS_CHANGED,
            live::UPDATED,
            live::RESYNC,
            live::SIGNED_OUT,
            live::OFFER_MADE,
            live::OFFER_ENDED,
            live::PRESENCE_CHANGED,
            live::CALLBACK_DUE,
        ]
        .into_iter()
        .filter_map(|name| source.subscribe(name).ok())
        .collect();
        leptos::task::spawn_local(async move {
            // The source is kept alive as long as its streams are read.
            let _source = source;
            let mut events = futures::stream::select_all(streams);
            while let Some(event) = events.next().await {
                let Ok((name, message)) = event else { continue };
                if name == live::SIGNED_OUT {
                    crate::session::sign_in_again();
                    break;
                }
                if [
                    live::OFFER_MADE,
                    live::OFFER_ENDED,
                    live::PRESENCE_CHANGED,
                    live::CALLBACK_DUE,
                ]
                .contains(&name.as_str())
                {
                    set_offers.update(|n| *n += 1);
                    continue;
                }
                if name == live::RESYNC {
                    set_resyncs.update(|n| *n += 1);
                    set_offers.update(|n| *n += 1);
                }
                let change = message
                    .data()
                    .as_string()
                    .and_then(|data| serde_json::from_str::<LiveChange>(&data).ok());
                if let Some(change) = change {
                    set_last.set(Some(change));
                }
                set_changes.update(|n| *n += 1);
            }
        });
    }
    live
}

pub fn use_live() -> Live {
    expect_context()
}
