//! The contact-request form: its fields, client-side checks, and the submission.
//!
//! The form's markup is written once as HTML ([`super::markup`] says why), then one render effect keeps
//! every field in step with the widget's state, and one listener on the form reports what the visitor
//! does (`input`, `focusout`, `submit`) to it.

use contact_shared::{PreferredChannel, SiteSettings, field};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{Element, HtmlElement};

use super::callback_choice::{self, Slots};
use super::channel_group::{self, ChannelView};
use super::field::{Control, Field, FieldView, attribute};
use super::markup::Html;
use crate::api::{self, SubmitError};
use crate::form_state::FIELDS;
use crate::host::{Options, Texts};
use crate::model::{FormModel, Receipt};
use crate::site;

/// Writes the form into `form` (the site's settings having arrived) and keeps it in step with `model`:
/// the effect that does so, which lives as long as the form is shown. The form checks the shared rules
/// before sending, sends once per click, and on failure keeps what the visitor typed, shows what to fix
/// and moves focus there.
pub fn build(
    form: &Element,
    api_base: &str,
    model: FormModel,
    options: &Options,
    settings: &SiteSettings,
) -> Option<RenderEffect<()>> {
    let texts = options.texts;
    let slots = settings
        .callback_slots
        .then(|| Slots::new(model, texts, site::slots_url(api_base, &options.site)));
    let channels: Vec<(PreferredChannel, String)> = settings
        .channels
        .iter()
        .map(|c| {
            let label = site::label(&c.label, c.value.label(), || {
                Some(texts.get(channel_group::label_key(c.value)))
            });
            (c.value, label)
        })
        .collect();

    let mut html = Html::default();
    // A honeypot: off-screen and out of the tab order, so people leave it empty and form-filling bots don't.
    html.open(
        "input",
        &[
            ("class", Some("crw-trap")),
            ("name", Some("website")),
            ("type", Some("text")),
            ("tabindex", Some("-1")),
            ("autocomplete", Some("off")),
            ("aria-hidden", Some("true")),
        ],
    );
    let mut fields = Vec::new();
    let add = |(html, fields): (&mut Html, &mut Vec<Field>), field: Field| {
        field.write(html, model);
        fields.push(field);
    };
    // Labelled in place: a mapped collect is a generic copy the widget would link for this one list.
    let mut reasons = site::reasons(settings, &options.reasons);
    for choice in &mut reasons {
        let value = choice.value.as_str();
        choice.label = site::label(&choice.label, value, || texts.find(&reason_key(value)));
    }
    let input = |name, key: &str, hint: Option<&str>, kind, autocomplete| Field {
        name,
        label: texts.get(key),
        hint: hint.map(|key| texts.get(key)),
        control: Control::Input { kind, autocomplete },
    };
    add(
        (&mut html, &mut fields),
        Field {
            name: field::REQUEST_REASON,
            label: texts.get("reason"),
            hint: None,
            control: Control::Select {
                placeholder: texts.get("reason_placeholder"),
                options: reasons,
            },
        },
    );
    channel_group::write(&mut html, model, &texts.get("channel"), &channels);
    add(
        (&mut html, &mut fields),
        input(
            field::PREFERRED_PHONE,
            "phone",
            Some("phone_hint"),
            "tel",
            "tel",
        ),
    );
    if slots.is_some() {
        let list = callback_choice::write(&mut html, model, texts);
        fields.push(list);
    }
    add(
        (&mut html, &mut fields),
        input(field::NAME, "name", None, "text", "name"),
    );
    add(
        (&mut html, &mut fields),
        input(field::EMAIL, "email", None, "email", "email"),
    );
    add(
        (&mut html, &mut fields),
        Field {
            name: field::REQUEST_DESCRIPTION,
            label: texts.get("description"),
            hint: None,
            control: Control::TextArea,
        },
    );
    html.element(
        "button",
        &[("type", Some("submit")), ("class", Some("crw-submit"))],
        "",
    );
    form.set_inner_html(&html.finish());

    let mut views: Vec<FieldView> = fields
        .into_iter()
        .filter_map(|f| f.bind(form, model))
        .collect();
    let mut channel = ChannelView::bind(form, model, &channels);
    let mut button = SubmitButton::bind(form, texts);
    let (required, from_account) = (texts.get("required"), texts.get("from_account"));
    let effect = RenderEffect::new(move |_| {
        for view in &mut views {
            view.sync(model, &required, &from_account);
        }
        if let Some(channel) = &mut channel {
            channel.sync(model);
        }
        if let Some(button) = &mut button {
            button.sync(model);
        }
    });
    listen(
        form,
        model,
        options,
        api::Sender::new(api_base, &options.site, &options.session),
        slots,
    );
    Some(effect)
}

