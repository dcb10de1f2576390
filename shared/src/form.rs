//! The submission: what the widget sends and the server parses, with the one set of rules both run.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::{
    CallbackTime, ErrorBody, FieldErrors, FormRules, InvalidReason, Locale, PreferredChannel,
    PreferredPhone, RequestDescription, RequestReason, TimeZoneDatabase, VisitorEmail, VisitorName,
    VisitorTimeZone, field,
};

/// The contact-request form as it travels: the raw text of each field, keyed by its wire name.
///
/// Missing fields and `null` read as empty, so an incomplete form gets field messages rather than a parse
/// error; unknown fields are refused so a misspelt name is never silently dropped. [`Self::parse`] turns a
/// form into a [`NewContactRequest`] or into the messages that say what to fix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ContactRequestForm {
    #[serde(default)]
    #[validate(custom(function = "rule_reason"))]
    pub request_reason: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "rule_channel"))]
    pub preferred_channel: Option<String>,
    /// Checked in [`Self::errors_with`], as reading it may need the site's default country code.
    #[serde(default)]
    pub preferred_phone: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "rule_name"))]
    pub name: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "rule_email"))]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "rule_description"))]
    pub request_description: Option<String>,
    /// ContactRequest.IsCallback: whether a representative decides how to return the call.
    #[serde(default)]
    pub is_callback: bool,
    /// When to call, for the Phone channel: the UTC start of one of the site's callback slots
    /// (`2026-03-02T14:30:00Z`); absent means as soon as possible. Its form is checked when the form is
    /// parsed ([`Self::parse_with`]) rather than among the rules run as the visitor types: visitors pick it
    /// from the server's list and never type it, and the widget's size budget has no room for the parser.
    /// The server then checks it is a slot still offered.
    #[serde(default)]
    pub callback_time: Option<String>,
    /// The visitor's own IANA time zone, as their browser reports it (`Europe/Paris`), so a representative
    /// sees the callback time as the visitor does; absent when unknown. Checked when the form is parsed,
    /// against the parsing side's time-zone database.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The language the widget was shown in (`fr`), so the visitor's confirmation email is in it; absent
    /// when the sender does not say. Never refused: a tag the server does not know reads as the default.
    #[serde(default)]
    pub locale: Option<String>,
}

/// A submission that passed every rule, with each value normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContactRequest {
    request_reason: RequestReason,
    preferred_channel: PreferredChannel,
    preferred_phone: Option<PreferredPhone>,
    name: Option<VisitorName>,
    email: Option<VisitorEmail>,
    request_description: Option<RequestDescription>,
    is_callback: bool,
    /// Left out when absent, so the fingerprints of idempotency keys stored before it existed still match.
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_time: Option<CallbackTime>,
    /// Left out when absent, as `callback_time` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<VisitorTimeZone>,
    /// Left out when absent, as `callback_time` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<Locale>,
}

impl NewContactRequest {
    pub fn request_reason(&self) -> &RequestReason {
        &self.request_reason
    }
    pub fn preferred_channel(&self) -> PreferredChannel {
        self.preferred_channel
    }
    pub fn preferred_phone(&self) -> Option<&PreferredPhone> {
        self.preferred_phone.as_ref()
    }
    pub fn name(&self) -> Option<&VisitorName> {
        self.name.as_ref()
    }
    pub fn email(&self) -> Option<&VisitorEmail> {
        self.email.as_ref()
    }
    pub fn request_description(&self) -> Option<&RequestDescription> {
        self.request_description.as_ref()
    }
    pub fn is_callback(&self) -> bool {
        self.is_callback
    }
    /// When the visitor asked to be called; `None` for as soon as possible.
    pub fn callback_time(&self) -> Option<CallbackTime> {
        self.callback_time
    }
    /// The visitor's own time zone, when their browser said.
    pub fn time_zone(&self) -> Option<&VisitorTimeZone> {
        self.time_zone.as_ref()
    }
    /// The language the widget was shown in, when the sender said.
    pub fn locale(&self) -> Option<Locale> {
        self.locale
    }
}

