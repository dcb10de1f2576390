//! What the form shows, decided without the DOM so it is unit-tested natively.
//!
//! [`Inputs`] is what the visitor typed; [`FormState`] is what they have done with it (left a field, tried
//! to submit, been answered by the server). Together with the shared rules they say which message each field
//! shows, which field to focus, and what to send.

use contact_shared::{ContactRequestForm, FieldErrors, FormRules, PreferredChannel, field};

/// The fields the widget renders, in form order: the shared order without `is_callback`, which is for
/// representatives to set, not visitors.
pub const FIELDS: [&str; 7] = [
    field::REQUEST_REASON,
    field::PREFERRED_CHANNEL,
    field::PREFERRED_PHONE,
    field::CALLBACK_TIME,
    field::NAME,
    field::EMAIL,
    field::REQUEST_DESCRIPTION,
];

/// The id of a field's control, unique per widget instance through `prefix`.
pub fn input_id(prefix: &str, field: &str) -> String {
    format!("{prefix}-{field}")
}

/// The id of the element holding a field's error, for the control's `aria-describedby`.
pub fn error_id(prefix: &str, field: &str) -> String {
    format!("{prefix}-{field}-error")
}

/// The ids that describe a control: its hint, then its error while it shows one; `None` when neither, so
/// the attribute is left out rather than pointing at nothing.
pub fn described_by(hint_id: Option<&str>, error_id: Option<&str>) -> Option<String> {
    let mut ids = String::new();
    for id in hint_id.into_iter().chain(error_id) {
        if !ids.is_empty() {
            ids.push(' ');
        }
        ids.push_str(id);
    }
    (!ids.is_empty()).then_some(ids)
}

/// The raw text of each field, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    request_reason: String,
    preferred_channel: String,
    preferred_phone: String,
    name: String,
    email: String,
    request_description: String,
    /// The chosen slot's UTC start; empty for as soon as possible.
    callback_time: String,
}

impl Default for Inputs {
    fn default() -> Self {
        Self {
            request_reason: String::new(),
            preferred_channel: PreferredChannel::default().as_str().to_owned(),
            preferred_phone: String::new(),
            name: String::new(),
            email: String::new(),
            request_description: String::new(),
            callback_time: String::new(),
        }
    }
}

impl Inputs {
    /// The text of `field`; empty for a field the widget does not render.
    pub fn value(&self, field: &str) -> &str {
        match field {
            field::REQUEST_REASON => &self.request_reason,
            field::PREFERRED_CHANNEL => &self.preferred_channel,
            field::PREFERRED_PHONE => &self.preferred_phone,
            field::NAME => &self.name,
            field::EMAIL => &self.email,
            field::REQUEST_DESCRIPTION => &self.request_description,
            field::CALLBACK_TIME => &self.callback_time,
            _ => "",
        }
    }

    /// Records what the visitor typed into `field`.
    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            field::REQUEST_REASON => &mut self.request_reason,
            field::PREFERRED_CHANNEL => &mut self.preferred_channel,
            field::PREFERRED_PHONE => &mut self.preferred_phone,
            field::NAME => &mut self.name,
            field::EMAIL => &mut self.email,
            field::REQUEST_DESCRIPTION => &mut self.request_description,
            field::CALLBACK_TIME => &mut self.callback_time,
            _ => return,
        };
        *slot = value;
    }

    /// The chosen channel, read as the shared rules read it.
    pub fn channel(&self) -> PreferredChannel {
        self.preferred_channel.parse().unwrap_or_default()
    }

    /// Whether `field` must be filled in given the other answers. Asked of the shared rules, by blanking
    /// the field and seeing whether they then complain about it, so requiredness is defined in one place.
    pub fn is_required(&self, field: &str, rules: &FormRules) -> bool {
        let mut blank = self.clone();
        blank.set(field, String::new());
        blank.to_form().errors_with(rules).contains_key(field)
    }

    /// The submission; a blank field is sent as absent, and a callback time only for a phone call.
    pub fn to_form(&self) -> ContactRequestForm {
        let optional = |value: &str| (!value.trim().is_empty()).then(|| value.to_owned());
        ContactRequestForm {
            request_reason: optional(&self.request_reason),
            preferred_channel: optional(&self.preferred_channel),
            preferred_phone: optional(&self.preferred_phone),
            name: optional(&self.name),
            email: optional(&self.email),
            request_description: optional(&self.request_description),
            is_callback: false,
            callback_time: optional(&self.callback_time)
                .filter(|_| self.channel() == PreferredChannel::Phone),
            // The browser's, added as the form is sent: not something the visitor enters.
            time_zone: None,
            // The locale the widget was drawn in, added as the form is sent, as the time zone is.
            locale: None,
        }
    }
}