/// The submit button: what it says, and whether it is busy.
struct SubmitButton {
    button: Element,
    /// `[sending, retry, submit]` in the locale.
    words: [String; 3],
    shown: Option<usize>,
}

impl SubmitButton {
    fn bind(form: &Element, texts: Texts) -> Option<Self> {
        Some(Self {
            button: form.query_selector("button").ok()??,
            words: ["sending", "retry", "submit"].map(|key| texts.get(key)),
            shown: None,
        })
    }

    fn sync(&mut self, model: FormModel) {
        let sending = model.sending();
        let now = match (sending, model.retry()) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        };
        if self.shown == Some(now) {
            return;
        }
        let mut text = Html::default();
        text.text(&self.words[now]);
        self.button.set_inner_html(&text.finish());
        // `aria-disabled` rather than `disabled` while sending: a disabled button drops keyboard focus,
        // and a second submit is ignored anyway.
        attribute(&self.button, "aria-disabled", sending.then_some("true"));
        self.shown = Some(now);
    }
}

/// Listens on `form` for what the visitor does: typing or choosing (`input`, and `change` for radios),
/// leaving a field (`focusout`, as `blur` does not bubble) and sending (`submit`). For as long
/// as the page lives: the form may be shown again after the visitor signs in or out.
fn listen(
    form: &Element,
    model: FormModel,
    options: &Options,
    sender: api::Sender,
    slots: Option<Slots>,
) {
    let (texts, events) = (options.texts, options.events);
    let target = form.clone();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let kind = event.type_();
        if kind == "submit" {
            event.prevent_default();
            return submit(target.clone(), model, texts, events, sender.clone(), slots);
        }
        let Some(control) = event.target() else {
            return;
        };
        let read = |key: &str| {
            js_sys::Reflect::get(&control, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let name = read("name");
        if kind == "focusout" {
            if FIELDS.contains(&name.as_str()) {
                model.blur(&name);
            }
            return;
        }
        // A radio is read on `change`, which every browser fires when one is chosen; everything else on
        // `input`, as it is typed or picked.
        if (read("type") == "radio") != (kind == "change") {
            return;
        }
        if name == callback_choice::CHOICE {
            if let Some(slots) = slots {
                slots.choose(&read("value"));
            }
        } else if FIELDS.contains(&name.as_str()) {
            model.edit(&name, read("value"));
        }
    });
    for kind in ["input", "change", "focusout", "submit"] {
        let _ = form.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
    }
    listener.forget();
}

/// The visitor asked to send: checks the form, then sends it and reports how it went.
fn submit(
    form: Element,
    model: FormModel,
    texts: Texts,
    events: crate::host::Events,
    sender: api::Sender,
    slots: Option<Slots>,
) {
    let (mut submission, channel) = match model.attempt() {
        None => return,
        Some(Err(first)) => return focus_field(form, first),
        Some(Ok(ready)) => ready,
    };
    submission.time_zone = super::callback_choice::time_zone();
    // The tag of the locale the widget is drawn in, so the visitor's confirmation email speaks it too.
    submission.locale = Some(texts.get("locale"));
    // The honeypot's value: empty for people.
    let trap = form
        .query_selector(".crw-trap")
        .ok()
        .flatten()
        .and_then(|input| js_sys::Reflect::get(&input, &JsValue::from_str("value")).ok())
        .and_then(|value| value.as_string())
        .unwrap_or_default();
    let token = model.token_untracked();
    wasm_bindgen_futures::spawn_local(async move {
        match sender.submit(&submission, &trap, &token).await {
            Ok(created) => {
                events.emit("submitted", "number", &created.name);
                events.step(contact_shared::Step::Sent);
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
}

/// Moves focus to `field`'s control (the checked radio of a group) once the DOM shows its error, so a
/// screen reader reads the message with it. Looked up inside the form, as ids are not reachable through
/// `document` from inside a shadow root.
fn focus_field(form: Element, field: &'static str) {
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
