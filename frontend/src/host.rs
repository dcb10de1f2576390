//! What the loader hands the widget when it mounts it: the locale's strings, the script tag's `data-*`
//! values, the function that reports events to the page's `ContactRequestWidget` API, and the one that
//! records an analytics event (`open.js`'s `ev`), with the widget's journey that decides which to record.
//!
//! The loader has already checked every `data-*` value against the picklists (and warned about the rest),
//! so this only reads them. Everything here is a `Copy` handle, cheap to move into views and handlers.

use std::cell::RefCell;

use contact_shared::{Journey, Measure, PreferredChannel, RequestReason, Step};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsValue;

/// Reads a property of a JS object; `undefined` when it is missing or the object is not one.
fn prop(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

thread_local! {
    /// Per mounted widget: its locale's strings, the loader's `emit`, `open.js`'s `ev` and its journey. Kept here, and reached through
    /// the `Copy` indexes [`Texts`] and [`Events`], because JS values cannot sit in reactive storage, and a
    /// local `StoredValue` per type costs the wasm a copy of the arena's code.
    static HOSTS: RefCell<Vec<(JsValue, Function, Function, Journey)>> = const { RefCell::new(Vec::new()) };
}

/// The strings of the page's locale, keyed as in `frontend/locales/en.json`.
#[derive(Clone, Copy)]
pub struct Texts(usize);

impl Texts {
    /// The string for `key`; the key itself if the locale lacks it, so a gap shows rather than hides.
    pub fn get(&self, key: &str) -> String {
        self.find(key).unwrap_or_else(|| key.to_owned())
    }

    /// The locale's string for `key`, when it has one.
    pub fn find(&self, key: &str) -> Option<String> {
        HOSTS.with_borrow(|hosts| prop(&hosts[self.0].0, key).as_string())
    }
}

/// Reports what happens in the widget to the page, as `ContactRequestWidget` events.
#[derive(Clone, Copy)]
pub struct Events(usize);

impl Events {
    /// Calls the loader's `emit(type, detail)`. A throwing page handler is the page's problem, not ours.
    pub fn emit(&self, kind: &str, key: &str, value: &str) {
        let detail = Object::new();
        let _ = Reflect::set(&detail, &key.into(), &value.into());
        let emit = HOSTS.with_borrow(|hosts| hosts[self.0].1.clone());
        let _ = emit.call2(&JsValue::NULL, &kind.into(), &detail);
    }

    /// Takes `step` of the visitor's journey and records what it counts (see [`Journey`]).
    pub fn step(&self, step: Step) {
        let (ev, measures) = HOSTS.with_borrow_mut(|hosts| {
            let host = &mut hosts[self.0];
            (host.2.clone(), host.3.step(step))
        });
        for &measure in measures {
            record(&ev, measure);
        }
    }
}

/// Calls `ev(name, type)`: the page is told of every measure, the server only of those a browser reports
/// (the sent request's event is the server's own), so those get no type.
fn record(ev: &Function, measure: Measure) {
    let kind = if measure.browser_may_send() {
        JsValue::from_str(measure.event_type())
    } else {
        JsValue::UNDEFINED
    };
    let _ = ev.call2(&JsValue::NULL, &measure.name().into(), &kind);
}

/// One widget's settings, as the page chose them on its script tag.
#[derive(Clone)]
pub struct Options {
    pub texts: Texts,
    pub events: Events,
    /// The site key (the tag's `data-site`): its settings are fetched, and it is sent with every submission.
    pub site: String,
    /// The reasons the page narrowed the site's to (`data-reasons`); empty for all of the site's.
    pub reasons: Vec<RequestReason>,
    /// The channel chosen when the form opens (`data-channel`), if the page chose one.
    pub channel: Option<PreferredChannel>,
    /// The signed-in visitor's identity token (`data-identity-token`), if the page passed one.
    pub token: Option<String>,
    /// The widget's analytics session (`open.js`'s), sent with a submission.
    pub session: String,
}

impl Options {
    /// Reads the script tag's `dataset`: `data-reasons` is comma-separated, and an unknown reason or
    /// channel is left out with one console warning each.
    pub fn read(
        strings: JsValue,
        data: &JsValue,
        emit: Function,
        ev: Function,
        session: String,
    ) -> Self {
        let text = |key: &str| prop(data, key).as_string().filter(|v| !v.trim().is_empty());
        let host = HOSTS.with_borrow_mut(|hosts| {
            hosts.push((strings, emit, ev, Journey::default()));
            hosts.len() - 1
        });
        Self {
            texts: Texts(host),
            events: Events(host),
            site: text("site").unwrap_or_default(),
            reasons: contact_shared::split_ascii(&text("reasons").unwrap_or_default(), b',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .filter_map(|r| checked("reasons", r))
                .collect(),
            channel: text("channel").and_then(|c| checked("channel", &c)),
            token: text("identityToken"),
            session,
        }
    }
}

/// Parses a picklist value from a `data-*` attribute, warning once about one that is not in the picklist.
fn checked<T: std::str::FromStr>(attribute: &str, value: &str) -> Option<T> {
    let parsed = value.parse().ok();
    if parsed.is_none() {
        ignoring(attribute, value);
    }
    parsed
}

/// Warns the page's developer that a `data-*` value is left out.
pub fn ignoring(attribute: &str, value: &str) {
    let mut warning = String::from("ContactRequestWidget: ignoring data-");
    warning.push_str(attribute);
    warning.push('=');
    warning.push_str(value);
    web_sys::console::warn_1(&warning.into());
}

/// The identity token a `ContactRequestWidget.identify(token)` call put in the prefill detail: `None` when
/// the page did not call it, `Some("")` when it signed the visitor out.
pub fn identity_token(detail: &JsValue) -> Option<String> {
    let token = prop(detail, IDENTITY_KEY);
    if token.is_undefined() {
        return None;
    }
    Some(token.as_string().unwrap_or_default())
}

/// The key `identify` stores its token under among the prefilled values (see `loader/widget.js`).
const IDENTITY_KEY: &str = "identity_token";

/// The `(field, value)` pairs of a `prefill` call's detail, for the fields the form has but the callback
/// time, which only the visitor chooses.
pub fn prefill_pairs(detail: &JsValue) -> Vec<(&'static str, String)> {
    crate::form_state::FIELDS
        .iter()
        .filter(|&&field| field != contact_shared::field::CALLBACK_TIME)
        .filter_map(|&field| Some((field, prop(detail, field).as_string()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The keys of a locale file.
    fn keys(path: &std::path::Path) -> BTreeSet<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a JSON object: {e}", path.display()));
        for (key, value) in &json {
            assert!(
                value.is_string(),
                "{}: {key} is not a string",
                path.display()
            );
        }
        json.keys().cloned().collect()
    }

    #[test]
    fn every_shipped_locale_has_exactly_the_english_keys() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let english = keys(&dir.join("en.json"));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let got = keys(&path);
            assert_eq!(
                got.symmetric_difference(&english).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{} differs from en.json",
                path.display()
            );
        }
    }
}
