//! The contact-request form: its fields, client-side checks, and the submission.

use contact_shared::{ContactRequestForm, PreferredChannel, SiteSettings, field};
use leptos::{ev::SubmitEvent, html, prelude::*};
use wasm_bindgen::JsCast;
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
/// the visitor typed, shows what to fix and moves focus there.
#[component]
pub fn ContactForm(
    /// The intake server's origin.
    api_base: String,
    /// The form's state, owned by the widget so the page can prefill it.
    model: FormModel,
    /// The page's choices, the locale's strings, and where events go.
    options: Options,
    /// What the site offers.
    settings: SiteSettings,
    /// The signed-in visitor's identity token, sent with the submission; `None` for a guest.
    token: RwSignal<Option<String>>,
    /// Receives the created request.
    on_receipt: WriteSignal<Option<Receipt>>,
    /// Receives the failure to announce, or `None` to clear it.
    alert: WriteSignal<Option<String>>,
) -> impl IntoView {
    let (texts, events) = (options.texts, options.events);
    let form_ref = NodeRef::<html::Form>::new();
    let trap_ref = NodeRef::<html::Input>::new();
    // One sender per form: its idempotency key and proof of work outlive each click's retries.
    let sender = api::Sender::new(&api_base, &options.site);
    let slots = settings
        .callback_slots
        .then(|| Slots::new(model, texts, site::slots_url(&api_base, &options.site)));

    let action = Action::new_local(
        move |(form, channel): &(ContactRequestForm, PreferredChannel)| {
            let (sender, form, channel) = (sender.clone(), form.clone(), *channel);
            let trap = trap_ref
                .get_untracked()
                .map(|i| i.value())
                .unwrap_or_default();
            let token = token.get_untracked().unwrap_or_default();
            async move {
                let result = sender.submit(&form, &trap, &token).await;
                match &result {
                    Ok(created) => {
                        events.emit("submitted", "number", &created.name);
                        on_receipt.set(Some(Receipt {
                            number: created.name.clone(),
                            channel,
                        }));
                    }
                    Err(SubmitError::Rejected(body)) if !body.fields.is_empty() => {
                        alert.set(Some(body.message.clone()));
                        if let Some(first) = model.reject(body.fields.clone()) {
                            focus_field(form_ref, first);
                        }
                        if let Some(slots) =
                            slots.filter(|_| body.fields.contains_key(field::CALLBACK_TIME))
                        {
                            slots.reload();
                        }
                    }
                    Err(error) => {
                        // The server's own words when it refused the whole request (an expired identity
                        // token, sign-in required, an origin not allowed), which say what to do.
                        let message = match error {
                            SubmitError::Rejected(body) | SubmitError::Refused(body) => {
                                body.message.clone()
                            }
                            SubmitError::RateLimited(_) => error.to_string(),
                            SubmitError::Network => texts.get("network"),
                            SubmitError::Unexpected(_) => texts.get("unexpected"),
                        };
                        events.emit("error", "message", &message);
                        alert.set(Some(message));
                    }
                }
                result
            }
        },
    );
    let pending = action.pending();
    let retry = move || {
        action
            .value()
            .with(|v| matches!(v, Some(Err(e)) if e.is_retryable()))
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        match model.attempt() {
            Ok(form) => {
                alert.set(None);
                action.dispatch_local((form, model.channel_untracked()));
            }
            Err((first, summary)) => {
                alert.set(Some(summary));
                focus_field(form_ref, first);
            }
        }
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
        <form class="crw-form" novalidate node_ref=form_ref on:submit=on_submit>
            // A honeypot: off-screen and out of the tab order, so people leave it empty and form-filling bots don't.
            <input
                class="crw-trap"
                name="website"
                type="text"
                tabindex="-1"
                autocomplete="off"
                aria-hidden="true"
                node_ref=trap_ref
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
                aria-disabled=move || pending.get().then_some("true")
            >
                {move || {
                    match (pending.get(), retry()) {
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
fn focus_field(form_ref: NodeRef<html::Form>, field: &'static str) {
    request_animation_frame(move || {
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let target = control(&form, &format!("[name=\"{field}\"]:checked"))
            .or_else(|| control(&form, &format!("[name=\"{field}\"]")));
        if let Some(target) = target {
            let _ = target.focus();
        }
    });
}

/// The locale key of a reason's label.
fn reason_key(reason: &str) -> String {
    let mut key = String::from("reason_");
    key.push_str(reason);
    key
}

fn control(form: &HtmlFormElement, selector: &str) -> Option<HtmlElement> {
    form.query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}
