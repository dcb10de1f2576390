//! The queues: each with its members (each removable), adding a queue and adding a member.

use leptos::prelude::*;

use super::{Act, Call, Directory, act, listing};
use crate::api::ApiError;
use crate::api::admin::{self, Queue};
use crate::forms::{Choice, Field, Outcome};

/// The queues section.
#[component]
pub fn Queues() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let queues = LocalResource::new(move || {
        directory.changes.track();
        admin::queues()
    });
    let membership = act();
    provide_context(membership);
    let answer = Signal::derive(move || membership.value().get());
    let queue = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let queue_choices = Signal::derive(move || {
        let queues = queues.get().and_then(Result::ok).unwrap_or_default();
        queues.into_iter().map(|q| (q.id, q.name)).collect()
    });
    const FIELDS: &[(&str, &str)] = &[("user", "member-user")];
    view! {
        <section aria-labelledby="queues-heading">
            <h2 id="queues-heading">"Queues"</h2>
            <Outcome answer fields=FIELDS/>
            {listing(queues, list)}
            <AddQueue/>
            <form on:submit=move |e| {
                e.prevent_default();
                membership.dispatch(Call::Member(queue.get(), user.get(), true));
            }>
                <fieldset>
                    <legend>"Add a member"</legend>
                    <Choice id="member-queue" name="queue" label="Queue" value=queue options=queue_choices answer/>
                    <Choice id="member-user" name="user" label="User" value=user options=directory.user_choices() answer/>
                    <button type="submit" disabled=move || membership.pending().get()>"Add to the queue"</button>
                </fieldset>
            </form>
        </section>
    }
}

fn list(queues: Vec<Queue>) -> impl IntoView {
    let membership = expect_context::<Act>();
    view! {
        <ul class="queues">
            {queues.into_iter().map(|queue| {
                let members = if queue.members.is_empty() {
                    view! { <p class="note">"No members."</p> }.into_any()
                } else {
                    view! {
                        <ul aria-label=format!("Members of {}", queue.name)>
                            {queue.members.into_iter().map(|person| {
                                let label = format!("Remove {} from {}", person.name, queue.name);
                                let change = Call::Member(queue.id.clone(), person.id, false);
                                view! {
                                    <li>
                                        {person.name}" "
                                        <button type="button" aria-label=label
                                            on:click=move |_| { membership.dispatch(change.clone()); }>
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                };
                view! { <li><h3>{queue.name}" "<code>{queue.id}</code></h3>{members}</li> }
            }).collect_view()}
        </ul>
    }
}

/// Adds a queue.
#[component]
fn AddQueue() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let add = act();
    let answer = Signal::derive(move || add.value().get());
    Effect::new(move || {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
        }
    });
    const FIELDS: &[(&str, &str)] = &[("name", "queue-name")];
    view! {
        <form on:submit=move |e| { e.prevent_default(); add.dispatch(Call::AddQueue(name.get())); }>
            <fieldset>
                <legend>"Add a queue"</legend>
                <Outcome answer fields=FIELDS/>
                <Field id="queue-name" name="name" label="Name" value=name answer required=true/>
                <button type="submit" disabled=move || add.pending().get()>"Add the queue"</button>
            </fieldset>
        </form>
    }
}

/// Adds a queue.
pub async fn add(name: String) -> Result<String, ApiError> {
    let queue = admin::add_queue(&name).await?;
    Ok(format!("Queue {} added.", queue.name))
}

/// Makes a user a member of a queue, or takes them out.
pub async fn member(queue: String, user: String, member: bool) -> Result<String, ApiError> {
    admin::set_member(&queue, &user, member).await?;
    Ok(if member {
        "Member added."
    } else {
        "Member removed."
    }
    .to_owned())
}
