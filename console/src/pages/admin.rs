//! `/console/admin` (admins): users (add, role, deactivate, password), queues (members, offer settings), API
//! tokens, webhook endpoints and their delivery log, through the console's admin routes. Every form shows
//! the server's message against its field;
//! focus then moves to that field, or to the form's announced outcome (see [`crate::forms`]).

mod queues;
pub mod supervisor;
mod tokens;
mod users;
mod webhooks;

use contact_shared::console::Me;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::admin::{self, Person};
use crate::session::or_sign_in;

/// What the admin page's sections share: every user, and the count of changes that makes every list read
/// again.
#[derive(Clone, Copy)]
struct Directory {
    users: LocalResource<Result<Vec<Person>, ApiError>>,
    changes: RwSignal<u32>,
}

impl Directory {
    /// The users as choices: (id, "Name (username)").
    fn user_choices(self) -> Signal<Vec<(String, String)>> {
        Signal::derive(move || {
            let users = self.users.get().and_then(Result::ok).unwrap_or_default();
            users
                .into_iter()
                .map(|u| (u.id, format!("{} ({})", u.name, u.username)))
                .collect()
        })
    }
}

/// One change the admin page asks the server for.
#[derive(Clone)]
enum Call {
    AddUser(users::NewUser),
    ChangeUser(String, users::Change),
    AddQueue(String),
    QueueSettings(queues::Settings),
    /// (queue id, user id, whether a member)
    Member(String, String, bool),
    AddToken(tokens::NewToken),
    RevokeToken(i64),
    AddEndpoint(webhooks::NewEndpoint),
    Endpoint(String, webhooks::Change),
}

/// Every form's answer. One action type for the page: each action type costs its own copy of Leptos's
/// action machinery in the wasm.
type Act = Action<Call, Result<String, ApiError>>;

async fn perform(call: Call) -> Result<String, ApiError> {
    match call {
        Call::AddUser(user) => users::add(user).await,
        Call::ChangeUser(id, change) => users::change(id, change).await,
        Call::AddQueue(name) => queues::add(name).await,
        Call::QueueSettings(settings) => queues::settings(settings).await,
        Call::Member(queue, user, member) => queues::member(queue, user, member).await,
        Call::AddToken(token) => tokens::add(token).await,
        Call::RevokeToken(id) => tokens::revoke(id).await,
        Call::AddEndpoint(endpoint) => webhooks::add(endpoint).await,
        Call::Endpoint(name, change) => webhooks::change(name, change).await,
    }
}

/// An action of the admin page: performs the call, sends an ended session to sign in, and after a success
/// makes every list read again.
fn act() -> Act {
    let directory = expect_context::<Directory>();
    Action::new_local(move |call: &Call| {
        let call = call.clone();
        async move {
            let answer = or_sign_in(perform(call).await);
            if answer.is_ok() {
                directory.changes.update(|n| *n += 1);
            }
            answer
        }
    })
}

/// The administration page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.administers() {
        return view! {
            <h1>"Administration"</h1>
            <p role="alert">"Only admins manage users, queues, tokens and webhooks."</p>
            {me.role.sees_everything().then(|| view! {
                <p><a href="/console/admin/supervisor">"The supervisor view"</a></p>
            })}
        }
        .into_any();
    }
    let changes = RwSignal::new(0);
    let users = LocalResource::new(move || {
        changes.track();
        async { or_sign_in(admin::users().await) }
    });
    provide_context(Directory { users, changes });
    view! {
        <h1>"Administration"</h1>
        // One boundary for every list: without it, a list reading again after a change would suspend the
        // shell's boundary, which draws the page anew and loses the forms and their focus.
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <users::Users/>
            <queues::Queues/>
            <tokens::Tokens/>
            <webhooks::Webhooks/>
        </Transition>
    }
    .into_any()
}

/// A list as the server last answered (the page's `Transition` keeps it shown while it reads again).
fn listing<T: Clone + 'static, V: IntoView + 'static>(
    list: LocalResource<Result<T, ApiError>>,
    show: fn(T) -> V,
) -> impl IntoView {
    move || match list.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(list)) => show(list).into_any(),
        Some(Err(error)) => {
            view! { <p role="alert" class="error">{error.message()}</p> }.into_any()
        }
    }
}
