//! The lists of requests: "My work" (`/console/`), a queue (`/console/queues/:id`) and "All"
//! (`/console/all`, supervisors). One component lists any scope; the view is its URL query, which a
//! person may save under a name of their own and open again from any list page.

use contact_shared::PreferredChannel;
use contact_shared::console::{Me, NewSavedView, SavedView};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use serde::Deserialize;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{StatusBadge, status_filters};
use crate::forms::{Field, Outcome};
use crate::live::use_live;
use crate::session::or_sign_in;
use crate::time;
use crate::view_query::{PAGE_SIZE, Scope, Sort, ViewQuery};

/// One row of a list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    id: String,
    name: String,
    status: String,
    request_reason: Option<String>,
    preferred_channel: Option<String>,
    preferred_phone: Option<String>,
    #[serde(rename = "VisitorName__c")]
    visitor_name: Option<String>,
    created_date: String,
    #[serde(rename = "ScheduledRoutingDateTime__c")]
    scheduled: Option<String>,
    /// When its first attempt should come by (its queue's service level), while it waits for one.
    #[serde(rename = "ServiceLevelDueDateTime__c")]
    due: Option<String>,
}

/// Whether the deadline `due` (an API datetime) has passed.
fn breached(due: &str) -> bool {
    js_sys::Date::new(&due.into()).get_time() < js_sys::Date::now()
}

/// Open requests owned by me.
#[component]
pub fn MyWork() -> impl IntoView {
    let me = expect_context::<Me>();
    view! { <RequestList title="My work".into() scope=Signal::stored(Scope::OwnedBy(me.id))/> }
}

/// A queue's requests.
#[component]
pub fn QueueView() -> impl IntoView {
    let me = expect_context::<Me>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let title = Signal::derive(move || {
        let id = id.get();
        me.queues
            .iter()
            .find(|queue| queue.id == id)
            .map_or_else(|| format!("Queue {id}"), |queue| queue.name.clone())
    });
    view! {
        {move || view! { <RequestList title=title.get() scope=Signal::derive(move || Scope::OwnedBy(id.get()))/> }}
    }
}

/// Every request, for supervisors and admins.
#[component]
pub fn AllRequests() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.sees_everything() {
        return view! {
            <h1>"All requests"</h1>
            <p role="alert">"Only supervisors and admins see every request."</p>
        }
        .into_any();
    }
    view! { <RequestList title="All requests".into() scope=Signal::stored(Scope::All)/> }.into_any()
}

