//! What a site offers: the public settings its widget fetches, and the form rules they imply.

use serde::{Deserialize, Serialize};

use crate::{PreferredChannel, RequestReason};

/// A value a site offers, with the label its visitors see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice<T> {
    pub value: T,
    pub label: String,
}

/// A site's public settings, as `GET /api/v1/sites/{key}` answers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub key: String,
    pub name: String,
    /// Whether only signed-in visitors may submit (the widget then shows a sign-in hint to guests).
    pub sign_in_required: bool,
    pub reasons: Vec<Choice<RequestReason>>,
    pub channels: Vec<Choice<PreferredChannel>>,
    /// Digits of the calling code assumed for numbers typed without `+`.
    pub default_country_code: Option<String>,
    /// Whether a visitor asking for a phone call may choose when (the site has a call center whose slots
    /// `GET /api/v1/sites/{key}/callback-slots` lists).
    #[serde(default)]
    pub callback_slots: bool,
    /// The site's direct contact options, shown beside the form as links, in the order configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub direct: Vec<DirectContact>,
}

/// A way to reach the site at once, without the form: a number to call or text, an address to email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectContact {
    pub kind: DirectKind,
    /// The number in E.164 (call, text) or the email address.
    pub value: String,
    /// What the link says, such as "Call us now".
    pub label: String,
}

impl DirectContact {
    /// The link's address: `tel:`, `mailto:` or `sms:` and the value.
    pub fn href(&self) -> String {
        let mut href = String::from(self.kind.scheme());
        href.push_str(&self.value);
        href
    }
}

/// How a [`DirectContact`] reaches the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DirectKind {
    Call,
    Email,
    Text,
}

impl DirectKind {
    pub const ALL: [Self; 3] = [Self::Call, Self::Email, Self::Text];

    /// As written in the sites file and the settings (`call`, `email`, `text`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Email => "email",
            Self::Text => "text",
        }
    }

    /// The URL scheme of its link.
    pub const fn scheme(self) -> &'static str {
        match self {
            Self::Call => "tel:",
            Self::Email => "mailto:",
            Self::Text => "sms:",
        }
    }

    /// What a use of its link counts.
    pub const fn measure(self) -> crate::Measure {
        match self {
            Self::Call => crate::Measure::ClickToCall,
            Self::Email => crate::Measure::ClickToEmail,
            Self::Text => crate::Measure::ClickToText,
        }
    }
}

impl std::str::FromStr for DirectKind {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::UnknownValue {
                given: s.to_owned(),
                allowed: &["call", "email", "text"],
            })
    }
}

impl SiteSettings {
    /// The rules a submission to this site must pass.
    pub fn rules(&self) -> FormRules {
        FormRules {
            reasons: self.reasons.iter().map(|c| c.value.clone()).collect(),
            channels: self.channels.iter().map(|c| c.value).collect(),
            default_country_code: self.default_country_code.clone(),
        }
    }
}

/// The site-dependent part of the form's rules: which reasons and channels are offered, and how to read a
/// phone number typed without its country code. The default offers everything and assumes no country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRules {
    pub reasons: Vec<RequestReason>,
    pub channels: Vec<PreferredChannel>,
    pub default_country_code: Option<String>,
}

impl Default for FormRules {
    fn default() -> Self {
        Self {
            reasons: RequestReason::defaults(),
            channels: PreferredChannel::ALL.to_vec(),
            default_country_code: None,
        }
    }
}

impl FormRules {
    /// The channel of a form that names none: Phone when offered, else the first offered.
    pub fn default_channel(&self) -> PreferredChannel {
        if self.channels.contains(&PreferredChannel::Phone) {
            PreferredChannel::Phone
        } else {
            self.channels.first().copied().unwrap_or_default()
        }
    }

    /// "Choose one of: …" for the offered values.
    pub(crate) fn offered<T: std::fmt::Display>(values: &[T]) -> String {
        use std::fmt::Write;
        let mut message = String::from("Choose one of: ");
        for (i, value) in values.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let _ = write!(message, "{separator}{value}");
        }
        message.push('.');
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_channel_is_phone_when_offered_and_otherwise_the_first() {
        let table = [
            (
                vec![PreferredChannel::Email, PreferredChannel::Phone],
                PreferredChannel::Phone,
            ),
            (
                vec![PreferredChannel::Email, PreferredChannel::Text],
                PreferredChannel::Email,
            ),
            (vec![], PreferredChannel::Phone),
        ];
        for (channels, expected) in table {
            let rules = FormRules {
                channels,
                ..FormRules::default()
            };
            assert_eq!(rules.default_channel(), expected);
        }
    }
}
