//! `/console/sign-in?next=…`: username and password; the server's message against its field, a 429's
//! wait shown on the form; then back to `next`.

use contact_shared::console::SignIn;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{self, ApiError};
use crate::components::FieldError;
use crate::session::safe_next;

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(|credentials: &SignIn| {
        let credentials = credentials.clone();
        async move { api::sign_in(&credentials).await }
    });
    let error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    let field =
        move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let general = Signal::derive(move || {
        error.get().filter(|e| {
            matches!(e, ApiError::Throttled { .. } | ApiError::Network(_))
                || (e.field("username").is_none() && e.field("password").is_none())
        })
    });
    // A full load of `next`, not a client-side one: the app starts again with the new session, so no view
    // ever sees the 401 that `me` answered before signing in.
    Effect::new(move || {
        if let Some(Ok(_)) = sign_in.value().get() {
            let next = safe_next(query.get_untracked().get("next"));
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href(&next);
            }
        }
    });
    // After a refusal, focus goes to what needs fixing.
    let password_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let (Some(_), Some(input)) = (error.get(), password_input.get()) {
            let _ = input.focus();
        }
    });
    view! {
        <main id="main" class="sign-in">
            <h1>"Sign in to the console"</h1>
            <form on:submit=move |event| {
                event.prevent_default();
                sign_in.dispatch(SignIn { username: username.get(), password: password.get() });
            }>
                <p role="alert" class="error">{move || general.get().map(|e| e.message())}</p>
                <label for="username">"Username"</label>
                <input id="username" name="username" autocomplete="username" required
                    aria-describedby="username-error"
                    aria-invalid=move || field("username").get().is_some().to_string()
                    bind:value=username/>
                <FieldError id="username-error" error=field("username")/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    aria-describedby="password-error" node_ref=password_input
                    aria-invalid=move || field("password").get().is_some().to_string()
                    bind:value=password/>
                <FieldError id="password-error" error=field("password")/>
                <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
            </form>
        </main>
    }
}
