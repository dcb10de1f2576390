//! `PreferredChannel`: how the visitor wants to be contacted.

picklist! {
    /// The channel the customer selected as their preferred method of communication
    /// (ContactRequest.PreferredChannel).
    PreferredChannel {
        Phone => "Phone",
        Email => "Email",
        /// A text message (SMS) to the preferred phone.
        Text => "Text",
    }
}

impl Default for PreferredChannel {
    /// Phone, as in the reference flow.
    fn default() -> Self {
        Self::Phone
    }
}

impl PreferredChannel {
    /// The label a visitor sees.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Phone => "Phone",
            Self::Email => "Email",
            Self::Text => "Text (SMS)",
        }
    }

    /// Whether reaching the visitor on this channel needs their phone number.
    pub const fn needs_phone(self) -> bool {
        matches!(self, Self::Phone | Self::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_is_the_default() {
        assert_eq!(PreferredChannel::default(), PreferredChannel::Phone);
    }

    #[test]
    fn phone_and_text_need_a_phone_number_and_email_does_not() {
        let table = [
            (PreferredChannel::Phone, true),
            (PreferredChannel::Text, true),
            (PreferredChannel::Email, false),
        ];
        for (channel, needs) in table {
            assert_eq!(channel.needs_phone(), needs, "{channel}");
        }
    }

    #[test]
    fn text_is_labelled_as_sms_but_sent_as_text() {
        assert_eq!(PreferredChannel::Text.label(), "Text (SMS)");
        assert_eq!(
            serde_json::to_string(&PreferredChannel::Text).unwrap(),
            "\"Text\""
        );
        assert!("SMS".parse::<PreferredChannel>().is_err());
    }
}