/// A filtered, sorted, searchable, paged list of the requests of `scope`, kept up to date by the live feed.
#[component]
fn RequestList(title: String, scope: Signal<Scope>) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let live = use_live();
    let view = Memo::new(move |_| {
        let query = query.get();
        ViewQuery::from_query(|key| query.get(key))
    });
    let rows = LocalResource::new(move || {
        let (view, scope) = (view.get(), scope.get());
        live.changes.track();
        async move {
            let page = or_sign_in(api::query::<Row>(&view.soql(&scope)).await)?;
            let count =
                or_sign_in(api::query::<serde_json::Value>(&view.count_soql(&scope)).await)?;
            Ok::<_, api::ApiError>((page.records, count.total_size))
        }
    });
    let page_link = move |page: u32| {
        let mut view = view.get();
        view.page = page;
        format!("{}?{}", location.pathname.get(), view.to_query())
    };
    let selected = move |value: &str, current: Option<&str>| current == Some(value);
    let reasons = reason_values(&expect_context::<Me>());
    // The filters go into the URL's query as a GET form would put them, without loading the page again
    // (what leptos_router's `Form` does; the component cost the first page 7.4 KB brotli).
    let navigate = use_navigate();
    let filter = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let query = event
            .target()
            .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| web_sys::FormData::new_with_form(&form).ok())
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok());
        if let Some(query) = query {
            let query = String::from(query.to_string());
            navigate(
                &format!("{}?{query}", location.pathname.get_untracked()),
                Default::default(),
            );
        }
    };
    view! {
        <h1>{title}</h1>
        <SavedViews view/>
        <form method="get" on:submit=filter>
            <fieldset class="filters">
                <legend>"Filters"</legend>
                <label>"Status"
                    <select name="status">
                        {status_filters().into_iter().map(|(filter, label)| view! {
                            <option value=filter.as_str() selected=move || view.get().status == filter>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Reason"
                    <select name="reason">
                        <option value="">"Any reason"</option>
                        {reasons.iter().map(|reason| view! {
                            <option value=*reason
                                selected=move || selected(reason, view.get().reason.as_deref())>
                                {*reason}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Channel"
                    <select name="channel">
                        <option value="">"Any channel"</option>
                        {PreferredChannel::ALL.iter().map(|channel| view! {
                            <option value=channel.as_str()
                                selected=move || selected(channel.as_str(), view.get().channel.map(|c| c.as_str()))>
                                {channel.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Site (page origin)"
                    <input name="site" type="text" placeholder="https://shop.example"
                        prop:value=move || view.get().site.unwrap_or_default()/>
                </label>
                <label>"Created from"
                    <input name="created_from" type="date"
                        prop:value=move || view.get().created_from.map(|d| d.as_str().to_owned()).unwrap_or_default()/>
                </label>
                <label>"Created to"
                    <input name="created_to" type="date"
                        prop:value=move || view.get().created_to.map(|d| d.as_str().to_owned()).unwrap_or_default()/>
                </label>
                <label>"Callback from"
                    <input name="scheduled_from" type="date"
                        prop:value=move || view.get().scheduled_from.map(|d| d.as_str().to_owned()).unwrap_or_default()/>
                </label>
                <label>"Callback to"
                    <input name="scheduled_to" type="date"
                        prop:value=move || view.get().scheduled_to.map(|d| d.as_str().to_owned()).unwrap_or_default()/>
                </label>
                <label>"Search"
                    <input name="q" type="search" placeholder="Number, name, phone, email, description"
                        prop:value=move || view.get().search.unwrap_or_default()/>
                </label>
                <label>"Sort"
                    <select name="sort">
                        {Sort::ALL.into_iter().map(|sort| view! {
                            <option value=sort.as_str() selected=move || view.get().sort == sort>{sort.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Apply"</button>
            </fieldset>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || rows.get().map(|result| match result {
                Err(error) => view! { <p role="alert" class="error">{error.message()}</p> }.into_any(),
                Ok((rows, total)) => {
                    let page = view.get().page;
                    let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
                    view! {
                        <p class="count" role="status">
                            {format!("{total} request{}", if total == 1 { "" } else { "s" })}
                            {(pages > 1).then(|| format!(" · page {page} of {pages}"))}
                        </p>
                        <RowsTable rows/>
                        <nav class="pager" aria-label="Pages">
                            {(page > 1).then(|| view! { <A href=page_link(page - 1)>"Previous page"</A> })}
                            {(page < pages).then(|| view! { <A href=page_link(page + 1)>"Next page"</A> })}
                        </nav>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// The table of one page of requests.
#[component]
fn RowsTable(rows: Vec<Row>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"Nothing here."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Requests">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Number"</th>
                        <th scope="col">"Visitor"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Phone"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Callback"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <th scope="row"><A href=format!("/console/requests/{}", row.id)>{row.name}</A></th>
                            <td>{row.visitor_name.unwrap_or_else(|| "—".into())}</td>
                            <td>{row.request_reason}</td>
                            <td>{row.preferred_channel}</td>
                            <td>{row.preferred_phone.map(|phone| view! { <a href=format!("tel:{phone}")>{phone.clone()}</a> })}</td>
                            <td><StatusBadge status=row.status/>{row.due.filter(|d| breached(d)).map(|_| view! { " "<span class="badge breach">"Breach"</span> })}</td>
                            <td>{time::local(&row.created_date, None)}</td>
                            <td>{row.scheduled.map_or_else(|| "As soon as possible".to_owned(), |at| time::local(&at, None))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }.into_any()
}

/// A change to my saved views.
#[derive(Clone)]
enum ViewChange {
    Save(NewSavedView),
    /// (id, name)
    Delete(i64, String),
}

/// My saved views, as links, each deletable; and saving the view this page shows under a name. Plain
/// signals rather than a resource: nothing here suspends the shell's boundary, and the wasm stays small.
#[component]
fn SavedViews(view: Memo<ViewQuery>) -> impl IntoView {
    let location = use_location();
    let views = RwSignal::new(None::<Result<Vec<SavedView>, ApiError>>);
    let load = move || {
        leptos::task::spawn_local(async move { views.set(Some(or_sign_in(api::views().await))) });
    };
    load();
    let name = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<String, ApiError>>);
    let pending = RwSignal::new(false);
    let run = move |change: ViewChange| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = match change {
                ViewChange::Save(new) => api::save_view(&new)
                    .await
                    .map(|saved| format!("View {} saved.", saved.name)),
                ViewChange::Delete(id, name) => api::delete_view(id)
                    .await
                    .map(|()| format!("View {name} deleted.")),
            };
            let result = or_sign_in(result);
            if result.is_ok() {
                name.set(String::new());
                load();
            }
            answer.set(Some(result));
            pending.set(false);
        });
    };
    let save = move || {
        // A saved view opens at its first page.
        let mut shown = view.get_untracked();
        shown.page = 1;
        ViewChange::Save(NewSavedView {
            name: name.get_untracked(),
            path: location.pathname.get_untracked(),
            query: shown.to_query(),
        })
    };
    const FIELDS: &[(&str, &str)] = &[("name", "view-name")];
    let answer = Signal::from(answer);
    view! {
        <section aria-labelledby="views-heading" class="saved-views">
            <h2 id="views-heading">"Saved views"</h2>
            <Outcome answer fields=FIELDS/>
            {move || views.get().map(|list| match list {
                Err(error) => view! { <p class="error">{error.message()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="note">"None yet: set the filters, then save the view."</p> }.into_any(),
                Ok(list) => view! { <ul>{list.into_iter().map(|saved| saved_view(saved, run)).collect_view()}</ul> }.into_any(),
            })}
            <form on:submit=move |e| { e.prevent_default(); run(save()); }>
                <Field id="view-name" name="name" label="Save this view as" value=name answer required=true/>
                <button type="submit" disabled=move || pending.get()>"Save the view"</button>
            </form>
        </section>
    }
}

fn saved_view(saved: SavedView, run: impl Fn(ViewChange) + Copy + 'static) -> impl IntoView {
    let href = if saved.query.is_empty() {
        saved.path
    } else {
        format!("{}?{}", saved.path, saved.query)
    };
    let label = format!("Delete the view {}", saved.name);
    let change = ViewChange::Delete(saved.id, saved.name.clone());
    view! {
        <li>
            <A href>{saved.name}</A>" "
            <button type="button" class="link" aria-label=label
                on:click=move |_| run(change.clone())>"Delete"</button>
        </li>
    }
}

/// The organisation's reasons (the server's configuration, which the page never changes), kept once for
/// the page's life as `'static` text: options of `String`s cost the first page 1.3 KB of Leptos' rendering
/// that `&'static str` options share with the other filters.
fn reason_values(me: &Me) -> &'static [&'static str] {
    thread_local! {
        static VALUES: std::cell::OnceCell<&'static [&'static str]> = const { std::cell::OnceCell::new() };
    }
    VALUES.with(|values| {
        *values.get_or_init(|| {
            let leaked: Vec<&'static str> = me
                .reasons
                .iter()
                .map(|r| &*Box::leak(r.clone().into_boxed_str()))
                .collect();
            Box::leak(leaked.into_boxed_slice())
        })
    })
}
