//! The representatives' web console: sign in, see my work and my queues live, open a request, call, log
//! the outcome. Leptos CSR, served by the server on the API's origin as two apps from this one library:
//! [`App`] at `/console/` (what every representative opens) and [`AdminApp`] at `/console/admin` (users,
//! queues, tokens, webhook endpoints; the supervisor view at `/console/admin/supervisor`, the reports at
//! `/console/admin/reports`), so that the first page fetches none of the administration's code. Links
//! between the two are full page loads.
//!
//! `pages/` holds one module per route, `components.rs` the pieces they share, `forms.rs` the form
//! pieces, `api.rs` every HTTP call, `view_query.rs` a view as its URL query says it, `session.rs` who is
//! signed in and `live.rs` the live feed.

mod api;
mod call_panel;
mod components;
mod forms;
mod live;
mod offers;
mod pages;
mod session;
mod time;
pub mod view_query;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The work app: sign-in, my work, my queues, all requests, a request.
#[component]
pub fn App() -> impl IntoView {
    session::provide();
    provide_context(components::Part::Work);
    view! {
        <Router>
            <Routes fallback=not_found>
                <Route path=path!("/console/sign-in") view=pages::sign_in::SignInPage/>
                <ParentRoute path=path!("/console") view=components::Shell>
                    <Route path=path!("") view=pages::list::MyWork/>
                    <Route path=path!("/queues/:id") view=pages::list::QueueView/>
                    <Route path=path!("/all") view=pages::list::AllRequests/>
                    <Route path=path!("/requests/:id") view=pages::request::RequestPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The administration app: for admins, users, queues and their members, API tokens, webhook endpoints;
/// for supervisors and admins, the supervisor view.
#[component]
pub fn AdminApp() -> impl IntoView {
    session::provide();
    provide_context(components::Part::Admin);
    view! {
        <Router>
            <Routes fallback=not_found>
                <ParentRoute path=path!("/console/admin") view=components::Shell>
                    <Route path=path!("") view=pages::admin::AdminPage/>
                    <Route path=path!("/supervisor") view=pages::admin::supervisor::SupervisorPage/>
                    <Route path=path!("/reports") view=pages::admin_reports::ReportsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

fn not_found() -> impl IntoView {
    view! { <main id="main"><h1>"Page not found"</h1></main> }
}
