//! The contact-request widget: a form a visitor fills in to ask to be contacted, rendered with Leptos
//! into an element of the host page (in practice a `<div>` inside the loader's open shadow root).
//!
//! The rules and the wire contract come from `contact-shared`; this crate adds the form's behaviour
//! ([`form_state`], pure and tested natively), its HTTP call ([`api`]) and its components.
//! JavaScript (the loader, `loader/widget.js`) calls [`mount`] once per widget after initialising the module.

mod api;
mod components;
mod form_state;
mod host;
mod identity;
mod model;
mod site;
mod wire;

use std::sync::atomic::{AtomicU32, Ordering};

use any_spawner::Executor;
use leptos::prelude::Owner;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::widget;
use crate::host::Options;

/// How many widgets this module has mounted, to give each its own id prefix.
static MOUNTED: AtomicU32 = AtomicU32::new(0);

/// Renders a widget into `target`, posting to the intake server at the origin `api_base`
/// (such as `https://contact.example.com`).
///
/// `strings` is the locale's; `data` is the script tag's `dataset` (`site`, `reasons`, `channel`,
/// `identityToken`); `emit(type, detail)` reports `submitted` and `error` to the page; `ev(name, type)`
/// records an analytics event of the widget's `session` (which a submission carries too), as the
/// journey counts them (`crw-start` and `crw-end` events on `target`, a field's focus, a stored
/// request). The loader prefills
/// the form, and passes the token of `identify(token)`, by dispatching a `crw-prefill` event with the values
/// as its `detail` on `target`.
/// The widget lives as long as the page: its reactive owner is forgotten so it is never disposed of.
#[wasm_bindgen]
pub fn mount(
    target: web_sys::HtmlElement,
    api_base: String,
    strings: wasm_bindgen::JsValue,
    data: wasm_bindgen::JsValue,
    emit: js_sys::Function,
    ev: js_sys::Function,
    session: String,
) {
    let mut prefix = String::from("crw");
    prefix.push_str(&(MOUNTED.fetch_add(1, Ordering::Relaxed) + 1).to_string());
    // Leaked: the widget lives as long as the page, and a `&'static str` is free to copy into every view.
    let prefix: &'static str = prefix.leak();
    // What `leptos::mount::mount_to` does but build a view: the widget writes its own DOM (see
    // `components::markup`), and mounting its `()` cost the wasm a placeholder comment's code.
    // An `Err` means the executor that runs the effects was started by an earlier widget.
    let _ = Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| {
        widget(
            api_base,
            prefix,
            Options::read(strings, &data, emit, ev, session),
            target,
        )
    });
    // Never dropped: dropping the root owner would dispose of the widget's state and effects.
    std::mem::forget(owner);
}
