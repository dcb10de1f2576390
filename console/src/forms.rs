//! Form pieces the admin and request pages share: a labelled input or choice with the server's message about it, and
//! a form's outcome line. After each answer focus moves to the first field the server named, or else to
//! the outcome line, a live region, so a keyboard or screen-reader user hears what happened and goes on
//! from there.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;

/// What a form's last submission answered: the sentence to announce, or the server's refusal.
pub type Answer = Option<Result<String, ApiError>>;

/// The server's message about the body field `name`, if the last answer named it.
fn field_error(answer: Signal<Answer>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || answer.get()?.err()?.field(name))
}

/// A form's outcome line. `fields` are the form's (body key, input id) pairs in page order: a refusal
/// about one of them is shown at that field and focuses it; any other answer is shown and focused here.
#[component]
pub fn Outcome(
    /// The form's last answer.
    answer: Signal<Answer>,
    /// The form's fields, as (body key, input id), in page order.
    fields: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let line = NodeRef::<leptos::html::P>::new();
    let named = move |answer: &Answer| {
        let error = answer.as_ref()?.as_ref().err()?;
        fields.iter().find(|(key, _)| error.field(key).is_some())
    };
    Effect::new(move || {
        let answer = answer.get();
        if answer.is_none() {
            return;
        }
        let target = named(&answer).map(|(_, id)| *id);
        // After the page has drawn the answer: an empty line is not displayed, so it cannot take focus.
        request_animation_frame(move || {
            let element: Option<web_sys::HtmlElement> = match target {
                Some(id) => document()
                    .get_element_by_id(id)
                    .and_then(|e| e.dyn_into().ok()),
                None => line.get_untracked().map(Into::into),
            };
            if let Some(element) = element {
                let _ = element.focus();
            }
        });
    });
    let text = move || {
        let answer = answer.get();
        if named(&answer).is_some() {
            return None;
        }
        answer.map(|a| a.unwrap_or_else(|e| e.message()))
    };
    let class = move || match answer.get() {
        Some(Err(_)) => "announce error",
        _ => "announce",
    };
    view! { <p role="status" tabindex="-1" class=class node_ref=line>{text}</p> }
}

/// A labelled input, named by its body key, with the server's message about it beneath.
#[component]
pub fn Field(
    /// The input's id, unique on the page.
    id: &'static str,
    /// The body key the server names in a refusal.
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// What is typed.
    value: RwSignal<String>,
    /// The form's last answer.
    answer: Signal<Answer>,
    /// The input's type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autofill hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Whether the form needs it.
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let error = field_error(answer, name);
    let described = format!("{id}-error");
    view! {
        <label for=id>{label}</label>
        <input id=id name=name type=kind autocomplete=autocomplete required=required
            aria-describedby=described.clone()
            aria-invalid=move || error.get().is_some().to_string()
            bind:value=value/>
        <p class="field-error" id=described>{move || error.get()}</p>
    }
}

/// A labelled choice among `options` (value, label), named by its body key, with the server's message
/// about it beneath. When the options change and no longer hold the value, the first is chosen.
#[component]
pub fn Choice(
    /// The select's id, unique on the page.
    id: &'static str,
    /// The body key the server names in a refusal.
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// What is chosen.
    value: RwSignal<String>,
    /// The choices, as (value, label).
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// The form's last answer.
    answer: Signal<Answer>,
) -> impl IntoView {
    let error = field_error(answer, name);
    let described = format!("{id}-error");
    Effect::new(move || {
        let options = options.get();
        if !options.iter().any(|(v, _)| *v == value.get_untracked())
            && let Some((first, _)) = options.first()
        {
            value.set(first.clone());
        }
    });
    view! {
        <label for=id>{label}</label>
        <select id=id name=name aria-describedby=described.clone()
            aria-invalid=move || error.get().is_some().to_string()
            bind:value=value>
            {move || options.get().into_iter().map(|(v, text)| {
                let selected = v == value.get_untracked();
                view! { <option value=v selected=selected>{text}</option> }
            }).collect_view()}
        </select>
        <p class="field-error" id=described>{move || error.get()}</p>
    }
}
