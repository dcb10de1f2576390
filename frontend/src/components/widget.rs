//! The widget shell: the form until a request is created, then the confirmation, and the live regions.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CustomEvent, HtmlElement};

use super::confirmation::{Confirmation, Receipt};
use super::contact_form::ContactForm;
use crate::host::{Options, prefill_pairs};
use crate::model::FormModel;

/// One widget instance.
///
/// The live regions are rendered from the start and stay in place, because screen readers only announce
/// changes to a region they already know about.
#[component]
pub fn Widget(
    /// The intake server's origin.
    api_base: String,
    /// Prefix for every element id in this instance, unique on the page.
    prefix: String,
    /// What the site chose, and where events go.
    options: Options,
    /// The element the loader dispatches `crw-prefill` events on.
    target: HtmlElement,
) -> impl IntoView {
    let model = FormModel::new(prefix, options.channel);
    listen_for_prefill(&target, model);
    let texts = options.texts;
    let (receipt, set_receipt) = signal(None::<Receipt>);
    let (alert, set_alert) = signal(None::<String>);
    view! {
        <div class="crw">
            <Show when=move || receipt.with(Option::is_none)>
                <ContactForm
                    api_base=api_base.clone()
                    model
                    options=options.clone()
                    on_receipt=set_receipt
                    alert=set_alert
                />
            </Show>
            <div class="crw-status" data-testid="status">
                <div role="status" aria-live="polite">
                    {move || receipt.get().map(|receipt| view! { <Confirmation receipt texts /> })}
                </div>
                <p role="alert" class="crw-alert">
                    {move || alert.get()}
                </p>
            </div>
        </div>
    }
}

/// Fills the form in from each `crw-prefill` event's `detail`, for as long as the page lives.
fn listen_for_prefill(target: &HtmlElement, model: FormModel) {
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(event) = event.dyn_ref::<CustomEvent>() else {
            return;
        };
        for (field, value) in prefill_pairs(&event.detail()) {
            model.prefill(field, value);
        }
    });
    let _ =
        target.add_event_listener_with_callback("crw-prefill", listener.as_ref().unchecked_ref());
    listener.forget();
}
