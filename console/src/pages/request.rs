//! `/console/requests/:id`: one request, every field, its history, call log and interactions, and the
//! actions on it: log a call, change the status, reassign, transfer (offered there), return to the queue,
//! add a note; and the call panel with another number to dial.
//!
//! Every change is sent with `If-Match` set to the version (ETag) it was made against; a 412 re-reads the
//! request and says who changed it and when, never overwriting their change. The page redraws the
//! request whenever it changes (here, or live elsewhere) while the actions stay as they are.

use contact_shared::console::{HistoryEntry, Me, NewNote};
use contact_shared::{PreferredPhone, Status, dial};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{self, ApiError};
use crate::call_panel;
use crate::components::{FieldError, StatusBadge, kept};
use crate::forms::Outcome;
use crate::live::use_live;
use crate::session::or_sign_in;
use crate::time;
use crate::view_query::literal;

type Record = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Call {
    call_type: Option<String>,
    call_disposition: Option<String>,
    call_duration_in_seconds: Option<f64>,
    #[serde(rename = "CallResult__c")]
    result: Option<String>,
    #[serde(rename = "IsCallback__c", default)]
    is_callback: bool,
    created_date: String,
    created_by_id: String,
}

/// Another request of the same verified visitor on the same site.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Sibling {
    id: String,
    name: String,
    status: String,
    created_date: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Interaction {
    name: Option<String>,
    communication_channel: Option<String>,
    status: Option<String>,
    start_date_time: Option<String>,
    duration: Option<String>,
}

fn text(record: &Record, field: &str) -> Option<String> {
    match record.get(field)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Everything the page shows, read together.
#[derive(Debug, Clone)]
struct Loaded {
    /// The id the page asked for.
    id: String,
    record: Record,
    /// The version of the record the page shows, which its changes are made to.
    etag: String,
    calls: Vec<Call>,
    interactions: Vec<Interaction>,
    /// The same verified visitor's other requests on the same site (none for a guest).
    siblings: Vec<Sibling>,
    history: Result<Vec<HistoryEntry>, ApiError>,
    call_center_zone: Option<String>,
    /// The call panel, from the call center's softphone layout.
    call_panel: Option<call_panel::Panel>,
}

async fn load(id: String, me: String) -> Result<Loaded, ApiError> {
    let api::Versioned { record, etag } = or_sign_in(api::retrieve("ContactRequest", &id).await)?;
    let calls = api::query::<Call>(&format!(
        "SELECT CallType, IsCallback__c, CallDisposition, CallDurationInSeconds, CallResult__c, CreatedDate, CreatedById \
         FROM Task WHERE WhatId = {} ORDER BY CreatedDate DESC",
        literal(&id)
    ))
    .await?
    .records;
    let interactions = api::query::<Interaction>(&format!(
        "SELECT Name, CommunicationChannel, Status, StartDateTime, Duration FROM EngagementInteraction \
         WHERE ContactRequestId__c = {} ORDER BY StartDateTime DESC",
        literal(&id)
    ))
    .await?
    .records;
    // A person is the same person only as the site verified them, on that site: never by typed details.
    let siblings =
        match (
            text(&record, "SiteKey__c"),
            text(&record, "VerifiedVisitor__c"),
        ) {
            (Some(site), Some(visitor)) => api::query::<Sibling>(&format!(
                "SELECT Id, Name, Status, CreatedDate FROM ContactRequest WHERE SiteKey__c = {} \
                 AND VerifiedVisitor__c = {} AND Id != {} ORDER BY CreatedDate DESC LIMIT 20",
                literal(&site),
                literal(&visitor),
                literal(&id)
            ))
            .await?
            .records,
            _ => Vec::new(),
        };
    // The call center's zone stands in for the visitor's only when their browser did not say.
    let call_center_zone = match text(&record, "CallCenterId__c")
        .filter(|_| text(&record, "VisitorTimeZone__c").is_none())
    {
        Some(center) => api::query::<Value>(&format!(
            "SELECT TimeZone__c FROM CallCenter WHERE Id = {}",
            literal(&center)
        ))
        .await
        .ok()
        .and_then(|found| {
            found
                .records
                .first()?
                .get("TimeZone__c")?
                .as_str()
                .map(str::to_owned)
        }),
        None => None,
    };
    let call_panel = call_panel::load(&id, &record, &me).await;
    Ok(Loaded {
        call_panel,
        record,
        etag,
        calls,
        interactions,
        siblings,
        history: api::history(&id).await,
        id,
        call_center_zone,
    })
}

/// The request's page.
#[component]
pub fn RequestPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let me_id = me.id.clone();
    let params = use_params_map();
    let request_id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let live = use_live();
    // Bumped by every change that concerns this request: ours, one the live feed tells of, or the feed
    // saying that changes were missed.
    let version = RwSignal::new(0u64);
    Effect::new(move |seen: Option<u64>| {
        let resyncs = live.resyncs.get();
        let concerns = live
            .last
            .get()
            .is_some_and(|change| change.id == request_id.get_untracked());
        if concerns || seen.is_some_and(|seen| seen != resyncs) {
            version.update(|v| *v += 1);
        }
        resyncs
    });
    // What the page shows: the last answer, kept while the next one loads. A change redraws the request's
    // details, never its actions, so what is being typed there, where focus is and the announced outcome
    // all stay.
    let shown = kept(move || {
        version.track();
        load(request_id.get(), me_id.clone())
    });
    // The actions are made once for each request shown.
    let ready = Memo::new(move |_| {
        shown.with(|s| match s {
            Some(Ok(loaded)) => Some(loaded.id.clone()),
            _ => None,
        })
    });
    let current = Signal::derive(move || shown.get().and_then(Result::ok));
    let names = kept(names);
    let name_of = Callback::new(move |id: String| {
        names
            .get()
            .and_then(|names| names.into_iter().find(|n| n.id == id))
            .map_or(id, |n| n.name)
    });
    view! {
        {move || match shown.get() {
            None => view! { <p class="loading">"Loading…"</p> }.into_any(),
            Some(Err(error)) => view! { <h1>"Request"</h1><p role="alert" class="error">{error.message()}</p> }.into_any(),
            Some(Ok(loaded)) => {
                let status = text(&loaded.record, "Status").unwrap_or_default();
                view! { <h1>{text(&loaded.record, "Name")}" "<StatusBadge status/></h1> }.into_any()
            }
        }}
        {move || ready.get().map(|id| view! {
            <div class="request">
                {move || current.get().and_then(|loaded| loaded.call_panel.map(|panel| call_panel::view(panel, loaded.id, name_of)))}
                {move || current.get().map(|loaded| visitor(&loaded, name_of))}
                <Actions id current version name_of names/>
                {move || current.get().map(|loaded| details(loaded, name_of))}
            </div>
        })}
    }
}

