//! `/console/admin/supervisor` (supervisors and admins): what waits in each queue and for how long, and
//! whether anybody can take it; who is Available, Busy or Offline and what each holds, each item with a
//! take-back to its queue. Read again whenever the live feed tells of a change (a request, an offer, a
//! presence, a callback falling due), and every few seconds for a console that went quiet (Offline after
//! a minute unseen, which no event tells); the waits and countdowns tick between reads.

use contact_shared::console::supervisor::{
    Floor, Held, Holding, OnFloor, QueueFloor, TakeBack, wait,
};
use contact_shared::console::{Me, Presence};
use leptos::prelude::*;

use crate::api::supervisor as api;
use crate::components::kept;
use crate::forms::{Answer, Outcome};
use crate::live::use_live;
use crate::session::or_sign_in;

/// Seconds between reads when the feed tells nothing.
const QUIET_READ: u64 = 15;

/// What the page's pieces share: seconds since the floor was read, and the take-back's answer.
#[derive(Clone, Copy)]
struct Page {
    since: RwSignal<u64>,
    answer: RwSignal<Answer>,
    reread: RwSignal<u64>,
}

/// The supervisor page.
#[component]
pub fn SupervisorPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.sees_everything() {
        return view! {
            <h1>"Supervisor"</h1>
            <p role="alert">"Only supervisors and admins see the supervisor view."</p>
        }
        .into_any();
    }
    let live = use_live();
    let page = Page {
        since: RwSignal::new(0),
        answer: RwSignal::new(None),
        reread: RwSignal::new(0),
    };
    let floor = kept(move || {
        live.changes.track();
        live.offers.track();
        page.reread.track();
        async { or_sign_in(api::floor().await) }
    });
    Effect::new(move || {
        floor.track();
        page.since.set(0);
    });
    if let Ok(handle) = set_interval_with_handle(
        move || {
            page.since.update(|s| *s += 1);
            if page.since.get_untracked() == QUIET_READ {
                page.reread.update(|n| *n += 1);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    provide_context(page);
    const FIELDS: &[(&str, &str)] = &[];
    let answer = Signal::derive(move || page.answer.get());
    view! {
        <h1>"Supervisor"</h1>
        <Outcome answer fields=FIELDS/>
        {move || match floor.get() {
            None => view! { <p class="loading">"Loading…"</p> }.into_any(),
            Some(Err(error)) => view! { <p role="alert" class="error">{error.message()}</p> }.into_any(),
            Some(Ok(floor)) => shown(floor).into_any(),
        }}
    }
    .into_any()
}

fn shown(floor: Floor) -> impl IntoView {
    view! {
        <section aria-labelledby="waiting-heading">
            <h2 id="waiting-heading">"Waiting"</h2>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Queue"</th>
                            <th scope="col">"Waiting"</th>
                            <th scope="col">"Longest wait"</th>
                            <th scope="col">"Offered"</th>
                            <th scope="col">"Can take it"</th>
                        </tr>
                    </thead>
                    <tbody>{floor.queues.into_iter().map(queue_row).collect_view()}</tbody>
                </table>
            </div>
        </section>
        <section aria-labelledby="people-heading">
            <h2 id="people-heading">"People"</h2>
            <ul class="floor">{floor.people.into_iter().map(person).collect_view()}</ul>
        </section>
    }
}

fn queue_row(queue: QueueFloor) -> impl IntoView {
    let page = expect_context::<Page>();
    let longest = queue.oldest.map(|oldest| {
        let waited = oldest.wait_seconds;
        view! { {oldest.name}" · "{move || wait(waited + page.since.get())} }
    });
    let takers = if queue.nobody_available {
        view! { <strong class="badge nobody">"Nobody available"</strong> }.into_any()
    } else {
        queue.takers.to_string().into_any()
    };
    view! {
        <tr>
            <th scope="row">{queue.name}</th>
            <td>{queue.waiting}</td>
            <td>{longest}</td>
            <td>{queue.offered}</td>
            <td>{takers}</td>
        </tr>
    }
}

fn person(person: OnFloor) -> impl IntoView {
    let class = match person.presence {
        Presence::Available => "badge available",
        Presence::Busy => "badge busy",
        Presence::Offline => "badge",
    };
    let holds = format!("Holds {} of {}", person.holds.len(), person.capacity);
    let label = format!("{} holds", person.name);
    view! {
        <li class="card">
            <h3>{person.name.clone()}" "<span class=class>{person.presence.label()}</span></h3>
            <p class="note">{person.role.as_str()}" · "{holds}</p>
            <ul aria-label=label>{person.holds.into_iter().map(held).collect_view()}</ul>
        </li>
    }
}

fn held(item: Held) -> impl IntoView {
    let page = expect_context::<Page>();
    let how = move || match (item.holding, item.seconds_left) {
        (Holding::Offered, Some(left)) => {
            format!(
                "offered, {} s left",
                u64::from(left).saturating_sub(page.since.get())
            )
        }
        _ => "accepted".to_owned(),
    };
    let back = TakeBack {
        offer_id: item.offer_id,
        held: Some(item.holding),
    };
    let take = move |_| {
        let back = back.clone();
        leptos::task::spawn_local(async move {
            let answer = or_sign_in(api::take_back(&back).await)
                .map(|taken| format!("{} is back in its queue, to be offered again.", taken.name));
            page.answer.set(Some(answer));
            page.reread.update(|n| *n += 1);
        });
    };
    view! {
        <li>
            <a href=format!("/console/requests/{}", item.request_id) rel="external">{item.name.clone()}</a>
            {format!(" · {} · ", item.queue_name)}{how}" "
            <button type="button" class="secondary" on:click=take>{format!("Take back {}", item.name)}</button>
        </li>
    }
}
