//! The widget shell: the form until a request is created, then the confirmation, and the live regions.

use leptos::prelude::*;

use super::confirmation::{Confirmation, Receipt};
use super::contact_form::ContactForm;

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
) -> impl IntoView {
    let (receipt, set_receipt) = signal(None::<Receipt>);
    let (alert, set_alert) = signal(None::<String>);
    view! {
        <div class="crw">
            <Show when=move || receipt.with(Option::is_none)>
                <ContactForm
                    api_base=api_base.clone()
                    prefix=prefix.clone()
                    on_receipt=set_receipt
                    alert=set_alert
                />
            </Show>
            <div class="crw-status" data-testid="status">
                <div role="status" aria-live="polite">
                    {move || receipt.get().map(|receipt| view! { <Confirmation receipt /> })}
                </div>
                <p role="alert" class="crw-alert">
                    {move || alert.get()}
                </p>
            </div>
        </div>
    }
}
