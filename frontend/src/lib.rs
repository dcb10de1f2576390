//! The contact-request widget: a form a visitor fills in to ask to be contacted, rendered with Leptos
//! into an element of the host page (in practice a `<div>` inside the loader's open shadow root).
//!
//! The rules and the wire contract come from `contact-shared`; this crate adds the form's behaviour
//! ([`form_state`], pure and tested natively), its HTTP call ([`api`]) and its components.
//! JavaScript calls [`mount`] once per widget after initialising the module.

mod api;
mod components;
mod form_state;
mod model;

use std::sync::atomic::{AtomicU32, Ordering};

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::Widget;

/// How many widgets this module has mounted, to give each its own id prefix.
static MOUNTED: AtomicU32 = AtomicU32::new(0);

/// Renders a widget into `target`, posting to the intake server at the origin `api_base`
/// (such as `https://contact.example.com`).
///
/// The widget lives as long as the page: its handle is forgotten so it is never unmounted.
#[wasm_bindgen]
pub fn mount(target: web_sys::HtmlElement, api_base: String) {
    // The loader copies its tag's `data-site` onto the mount point.
    api::set_site(target.get_attribute("data-site").unwrap_or_default());
    let prefix = format!("crw{}", MOUNTED.fetch_add(1, Ordering::Relaxed) + 1);
    leptos::mount::mount_to(target, move || view! { <Widget api_base prefix /> }).forget();
}
