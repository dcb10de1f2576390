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
}

impl SiteSettings {
    /// The rules a submission to this site must pass.
    pub fn rules(&self) -> FormRules {
        FormRules {
            reasons: self.reasons.iter().map(|c| c.value).collect(),
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
            reasons: RequestReason::ALL.to_vec(),
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
