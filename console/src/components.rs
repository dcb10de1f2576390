//! The pieces the pages share: the signed-in shell (navigation, the live feed, the tab title) and small
//! form helpers.

use contact_shared::Status;
use contact_shared::console::Me;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::api::{self, ApiError};
use crate::live;
use crate::session::{self, use_session};
use crate::view_query::{Scope, StatusFilter, ViewQuery};

/// The console's two apps (see the crate's documentation); a link from one to the other is a full page
/// load, as the other's routes are not in this one's router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Work,
    Admin,
}

/// A navigation link to a page of `to`, from a page of the app this is.
fn nav_link(to: Part, href: String, label: String) -> impl IntoView {
    if expect_context::<Part>() == to {
        view! { <li><A href exact=true>{label}</A></li> }.into_any()
    } else {
        view! { <li><a href=href rel="external">{label}</a></li> }.into_any()
    }
}

/// Every page but sign-in: waits for who is signed in (sending a signed-out person to sign in), then shows
/// the navigation and the page.
#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || session.me.get().map(|me| match me {
                Ok(me) => view! { <SignedIn me/> }.into_any(),
                Err(ApiError::SignedOut) => {
                    session::sign_in_again();
                    view! { <p class="loading">"Signing in…"</p> }.into_any()
                }
                Err(error) => view! { <p role="alert" class="error">{error.message()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

/// The shell once someone is signed in.
#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let live = live::provide();
    provide_context(me.clone());
    let queue_ids: Vec<String> = me.queues.iter().map(|q| q.id.clone()).collect();
    // How many open requests wait in my queues, for the tab's title.
    let waiting = kept(move || {
        let queues = queue_ids.clone();
        live.changes.track();
        async move {
            if queues.is_empty() {
                return Some(0);
            }
            let mut total = 0;
            for queue in queues {
                let view = ViewQuery::from_query(|_| None);
                let soql = view.count_soql(&Scope::OwnedBy(queue));
                total += api::query::<serde_json::Value>(&soql)
                    .await
                    .ok()?
                    .total_size;
            }
            Some(total)
        }
    });
    Effect::new(move || {
        if let (Some(Some(n)), Some(document)) =
            (waiting.get(), web_sys::window().and_then(|w| w.document()))
        {
            document.set_title(&format!("({n}) waiting · Console"));
        }
    });
    let sign_out = Action::new_local(|_: &()| async {
        let _ = api::sign_out().await;
        session::sign_in_again();
    });
    let role = me.role;
    view! {
        <a class="skip" href="#main">"Skip to the page"</a>
        <header class="top">
            <nav aria-label="Console">
                <ul>
                    {nav_link(Part::Work, "/console/".into(), "My work".into())}
                    {me.queues.clone().into_iter().map(|queue| {
                        nav_link(Part::Work, format!("/console/queues/{}", queue.id), queue.name)
                    }).collect_view()}
                    {role.sees_everything().then(|| nav_link(Part::Work, "/console/all".into(), "All".into()))}
                    {role.sees_everything().then(|| nav_link(Part::Admin, "/console/admin/supervisor".into(), "Supervisor".into()))}
                    {role.sees_everything().then(|| nav_link(Part::Admin, "/console/admin/reports".into(), "Reports".into()))}
                    {role.administers().then(|| nav_link(Part::Admin, "/console/admin".into(), "Admin".into()))}
                </ul>
            </nav>
            <p class="who">
                <crate::offers::PresenceChoice/>
                <span>{me.name.clone()}" · "{role.as_str()}</span>
                <button type="button" on:click=move |_| { sign_out.dispatch(()); }>"Sign out"</button>
            </p>
        </header>
        <main id="main" tabindex="-1">
            <crate::offers::OfferPanel/>
            <Outlet/>
        </main>
    }
}

/// What `load` last answered, loaded again whenever a signal it reads before its first `.await` changes;
/// the last answer stays while the next one loads, and an answer that comes after a newer one was asked
/// for is dropped.
///
/// For what is read outside a page's own `Transition`. A `LocalResource` read there registers with the
/// shell's `Suspense`, which then takes the whole page out of the document while it loads again: the
/// element being typed in loses focus, on every change the live feed tells of.
pub fn kept<T, F>(load: impl Fn() -> F + 'static) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: std::future::Future<Output = T> + 'static,
{
    let value = RwSignal::new(None);
    let asked = StoredValue::new(0u64);
    Effect::new(move || {
        let answer = load();
        asked.update_value(|n| *n += 1);
        let this = asked.get_value();
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if asked.try_get_value() == Some(this) {
                value.try_set(Some(answer));
            }
        });
    });
    value.read_only()
}

/// The server's message about one field, tied to its input by `id`.
#[component]
pub fn FieldError(id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id aria-live="polite">{move || error.get()}</p>
    }
}

/// A request's status, as a badge.
#[component]
pub fn StatusBadge(status: String) -> impl IntoView {
    let class = match status.parse::<Status>() {
        Ok(Status::New) => "badge new",
        Ok(Status::Attempted) => "badge attempted",
        Ok(Status::Contacted) => "badge contacted",
        _ => "badge",
    };
    view! { <span class=class>{status}</span> }
}

/// The options of a status filter: open, any, then each status.
pub fn status_filters() -> Vec<(StatusFilter, &'static str)> {
    let mut filters = vec![
        (StatusFilter::Open, "Open"),
        (StatusFilter::Any, "Any status"),
    ];
    filters.extend(
        Status::ALL
            .iter()
            .map(|status| (StatusFilter::One(*status), status.as_str())),
    );
    filters
}
