//! The widget shell: the site's settings first, then the form (or, for a guest on a sign-in-only site, a
//! sign-in hint) until a request is created, then the confirmation, and the live regions.
//!
//! Written as markup and kept in step by two render effects, one for the body (rebuilt when the screen
//! changes) and one for the live regions: see [`super::markup`] for why this is not a `view!`.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CustomEvent, Element, HtmlElement};

use super::confirmation;
use super::contact_form;
use super::markup::{Html, fill};
use contact_shared::{DirectContact, Step};

use crate::host::{Events, Options, identity_token, prefill_pairs};
use crate::model::{FormModel, Screen};
use crate::site::{self, SiteError};

/// Renders one widget instance into `target`, inside the owner [`leptos::mount::mount_to`] gives it. It
/// reports `ready` to the page once the form (or the sign-in hint) is shown.
///
/// The live regions are rendered from the start and stay in place, because screen readers only announce
/// changes to a region they already know about. When the site's settings cannot be had (an unknown site,
/// a page on an origin the site does not allow) the alert says why and no form is shown, so nothing is sent.
pub fn widget(api_base: String, prefix: &'static str, options: Options, target: HtmlElement) {
    let model = FormModel::new(prefix, options.channel.unwrap_or_default());
    model.identify(options.token.clone());
    listen_for_prefill(&target, model);
    let (texts, events) = (options.texts, options.events);
    listen_for_journey(&target, events);
    {
        let (api_base, site, reasons, target) = (
            api_base.clone(),
            options.site.clone(),
            options.reasons.clone(),
            target.clone(),
        );
        wasm_bindgen_futures::spawn_local(async move {
            match site::load(&api_base, &site).await {
                Ok(loaded) => {
                    // The page's reasons are the organisation's to define, so which are unknown is only
                    // known once the site says what it offers.
                    for reason in &reasons {
                        if !loaded.reasons.iter().any(|c| c.value == *reason) {
                            crate::host::ignoring("reasons", reason.as_str());
                        }
                    }
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
    let _ = target.insert_adjacent_html("beforeend", "<div class=\"crw\"></div>");
    if let Ok(Some(shell)) = target.query_selector(".crw") {
        build(&shell, &api_base, model, &options);
    }
}

/// Writes the live regions into `shell`, and keeps them and the body before them in step with `model`.
fn build(shell: &Element, api_base: &str, model: FormModel, options: &Options) {
    let texts = options.texts;
    let mut html = Html::default();
    html.open(
        "div",
        &[
            ("class", Some("crw-status")),
            ("data-testid", Some("status")),
        ],
    );
    html.open(
        "div",
        &[("role", Some("status")), ("aria-live", Some("polite"))],
    )
    .close("div");
    html.open(
        "p",
        &[("role", Some("alert")), ("class", Some("crw-alert"))],
    )
    .close("p");
    html.close("div");
    shell.set_inner_html(&html.finish());
    let (Ok(Some(status)), Ok(Some(alert))) = (
        shell.query_selector("[role=status]"),
        shell.query_selector("[role=alert]"),
    ) else {
        return;
    };
    let Some(regions) = status.parent_element() else {
        return;
    };

    let (shell, api_base, options) = (shell.clone(), api_base.to_owned(), options.clone());
    // The form's own effect, while the form is shown; the screen on show.
    let (mut form, mut shown) = (None, None);
    let body = RenderEffect::new(move |_| {
        let screen = model.screen();
        if shown.replace(screen) == Some(screen) {
            return;
        }
        if let Ok(Some(old)) = shell.query_selector(":scope > :not(.crw-status)") {
            old.remove();
        }
        drop(form.take());
        let mut html = Html::default();
        match screen {
            Screen::Loading => {
                html.element("p", &[("class", Some("crw-hint"))], &texts.get("loading"));
            }
            Screen::SignIn => {
                let name = model
                    .settings_untracked()
                    .map(|s| s.name)
                    .unwrap_or_default();
                let hint = fill(&texts.get("sign_in"), "{site}", &name);
                html.element(
                    "p",
                    &[
                        ("class", Some("crw-signin")),
                        ("data-testid", Some("sign-in")),
                    ],
                    &hint,
                );
            }
            Screen::Form => {
                html.open(
                    "form",
                    &[("class", Some("crw-form")), ("novalidate", Some(""))],
                )
                .close("form");
                if let Some(settings) = model.settings_untracked() {
                    direct_links(&mut html, &settings.direct);
                }
            }
            Screen::Refused | Screen::Done => return,
        }
        let _ = regions.insert_adjacent_html("beforebegin", &html.finish());
        if let (Screen::Form, Some(settings), Ok(Some(element))) = (
            screen,
            model.settings_untracked(),
            shell.query_selector("form"),
        ) {
            let built =
                untrack(|| contact_form::build(&element, &api_base, model, &options, &settings));
            form = built;
        }
    });
    let mut shown = (None, None);
    let regions = RenderEffect::new(move |_| {
        let now = (model.receipt(), model.alert());
        if now.0 != shown.0 {
            let html = now.0.as_ref().map(|r| confirmation::markup(r, texts));
            status.set_inner_html(html.as_deref().unwrap_or_default());
        }
        if now.1 != shown.1 {
            let mut html = Html::default();
            html.text(now.1.as_deref().unwrap_or_default());
            alert.set_inner_html(&html.finish());
        }
        shown = now;
    });
    // The effects live as long as the widget is shown.
    on_cleanup(move || drop((body, regions)));
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

/// The site's direct contact links, beside the form: `tel:`, `mailto:` and `sms:`, each use counted.
fn direct_links(html: &mut Html, links: &[DirectContact]) {
    if links.is_empty() {
        return;
    }
    html.open("p", &[("class", Some("crw-direct"))]);
    for link in links {
        // What a use counts, for open.js to record (see `loader/open.js`).
        let measure = link.kind.measure();
        html.element(
            "a",
            &[
                ("href", Some(&link.href())),
                ("data-crw-ev", Some(measure.name())),
                ("data-crw-type", Some(measure.event_type())),
            ],
            &link.label,
        );
    }
    html.close("p");
}

/// Steps the widget's journey from `open.js`'s `crw-start` (the panel opened) and `crw-end` (closed, or
/// the page left) events and from the first focus of a field (the inline form's start), for as long as
/// the page lives.
fn listen_for_journey(target: &HtmlElement, events: Events) {
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        events.step(if event.type_() == "crw-end" {
            Step::End
        } else {
            Step::Start
        });
    });
    for kind in ["crw-start", "crw-end", "focusin"] {
        let _ = target.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
    }
    listener.forget();
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
