//! The representatives' web console: sign in, see my work and my queues live, open a request, call, log
//! the outcome. A Leptos CSR app served by the server at `/console/`, on the API's origin.
//!
//! `pages/` holds one module per route, `components.rs` the pieces they share, `forms.rs` the form
//! pieces, `api.rs` every HTTP call, `view_query.rs` a view as its URL query says it, `session.rs` who is
//! signed in and `live.rs` the live feed.

mod api;
mod components;
mod forms;
mod live;
mod pages;
mod session;
mod time;
pub mod view_query;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The whole app: the router and its pages.
#[component]
pub fn App() -> impl IntoView {
    session::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <main id="main"><h1>"Page not found"</h1></main> }>
                <Route path=path!("/console/sign-in") view=pages::sign_in::SignInPage/>
                <ParentRoute path=path!("/console") view=components::Shell>
                    <Route path=path!("") view=pages::list::MyWork/>
                    <Route path=path!("/queues/:id") view=pages::list::QueueView/>
                    <Route path=path!("/all") view=pages::list::AllRequests/>
                    <Route path=path!("/requests/:id") view=pages::request::RequestPage/>
                    <Route path=path!("/admin") view=pages::admin::AdminPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
