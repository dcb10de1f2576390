//! The widget shell: the site's settings first, then the form (or, for a guest on a sign-in-only site, a
//! sign-in hint) until a request is created, then the confirmation, and the live regions.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CustomEvent, HtmlElement};

use super::confirmation::Confirmation;
use super::contact_form::ContactForm;
use crate::host::{Options, identity_token, prefill_pairs};
use crate::model::{FormModel, Screen};
use crate::site::{self, SiteError};

/// One widget instance. It reports `ready` to the page once the form (or the sign-in hint) is shown.
///
/// The live regions are rendered from the start and stay in place, because screen readers only announce
/// changes to a region they already know about. When the site's settings cannot be had (an unknown site,
/// a page on an origin the site does not allow) the alert says why and no form is shown, so nothing is sent.
#[component]
pub fn Widget(
    /// The intake server's origin.
    api_base: String,
    /// Prefix for every element id in this instance, unique on the page.
    prefix: &'static str,
    /// What the site chose, and where events go.
    options: Options,
    /// The element the loader dispatches `crw-prefill` events on.
    target: HtmlElement,
) -> impl IntoView {
    let model = FormModel::new(prefix, options.channel.unwrap_or_default());
    model.identify(options.token.clone());
    listen_for_prefill(&target, model);
    let (texts, events) = (options.texts, options.events);
    {
        let (api_base, site, reasons) = (
            api_base.clone(),
            options.site.clone(),
            options.reasons.clone(),
        );
        wasm_bindgen_futures::spawn_local(async move {
            match site::load(&api_base, &site).await {
                Ok(loaded) => {
                    let rules = site::rules(&loaded, &reasons);
                    model.settle(loaded, rules);
                    request_animation_frame(move || {
                        focus_first_control(&target);
                        events.emit("ready", "site", &site);
                    });
                }
                Err(error) => {
                    let message = match error {
                        SiteError::Refused(message) => message,
                        SiteError::Network => texts.get("network"),
                        SiteError::Unexpected => texts.get("unexpected"),
                    };
                    events.emit("error", "message", &message);
                    model.refuse(message);
                }
            }
        });
    }
    let body = move || match model.screen() {
        Screen::Loading => view! { <p class="crw-hint">{texts.get("loading")}</p> }.into_any(),
        Screen::SignIn => {
            let name = model
                .settings_untracked()
                .map(|s| s.name)
                .unwrap_or_default();
            let hint = texts.get("sign_in").replace("{site}", &name);
            view! { <p class="crw-signin" data-testid="sign-in">{hint}</p> }.into_any()
        }
        Screen::Form => match model.settings_untracked() {
            Some(settings) => view! {
                <ContactForm api_base=api_base.clone() model options=options.clone() settings />
            }
            .into_any(),
            None => ().into_any(),
        },
        Screen::Refused | Screen::Done => ().into_any(),
    };
    view! {
        <div class="crw">
            {body}
            <div class="crw-status" data-testid="status">
                <div role="status" aria-live="polite">
                    {move || model.receipt().map(|receipt| view! { <Confirmation receipt texts /> })}
                </div>
                <p role="alert" class="crw-alert">
                    {move || model.alert()}
                </p>
            </div>
        </div>
    }
}

/// Moves focus to the form's first control when focus is already inside the widget (on an opened panel's
/// close button, which the loader focuses while the form loads); an inline form never takes focus from
/// the page. `activeElement` is read through reflection, which costs less than binding `ShadowRoot`.
fn focus_first_control(target: &HtmlElement) {
    let root = target.get_root_node();
    let focused = js_sys::Reflect::get(&root, &"activeElement".into()).unwrap_or_default();
    if focused.is_null() || focused.is_undefined() {
        return;
    }
    let first = target
        .query_selector("select,textarea,input:not(.crw-trap)")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(first) = first {
        let _ = first.focus();
    }
}

/// Fills the form in from each `crw-prefill` event's `detail`, and applies an `identify(token)` call's
/// token, for as long as the page lives.
fn listen_for_prefill(target: &HtmlElement, model: FormModel) {
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(event) = event.dyn_ref::<CustomEvent>() else {
            return;
        };
        let detail = event.detail();
        if let Some(token) = identity_token(&detail) {
            model.identify(Some(token));
        }
        for (field, value) in prefill_pairs(&detail) {
            model.prefill(field, value);
        }
    });
    let _ =
        target.add_event_listener_with_callback("crw-prefill", listener.as_ref().unchecked_ref());
    listener.forget();
}
