//! Who is signed in, read once from `/console/api/me` and shared through the context; and the way back to
//! the sign-in page when the session has ended.

use contact_shared::console::Me;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::view_query::encode;

/// The signed-in person, as the server last said.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: LocalResource<Result<Me, ApiError>>,
}

/// Puts the session into the context.
pub fn provide() {
    provide_context(Session {
        me: LocalResource::new(api::me),
    });
}

pub fn use_session() -> Session {
    expect_context()
}

/// Sends the person to sign in, and back here afterwards (what they were typing is kept by the form that
/// holds it, in the tab's session storage).
pub fn sign_in_again() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let _ = location.set_href(&format!("/console/sign-in?next={}", encode(&here)));
}

/// Where `next` may send a person after signing in: only a console page of this origin.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with("/console/") && !n.starts_with("/console/sign-in"))
        .filter(|n| !n.contains("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/console/".into())
}

/// Handles a failed call the same way everywhere: a 401 goes to sign-in, the rest is the page's.
pub fn or_sign_in<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if matches!(result, Err(ApiError::SignedOut)) {
        sign_in_again();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_leads_to_a_console_page_of_this_origin() {
        for (next, expected) in [
            (None, "/console/"),
            (Some("/console/requests/0SR1"), "/console/requests/0SR1"),
            (Some("/console/all?status=any"), "/console/all?status=any"),
            (Some("https://evil.example/console/"), "/console/"),
            (Some("//evil.example/console/"), "/console/"),
            (Some("/console//evil.example"), "/console/"),
            (Some("/console/\\evil"), "/console/"),
            (Some("/console/sign-in?next=/x"), "/console/"),
            (Some("/widget.js"), "/console/"),
        ] {
            assert_eq!(safe_next(next.map(str::to_owned)), expected, "{next:?}");
        }
    }
}
