//! The widget's reactive state: one signal over everything one widget shows, with [`crate::form_state`]
//! deciding what the form says.
//!
//! One signal rather than one per concern, and no memo: every distinct signal type costs the wasm its own
//! copy of the reactive runtime's generic code (a `Memo<Screen>` was 1.4 KB brotli), while re-running the
//! few effects that read the state on each change, each comparing with what it shows, costs nothing a
//! visitor could notice. Every decision is delegated to the
//! pure types; this only makes their answers reactive.

use contact_shared::{
    ContactRequestForm, ErrorBody, FieldErrors, FormRules, PreferredChannel, SiteSettings, field,
};
use leptos::prelude::*;

use crate::form_state::{self, FormState, Inputs};
use crate::identity::Claims;

/// A created request, as the confirmation tells the visitor about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The request number, such as `CR-000001`.
    pub number: String,
    /// The channel the visitor will be contacted on.
    pub channel: PreferredChannel,
}

/// What the widget's body shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The site's settings are on their way.
    Loading,
    /// The server refused the site's settings; the alert says why, and no form is shown.
    Refused,
    /// A guest on a site that only takes signed-in visitors: a hint to sign in.
    SignIn,
    /// The form.
    Form,
    /// The request was created: the confirmation, in the status region.
    Done,
}

#[derive(Default)]
struct State {
    inputs: Inputs,
    form: FormState,
    /// The site's rules; the default ones until its settings arrive.
    rules: FormRules,
    /// What the rules say of `inputs`, refreshed whenever either changes.
    errors: FieldErrors,
    /// The fields filled from the signed-in visitor's verified account, shown read-only.
    locked: Vec<&'static str>,
    /// The signed-in visitor's identity token; `None` for a guest.
    token: Option<String>,
    /// `None` while loading, `Some(None)` when refused.
    settings: Option<Option<SiteSettings>>,
    receipt: Option<Receipt>,
    /// What the live alert region says.
    alert: Option<String>,
    sending: bool,
    /// The callback slots' `<option>`s while the visitor picks a time; `None` for as soon as possible.
    slots: Option<String>,
    /// Whether the last send failed in a way that sending again may fix.
    retry: bool,
}

impl State {
    fn refresh(&mut self) {
        self.errors = self.inputs.to_form().errors_with(&self.rules);
    }

    fn screen(&self) -> Screen {
        match &self.settings {
            None => Screen::Loading,
            Some(None) => Screen::Refused,
            Some(Some(_)) if self.receipt.is_some() => Screen::Done,
            Some(Some(s)) if s.sign_in_required && self.token.is_none() => Screen::SignIn,
            Some(Some(_)) => Screen::Form,
        }
    }
}

/// A handle on one widget instance, cheap to copy into every field and handler.
#[derive(Clone, Copy)]
pub struct FormModel {
    /// Starts every element id of this instance, unique on the page.
    prefix: &'static str,
    state: RwSignal<State>,
}

impl FormModel {
    /// A blank form whose element ids all start with `prefix`, with `channel` chosen.
    pub fn new(prefix: &'static str, channel: PreferredChannel) -> Self {
        let mut blank = State::default();
        blank
            .inputs
            .set(field::PREFERRED_CHANNEL, channel.as_str().to_owned());
        blank.refresh();
        Self {
            prefix,
            state: RwSignal::new(blank),
        }
    }

