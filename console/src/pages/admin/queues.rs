//! The queues: each with its members (each removable) and offer settings; adding a queue, adding a
//! member, and setting a queue's offer timeout, cool-down and service-level target.

use contact_shared::console::{OFFER_COOLDOWN, OFFER_TIMEOUT, SERVICE_TARGET};
use leptos::prelude::*;
use serde_json::{Map, Value};

use super::{Act, Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Queue};
use crate::forms::{Choice, Field, Outcome};

/// The queues section.
#[component]
pub fn Queues() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let queues = LocalResource::new(move || {
        directory.changes.track();
        admin::queues()
    });
    let membership = act();
    provide_context(membership);
    let answer = Signal::derive(move || membership.value().get());
    let queue = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let queue_choices = Signal::derive(move || {
        let queues = queues.get().and_then(Result::ok).unwrap_or_default();
        queues.into_iter().map(|q| (q.id, q.name)).collect()
    });
    const FIELDS: &[(&str, &str)] = &[("user", "member-user")];
    view! {
        <section aria-labelledby="queues-heading">
            <h2 id="queues-heading">"Queues"</h2>
            <Outcome answer fields=FIELDS/>
            {listing(queues, list)}
            <AddQueue/>
            <OfferSettings choices=queue_choices/>
            <form on:submit=move |e| {
                e.prevent_default();
                membership.dispatch(Call::Member(queue.get(), user.get(), true));
            }>
                <fieldset>
                    <legend>"Add a member"</legend>
                    <Choice id="member-queue" name="queue" label="Queue" value=queue options=queue_choices answer/>
                    <Choice id="member-user" name="user" label="User" value=user options=directory.user_choices() answer/>
                    <button type="submit" disabled=move || membership.pending().get()>"Add to the queue"</button>
                </fieldset>
            </form>
        </section>
    }
}

fn list(queues: Vec<Queue>) -> impl IntoView {
    let membership = expect_context::<Act>();
    view! {
        <ul class="queues">
            {queues.into_iter().map(|queue| {
                let members = if queue.members.is_empty() {
                    view! { <p class="note">"No members."</p> }.into_any()
                } else {
                    view! {
                        <ul aria-label=format!("Members of {}", queue.name)>
                            {queue.members.into_iter().map(|person| {
                                let label = format!("Remove {} from {}", person.name, queue.name);
                                let change = Call::Member(queue.id.clone(), person.id, false);
                                view! {
                                    <li>
                                        {person.name}" "
                                        <button type="button" aria-label=label
                                            on:click=move |_| { membership.dispatch(change.clone()); }>
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                };
                let offers = format!(
                    "Offers wait {} s for an answer; cool-down {} s. First call attempt within {} s of business time.",
                    queue.offer_timeout_seconds, queue.offer_cooldown_seconds, queue.service_target_seconds
                );
                view! {
                    <li>
                        <h3>{queue.name}" "<code>{queue.id}</code></h3>
                        <p class="note">{offers}</p>
                        {members}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Adds a queue.
#[component]
fn AddQueue() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
        }
    });
    const FIELDS: &[(&str, &str)] = &[("name", "queue-name")];
    view! {
        <form on:submit=move |e| { e.prevent_default(); add.dispatch(Call::AddQueue(name.get())); }>
            <fieldset>
                <legend>"Add a queue"</legend>
                <Outcome answer fields=FIELDS/>
                <Field id="queue-name" name="name" label="Name" value=name answer required=true/>
                <button type="submit" disabled=move || add.pending().get()>"Add the queue"</button>
            </fieldset>
        </form>
    }
}

/// A queue's offer settings as typed: each blank one is left as it is.
#[derive(Clone)]
pub struct Settings {
    queue: String,
    timeout: String,
    cooldown: String,
    target: String,
}

/// Sets a queue's offer timeout and cool-down.
#[component]
fn OfferSettings(
    /// The queues as (id, name).
    choices: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let queue = RwSignal::new(String::new());
    let timeout = RwSignal::new(String::new());
    let cooldown = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let change = act();
    let answer = Signal::derive(move || change.value().get());
    const FIELDS: &[(&str, &str)] = &[
        ("offerTimeoutSeconds", "offer-timeout"),
        ("offerCooldownSeconds", "offer-cooldown"),
        ("serviceTargetSeconds", "service-target"),
    ];
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        change.dispatch(Call::QueueSettings(Settings {
            queue: queue.get(),
            timeout: timeout.get(),
            cooldown: cooldown.get(),
            target: target.get(),
        }));
    };
    view! {
        <form on:submit=submit>
            <fieldset>
                <legend>"Offer settings"</legend>
                <Outcome answer fields=FIELDS/>
                <Choice id="offer-queue" name="queue" label="Queue" value=queue options=choices answer/>
                <Field id="offer-timeout" name="offerTimeoutSeconds" kind="number"
                    label="Seconds an offer waits for an answer (5 to 600; blank: unchanged)"
                    value=timeout answer/>
                <Field id="offer-cooldown" name="offerCooldownSeconds" kind="number"
                    label="Seconds before it is offered again to whoever let it pass (0 to 86400; blank: unchanged)"
                    value=cooldown answer/>
                <Field id="service-target" name="serviceTargetSeconds" kind="number"
                    label="Service level: seconds of business time to the first call attempt after a callback falls due (60 to 604800; blank: unchanged)"
                    value=target answer/>
                <button type="submit" disabled=move || change.pending().get()>"Save the offer settings"</button>
            </fieldset>
        </form>
    }
}

/// Sets a queue's offer settings: a whole number is sent as one, anything else as typed, so that the
/// server's refusal names the field.
pub async fn settings(settings: Settings) -> Result<String, ApiError> {
    let mut change = Map::new();
    for (key, typed) in [
        (OFFER_TIMEOUT.key, settings.timeout),
        (OFFER_COOLDOWN.key, settings.cooldown),
        (SERVICE_TARGET.key, settings.target),
    ] {
        let typed = typed.trim();
        if !typed.is_empty() {
            let value = typed
                .parse::<u64>()
                .map_or_else(|_| Value::from(typed), Value::from);
            change.insert(key.to_owned(), value);
        }
    }
    let queue = admin::change_queue(&settings.queue, &Value::Object(change)).await?;
    Ok(format!(
        "Queue {}: offers wait {} s, cool-down {} s, first attempt within {} s.",
        queue.name,
        queue.offer_timeout_seconds,
        queue.offer_cooldown_seconds,
        queue.service_target_seconds
    ))
}

/// Adds a queue.
pub async fn add(name: String) -> Result<String, ApiError> {
    let queue = admin::add_queue(&name).await?;
    Ok(format!("Queue {} added.", queue.name))
}

/// Makes a user a member of a queue, or takes them out.
pub async fn member(queue: String, user: String, member: bool) -> Result<String, ApiError> {
    admin::set_member(&queue, &user, member).await?;
    Ok(if member {
        "Member added."
    } else {
        "Member removed."
    }
    .to_owned())
}
