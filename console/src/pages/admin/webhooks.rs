//! Webhook endpoints: every endpoint (the webhooks file's read-only, but for enabling one the server
//! disabled for failing; why it did is shown), making one (its secret shown this once), enabling or
//! disabling, rotating the secret (the new one shown once, the old one signing beside it until removed)
//! and deleting one; and an endpoint's delivery log, each delivery's last try with its status, latency
//! and the first bytes of the answer, replayed one at a time.

use leptos::prelude::*;
use serde_json::json;

use super::{Act, Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Delivery, Endpoint};
use crate::forms::{Field, Outcome};
use crate::time;

/// An endpoint to make.
#[derive(Clone)]
pub struct NewEndpoint {
    name: String,
    url: String,
    events: String,
    site: String,
}

/// What is done to one endpoint.
#[derive(Clone)]
pub enum Change {
    Enabled(bool),
    Rotate,
    Delete,
    /// Deliver this event again.
    Replay(String),
}

/// Whose delivery log is shown.
#[derive(Clone, Copy)]
struct Shown(RwSignal<Option<String>>);

/// The webhooks section.
#[component]
pub fn Webhooks() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let endpoints = LocalResource::new(move || {
        directory.changes.track();
        admin::endpoints()
    });
    let change = act();
    provide_context(change);
    let shown = Shown(RwSignal::new(None));
    provide_context(shown);
    let changed = Signal::derive(move || change.value().get());
    view! {
        <section aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhook endpoints"</h2>
            <p class="note">"Receivers of signed events (Standard Webhooks). Those of the webhooks file change only there."</p>
            <Outcome answer=changed fields=&[]/>
            {listing(endpoints, table)}
            <AddEndpoint/>
            <Log/>
        </section>
    }
}

fn table(endpoints: Vec<Endpoint>) -> impl IntoView {
    let change = expect_context::<Act>();
    let shown = expect_context::<Shown>();
    if endpoints.is_empty() {
        return view! { <p class="note">"No endpoints yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table aria-labelledby="webhooks-heading">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"URL"</th><th scope="col">"Events"</th><th scope="col">"Site"</th><th scope="col">"State"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {endpoints.into_iter().map(|e| {
                        let name = e.name.clone();
                        let log = name.clone();
                        let state = match (e.source.as_str(), e.enabled, e.disabled_reason) {
                            (_, false, Some(reason)) => format!("Disabled by the server: {reason}"),
                            ("file", _, _) => "From the file".to_owned(),
                            (_, true, _) => "Enabled".to_owned(),
                            (_, false, None) => "Disabled".to_owned(),
                        };
                        // A file's endpoint the server disabled is enabled again here; the rest of it
                        // changes in the file.
                        let reenable = (e.source == "file" && !e.enabled).then(|| {
                            let again = name.clone();
                            view! {
                                <button type="button" aria-label=format!("Enable {name}")
                                    on:click=move |_| { change.dispatch(Call::Endpoint(again.clone(), Change::Enabled(true))); }>
                                    "Enable"</button>
                            }
                        });
                        let actions = (e.source == "api").then(|| {
                            let (toggle, rotate, delete) = (name.clone(), name.clone(), name.clone());
                            let enabled = e.enabled;
                            view! {
                                <button type="button" aria-label=format!("{} {name}", if enabled { "Disable" } else { "Enable" })
                                    on:click=move |_| { change.dispatch(Call::Endpoint(toggle.clone(), Change::Enabled(!enabled))); }>
                                    {if enabled { "Disable" } else { "Enable" }}</button>
                                <button type="button" aria-label=format!("Rotate the secret of {name}")
                                    on:click=move |_| { change.dispatch(Call::Endpoint(rotate.clone(), Change::Rotate)); }>"Rotate secret"</button>
                                <button type="button" aria-label=format!("Delete {name}")
                                    on:click=move |_| { change.dispatch(Call::Endpoint(delete.clone(), Change::Delete)); }>"Delete"</button>
                            }
                        });
                        view! {
                            <tr>
                                <td>{e.name}</td><td>{e.url}</td><td>{e.events.join(", ")}</td>
                                <td>{e.site.unwrap_or_else(|| "every site".into())}</td><td>{state}</td>
                                <td>
                                    <button type="button" aria-label=format!("Deliveries of {log}")
                                        on:click=move |_| shown.0.set(Some(log.clone()))>"Deliveries"</button>
                                    {actions}
                                    {reenable}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Makes an endpoint and shows its secret.
#[component]
fn AddEndpoint() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let events = RwSignal::new("contact_request.created".to_owned());
    let site = RwSignal::new(String::new());
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
            url.set(String::new());
        }
    });
    const FIELDS: &[(&str, &str)] = &[
        ("name", "endpoint-name"),
        ("url", "endpoint-url"),
        ("events", "endpoint-events"),
        ("site", "endpoint-site"),
    ];
    view! {
        <form on:submit=move |e| {
            e.prevent_default();
            add.dispatch(Call::AddEndpoint(NewEndpoint { name: name.get(), url: url.get(), events: events.get(), site: site.get() }));
        }>
            <fieldset>
                <legend>"Make an endpoint"</legend>
                <Outcome answer fields=FIELDS/>
                <Field id="endpoint-name" name="name" label="Name" value=name answer required=true/>
                <Field id="endpoint-url" name="url" label="URL (https://)" value=url answer required=true/>
                <Field id="endpoint-events" name="events" label="Events (separated by commas)" value=events answer required=true/>
                <Field id="endpoint-site" name="site" label="Site (optional: only its requests)" value=site answer/>
                <button type="submit" disabled=move || add.pending().get()>"Make the endpoint"</button>
            </fieldset>
        </form>
    }
}