/// A user or queue the page names, and whether a request can be given or transferred to it.
#[derive(Debug, Clone, PartialEq)]
struct Named {
    id: String,
    name: String,
    active: bool,
}

/// Names for the ids the page shows, from the directory: every queue, then every user (none when it
/// cannot be read: the page then shows ids, and the owner's list only "Me").
async fn names() -> Vec<Named> {
    let Ok(found) = api::directory().await else {
        return Vec::new();
    };
    let named = |id: String, name: String, active: bool| Named { id, name, active };
    found
        .queues
        .into_iter()
        .map(|q| named(q.id, format!("Queue: {}", q.name), true))
        .chain(
            found
                .users
                .into_iter()
                .map(|u| named(u.id, u.name, u.is_active)),
        )
        .collect()
}

/// Who asked, as the site verified them and as they typed it, and when to call.
fn visitor(loaded: &Loaded, name_of: Callback<String, String>) -> impl IntoView + use<> {
    let record = &loaded.record;
    let field = |name: &str| text(record, name);
    let phone = field("PreferredPhone");
    let owner = field("OwnerId").unwrap_or_default();
    let rep_zone = time::browser_zone();
    let scheduled = field("ScheduledRoutingDateTime__c");
    let visitor_zone = field("VisitorTimeZone__c");
    let other_zone = visitor_zone
        .clone()
        .map(|z| ("the visitor's", z))
        .or_else(|| {
            loaded
                .call_center_zone
                .clone()
                .map(|z| ("the call center's", z))
        });
    view! {
        <section aria-labelledby="visitor-heading" class="card">
            <h2 id="visitor-heading">"Visitor"</h2>
            <dl>
                <dt>"Site"</dt><dd>{field("SiteKey__c").unwrap_or_else(|| "—".into())}</dd>
                <dt>"Verified identity"</dt>
                <dd>{field("VerifiedVisitor__c").unwrap_or_else(|| "Guest (not signed in to the site)".into())}</dd>
            </dl>
            <p class="note">"As typed in the form (not verified):"</p>
            <dl>
                <dt>"Name"</dt><dd>{field("VisitorName__c").unwrap_or_else(|| "—".into())}</dd>
                <dt>"Email"</dt><dd>{field("VisitorEmail__c").unwrap_or_else(|| "—".into())}</dd>
                <dt>"Phone"</dt>
                <dd>{phone.clone().map_or_else(|| view! { "—" }.into_any(), |p| view! { <a href=format!("tel:{p}")>{p.clone()}</a> }.into_any())}</dd>
                <dt>"Page origin"</dt><dd>{field("SourceOrigin__c").unwrap_or_else(|| "—".into())}</dd>
                <dt>"Time zone"</dt><dd>{visitor_zone.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Reason"</dt><dd>{field("RequestReason")}</dd>
                <dt>"Channel"</dt><dd>{field("PreferredChannel")}</dd>
                <dt>"Description"</dt><dd class="description">{field("RequestDescription").unwrap_or_else(|| "—".into())}</dd>
                <dt>"Owner"</dt><dd>{move || name_of.run(owner.clone())}</dd>
                <dt>"Callback time"</dt>
                <dd>{match scheduled {
                    None => view! { "As soon as possible" }.into_any(),
                    Some(at) => view! {
                        <span>{format!("{} (yours, {rep_zone})", time::local(&at, None))}</span>
                        {other_zone.map(|(whose, zone)| view! {
                            <br/><span>{format!("{} ({whose}, {zone})", time::local(&at, Some(&zone)))}</span>
                        })}
                    }.into_any(),
                }}</dd>
            </dl>
        </section>
    }
}

/// How a logged call was placed: a Callback call (IsCallback__c) is an Outbound call the representative
/// reviewed first.
fn call_kind(call_type: Option<&str>, is_callback: bool) -> String {
    match (call_type, is_callback) {
        (Some("Outbound"), true) => "Callback call".to_owned(),
        (Some(call_type), _) => format!("{call_type} call"),
        (None, _) => String::new(),
    }
}

/// What happened to the request: its history, calls, the same visitor's other requests, interactions and
/// every field.
fn details(loaded: Loaded, name_of: Callback<String, String>) -> impl IntoView {
    let mut fields: Vec<(String, String)> = loaded
        .record
        .iter()
        .filter(|(key, _)| *key != "attributes")
        .map(|(key, value)| {
            let shown = match value {
                Value::Null => "—".to_owned(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (key.clone(), shown)
        })
        .collect();
    fields.sort();
    view! {
            <section aria-labelledby="history-heading" class="card">
                <h2 id="history-heading">"History"</h2>
                {match loaded.history {
                    Err(error) => view! { <p class="error">{error.message()}</p> }.into_any(),
                    Ok(entries) => view! { <ol class="history">{entries.into_iter().map(history_item).collect_view()}</ol> }.into_any(),
                }}
            </section>
            <section aria-labelledby="calls-heading" class="card">
                <h2 id="calls-heading">"Call log"</h2>
                {if loaded.calls.is_empty() { view! { <p>"No calls yet."</p> }.into_any() } else { view! {
                    <ol class="calls">{loaded.calls.into_iter().map(|call| view! {
                        <li>
                            <strong>{call.result.unwrap_or_default()}</strong>" · "{call_kind(call.call_type.as_deref(), call.is_callback)}
                            {call.call_duration_in_seconds.map(|s| format!(" · {s} s"))}
                            {call.call_disposition.map(|d| format!(" · {d}"))}
                            <br/><small>{
                                let at = time::local(&call.created_date, None);
                                move || format!("{at} by {}", name_of.run(call.created_by_id.clone()))
                            }</small>
                        </li>
                    }).collect_view()}</ol>
                }.into_any() }}
            </section>
            {(!loaded.siblings.is_empty()).then(|| view! {
                <section aria-labelledby="siblings-heading" class="card">
                    <h2 id="siblings-heading">"The same visitor's other requests"</h2>
                    <ul>{loaded.siblings.into_iter().map(|other| view! {
                        <li>
                            <A href=format!("/console/requests/{}", other.id)>{other.name}</A>
                            " · "{other.status}" · "{time::local(&other.created_date, None)}
                        </li>
                    }).collect_view()}</ul>
                </section>
            })}
            <section aria-labelledby="interactions-heading" class="card">
                <h2 id="interactions-heading">"Engagement interactions"</h2>
                {if loaded.interactions.is_empty() { view! { <p>"None yet."</p> }.into_any() } else { view! {
                    <ul>{loaded.interactions.into_iter().map(|ei| view! {
                        <li>
                            {ei.name}" · "{ei.communication_channel}" · "{ei.status}
                            {ei.duration.map(|d| format!(" · {d}"))}
                            {ei.start_date_time.map(|at| format!(" · {}", time::local(&at, None)))}
                        </li>
                    }).collect_view()}</ul>
                }.into_any() }}
            </section>
            <details class="card">
                <summary>"Every field"</summary>
                <dl class="fields">
                    {fields.into_iter().map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> }).collect_view()}
                </dl>
            </details>
    }
}

fn history_item(entry: HistoryEntry) -> impl IntoView {
    let (at, by, what) = match entry {
        HistoryEntry::Status {
            at,
            by_name,
            from,
            to,
            ..
        } => (
            at,
            by_name,
            format!("Status {} → {to}", from.unwrap_or_else(|| "created".into())),
        ),
        HistoryEntry::Owner {
            at,
            by_name,
            from_name,
            to_name,
            ..
        } => (
            at,
            by_name,
            format!(
                "Owner {} → {to_name}",
                from_name.unwrap_or_else(|| "—".into())
            ),
        ),
        HistoryEntry::Note {
            at, by_name, body, ..
        } => (at, by_name, format!("Note: {body}")),
    };
    view! { <li>{what}<br/><small>{format!("{} by {by}", time::local(&at, None))}</small></li> }
}

/// What a person can do to the request.
#[derive(Debug, Clone)]
enum Change {
    Call {
        call_type: String,
        result: String,
        disposition: String,
        duration: String,
    },
    Fields(Value),
    Note(String),
    /// To a queue or representative, where it is offered.
    Transfer(String),
    /// Another number than the one asked for, as typed.
    Dial(String),
}

/// The body fields a change can be refused about, with the input that sets each, in page order.
const ACTION_FIELDS: &[(&str, &str)] = &[
    ("number", "other-number"),
    ("CallDisposition", "call-disposition"),
    ("CallDurationInSeconds", "call-duration"),
    ("OwnerId", "new-owner"),
    ("to", "new-owner"),
    ("body", "note"),
];

#[component]
fn Actions(
    id: String,
    /// The request as last read; a change is made to the version it shows.
    current: Signal<Option<Loaded>>,
    version: RwSignal<u64>,
    name_of: Callback<String, String>,
    /// Every queue and user, for the owner's list.
    names: ReadSignal<Option<Vec<Named>>>,
) -> impl IntoView {
    let me = expect_context::<Me>();
    let field_now = move |name: &'static str| {
        current.with(|loaded| loaded.as_ref().and_then(|l| text(&l.record, name)))
    };
    let current_status = current
        .with_untracked(|loaded| loaded.as_ref().and_then(|l| text(&l.record, "Status")))
        .unwrap_or_default();
    let draft_key = format!("crw-note:{id}");
    let note = RwSignal::new(
        storage()
            .and_then(|s| s.get_item(&draft_key).ok().flatten())
            .unwrap_or_default(),
    );
    let action_id = id.clone();
    let act = Action::new_local(move |change: &Change| {
        let etag = current
            .with_untracked(|loaded| loaded.as_ref().map(|l| l.etag.clone()))
            .unwrap_or_default();
        let (id, change) = (action_id.clone(), change.clone());
        async move {
            let result = match &change {
                Change::Call {
                    call_type,
                    result,
                    disposition,
                    duration,
                } => {
                    // An Outbound call about a callback to review first (IsCallback) is a Callback call.
                    let is_callback = call_type == "Outbound"
                        && current.with_untracked(|loaded| {
                            loaded.as_ref().and_then(|l| l.record.get("IsCallback"))
                                == Some(&json!(true))
                        });
                    let mut task = json!({
                        "WhatId": id, "Subject": "Call", "CallType": call_type, "CallResult__c": result,
                        "IsCallback__c": is_callback,
                    });
                    if !disposition.trim().is_empty() {
                        task["CallDisposition"] = json!(disposition.trim());
                    }
                    if let Ok(seconds) = duration.trim().parse::<u32>() {
                        task["CallDurationInSeconds"] = json!(seconds);
                    }
                    api::create("Task", &task)
                        .await
                        .map(|_| format!("Call logged: {result}."))
                }
                Change::Fields(fields) => api::update("ContactRequest", &id, fields, &etag)
                    .await
                    .map(|()| "Saved.".to_owned()),
                Change::Note(body) => api::add_note(&id, &NewNote { body: body.clone() })
                    .await
                    .map(|()| "Note added.".to_owned()),
                Change::Transfer(to) => api::transfer(&id, to)
                    .await
                    .map(|()| "Transferred: it is offered there.".to_owned()),
                // Checked as the widget checks a phone, then dialled as the panel's number is.
                Change::Dial(typed) => match PreferredPhone::parse(typed) {
                    Ok(number) => {
                        let softphone = current.with_untracked(|loaded| {
                            loaded.as_ref()?.call_panel.as_ref()?.softphone.clone()
                        });
                        call_panel::dial(&dial::address(
                            softphone.as_deref(),
                            number.as_str(),
                            &id,
                        ));
                        Ok(format!("Dialling {}.", number.as_str()))
                    }
                    Err(error) => Err(ApiError::Refused {
                        message: error.to_string(),
                        fields: vec![("number".to_owned(), error.to_string())],
                    }),
                },
            };
            (change, or_sign_in(result))
        }
    });
    let draft_key_done = draft_key.clone();
    Effect::new(move || {
        let Some((change, result)) = act.value().get() else {
            return;
        };
        match result {
            Ok(_) => {
                if matches!(change, Change::Note(_)) {
                    note.set(String::new());
                    if let Some(s) = storage() {
                        let _ = s.remove_item(&draft_key_done);
                    }
                }
                version.update(|v| *v += 1);
            }
            // The page reads the request again and shows what the other person changed.
            Err(ApiError::Conflict) => version.update(|v| *v += 1),
            Err(_) => {}
        }
    });
    let answer = Signal::derive(move || act.value().get().map(|(_, result)| result));
    let error = Signal::derive(move || act.value().get().and_then(|(_, r)| r.err()));
    let field_error =
        move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let modified = move || {
        format!(
            "Last changed by {} at {}.",
            name_of.run(field_now("LastModifiedById").unwrap_or_default()),
            time::local(&field_now("LastModifiedDate").unwrap_or_default(), None)
        )
    };
    let other_number = RwSignal::new(String::new());
    let call_type = RwSignal::new("Outbound".to_owned());
    let call_result = RwSignal::new("Reached".to_owned());
    let disposition = RwSignal::new(String::new());
    let duration = RwSignal::new(String::new());
    let new_status = RwSignal::new(current_status.clone());
    let new_owner = RwSignal::new(me.id.clone());
    let first_queue = me.queues.first().map(|q| q.id.clone());
    let draft_key_input = draft_key.clone();
    view! {
        <section aria-labelledby="actions-heading" class="card actions">
            <h2 id="actions-heading">"Work it"</h2>
            <p class="modified">{modified}</p>
            <Outcome answer fields=ACTION_FIELDS/>
            <form on:submit=move |e| {
                e.prevent_default();
                act.dispatch(Change::Dial(other_number.get()));
            }>
                <fieldset>
                    <legend>"Call another number"</legend>
                    <label for="other-number">"Another number"</label>
                    <input id="other-number" type="tel" autocomplete="off" bind:value=other_number aria-describedby="other-number-error"/>
                    <FieldError id="other-number-error" error=field_error("number")/>
                    <button type="submit" disabled=move || act.pending().get()>"Dial"</button>
                </fieldset>
            </form>
            <form on:submit=move |e| {
                e.prevent_default();
                act.dispatch(Change::Call { call_type: call_type.get(), result: call_result.get(), disposition: disposition.get(), duration: duration.get() });
            }>
                <fieldset>
                    <legend>"Log a call"</legend>
                    <label for="call-result">"Outcome"</label>
                    <select id="call-result" bind:value=call_result>
                        <option value="Reached">"Reached"</option>
                        <option value="Not Reached">"Not reached"</option>
                        <option value="Gave Up">"Gave up"</option>
                    </select>
                    <label for="call-type">"Call type"</label>
                    <select id="call-type" bind:value=call_type>
                        <option value="Outbound">"Outbound"</option>
                        <option value="Inbound">"Inbound"</option>
                        <option value="Internal">"Internal"</option>
                    </select>
                    <label for="call-disposition">"Disposition"</label>
                    <input id="call-disposition" maxlength="255" bind:value=disposition aria-describedby="call-disposition-error"/>
                    <FieldError id="call-disposition-error" error=field_error("CallDisposition")/>
                    <label for="call-duration">"Duration (seconds)"</label>
                    <input id="call-duration" type="number" min="0" inputmode="numeric" bind:value=duration aria-describedby="call-duration-error"/>
                    <FieldError id="call-duration-error" error=field_error("CallDurationInSeconds")/>
                    <button type="submit" disabled=move || act.pending().get()>"Log the call"</button>
                </fieldset>
            </form>
            <form on:submit=move |e| {
                e.prevent_default();
                act.dispatch(Change::Fields(json!({ "Status": new_status.get() })));
            }>
                <fieldset>
                    <legend>"Status"</legend>
                    <label for="new-status">"Status"</label>
                    <select id="new-status" bind:value=new_status>
                        {Status::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                    </select>
                    <button type="submit" disabled=move || act.pending().get()>"Change the status"</button>
                </fieldset>
            </form>
            <form on:submit=move |e| {
                e.prevent_default();
                act.dispatch(Change::Fields(json!({ "OwnerId": new_owner.get() })));
            }>
                <fieldset>
                    <legend>"Owner"</legend>
                    <label for="new-owner">"Give it to"</label>
                    <select id="new-owner" bind:value=new_owner>
                        <option value=me.id.clone()>{format!("Me ({})", me.name)}</option>
                        {let me = me.id.clone(); move || names.get().map(|names| names.into_iter()
                            .filter(|n| n.active && n.id != me)
                            .map(|n| view! { <option value=n.id>{n.name}</option> })
                            .collect_view())}
                    </select>
                    // Reassigning makes them the owner; transferring offers it there (a representative
                    // may reassign only to themselves or their queues, and transfer anywhere).
                    <button type="submit" disabled=move || act.pending().get()>"Reassign"</button>
                    <button type="button" disabled=move || act.pending().get()
                        on:click=move |_| { act.dispatch(Change::Transfer(new_owner.get())); }>"Transfer"</button>
                    <FieldError id="owner-error" error=field_error("OwnerId")/>
                    {first_queue.map(|queue| view! {
                        <button type="button" disabled=move || act.pending().get()
                            on:click=move |_| { act.dispatch(Change::Fields(json!({ "OwnerId": queue.clone() }))); }>
                            "Return to the queue"
                        </button>
                    })}
                </fieldset>
            </form>
            <form on:submit=move |e| {
                e.prevent_default();
                act.dispatch(Change::Note(note.get()));
            }>
                <fieldset>
                    <legend>"Note"</legend>
                    <label for="note">"Add a note"</label>
                    <textarea id="note" rows="3" maxlength="4000" aria-describedby="note-error"
                        prop:value=move || note.get()
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            if let Some(s) = storage() {
                                let _ = s.set_item(&draft_key_input, &value);
                            }
                            note.set(value);
                        }></textarea>
                    <FieldError id="note-error" error=field_error("body")/>
                    <button type="submit" disabled=move || act.pending().get() || note.get().trim().is_empty()>"Add the note"</button>
                </fieldset>
            </form>
        </section>
    }
}

/// The tab's session storage, where a half-typed note survives a trip through sign-in.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}
