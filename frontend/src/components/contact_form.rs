//! The contact-request form: its fields, client-side checks, and the submission.

use contact_shared::{SiteSettings, field};
use leptos::{ev::SubmitEvent, prelude::*};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, HtmlFormElement};

use super::callback_choice::{CallbackChoice, Slots};
use super::channel_group::ChannelGroup;
use super::confirmation::Receipt;
use super::field::{Control, Field};
use crate::api::{self, SubmitError};
use crate::host::Options;
use crate::model::FormModel;
use crate::site;

/// The form. It checks the shared rules before sending, sends once per click, and on failure keeps what
/// the visitor typed, shows what to fix and moves focus there. Rendered once the site's settings are here.
#[component]
pub fn ContactForm(
    /// The intake server's origin.
    api_base: String,
    /// The widget's state, which the form reads and reports to.
    model: FormModel,
    /// The page's choices, the locale's strings, and where events go.
    options: Options,
    /// What the site offers.
    settings: SiteSettings,
) -> impl IntoView {
    let (texts, events) = (options.texts, options.events);
    // One sender per form: its idempotency key and proof of work outlive each click's retries.
    let sender = api::Sender::new(&api_base, &options.site);
    let slots = settings
        .callback_slots
        .then(|| Slots::new(model, texts, site::slots_url(&api_base, &options.site)));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let (submission, channel) = match model.attempt() {
            None => return,
            Some(Err(first)) => return focus_field(form, first),
            Some(Ok(ready)) => ready,
        };
        // The honeypot's value: empty for people.
        let trap = form
            .query_selector(".crw-trap")
            .ok()
            .flatten()
            .and_then(|input| js_sys::Reflect::get(&input, &JsValue::from_str("value")).ok())
            .and_then(|value| value.as_string())
            .unwrap_or_default();
        let (sender, token) = (sender.clone(), model.token_untracked());
        wasm_bindgen_futures::spawn_local(async move {
            match sender.submit(&submission, &trap, &token).await {
                Ok(created) => {
                    events.emit("submitted", "number", &created.name);
                    let shell = form.parent_element();
                    model.created(Receipt {
                        number: created.name,
                        channel,
                    });
                    // The button the visitor was on has gone with the form: focus the confirmation, so
                    // focus does not fall back to the top of the host page.
                    if let Some(shell) = shell {
                        request_animation_frame(move || {
                            focus(&shell, ".crw-done");
                        });
                    }
                }
                Err(SubmitError::Rejected(body)) if !body.fields.is_empty() => {
                    // A refused time (the slot filled meanwhile): fresh slots replace the old ones.
                    let slot_refused = body.fields.contains_key(field::CALLBACK_TIME);
                    if let Some(first) = model.failed(body.message, body.fields, false) {
                        focus_field(form, first);
                    }
                    if let Some(slots) = slots.filter(|_| slot_refused) {
                        slots.reload();
                    }
                }
                Err(error) => {
                    // The server's own words when it refused the whole request (an expired identity
                    // token, sign-in required, an origin not allowed), which say what to do.
                    let message = match &error {
                        SubmitError::Rejected(body) | SubmitError::Refused(body) => {
                            body.message.clone()
                        }
                        SubmitError::RateLimited(_) => error.to_string(),
                        SubmitError::Network => texts.get("network"),
                        SubmitError::Unexpected(_) => texts.get("unexpected"),
                    };
                    events.emit("error", "message", &message);
                    model.failed(message, Default::default(), error.is_retryable());
                }
            }
        });
    };

    let reasons = site::reasons(&settings, &options.reasons)
        .into_iter()
        .map(|c| {
            let value = c.value.as_str();
            (
                value,
                site::label(&c.label, value, || texts.get(&reason_key(value))),
            )
        })
        .collect();
    let channels = settings
        .channels
        .into_iter()
        .map(|c| (c.value, c.label))
        .collect();
    let (sending, retrying, idle) = (
        texts.get("sending"),
        texts.get("retry"),
        texts.get("submit"),
    );
    view! {
        <form class="crw-form" novalidate on:submit=on_submit>
            // A honeypot: off-screen and out of the tab order, so people leave it empty and form-filling bots don't.
            <input
                class="crw-trap"
                name="website"
                type="text"
                tabindex="-1"
                autocomplete="off"
                aria-hidden="true"
            />
            <Field
                model
                texts
                name=field::REQUEST_REASON
                label=texts.get("reason")
                control=Control::Select {
                    placeholder: texts.get("reason_placeholder"),
                    options: reasons,
                }
            />
            <ChannelGroup model texts channels />
            <Field
                model
                texts
                name=field::PREFERRED_PHONE
                label=texts.get("phone")
                hint=texts.get("phone_hint")
                control=Control::Input {
                    kind: "tel",
                    autocomplete: "tel",
                }
            />
            {slots.map(|slots| view! { <CallbackChoice slots /> })}
            <Field
                model
                texts
                name=field::NAME
                label=texts.get("name")
                control=Control::Input {
                    kind: "text",
                    autocomplete: "name",
                }
            />
            <Field
                model
                texts
                name=field::EMAIL
                label=texts.get("email")
                control=Control::Input {
                    kind: "email",
                    autocomplete: "email",
                }
            />
            <Field
                model
                texts
                name=field::REQUEST_DESCRIPTION
                label=texts.get("description")
                control=Control::TextArea
            />
            // `aria-disabled` rather than `disabled` while sending: a disabled button drops keyboard focus,
            // and `on_submit` ignores a second submit anyway.
            <button
                type="submit"
                class="crw-submit"
                aria-disabled=move || model.sending().then_some("true")
            >
                {move || {
                    match (model.sending(), model.retry()) {
                        (true, _) => sending.clone(),
                        (false, true) => retrying.clone(),
                        (false, false) => idle.clone(),
                    }
                }}
            </button>
        </form>
    }
}

/// Moves focus to `field`'s control (the checked radio of a group) once the DOM shows its error, so a
/// screen reader reads the message with it. Looked up inside the form, as ids are not reachable through
/// `document` from inside a shadow root.
fn focus_field(form: HtmlFormElement, field: &'static str) {
    request_animation_frame(move || {
        let mut checked = String::from("[name=\"");
        checked.push_str(field);
        checked.push_str("\"]");
        let any = checked.clone();
        checked.push_str(":checked");
        if !focus(&form, &checked) {
            focus(&form, &any);
        }
    });
}

/// Focuses the first element under `root` that matches `selector`; answers whether there was one.
fn focus(root: &web_sys::Element, selector: &str) -> bool {
    let target = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    target.is_some_and(|t| t.focus().is_ok())
}

/// The locale key of a reason's label.
fn reason_key(reason: &str) -> String {
    let mut key = String::from("reason_");
    key.push_str(reason);
    key
}