/// The delivery log of the endpoint whose deliveries were asked for.
#[component]
fn Log() -> impl IntoView {
    let shown = expect_context::<Shown>();
    let directory = expect_context::<Directory>();
    let log = LocalResource::new(move || {
        directory.changes.track();
        let name = shown.0.get();
        async move {
            match name {
                Some(name) => admin::deliveries(&name).await.map(|d| (name, d)),
                None => Ok((String::new(), Vec::new())),
            }
        }
    });
    move || {
        shown.0.get().map(|name| {
            view! {
                <h3 id="deliveries-heading">{format!("Deliveries of {name}")}</h3>
                {listing(log, deliveries)}
            }
        })
    }
}

fn deliveries((name, found): (String, Vec<Delivery>)) -> impl IntoView {
    let change = expect_context::<Act>();
    if found.is_empty() {
        return view! { <p class="note">"No deliveries yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table aria-labelledby="deliveries-heading">
                <thead><tr><th scope="col">"Event"</th><th scope="col">"State"</th><th scope="col">"Last try"</th><th scope="col">"Status"</th><th scope="col">"Latency"</th><th scope="col">"Answer"</th><th scope="col"></th></tr></thead>
                <tbody>
                    {found.into_iter().map(|d| {
                        let last = d.attempts.last().cloned();
                        let (endpoint, event) = (name.clone(), d.event_id.clone());
                        view! {
                            <tr>
                                <td>{d.event_type}" "<code>{d.event_id.clone()}</code></td>
                                <td>{d.state}</td>
                                <td>{last.as_ref().map(|a| time::local(&a.at, None))}</td>
                                <td>{last.as_ref().map(|a| a.status.map_or_else(|| a.error.clone().unwrap_or_default(), |s| s.to_string()))}</td>
                                <td>{last.as_ref().map(|a| format!("{} ms", a.latency_ms))}</td>
                                <td><code>{last.map(|a| a.answer)}</code></td>
                                <td><button type="button" aria-label=format!("Replay {}", d.event_id)
                                    on:click=move |_| { change.dispatch(Call::Endpoint(endpoint.clone(), Change::Replay(event.clone()))); }>"Replay"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Makes an endpoint; the answer carries its secret, which is never shown again.
pub async fn add(new: NewEndpoint) -> Result<String, ApiError> {
    let events: Vec<&str> = new
        .events
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let site = new.site.trim();
    let body = json!({
        "name": new.name,
        "url": new.url,
        "events": events,
        "site": (!site.is_empty()).then_some(site),
    });
    let made = admin::add_endpoint(&body).await?;
    Ok(format!(
        "Endpoint made. Its secret: {} (copy it now: it is not shown again).",
        made.secret
    ))
}

/// Does `change` to the endpoint `name`.
pub async fn change(name: String, change: Change) -> Result<String, ApiError> {
    match change {
        Change::Enabled(enabled) => {
            admin::change_endpoint(&name, &json!({ "enabled": enabled })).await?;
            Ok(format!(
                "{name} {}.",
                if enabled { "enabled" } else { "disabled" }
            ))
        }
        Change::Rotate => {
            let rotated = admin::rotate_endpoint(&name).await?;
            Ok(format!(
                "New secret of {name}: {} (copy it now: it is not shown again). The old one signs beside it until removed.",
                rotated.secret
            ))
        }
        Change::Delete => {
            admin::delete_endpoint(&name).await?;
            Ok(format!("{name} deleted."))
        }
        Change::Replay(event) => {
            admin::replay(&name, &event).await?;
            Ok(format!("{event} will be delivered again."))
        }
    }
}
