//! `RequestReason`: why the visitor wants to be contacted.

use serde::{Deserialize, Serialize};

/// The reason the customer gives in the contact request flow (ContactRequest.RequestReason).
///
/// Its values are the organisation's: the reference says they are "customizable in Object Manager", so
/// this is any API value of at most [`Self::MAX_CHARS`] characters, and which values a form may send is
/// the site's to say ([`crate::FormRules::reasons`]). [`Self::DEFAULTS`] are the reference's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestReason(String);

/// A text that cannot be a RequestReason value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidReason;

impl InvalidReason {
    /// What to fix, as the form's rules answer it (a constant, so the widget links no formatting for it).
    pub const MESSAGE: &'static str =
        "A reason is 1 to 255 characters, without line breaks or spaces around it.";
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for InvalidReason {}

impl RequestReason {
    /// The reference's default values, in its order.
    pub const DEFAULTS: [&'static str; 7] = [
        "Account", "Billing", "Case", "General", "Order", "Other", "Product",
    ];
    /// A picklist value's longest API name, as Salesforce's.
    pub const MAX_CHARS: usize = 255;

    /// `value`, when it can be a value: 1 to [`Self::MAX_CHARS`] characters, no control character, no
    /// space around it.
    pub fn parse(value: &str) -> Result<Self, InvalidReason> {
        let fits = !value.is_empty()
            && value.trim() == value
            && value.chars().count() <= Self::MAX_CHARS
            && !value.chars().any(char::is_control);
        if fits {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidReason)
        }
    }

    /// The reference's default values, in its order.
    pub fn defaults() -> Vec<Self> {
        // A plain loop: 10 B less of the widget than a mapped collect, a generic copy for this one list.
        let mut all = Vec::with_capacity(Self::DEFAULTS.len());
        for value in Self::DEFAULTS {
            all.push(Self(value.to_owned()));
        }
        all
    }

    /// The API value, as stored and sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for RequestReason {
    type Err = InvalidReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RequestReason {
    type Error = InvalidReason;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RequestReason> for String {
    fn from(reason: RequestReason) -> Self {
        reason.0
    }
}

impl std::fmt::Display for RequestReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_defaults_are_values_and_so_is_an_organisation_s_own() {
        for value in RequestReason::DEFAULTS
            .into_iter()
            .chain(["Warranty", "Délai de livraison"])
        {
            assert_eq!(RequestReason::parse(value).unwrap().as_str(), value);
        }
        assert_eq!(RequestReason::defaults().len(), 7);
        assert!(RequestReason::parse(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn texts_that_cannot_be_a_value_are_refused_with_what_a_value_is() {
        let long = "x".repeat(256);
        for given in ["", " Account", "Account ", "a\nb", "a\u{7}b", long.as_str()] {
            let err = RequestReason::parse(given).unwrap_err();
            assert_eq!(
                err.to_string(),
                "A reason is 1 to 255 characters, without line breaks or spaces around it.",
                "{given:?}"
            );
        }
    }

    #[test]
    fn serialises_as_the_api_value() {
        let billing = RequestReason::parse("Billing").unwrap();
        let json = serde_json::to_string(&billing).unwrap();
        assert_eq!(json, "\"Billing\"");
        assert_eq!(
            serde_json::from_str::<RequestReason>(&json).unwrap(),
            billing
        );
        assert!(serde_json::from_str::<RequestReason>("\"\"").is_err());
    }
}
