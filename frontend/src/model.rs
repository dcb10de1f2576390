//! The form's reactive state: signals over [`crate::form_state`], shared by the form and its fields.
//!
//! Every decision is delegated to the pure types; this only makes their answers reactive.

use contact_shared::{
    ContactRequestForm, ErrorBody, FieldErrors, FormRules, PreferredChannel, field,
};
use leptos::prelude::*;

use crate::form_state::{self, FormState, Inputs};

/// A handle on one widget instance's form, cheap to copy into every field and handler.
#[derive(Clone, Copy)]
pub struct FormModel {
    prefix: StoredValue<String>,
    inputs: RwSignal<Inputs>,
    state: RwSignal<FormState>,
    /// The site's rules; the default ones until its settings arrive.
    site_rules: RwSignal<FormRules>,
    /// The fields filled from the signed-in visitor's verified account, shown read-only.
    locked: RwSignal<Vec<&'static str>>,
    rules: Memo<FieldErrors>,
}

impl FormModel {
    /// A blank form whose element ids all start with `prefix`, with `channel` chosen.
    pub fn new(prefix: String, channel: PreferredChannel) -> Self {
        let mut blank = Inputs::default();
        blank.set(field::PREFERRED_CHANNEL, channel.as_str().to_owned());
        let inputs = RwSignal::new(blank);
        let site_rules = RwSignal::new(FormRules::default());
        Self {
            prefix: StoredValue::new(prefix),
            inputs,
            state: RwSignal::new(FormState::default()),
            site_rules,
            locked: RwSignal::new(Vec::new()),
            rules: Memo::new(move |_| {
                site_rules.with(|rules| inputs.with(|i| i.to_form().errors_with(rules)))
            }),
        }
    }

    /// Applies the site's rules. A chosen channel the site does not offer gives way to the site's default.
    pub fn use_rules(&self, rules: FormRules) {
        if !rules.channels.contains(&self.channel_untracked()) {
            let channel = rules.default_channel().as_str().to_owned();
            self.inputs
                .update(|i| i.set(field::PREFERRED_CHANNEL, channel));
        }
        self.site_rules.set(rules);
    }

    /// Fills `fields` from the visitor's verified account and makes them read-only; fields an earlier
    /// account filled and this one does not are emptied and editable again.
    pub fn lock(&self, fields: Vec<(&'static str, String)>) {
        let before = self.locked.get_untracked();
        self.inputs.update(|i| {
            for field in before {
                i.set(field, String::new());
            }
            for (field, value) in &fields {
                i.set(field, value.clone());
            }
        });
        self.locked
            .set(fields.into_iter().map(|(f, _)| f).collect());
    }

    /// Whether `field` holds a verified value the visitor cannot change.
    pub fn is_locked(&self, field: &str) -> bool {
        self.locked.with(|l| l.contains(&field))
    }

    /// The id of `field`'s control.
    pub fn input_id(&self, field: &str) -> String {
        self.prefix.with_value(|p| form_state::input_id(p, field))
    }

    /// The id of `field`'s error element.
    pub fn error_id(&self, field: &str) -> String {
        self.prefix.with_value(|p| form_state::error_id(p, field))
    }

    /// What the visitor typed into `field`.
    pub fn value(&self, field: &str) -> String {
        self.inputs.with(|i| i.value(field).to_owned())
    }

    /// The chosen channel.
    pub fn channel(&self) -> PreferredChannel {
        self.inputs.with(Inputs::channel)
    }

    /// The chosen channel, read without subscribing, as a handler does.
    pub fn channel_untracked(&self) -> PreferredChannel {
        self.inputs.with_untracked(Inputs::channel)
    }

    /// Whether `field` must be filled in given the other answers.
    pub fn is_required(&self, field: &str) -> bool {
        self.site_rules
            .with(|rules| self.inputs.with(|i| i.is_required(field, rules)))
    }

    /// The message `field` shows now, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        self.rules.with(|rules| {
            self.state
                .with(|s| s.error(field, rules).map(str::to_owned))
        })
    }

    /// The visitor changed `field` to `value`.
    pub fn edit(&self, field: &str, value: String) {
        if self.locked.with_untracked(|l| l.contains(&field)) {
            return;
        }
        self.inputs.update(|i| i.set(field, value));
        self.state.maybe_update(|s| s.edit(field));
    }

    /// The page prefilled `field` with `value`: shown as if typed, without judging it before the visitor
    /// has had a chance to look.
    pub fn prefill(&self, field: &str, value: String) {
        if self.locked.with_untracked(|l| l.contains(&field)) {
            return;
        }
        self.inputs.update(|i| i.set(field, value));
    }

    /// The visitor left `field`.
    pub fn blur(&self, field: &str) {
        self.state.maybe_update(|s| s.blur(field));
    }

    /// The visitor asked to send: the form to send, or the field to focus and a summary to announce.
    pub fn attempt(&self) -> Result<ContactRequestForm, (&'static str, String)> {
        self.state.update(FormState::attempt);
        let rules = self.rules.get_untracked();
        let invalid = self.state.with_untracked(|s| {
            s.first_invalid(&rules)
                .map(|first| (first, ErrorBody::with_fields(s.shown(&rules)).message))
        });
        match invalid {
            Some(invalid) => Err(invalid),
            None => Ok(self.inputs.with_untracked(Inputs::to_form)),
        }
    }

    /// The server refused these fields; answers the first to focus.
    pub fn reject(&self, fields: FieldErrors) -> Option<&'static str> {
        self.state.update(|s| s.reject(fields));
        let rules = self.rules.get_untracked();
        self.state.with_untracked(|s| s.first_invalid(&rules))
    }
}