/// What the visitor has done so far, which decides which messages they see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormState {
    /// The fields the visitor has left, each once.
    blurred: Vec<String>,
    attempted: bool,
    server: FieldErrors,
}

impl FormState {
    /// The visitor left `field`; its rule errors show from now on. Answers whether this changed anything,
    /// so leaving a field a second time does not re-render.
    pub fn blur(&mut self, field: &str) -> bool {
        let new = !self.blurred.iter().any(|f| f == field);
        if new {
            self.blurred.push(field.to_owned());
        }
        new
    }

    /// The visitor changed `field`, so the server's verdict on its old value no longer applies.
    pub fn edit(&mut self, field: &str) -> bool {
        self.server.remove(field).is_some()
    }

    /// The visitor tried to submit; every rule error shows from now on.
    pub fn attempt(&mut self) {
        self.attempted = true;
    }

    /// The server refused the submission with these field messages.
    pub fn reject(&mut self, fields: FieldErrors) {
        self.server = fields;
    }

    /// The message `field` shows: the server's until the field is edited, else its first rule error once the
    /// field was left or a submit was attempted.
    pub fn error<'a>(&'a self, field: &str, rules: &'a FieldErrors) -> Option<&'a str> {
        let first = |errors: &'a FieldErrors| {
            errors
                .get(field)
                .and_then(|m| m.first())
                .map(String::as_str)
        };
        first(&self.server).or_else(|| {
            (self.attempted || self.blurred.iter().any(|f| f == field))
                .then(|| first(rules))
                .flatten()
        })
    }

    /// Every message on show, keyed by field, to summarise them.
    pub fn shown(&self, rules: &FieldErrors) -> FieldErrors {
        FIELDS
            .iter()
            .filter_map(|f| {
                self.error(f, rules)
                    .map(|m| ((*f).to_owned(), vec![m.to_owned()]))
            })
            .collect()
    }

    /// The first field in form order that shows a message: where focus goes after a failed submit.
    pub fn first_invalid(&self, rules: &FieldErrors) -> Option<&'static str> {
        FIELDS.into_iter().find(|f| self.error(f, rules).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        let mut inputs = Inputs::default();
        for (field, value) in pairs {
            inputs.set(field, (*value).to_owned());
        }
        inputs
    }

    fn server(field: &str, message: &str) -> FieldErrors {
        FieldErrors::from([(field.to_owned(), vec![message.to_owned()])])
    }

    #[test]
    fn an_untouched_form_shows_no_errors_even_though_it_is_invalid() {
        let rules = Inputs::default().to_form().errors();
        assert!(!rules.is_empty());
        let state = FormState::default();
        for field in FIELDS {
            assert_eq!(state.error(field, &rules), None, "{field}");
        }
        assert_eq!(state.first_invalid(&rules), None);
    }

    #[test]
    fn a_rule_error_shows_once_its_field_was_left() {
        let rules = Inputs::default().to_form().errors();
        let mut state = FormState::default();
        assert!(state.blur(field::PREFERRED_PHONE));
        assert!(
            !state.blur(field::PREFERRED_PHONE),
            "leaving twice changes nothing"
        );
        assert_eq!(
            state.error(field::PREFERRED_PHONE, &rules),
            Some("Enter a phone number so we can call you.")
        );
        assert_eq!(
            state.error(field::REQUEST_REASON, &rules),
            None,
            "not left yet"
        );
    }

    #[test]
    fn a_submit_attempt_shows_every_error_and_focuses_the_first_in_form_order() {
        let rules = Inputs::default().to_form().errors();
        let mut state = FormState::default();
        state.attempt();
        assert_eq!(state.first_invalid(&rules), Some(field::REQUEST_REASON));
        let shown: Vec<String> = state.shown(&rules).keys().map(str::to_owned).collect();
        assert_eq!(shown, [field::PREFERRED_PHONE, field::REQUEST_REASON]);
    }

    #[test]
    fn a_server_error_shows_on_its_field_until_that_field_is_edited() {
        let rules = inputs(&[
            (field::REQUEST_REASON, "Billing"),
            (field::PREFERRED_PHONE, "+14155550100"),
        ])
        .to_form()
        .errors();
        assert!(rules.is_empty());
        let mut state = FormState::default();
        state.reject(server(
            field::PREFERRED_PHONE,
            "We cannot call this number.",
        ));
        assert_eq!(
            state.error(field::PREFERRED_PHONE, &rules),
            Some("We cannot call this number.")
        );
        assert_eq!(state.first_invalid(&rules), Some(field::PREFERRED_PHONE));
        assert!(!state.edit(field::NAME), "another field's edit keeps it");
        assert!(state.error(field::PREFERRED_PHONE, &rules).is_some());
        assert!(state.edit(field::PREFERRED_PHONE));
        assert_eq!(state.error(field::PREFERRED_PHONE, &rules), None);
    }

    #[test]
    fn a_server_error_on_a_field_the_widget_does_not_render_is_never_focused() {
        let mut state = FormState::default();
        state.reject(server(field::IS_CALLBACK, "Not allowed."));
        assert_eq!(state.first_invalid(&FieldErrors::new()), None);
    }

    #[test]
    fn what_is_required_follows_the_channel() {
        let table = [
            ("Phone", [true, false, true, false, false, false, false]),
            ("Text", [true, false, true, false, false, false, false]),
            ("Email", [true, false, false, false, false, true, false]),
        ];
        for (channel, required) in table {
            let inputs = inputs(&[(field::PREFERRED_CHANNEL, channel)]);
            let got = FIELDS.map(|f| inputs.is_required(f, &FormRules::default()));
            assert_eq!(got, required, "{channel}: {FIELDS:?}");
        }
    }

    #[test]
    fn blank_inputs_are_sent_as_absent_and_the_rest_as_typed() {
        let form = inputs(&[
            (field::REQUEST_REASON, "Order"),
            (field::PREFERRED_CHANNEL, "Email"),
            (field::EMAIL, " ada@example.com "),
            (field::NAME, "   "),
        ])
        .to_form();
        assert_eq!(
            form,
            ContactRequestForm {
                request_reason: Some("Order".into()),
                preferred_channel: Some("Email".into()),
                email: Some(" ada@example.com ".into()),
                ..ContactRequestForm::default()
            }
        );
        assert!(form.errors().is_empty());
    }

    #[test]
    fn a_callback_time_is_sent_for_a_phone_call_only() {
        let mut chosen = inputs(&[
            (field::PREFERRED_PHONE, "+14155550100"),
            (field::CALLBACK_TIME, "2026-03-02T14:30:00Z"),
        ]);
        assert_eq!(
            chosen.to_form().callback_time.as_deref(),
            Some("2026-03-02T14:30:00Z")
        );
        chosen.set(field::PREFERRED_CHANNEL, "Email".into());
        assert_eq!(chosen.to_form().callback_time, None, "kept, but not sent");
        chosen.set(field::PREFERRED_CHANNEL, "Phone".into());
        chosen.set(field::CALLBACK_TIME, String::new());
        assert_eq!(chosen.to_form().callback_time, None, "as soon as possible");
    }

    #[test]
    fn a_refused_callback_time_is_focused_after_the_phone_number() {
        let rules = inputs(&[(field::REQUEST_REASON, "Order")])
            .to_form()
            .errors();
        let mut state = FormState::default();
        state.reject(server(
            field::CALLBACK_TIME,
            "That time has just been fully booked.",
        ));
        assert_eq!(state.first_invalid(&rules), Some(field::CALLBACK_TIME));
        state.attempt();
        assert_eq!(
            state.first_invalid(&rules),
            Some(field::PREFERRED_PHONE),
            "the phone number comes first"
        );
    }

    #[test]
    fn phone_is_the_initial_channel() {
        assert_eq!(Inputs::default().channel(), PreferredChannel::Phone);
        assert_eq!(Inputs::default().value(field::PREFERRED_CHANNEL), "Phone");
    }

    #[test]
    fn a_control_is_described_by_its_hint_and_its_error_while_shown() {
        let table = [
            (Some("h"), Some("e"), Some("h e")),
            (Some("h"), None, Some("h")),
            (None, Some("e"), Some("e")),
            (None, None, None),
        ];
        for (hint, error, expected) in table {
            assert_eq!(
                described_by(hint, error).as_deref(),
                expected,
                "{hint:?} {error:?}"
            );
        }
    }

    #[test]
    fn the_site_s_rules_decide_what_the_form_accepts() {
        let rules = FormRules {
            reasons: vec![contact_shared::RequestReason::parse("Order").unwrap()],
            channels: vec![PreferredChannel::Phone],
            default_country_code: Some("44".into()),
        };
        let national = inputs(&[
            (field::REQUEST_REASON, "Order"),
            (field::PREFERRED_PHONE, "020 7946 0958"),
        ]);
        assert!(national.to_form().errors_with(&rules).is_empty());
        assert!(
            national
                .to_form()
                .errors()
                .contains_key(field::PREFERRED_PHONE),
            "without a default country a national number is not enough"
        );
        let other = inputs(&[
            (field::REQUEST_REASON, "Billing"),
            (field::PREFERRED_PHONE, "+442079460958"),
        ]);
        assert_eq!(
            other
                .to_form()
                .errors_with(&rules)
                .get(field::REQUEST_REASON)
                .unwrap(),
            ["Choose one of: Order."]
        );
    }

    #[test]
    fn ids_are_prefixed_per_instance() {
        assert_eq!(input_id("crw2", field::EMAIL), "crw2-email");
        assert_eq!(error_id("crw2", field::EMAIL), "crw2-email-error");
    }
}
