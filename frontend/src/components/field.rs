//! A labelled control with its hint, requiredness and error wired for assistive technology.
//!
//! Written as markup ([`Field::write`]) and then kept in step with the form's state by
//! [`FieldView::sync`], which the form's one effect calls on every change: see [`super::markup`] for why
//! this is not a `view!`.

use contact_shared::{Choice, RequestReason};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::markup::Html;
use crate::form_state::described_by;
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
    /// A `<select>` whose first option, with an empty value, asks to choose; then the reasons offered,
    /// each with the label shown.
    Select {
        placeholder: String,
        options: Vec<Choice<RequestReason>>,
    },
    /// A `<select>` whose options are the form's callback slots (`<option>`s and `<optgroup>`s, escaped),
    /// replaced in place, so the select keeps focus, whenever they change.
    Slots,
}

/// One form field: a visible label tied to its control, an optional hint, and an error element the control
/// is described by and marked invalid with while it shows a message. A field filled from the signed-in
/// visitor's account is read-only, and its hint says where the value comes from.
pub struct Field {
    /// The field's wire name: the control's `name` and its key in error bodies.
    pub name: &'static str,
    /// The visible label.
    pub label: String,
    /// Guidance read out with the control, such as an example value.
    pub hint: Option<String>,
    /// The control to render.
    pub control: Control,
}

impl Field {
    /// Writes the field's static markup: the container, the label and the control. What depends on the
    /// state (the required mark, the hint, the error, the control's ARIA attributes and value) is
    /// [`FieldView::sync`]'s.
    pub fn write(&self, html: &mut Html, model: FormModel) {
        let id = model.input_id(self.name);
        let (id, name) = (("id", Some(id.as_str())), ("name", Some(self.name)));
        html.open("div", &[("class", Some("crw-field"))]);
        html.element("label", &[("for", id.1)], &self.label);
        match &self.control {
            Control::Input { kind, autocomplete } => {
                html.open(
                    "input",
                    &[
                        id,
                        name,
                        ("type", Some(kind)),
                        ("autocomplete", Some(autocomplete)),
                    ],
                );
            }
            Control::TextArea => {
                html.open("textarea", &[("rows", Some("4")), id, name])
                    .close("textarea");
            }
            Control::Select {
                placeholder,
                options,
            } => {
                html.open("select", &[id, name]);
                html.element("option", &[("value", Some(""))], placeholder);
                for choice in options {
                    html.element(
                        "option",
                        &[("value", Some(choice.value.as_str()))],
                        &choice.label,
                    );
                }
                html.close("select");
            }
            Control::Slots => {
                html.open("select", &[id, name]).close("select");
            }
        }
        html.close("div");
    }

    /// Finds the field's elements under `form`, where [`Self::write`] put them.
    pub fn bind(self, form: &Element, model: FormModel) -> Option<FieldView> {
        let control = by_id(form, &model.input_id(self.name))?;
        let root = control.parent_element()?;
        let label = root.query_selector("label").ok()??;
        Some(FieldView {
            slots: matches!(self.control, Control::Slots),
            field: self,
            root,
            label,
            control,
            shown: Shown::default(),
            options: None,
        })
    }
}

/// What a field shows that depends on the state.
#[derive(Default, PartialEq)]
struct Shown {
    required: bool,
    locked: bool,
    hint: Option<String>,
    error: Option<String>,
}

/// A written field, and what it shows now.
pub struct FieldView {
    field: Field,
    slots: bool,
    root: Element,
    label: Element,
    control: Element,
    shown: Shown,
    /// The slots' options on show, for a [`Control::Slots`] field.
    options: Option<String>,
}

