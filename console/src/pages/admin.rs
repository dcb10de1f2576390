//! `/console/admin` (admins): the users and queues. Managing them (passwords, roles, memberships, tokens)
//! goes through the console's admin routes.

use contact_shared::console::Me;
use leptos::prelude::*;
use serde::Deserialize;

use crate::api;
use crate::session::or_sign_in;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct User {
    id: String,
    username: String,
    name: String,
    is_active: bool,
}

/// The administration page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.administers() {
        return view! {
            <h1>"Administration"</h1>
            <p role="alert">"Only admins manage users, queues and tokens."</p>
        }
        .into_any();
    }
    let users = LocalResource::new(|| async {
        or_sign_in(
            api::query::<User>("SELECT Id, Username, Name, IsActive FROM User ORDER BY Name ASC")
                .await,
        )
    });
    view! {
        <h1>"Administration"</h1>
        <section aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || users.get().map(|result| match result {
                    Err(error) => view! { <p role="alert" class="error">{error.message()}</p> }.into_any(),
                    Ok(users) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Table of users">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Username"</th>
                                    <th scope="col">"Id"</th><th scope="col">"Active"</th>
                                </tr></thead>
                                <tbody>
                                    {users.records.into_iter().map(|user| view! {
                                        <tr>
                                            <th scope="row">{user.name}</th><td>{user.username}</td>
                                            <td><code>{user.id}</code></td>
                                            <td>{if user.is_active { "yes" } else { "no" }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <section aria-labelledby="queues-heading">
            <h2 id="queues-heading">"My queues"</h2>
            <ul>
                {me.queues.into_iter().map(|queue| view! {
                    <li>{queue.name}" "<code>{queue.id}</code></li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
