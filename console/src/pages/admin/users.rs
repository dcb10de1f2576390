//! The users: who they are, adding one (with a password), and changing one's role, activity or password.

use contact_shared::console::Role;
use leptos::prelude::*;
use serde_json::json;

use super::{Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Person};
use crate::forms::{Choice, Field, Outcome};

/// The roles as choices.
fn roles() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
        .collect()
}

/// The users section: the table, then the forms.
#[component]
pub fn Users() -> impl IntoView {
    let directory = expect_context::<Directory>();
    view! {
        <section aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            {listing(directory.users, table)}
            <AddUser/>
            <ChangeUser/>
        </section>
    }
}

fn table(users: Vec<Person>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Table of users">
            <table>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Username"</th>
                    <th scope="col">"Role"</th><th scope="col">"Active"</th><th scope="col">"Id"</th>
                </tr></thead>
                <tbody>
                    {users.into_iter().map(|user| view! {
                        <tr>
                            <th scope="row">{user.name}</th><td>{user.username}</td>
                            <td>{user.role.as_str()}</td>
                            <td>{if user.is_active { "yes" } else { "no" }}</td>
                            <td><code>{user.id}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What the add-user form sends.
#[derive(Clone)]
pub struct NewUser {
    username: String,
    name: String,
    email: String,
    role: String,
    password: String,
}

/// Adds a user, then sets their password if one was typed.
#[component]
fn AddUser() -> impl IntoView {
    let [username, name, email, role, password] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            for field in [username, name, email, password] {
                field.set(String::new());
            }
        }
    });
    const FIELDS: &[(&str, &str)] = &[
        ("username", "new-username"),
        ("name", "new-name"),
        ("email", "new-email"),
        ("role", "new-role"),
        ("password", "new-password"),
    ];
    view! {
        <form on:submit=move |e| {
            e.prevent_default();
            add.dispatch(Call::AddUser(NewUser {
                username: username.get(), name: name.get(), email: email.get(), role: role.get(),
                password: password.get(),
            }));
        }>
            <fieldset>
                <legend>"Add a user"</legend>
                <Outcome answer fields=FIELDS/>
                <Field id="new-username" name="username" label="Username" value=username answer required=true/>
                <Field id="new-name" name="name" label="Name" value=name answer required=true/>
                <Field id="new-email" name="email" label="Email (optional)" value=email answer kind="email"/>
                <Choice id="new-role" name="role" label="Role" value=role options=Signal::derive(roles) answer/>
                <Field id="new-password" name="password" label="Password (optional, at least 12 characters)"
                    value=password answer kind="password" autocomplete="new-password"/>
                <button type="submit" disabled=move || add.pending().get()>"Add the user"</button>
            </fieldset>
        </form>
    }
}

/// Adds a user, then sets their password if one was typed.
pub async fn add(user: NewUser) -> Result<String, ApiError> {
    let person = admin::add_user(&json!({
        "username": user.username, "name": user.name, "email": user.email, "role": user.role,
    }))
    .await?;
    if !user.password.is_empty() {
        // The user exists by now: the refusal says so, at the password field.
        admin::set_password(&person.id, &user.password)
            .await
            .map_err(|error| ApiError::Refused {
                message: error.message(),
                fields: vec![(
                    "password".into(),
                    format!(
                        "{} was added without a password: {} Set one below.",
                        person.username,
                        error.field("password").unwrap_or_else(|| error.message())
                    ),
                )],
            })?;
    }
    Ok(format!("Added {} ({}).", person.name, person.username))
}

/// A change to one user.
#[derive(Clone)]
pub enum Change {
    Role(String),
    Active(bool),
    Password(String),
}

/// Changes the chosen user's role, activity or password.
#[component]
fn ChangeUser() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let user = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let change = act();
    let send = move |c: Change| {
        change.dispatch(Call::ChangeUser(user.get_untracked(), c));
    };
    let answer = Signal::derive(move || change.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = change.value().get() {
            password.set(String::new());
        }
    });
    let chosen = Signal::derive(move || {
        let users = directory.users.get().and_then(Result::ok)?;
        users.into_iter().find(|u| u.id == user.get())
    });
    // The role shown is the chosen user's own, until changed.
    Effect::new(move || {
        if let Some(person) = chosen.get() {
            role.set(person.role.as_str().to_owned());
        }
    });
    const FIELDS: &[(&str, &str)] = &[
        ("role", "change-role"),
        ("isActive", "change-active"),
        ("password", "change-password"),
    ];
    let busy = move || change.pending().get() || chosen.get().is_none();
    view! {
        <fieldset>
            <legend>"Change a user"</legend>
            <Outcome answer fields=FIELDS/>
            <Choice id="change-user" name="user" label="User" value=user options=directory.user_choices() answer/>
            <form on:submit=move |e| { e.prevent_default(); send(Change::Role(role.get())); }>
                <Choice id="change-role" name="role" label="Role" value=role options=Signal::derive(roles) answer/>
                <button type="submit" disabled=busy>"Change the role"</button>
            </form>
            <form on:submit=move |e| {
                e.prevent_default();
                let active = chosen.get().is_some_and(|p| p.is_active);
                send(Change::Active(!active));
            }>
                <button type="submit" id="change-active" disabled=busy>
                    {move || if chosen.get().is_some_and(|p| !p.is_active) { "Reactivate" } else { "Deactivate" }}
                </button>
            </form>
            <form on:submit=move |e| { e.prevent_default(); send(Change::Password(password.get())); }>
                <Field id="change-password" name="password" label="New password (at least 12 characters)"
                    value=password answer kind="password" autocomplete="new-password" required=true/>
                <button type="submit" disabled=busy>"Set the password"</button>
            </form>
        </fieldset>
    }
}

/// Changes one user's role, activity or password.
pub async fn change(id: String, change: Change) -> Result<String, ApiError> {
    match change {
        Change::Role(role) => admin::change_user(&id, &json!({ "role": role }))
            .await
            .map(|p| format!("{} is now {}.", p.name, p.role.as_str())),
        Change::Active(active) => admin::change_user(&id, &json!({ "isActive": active }))
            .await
            .map(|p| {
                let now = if p.is_active {
                    "active again"
                } else {
                    "deactivated"
                };
                format!("{} is {now}.", p.name)
            }),
        Change::Password(password) => admin::set_password(&id, &password)
            .await
            .map(|()| "Password set; their sessions have ended.".to_owned()),
    }
}