impl FieldView {
    /// Brings the field in line with `model`; `required` and `from_account` are the locale's words.
    pub fn sync(&mut self, model: FormModel, required: &str, from_account: &str) {
        let name = self.field.name;
        let locked = model.is_locked(name);
        let now = Shown {
            required: model.is_required(name),
            locked,
            hint: if locked {
                Some(from_account.to_owned())
            } else {
                self.field.hint.clone()
            },
            error: model.error(name),
        };
        if now != self.shown {
            self.show(&now, model, required);
            self.shown = now;
        }
        if self.slots {
            let options = model.slots();
            if options != self.options {
                self.control
                    .set_inner_html(options.as_deref().unwrap_or_default());
                self.options = options;
            }
        }
        set_value(&self.control, &model.value(name));
    }

    fn show(&self, now: &Shown, model: FormModel, required: &str) {
        let (name, control) = (self.field.name, &self.control);
        if now.required != self.shown.required {
            let mut label = Html::default();
            label.text(&self.field.label);
            if now.required {
                label.element("span", &[("class", Some("crw-req"))], required);
            }
            self.label.set_inner_html(&label.finish());
        }
        let mut hint_id = model.input_id(name);
        hint_id.push_str("-hint");
        if now.hint != self.shown.hint {
            let hint = now.hint.as_deref().map(|hint| {
                let mut html = Html::default();
                html.element(
                    "p",
                    &[("class", Some("crw-hint")), ("id", Some(&hint_id))],
                    hint,
                );
                html.finish()
            });
            replace(&self.root, "p.crw-hint", control, "beforebegin", hint);
        }
        let error_id = model.error_id(name);
        if now.error != self.shown.error {
            replace(
                &self.root,
                "p.crw-error",
                control,
                "afterend",
                now.error.as_deref().map(|e| error(&error_id, name, e)),
            );
        }
        let described = described_by(
            now.hint.as_ref().map(|_| hint_id.as_str()),
            now.error.as_ref().map(|_| error_id.as_str()),
        );
        attribute(control, "aria-describedby", described.as_deref());
        attribute(control, "aria-invalid", now.error.as_ref().map(|_| "true"));
        attribute(control, "aria-required", now.required.then_some("true"));
        attribute(control, "readonly", now.locked.then_some(""));
        attribute(control, "aria-readonly", now.locked.then_some("true"));
    }
}

/// The error element of field `name`, whose id is `id`, saying `message`.
pub fn error(id: &str, name: &str, message: &str) -> String {
    let mut html = Html::default();
    html.element(
        "p",
        &[
            ("class", Some("crw-error")),
            ("id", Some(id)),
            ("data-error-for", Some(name)),
        ],
        message,
    );
    html.finish()
}

/// Removes the element under `root` matching `selector`, if any, then writes `html`, if any, at `position`
/// (an `insertAdjacentHTML` position) of `anchor`.
pub fn replace(
    root: &Element,
    selector: &str,
    anchor: &Element,
    position: &str,
    html: Option<String>,
) {
    if let Ok(Some(old)) = root.query_selector(selector) {
        old.remove();
    }
    if let Some(html) = html {
        let _ = anchor.insert_adjacent_html(position, &html);
    }
}

/// Sets attribute `name` to `value`, or removes it for `None`.
pub fn attribute(element: &Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(value) => element.set_attribute(name, value),
        None => element.remove_attribute(name),
    };
}

/// Sets a control's `value` property to `value` unless it holds it already, so typing is never
/// interrupted.
fn set_value(control: &Element, value: &str) {
    let key = JsValue::from_str("value");
    let current = js_sys::Reflect::get(control, &key)
        .ok()
        .and_then(|v| v.as_string());
    if current.as_deref() != Some(value) {
        let _ = js_sys::Reflect::set(control, &key, &JsValue::from_str(value));
    }
}

/// The element under `root` with this `id`.
pub fn by_id(root: &Element, id: &str) -> Option<Element> {
    let mut selector = String::from("[id=\"");
    selector.push_str(id);
    selector.push_str("\"]");
    root.query_selector(&selector).ok().flatten()
}
