//! A labelled control with its hint, requiredness and error wired for assistive technology.

use leptos::{ev::Event, prelude::*};

use crate::form_state::described_by;
use crate::host::Texts;
use crate::model::FormModel;

/// The kind of control a [`Field`] renders.
pub enum Control {
    /// An `<input>` of this `type`, with this `autocomplete` token.
    Input {
        kind: &'static str,
        autocomplete: &'static str,
    },
    /// A multi-line `<textarea>`.
    TextArea,
    /// A `<select>` whose first option, with an empty value, asks to choose; then `(value, label)` options.
    Select {
        placeholder: String,
        options: Vec<(&'static str, String)>,
    },
    /// A `<select>` whose options are the signal's HTML (`<option>`s and `<optgroup>`s, escaped), replaced
    /// in place, so the select keeps focus, whenever it changes; none while it is `None`.
    Options(RwSignal<Option<String>>),
}

/// One form field: a visible label tied to its control, an optional hint, and an error element the control
/// is described by and marked invalid with while it shows a message. A field filled from the signed-in
/// visitor's account is read-only, and its hint says where the value comes from.
#[component]
pub fn Field(
    /// The form this field belongs to.
    model: FormModel,
    /// The field's wire name: the control's `name` and its key in error bodies.
    name: &'static str,
    /// The visible label.
    label: String,
    /// The control to render.
    control: Control,
    /// Guidance read out with the control, such as an example value.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The locale's strings.
    texts: Texts,
) -> impl IntoView {
    let id = model.input_id(name);
    let error_id = model.error_id(name);
    let mut hint_id = id.clone();
    hint_id.push_str("-hint");
    let locked = move || model.is_locked(name);
    let hint = move || {
        if locked() {
            Some(texts.get("from_account"))
        } else {
            hint.clone()
        }
    };
    let description = {
        let (hint_id, error_id, hint) = (hint_id.clone(), error_id.clone(), hint.clone());
        move || {
            described_by(
                hint().map(|_| hint_id.as_str()),
                model.error(name).map(|_| error_id.as_str()),
            )
        }
    };
    let common = view! {
        <{..}
            id=id.clone()
            name=name
            aria-describedby=description
            aria-invalid=move || model.error(name).map(|_| "true")
            aria-required=move || model.is_required(name).then_some("true")
            readonly=locked
            aria-readonly=move || locked().then_some("true")
            prop:value=move || model.value(name)
            // `input` fires for selects too, so one handler serves every kind of control.
            on:input=move |ev: Event| model.edit(name, event_target_value(&ev))
            on:blur=move |_| model.blur(name)
        />
    };
    let control = match control {
        Control::Input {
            kind,
            autocomplete: token,
        } => view! { <input {..common} type=kind autocomplete=token /> }.into_any(),
        Control::TextArea => view! { <textarea rows="4" {..common}></textarea> }.into_any(),
        Control::Select {
            placeholder,
            options,
        } => view! {
            <select {..common}>
                <option value="">{placeholder}</option>
                {options
                    .into_iter()
                    .map(|(value, label)| view! { <option value=value>{label}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Control::Options(html) => {
            view! { <select {..common} inner_html=move || html.get().unwrap_or_default()></select> }
                .into_any()
        }
    };
    view! {
        <div class="crw-field">
            <label for=id>
                {label}
                {move || {
                    model
                        .is_required(name)
                        .then(|| view! { <span class="crw-req">{texts.get("required")}</span> })
                }}
            </label>
            {move || hint().map(|hint| view! { <p class="crw-hint" id=hint_id.clone()>{hint}</p> })}
            {control}
            {move || {
                model.error(name).map(|message| {
                    view! {
                        <p class="crw-error" id=error_id.clone() data-error-for=name>
                            {message}
                        </p>
                    }
                })
            }}
        </div>
    }
}