    // Guards rather than `with`/`update`: those are generic over each caller's closure, and every
    // instance is a copy of the signal's locking and tracking code in the wasm.
    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.read())
    }

    fn peek<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.read_untracked())
    }

    /// The state to change; effects run when the guard is dropped.
    fn write(&self) -> impl std::ops::DerefMut<Target = State> {
        self.state.write()
    }

    /// What the body shows now.
    pub fn screen(&self) -> Screen {
        self.read(State::screen)
    }

    /// The site's settings arrived: applies its rules. A chosen channel the site does not offer gives way
    /// to the site's default.
    pub fn settle(&self, settings: SiteSettings, rules: FormRules) {
        {
            let mut guard = self.write();
            let s = &mut *guard;
            if !rules.channels.contains(&s.inputs.channel()) {
                let channel = rules.default_channel().as_str().to_owned();
                s.inputs.set(field::PREFERRED_CHANNEL, channel);
            }
            s.rules = rules;
            s.settings = Some(Some(settings));
            s.refresh();
        }
    }

    /// The site's settings were refused or could not be had: `message` says why, and no form is shown.
    pub fn refuse(&self, message: String) {
        {
            let mut guard = self.write();
            let s = &mut *guard;
            s.settings = Some(None);
            s.alert = Some(message);
        }
    }

    /// The site's settings, once they are here (read without subscribing, for building the form).
    pub fn settings_untracked(&self) -> Option<SiteSettings> {
        self.peek(|s| s.settings.clone().flatten())
    }

    /// The page identified the visitor with `token` (`None` or blank: a guest). The verified account's
    /// fields are filled and made read-only; fields an earlier account filled and this one does not are
    /// emptied and editable again.
    pub fn identify(&self, token: Option<String>) {
        let token = token.filter(|t| !t.trim().is_empty());
        let fields = token
            .as_deref()
            .and_then(Claims::of_token)
            .unwrap_or_default()
            .fields();
        {
            let mut guard = self.write();
            let s = &mut *guard;
            for field in std::mem::take(&mut s.locked) {
                s.inputs.set(field, String::new());
            }
            for (field, value) in fields {
                s.inputs.set(field, value);
                s.locked.push(field);
            }
            s.token = token;
            s.refresh();
        }
    }

    /// The identity token to send; empty for a guest.
    pub fn token_untracked(&self) -> String {
        self.peek(|s| s.token.clone().unwrap_or_default())
    }

    /// Whether `field` holds a verified value the visitor cannot change.
    pub fn is_locked(&self, field: &str) -> bool {
        self.read(|s| s.locked.contains(&field))
    }

    /// The id of `field`'s control.
    pub fn input_id(&self, field: &str) -> String {
        form_state::input_id(self.prefix, field)
    }

    /// The id of `field`'s error element.
    pub fn error_id(&self, field: &str) -> String {
        form_state::error_id(self.prefix, field)
    }

    /// What the visitor typed into `field`.
    pub fn value(&self, field: &str) -> String {
        self.read(|s| s.inputs.value(field).to_owned())
    }

    /// The chosen channel.
    pub fn channel(&self) -> PreferredChannel {
        self.read(|s| s.inputs.channel())
    }

    /// Whether `field` must be filled in given the other answers.
    pub fn is_required(&self, field: &str) -> bool {
        self.read(|s| s.inputs.is_required(field, &s.rules))
    }

    /// The message `field` shows now, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        self.read(|s| s.form.error(field, &s.errors).map(str::to_owned))
    }

    /// The visitor changed `field` to `value`.
    pub fn edit(&self, field: &str, value: String) {
        if self.peek(|s| s.locked.contains(&field)) {
            return;
        }
        {
            let mut guard = self.write();
            let s = &mut *guard;
            s.inputs.set(field, value);
            s.form.edit(field);
            s.refresh();
        }
    }

    /// The page prefilled `field` with `value`: shown as if typed, without judging it before the visitor
    /// has had a chance to look.
    pub fn prefill(&self, field: &str, value: String) {
        if self.peek(|s| s.locked.contains(&field)) {
            return;
        }
        {
            let mut guard = self.write();
            let s = &mut *guard;
            s.inputs.set(field, value);
            s.refresh();
        }
    }

    /// The visitor left `field`.
    pub fn blur(&self, field: &str) {
        // Written without notifying, then notified only when this is news, so leaving a field a second
        // time re-renders nothing.
        let news = self.state.write_untracked().form.blur(field);
        if news {
            self.state.notify();
        }
    }

    /// The visitor asked to send. `None` while a send is under way; else the form to send (the send is
    /// then under way), or the field to focus, with the summary announced.
    pub fn attempt(&self) -> Option<Result<(ContactRequestForm, PreferredChannel), &'static str>> {
        if self.peek(|s| s.sending) {
            return None;
        }
        let mut guard = self.write();
        let s = &mut *guard;
        s.form.attempt();
        Some(match s.form.first_invalid(&s.errors) {
            Some(first) => {
                s.alert = Some(ErrorBody::with_fields(s.form.shown(&s.errors)).message);
                Err(first)
            }
            None => {
                s.alert = None;
                s.sending = true;
                Ok((s.inputs.to_form(), s.inputs.channel()))
            }
        })
    }

    /// Whether a send is under way.
    pub fn sending(&self) -> bool {
        self.read(|s| s.sending)
    }

    /// Whether the last send failed in a way that sending again may fix.
    pub fn retry(&self) -> bool {
        self.read(|s| s.retry)
    }

    /// The send created `receipt`.
    pub fn created(&self, receipt: Receipt) {
        {
            let mut guard = self.write();
            let s = &mut *guard;
            s.sending = false;
            s.retry = false;
            s.receipt = Some(receipt);
        }
    }

    /// The send failed: `message` is announced; `fields` are the server's verdicts per field, if it gave
    /// any. Answers the first field to focus.
    pub fn failed(
        &self,
        message: String,
        fields: FieldErrors,
        retry: bool,
    ) -> Option<&'static str> {
        let mut guard = self.write();
        let s = &mut *guard;
        s.sending = false;
        s.retry = retry;
        s.alert = Some(message);
        if fields.is_empty() {
            return None;
        }
        s.form.reject(fields);
        s.form.first_invalid(&s.errors)
    }

    /// The callback slots' list on show: its `<option>`s, escaped; `None` for as soon as possible.
    pub fn slots(&self) -> Option<String> {
        self.read(|s| s.slots.clone())
    }

    /// The slots' list, read without subscribing.
    pub fn slots_untracked(&self) -> Option<String> {
        self.peek(|s| s.slots.clone())
    }

    /// Shows `options` as the slots' list (`None`: none, as soon as possible).
    pub fn show_slots(&self, options: Option<String>) {
        self.write().slots = options;
    }

    /// The created request, once there is one.
    pub fn receipt(&self) -> Option<Receipt> {
        self.read(|s| s.receipt.clone())
    }

    /// What the alert region says.
    pub fn alert(&self) -> Option<String> {
        self.read(|s| s.alert.clone())
    }
}