impl ContactRequestForm {
    /// What to fix, per field, under the default rules (every reason and channel offered).
    pub fn errors(&self) -> FieldErrors {
        self.errors_with(&FormRules::default())
    }

    /// What to fix, per field: the value rules of each field, then what the site offers, then the rules
    /// that depend on the channel. Empty when the form can be sent.
    pub fn errors_with(&self, rules: &FormRules) -> FieldErrors {
        let mut errors = self.value_errors();
        let mut set = |name: &str, message: String| errors.insert_if_absent(name, || message);
        if let Ok(reason) = RequestReason::parse(text(&self.request_reason).trim())
            && !rules.reasons.contains(&reason)
        {
            set(field::REQUEST_REASON, FormRules::offered(&rules.reasons));
        }
        if let Some(Ok(channel)) = optional(&self.preferred_channel).map(PreferredChannel::from_str)
            && !rules.channels.contains(&channel)
        {
            set(
                field::PREFERRED_CHANNEL,
                FormRules::offered(&rules.channels),
            );
        }
        if let Some(Err(e)) = optional(&self.preferred_phone)
            .map(|p| PreferredPhone::parse_with_country(p, rules.default_country_code.as_deref()))
        {
            set(field::PREFERRED_PHONE, e.to_string());
        }
        let mut require =
            |name: &str, message: &str| errors.insert_if_absent(name, || message.to_owned());
        if blank(&self.request_reason) {
            require(field::REQUEST_REASON, "Choose a reason for your request.");
        }
        // An unknown channel is reported on its own; what it would require is unknowable.
        let Ok(channel) = self.channel(rules) else {
            return errors;
        };
        if channel.needs_phone() && blank(&self.preferred_phone) {
            let message = match channel {
                PreferredChannel::Text => "Enter a mobile number so we can text you.",
                _ => "Enter a phone number so we can call you.",
            };
            require(field::PREFERRED_PHONE, message);
        }
        if channel == PreferredChannel::Email && blank(&self.email) {
            require(field::EMAIL, "Enter your email address so we can reply.");
        }
        if channel != PreferredChannel::Phone && !blank(&self.callback_time) {
            require(
                field::CALLBACK_TIME,
                "A callback time is only for phone calls: choose Phone, or leave the time out.",
            );
        }
        errors
    }

    /// Parses the form under the default rules, with no time-zone database (so a time zone is refused).
    pub fn parse(&self) -> Result<NewContactRequest, ErrorBody> {
        self.parse_with(&FormRules::default(), &crate::NoTimeZones)
    }

