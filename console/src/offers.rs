//! Push routing in the console: my presence (Available, Busy, Offline) in the header, and the callbacks
//! offered to me, each with what it is about and the seconds left to accept or decline. A new offer is
//! announced to screen readers, and, for whoever turns alerts on beside their presence, with a short tone
//! and a desktop notification (the Notification API; it names the request and its reason, never the
//! visitor); accepting opens the request, and when it is not a callback to review first (IsCallback
//! false) starts the call at once, through the call center's softphone or a `tel:` link.

use contact_shared::console::{Me, Offer, Presence};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

use crate::api;
use crate::call_panel;
use crate::components::Part;
use crate::live::use_live;
use crate::session::or_sign_in;
use crate::time;

/// My presence, as a choice in the header.
#[component]
pub fn PresenceChoice() -> impl IntoView {
    let current = RwSignal::new(None::<Presence>);
    let failed = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        if let Ok(mine) = api::presence().await {
            current.set(Some(mine.state));
        }
    });
    let choose = move |value: String| {
        let Some(state) = Presence::parse(&value) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match or_sign_in(api::set_presence(state).await) {
                Ok(mine) => {
                    current.set(Some(mine.state));
                    failed.set(None);
                }
                Err(error) => failed.set(Some(error.message())),
            }
        });
    };
    view! {
        <label class="presence">"Presence "
            <select on:change=move |e| choose(event_target_value(&e))>
                // Offline until the server says otherwise.
                {Presence::ALL.into_iter().map(|p| view! {
                    <option value=p.as_str() selected=move || current.get().unwrap_or(Presence::Offline) == p>{p.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <span class="error" role="alert">{move || failed.get()}</span>
        <AlertsChoice/>
    }
}

/// Where the browser keeps whether this person wants offers announced by sound and notification.
const ALERTS_KEY: &str = "crw-offer-alerts";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Whether offers are announced by a tone and a desktop notification in this browser (off until turned on).
fn alerts_on() -> bool {
    storage().is_some_and(|s| s.get_item(ALERTS_KEY).ok().flatten().is_some())
}

/// The opt-in to a tone and a desktop notification for each new offer, kept in this browser. Turning it
/// on asks the browser's permission for notifications; the tone plays without it.
#[component]
fn AlertsChoice() -> impl IntoView {
    let on = RwSignal::new(alerts_on());
    let blocked = RwSignal::new(false);
    let change = move |checked: bool| {
        if let Some(storage) = storage() {
            let _ = if checked {
                storage.set_item(ALERTS_KEY, "on")
            } else {
                storage.remove_item(ALERTS_KEY)
            };
        }
        on.set(checked);
        blocked.set(false);
        if checked
            && Notification::permission() != NotificationPermission::Granted
            && let Ok(asked) = Notification::request_permission()
        {
            leptos::task::spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(asked).await;
                blocked.set(answer.ok().and_then(|a| a.as_string()).as_deref() != Some("granted"));
            });
        }
    };
    view! {
        <label class="presence">
            <input type="checkbox" prop:checked=move || on.get()
                on:change=move |e| change(event_target_checked(&e))/>
            " Alert me to offers (sound and notification)"
        </label>
        <span class="error" role="alert">{move || blocked.get().then_some("This browser blocks notifications: only the tone will play.")}</span>
    }
}

/// A short tone and a desktop notification for a new offer, when this person turned alerts on.
fn alert(offer: &Offer) {
    if !alerts_on() {
        return;
    }
    // One audio context for the page's life: a browser allows only a few at once.
    thread_local!(static TONE: Option<AudioContext> = AudioContext::new().ok());
    TONE.with(|tone| {
        if let Some(tone) = tone
            && let Ok(oscillator) = tone.create_oscillator()
        {
            let _ = tone.resume();
            oscillator.frequency().set_value(880.0);
            let _ = oscillator.connect_with_audio_node(&tone.destination());
            let _ = oscillator.start();
            let _ = oscillator.stop_with_when(tone.current_time() + 0.25);
        }
    });
    if Notification::permission() == NotificationPermission::Granted {
        let options = NotificationOptions::new();
        options.set_body(&format!(
            "{} · {} · {} s to accept",
            offer.name,
            offer.reason.as_deref().unwrap_or("Callback"),
            offer.seconds_left
        ));
        options.set_tag(ALERTS_KEY);
        let _ = Notification::new_with_options("Callback offered", &options);
    }
}

/// The offers open to me, read again whenever the feed tells of one.
#[component]
pub fn OfferPanel() -> impl IntoView {
    let live = use_live();
    let offers = RwSignal::new(Vec::<Offer>::new());
    // Seconds since the offers were read: each offer's countdown is its seconds left then, less these.
    let since = RwSignal::new(0u32);
    let announce = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    Effect::new(move || {
        live.offers.track();
        leptos::task::spawn_local(async move {
            let Ok(open) = api::offers().await else {
                return;
            };
            let new = open
                .iter()
                .find(|o| offers.with_untracked(|shown| shown.iter().all(|s| s.id != o.id)));
            if let Some(new) = new {
                alert(new);
                announce.set(format!(
                    "New callback offered: {}. Accept or decline within {} seconds.",
                    new.name, new.seconds_left
                ));
            }
            since.set(0);
            offers.set(open);
        });
    });
    if let Ok(handle) = set_interval_with_handle(
        move || since.update(|s| *s += 1),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let navigate = use_navigate();
    // Read here: the answer's task runs outside the component, where there is no context to read.
    let part = expect_context::<Part>();
    let me = expect_context::<Me>().id;
    let answer = move |id: i64, accept: bool| {
        let (navigate, me) = (navigate.clone(), me.clone());
        leptos::task::spawn_local(async move {
            match or_sign_in(api::answer_offer(id, accept).await) {
                Ok(accepted) => {
                    failed.set(None);
                    if let Some(accepted) = accepted {
                        opened(&navigate, part, &accepted, &me).await;
                    }
                }
                Err(error) => failed.set(Some(error.message())),
            }
            offers.update(|open| open.retain(|o| o.id != id));
        });
    };
    view! {
        <section aria-labelledby="offers-heading" class="offers" hidden=move || offers.with(Vec::is_empty) && failed.with(Option::is_none)>
            <h2 id="offers-heading">"Offered to you"</h2>
            <p class="visually-hidden" role="alert">{move || announce.get()}</p>
            <p class="error" role="alert">{move || failed.get()}</p>
            <ul>
                {move || offers.get().into_iter().map(|offer| {
                    let (answer, id, total) = (answer.clone(), offer.id, offer.seconds_left);
                    let accept_answer = answer.clone();
                    let when = offer.scheduled.as_deref().map_or_else(|| "as soon as possible".to_owned(), |at| time::local(at, None));
                    view! {
                        <li class="card offer">
                            <h3>{format!("{} · {}", offer.name, offer.reason.unwrap_or_default())}</h3>
                            <p>{format!(
                                "{} · {} · {when} · {}",
                                offer.visitor_name.unwrap_or_else(|| "A visitor".into()),
                                offer.phone.unwrap_or_else(|| "no phone".into()),
                                offer.queue_name
                            )}</p>
                            <p>{if offer.is_callback { "Review the details, then dial." } else { "Accepting starts the call." }}</p>
                            <p class="countdown">{move || format!("{} s left", total.saturating_sub(since.get()))}</p>
                            <button type="button" on:click=move |_| accept_answer(id, true)>{format!("Accept {}", offer.name)}</button>
                            " "
                            <button type="button" class="secondary" on:click=move |_| answer(id, false)>"Decline"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Opens the accepted request; when it is not a callback to review first, starts the call at once
/// (first: a page loaded in full, from the admin app, would not).
async fn opened(
    navigate: &impl Fn(&str, leptos_router::NavigateOptions),
    part: Part,
    accepted: &api::Accepted,
    me: &str,
) {
    if let (false, Some(phone)) = (accepted.is_callback, &accepted.phone) {
        let layout = call_panel::layout_of(accepted.call_center_id.as_deref(), me).await;
        call_panel::dial(&contact_shared::dial::address(
            call_panel::softphone_of(layout.as_ref()).as_deref(),
            phone,
            &accepted.request_id,
        ));
    }
    let page = format!("/console/requests/{}", accepted.request_id);
    if part == Part::Work {
        navigate(&page, Default::default());
    } else {
        // The request's page is the work app's: a full load.
        let _ = window().location().set_href(&page);
    }
}
