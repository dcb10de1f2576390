//! The error body both sides speak: a message, and the messages for each field that needs fixing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Messages per field, keyed by the wire name of the field (see [`crate::field`]).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Every error the intake API answers has this JSON shape:
/// `{"message": "...", "fields": {"preferred_phone": ["..."]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, as a sentence a person can act on.
    pub message: String,
    /// What to fix in each field; empty when the error is not about a field.
    #[serde(default)]
    pub fields: FieldErrors,
}

impl ErrorBody {
    /// An error that is not about any one field.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }

    /// An error listing what to fix in each field.
    pub fn with_fields(fields: FieldErrors) -> Self {
        let message = match fields.len() {
            1 => "One field needs fixing.".to_owned(),
            n => format!("{n} fields need fixing."),
        };
        Self { message, fields }
    }

    /// The first message for `field`, if any.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(|m| m.first())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_documented_shape() {
        let mut fields = FieldErrors::new();
        fields.insert(
            "preferred_phone".into(),
            vec!["Enter a phone number.".into()],
        );
        let body = ErrorBody::with_fields(fields);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "message": "One field needs fixing.",
                "fields": {"preferred_phone": ["Enter a phone number."]}
            })
        );
    }

    #[test]
    fn a_body_without_fields_still_parses() {
        let body: ErrorBody = serde_json::from_str(r#"{"message":"Try again."}"#).unwrap();
        assert_eq!(body, ErrorBody::new("Try again."));
    }
}