    /// Parses the form into a request under a site's rules, with the time zone looked up in `zones`, or
    /// answers with every field to fix.
    pub fn parse_with(
        &self,
        rules: &FormRules,
        zones: &impl TimeZoneDatabase,
    ) -> Result<NewContactRequest, ErrorBody> {
        let mut errors = self.errors_with(rules);
        let time_zone = optional(&self.time_zone)
            .map(|zone| VisitorTimeZone::parse(zone, zones))
            .transpose();
        if let Err(e) = &time_zone {
            errors.insert_if_absent(field::TIME_ZONE, || e.to_string());
        }
        if !errors.is_empty() {
            return Err(ErrorBody::with_fields(errors));
        }
        // Every rule has passed, so each parse below succeeds (but the callback time's, see its field); an
        // error here would be a bug in `errors`, and is still answered as a field error rather than a panic.
        let fail = |name: &str, message: String| {
            let mut fields = FieldErrors::new();
            fields.insert(name.to_owned(), vec![message]);
            ErrorBody::with_fields(fields)
        };
        let request_reason = RequestReason::parse(text(&self.request_reason).trim())
            .map_err(|_| fail(field::REQUEST_REASON, InvalidReason::MESSAGE.to_owned()))?;
        let preferred_channel = self
            .channel(rules)
            .map_err(|e| fail(field::PREFERRED_CHANNEL, e.to_string()))?;
        let preferred_phone = optional(&self.preferred_phone)
            .map(|p| PreferredPhone::parse_with_country(p, rules.default_country_code.as_deref()))
            .transpose()
            .map_err(|e| fail(field::PREFERRED_PHONE, e.to_string()))?;
        let email = optional(&self.email)
            .map(VisitorEmail::parse)
            .transpose()
            .map_err(|e| fail(field::EMAIL, e.to_string()))?;
        let name =
            VisitorName::parse(text(&self.name)).map_err(|e| fail(field::NAME, e.to_string()))?;
        let request_description = RequestDescription::parse(text(&self.request_description))
            .map_err(|e| fail(field::REQUEST_DESCRIPTION, e.to_string()))?;
        let callback_time = optional(&self.callback_time)
            .map(CallbackTime::parse)
            .transpose()
            .map_err(|e| fail(field::CALLBACK_TIME, e.to_string()))?;
        Ok(NewContactRequest {
            request_reason,
            preferred_channel,
            preferred_phone,
            name,
            email,
            request_description,
            is_callback: self.is_callback,
            callback_time,
            time_zone: time_zone.ok().flatten(),
            locale: optional(&self.locale).map(Locale::parse),
        })
    }

    /// The chosen channel; blank means the site's default (Phone, when offered).
    fn channel(&self, rules: &FormRules) -> Result<PreferredChannel, crate::UnknownValue> {
        optional(&self.preferred_channel)
            .map_or(Ok(rules.default_channel()), PreferredChannel::from_str)
    }
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

fn optional(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn blank(value: &Option<String>) -> bool {
    optional(value).is_none()
}

/// A field's own rule: the message saying what to fix in its text, or `None` when it passes.
type ValueRule = fn(&str) -> Option<String>;

/// The value rules of each field, in form order, as plain functions from the text to the message that says
/// what to fix. [`ContactRequestForm::errors`] calls them directly, so the widget links none of validator's
/// machinery (its error maps and `serde_json` parameters weigh more than the rules); the `Validate` derive
/// runs the same functions through the adapters below.
const VALUE_RULES: [(&str, ValueRule); 5] = [
    (field::REQUEST_REASON, check_reason),
    (field::PREFERRED_CHANNEL, check_channel),
    (field::NAME, check_name),
    (field::EMAIL, check_email),
    (field::REQUEST_DESCRIPTION, check_description),
];

impl ContactRequestForm {
    /// What each field's own value rule says, keyed by field; fields left out are not checked.
    fn value_errors(&self) -> FieldErrors {
        let values = [
            &self.request_reason,
            &self.preferred_channel,
            &self.name,
            &self.email,
            &self.request_description,
        ];
        VALUE_RULES
            .iter()
            .zip(values)
            .filter_map(|((name, check), value)| {
                let message = check(value.as_deref()?)?;
                Some(((*name).to_owned(), vec![message]))
            })
            .collect()
    }
}

fn check_reason(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty())
        .then(|| RequestReason::parse(value).err())
        .flatten()
        .map(|_| InvalidReason::MESSAGE.to_owned())
}

fn check_channel(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty())
        .then(|| PreferredChannel::from_str(value).err())
        .flatten()
        .map(|e| e.to_string())
}

fn check_email(value: &str) -> Option<String> {
    (!value.trim().is_empty())
        .then(|| VisitorEmail::check(value).err())
        .flatten()
        .map(|e| e.to_string())
}

fn check_name(value: &str) -> Option<String> {
    VisitorName::parse(value).err().map(|e| e.to_string())
}

fn check_description(value: &str) -> Option<String> {
    RequestDescription::parse(value)
        .err()
        .map(|e| e.to_string())
}

/// Runs a plain rule as a validator rule.
fn adapt(code: &'static str, message: Option<String>) -> Result<(), ValidationError> {
    match message {
        Some(message) => Err(ValidationError::new(code).with_message(message.into())),
        None => Ok(()),
    }
}

fn rule_reason(value: &str) -> Result<(), ValidationError> {
    adapt("picklist", check_reason(value))
}

fn rule_channel(value: &str) -> Result<(), ValidationError> {
    adapt("picklist", check_channel(value))
}

fn rule_email(value: &str) -> Result<(), ValidationError> {
    adapt("email", check_email(value))
}

fn rule_name(value: &str) -> Result<(), ValidationError> {
    adapt("name", check_name(value))
}

fn rule_description(value: &str) -> Result<(), ValidationError> {
    adapt("description", check_description(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: serde_json::Value) -> ContactRequestForm {
        serde_json::from_value(json).expect("test form parses")
    }

    #[test]
    fn a_complete_phone_request_parses_with_normalised_values() {
        let request = form(serde_json::json!({
            "request_reason": "Billing",
            "preferred_phone": "+1 (415) 555-0100",
            "name": "  Ada ",
            "request_description": " Double charge\r\non my card ",
        }))
        .parse()
        .unwrap();
        assert_eq!(request.request_reason().as_str(), "Billing");
        assert_eq!(request.preferred_channel(), PreferredChannel::Phone);
        assert_eq!(request.preferred_phone().unwrap().as_str(), "+14155550100");
        assert_eq!(request.name().unwrap().as_str(), "Ada");
        assert_eq!(
            request.request_description().unwrap().as_str(),
            "Double charge\non my card"
        );
        assert!(request.email().is_none());
        assert!(!request.is_callback());
    }

    /// Knows one zone, as a server's database would.
    struct Paris;

    impl TimeZoneDatabase for Paris {
        fn iana_name(&self, name: &str) -> Option<String> {
            (name == "Europe/Paris").then(|| name.to_owned())
        }
    }

    #[test]
    fn a_request_may_carry_the_visitors_time_zone_and_leaves_it_out_of_its_fingerprint_when_absent()
    {
        let json =
            serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100"});
        let without = form(json.clone())
            .parse_with(&FormRules::default(), &Paris)
            .unwrap();
        assert_eq!(without.time_zone(), None);
        assert!(
            serde_json::to_value(&without)
                .unwrap()
                .get("time_zone")
                .is_none()
        );
        let mut with = json;
        with["time_zone"] = "Europe/Paris".into();
        let request = form(with)
            .parse_with(&FormRules::default(), &Paris)
            .unwrap();
        assert_eq!(
            request.time_zone().map(VisitorTimeZone::as_str),
            Some("Europe/Paris")
        );
        assert_eq!(
            serde_json::to_value(&request).unwrap()["time_zone"],
            "Europe/Paris"
        );
    }

    #[test]
    fn a_request_carries_the_widget_s_locale_and_an_unknown_one_reads_as_the_default() {
        let json =
            serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100"});
        let without = form(json.clone()).parse().unwrap();
        assert_eq!(without.locale(), None);
        assert!(
            serde_json::to_value(&without)
                .unwrap()
                .get("locale")
                .is_none(),
            "absent, it leaves the fingerprint as it was"
        );
        for (tag, expected) in [
            ("fr", Locale::Fr),
            ("fr-CA", Locale::Fr),
            ("xx", Locale::En),
        ] {
            let mut with = json.clone();
            with["locale"] = tag.into();
            assert_eq!(
                form(with).parse().unwrap().locale(),
                Some(expected),
                "{tag}"
            );
        }
        let mut blank = json;
        blank["locale"] = " ".into();
        assert_eq!(form(blank).parse().unwrap().locale(), None);
    }

    #[test]
    fn an_unknown_time_zone_is_reported_with_the_other_fields_to_fix() {
        let body = form(
            serde_json::json!({"preferred_phone": "+14155550100", "time_zone": "Mars/Olympus"}),
        )
        .parse_with(&FormRules::default(), &Paris)
        .unwrap_err();
        assert!(body.fields.contains_key(field::REQUEST_REASON), "{body:?}");
        assert!(body.fields.contains_key(field::TIME_ZONE), "{body:?}");
    }

    #[test]
    fn a_phone_request_may_name_a_callback_time_in_utc() {
        let request = form(serde_json::json!({
            "request_reason": "Billing",
            "preferred_phone": "+14155550100",
            "callback_time": "2026-03-02T14:30:00Z",
        }))
        .parse()
        .unwrap();
        assert_eq!(
            request.callback_time().map(|t| t.to_string()).as_deref(),
            Some("2026-03-02T14:30:00Z")
        );
        let serialised = serde_json::to_value(&request).unwrap();
        assert_eq!(serialised["callback_time"], "2026-03-02T14:30:00Z");
        let asap = form(serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "callback_time": " "}))
            .parse()
            .unwrap();
        assert_eq!(
            asap.callback_time(),
            None,
            "a blank time is as soon as possible"
        );
        assert!(
            serde_json::to_value(&asap)
                .unwrap()
                .get("callback_time")
                .is_none(),
            "absent from the canonical form, so older idempotency fingerprints still match"
        );
    }

    #[test]
    fn an_email_request_needs_no_phone() {
        let request = form(serde_json::json!({
            "request_reason": "Order",
            "preferred_channel": "Email",
            "email": "ada@example.com",
            "is_callback": true,
        }))
        .parse()
        .unwrap();
        assert_eq!(request.preferred_channel(), PreferredChannel::Email);
        assert!(request.preferred_phone().is_none());
        assert!(request.is_callback());
    }

    #[test]
    fn invalid_forms_name_each_field_to_fix() {
        let table = [
            (
                serde_json::json!({}),
                vec![
                    (
                        "preferred_phone",
                        "Enter a phone number so we can call you.",
                    ),
                    ("request_reason", "Choose a reason for your request."),
                ],
                "an empty form",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_channel": "Text", "preferred_phone": "  "}),
                vec![(
                    "preferred_phone",
                    "Enter a mobile number so we can text you.",
                )],
                "text without a number",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_channel": "Email", "preferred_phone": "+14155550100"}),
                vec![("email", "Enter your email address so we can reply.")],
                "email without an address",
            ),
            (
                serde_json::json!({"request_reason": "Refund", "preferred_phone": "+14155550100"}),
                vec![(
                    "request_reason",
                    "Choose one of: Account, Billing, Case, General, Order, Other, Product.",
                )],
                "a reason outside the picklist",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_channel": "Fax"}),
                vec![("preferred_channel", "Choose one of: Phone, Email, Text.")],
                "a channel outside the picklist",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_phone": "call me"}),
                vec![(
                    "preferred_phone",
                    "Remove \u{201c}c\u{201d}: a phone number can hold only digits, spaces, dashes, dots, parentheses and a leading +.",
                )],
                "letters in the phone",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "email": "nope"}),
                vec![("email", "Enter an email address like name@example.com.")],
                "a malformed optional email",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "request_description": "a\u{7}"}),
                vec![(
                    "request_description",
                    "Remove the invisible control character U+0007 from the description.",
                )],
                "a control character in the description",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "callback_time": "next Tuesday"}),
                vec![(
                    "callback_time",
                    "Choose a time from the list, or ask us to call as soon as possible (a time is sent in UTC, such as 2026-03-02T14:30:00Z).",
                )],
                "a callback time that is not a UTC instant",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_channel": "Email", "email": "a@example.com", "callback_time": "2026-03-02T14:30:00Z"}),
                vec![(
                    "callback_time",
                    "A callback time is only for phone calls: choose Phone, or leave the time out.",
                )],
                "a callback time for an email reply",
            ),
            (
                serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100", "name": "a\nb"}),
                vec![(
                    "name",
                    "Write the name on one line, without control characters.",
                )],
                "a two-line name",
            ),
        ];
        for (json, expected, why) in table {
            let body = form(json).parse().unwrap_err();
            let got: Vec<(&str, &str)> = body
                .fields
                .iter()
                .map(|(k, v)| (k, v[0].as_str()))
                .collect();
            assert_eq!(got, expected, "{why}");
        }
    }

    #[test]
    fn a_value_error_is_reported_instead_of_requiredness_not_with_it() {
        let errors =
            form(serde_json::json!({"request_reason": "Billing", "preferred_phone": "12"}))
                .errors();
        assert_eq!(errors["preferred_phone"].len(), 1);
        assert_eq!(
            errors["preferred_phone"][0],
            "Start with + and the country code, for example +44 20 7946 0958."
        );
    }

    #[test]
    fn a_site_s_rules_limit_reasons_and_channels_and_read_national_numbers() {
        let rules = FormRules {
            reasons: ["Order", "Billing"]
                .map(|r| RequestReason::parse(r).unwrap())
                .to_vec(),
            channels: vec![PreferredChannel::Email, PreferredChannel::Text],
            default_country_code: Some("44".into()),
        };
        let table = [
            (
                serde_json::json!({"request_reason": "Product", "preferred_channel": "Email", "email": "a@example.com"}),
                vec![("request_reason", "Choose one of: Order, Billing.")],
                "a reason the site does not offer",
            ),
            (
                serde_json::json!({"request_reason": "Order", "preferred_channel": "Phone", "preferred_phone": "+14155550100"}),
                vec![("preferred_channel", "Choose one of: Email, Text.")],
                "a channel the site does not offer",
            ),
            (
                serde_json::json!({"request_reason": "Order"}),
                vec![("email", "Enter your email address so we can reply.")],
                "no channel means the site's first channel",
            ),
        ];
        for (json, expected, why) in table {
            let errors = form(json).errors_with(&rules);
            let got: Vec<(&str, &str)> = errors.iter().map(|(k, v)| (k, v[0].as_str())).collect();
            assert_eq!(got, expected, "{why}");
        }
        let national = form(serde_json::json!({"request_reason": "Billing", "preferred_channel": "Text", "preferred_phone": "07700 900123"}))
            .parse_with(&rules, &crate::NoTimeZones)
            .unwrap();
        assert_eq!(
            national.preferred_phone().unwrap().as_str(),
            "+447700900123"
        );
    }

    #[test]
    fn null_reads_as_empty_and_unknown_fields_are_refused() {
        let nulls = form(serde_json::json!({"request_reason": null, "preferred_phone": null}));
        assert_eq!(nulls, ContactRequestForm::default());
        let err = serde_json::from_value::<ContactRequestForm>(
            serde_json::json!({"phone": "+14155550100"}),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("unknown field `phone`, expected one of"),
            "{err}"
        );
    }

    #[test]
    fn the_error_body_counts_the_fields() {
        let body = ContactRequestForm::default().parse().unwrap_err();
        assert_eq!(body.message, "2 fields need fixing.");
    }

    #[test]
    fn the_validate_derive_and_the_plain_rules_give_the_same_messages() {
        let forms = [
            serde_json::json!({}),
            serde_json::json!({"request_reason": "Sales", "preferred_channel": "Fax"}),
            serde_json::json!({"preferred_phone": "12ab", "email": "nope", "name": "a\nb", "callback_time": "soon"}),
            serde_json::json!({"request_reason": "Billing", "preferred_phone": "+14155550100"}),
        ];
        for json in forms {
            let form = form(json.clone());
            let via_validator: FieldErrors = match form.validate() {
                Ok(()) => FieldErrors::new(),
                Err(errors) => errors
                    .field_errors()
                    .into_iter()
                    .map(|(name, list)| {
                        let messages = list.iter().map(|e| e.message.clone().unwrap().into_owned());
                        (name.into_owned(), messages.collect())
                    })
                    .collect(),
            };
            assert_eq!(form.value_errors(), via_validator, "{json}");
        }
    }
}
