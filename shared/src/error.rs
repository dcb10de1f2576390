//! The error body both sides speak: a message, and the messages for each field that needs fixing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Messages per field, keyed by the wire name of the field (see [`crate::field`]), in key order; on the wire
/// a JSON object.
///
/// A sorted list rather than a `BTreeMap`: the widget links this type, a tree map's node and sort code cost
/// it about 25 KB of wasm, and a form has a handful of fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    from = "BTreeMap<String, Vec<String>>",
    into = "BTreeMap<String, Vec<String>>"
)]
pub struct FieldErrors(Vec<(String, Vec<String>)>);

impl FieldErrors {
    /// No field needs fixing.
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    fn position(&self, field: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(key, _)| key.as_str().cmp(field))
    }

    /// The messages for `field`, if it has any.
    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.position(field).ok().map(|i| self.0[i].1.as_slice())
    }

    /// Whether `field` has messages.
    pub fn contains_key(&self, field: &str) -> bool {
        self.position(field).is_ok()
    }

    /// Sets the messages of `field`, answering the ones they replace.
    pub fn insert(&mut self, field: String, messages: Vec<String>) -> Option<Vec<String>> {
        match self.position(&field) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, messages)),
            Err(i) => {
                self.0.insert(i, (field, messages));
                None
            }
        }
    }

    /// Records `message` for `field` unless the field already has a message: the first rule to fail wins.
    pub fn insert_if_absent(&mut self, field: &str, message: impl FnOnce() -> String) {
        if let Err(i) = self.position(field) {
            self.0.insert(i, (field.to_owned(), vec![message()]));
        }
    }

    /// Removes `field`'s messages, answering them.
    pub fn remove(&mut self, field: &str) -> Option<Vec<String>> {
        self.position(field).ok().map(|i| self.0.remove(i).1)
    }

    /// Whether no field needs fixing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields need fixing.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The fields that need fixing, in key order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(key, _)| key.as_str())
    }

    /// Each field with its messages, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(key, m)| (key.as_str(), m.as_slice()))
    }
}

/// The messages for `field`, which must have some.
impl std::ops::Index<&str> for FieldErrors {
    type Output = [String];

    fn index(&self, field: &str) -> &[String] {
        self.get(field)
            .unwrap_or_else(|| panic!("no messages for {field:?}"))
    }
}

/// Later messages for a field replace earlier ones, as in a map.
impl FromIterator<(String, Vec<String>)> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = (String, Vec<String>)>>(pairs: I) -> Self {
        let mut errors = Self::new();
        for (field, messages) in pairs {
            errors.insert(field, messages);
        }
        errors
    }
}

impl<const N: usize> From<[(String, Vec<String>); N]> for FieldErrors {
    fn from(pairs: [(String, Vec<String>); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, Vec<String>>> for FieldErrors {
    fn from(map: BTreeMap<String, Vec<String>>) -> Self {
        Self(map.into_iter().collect())
    }
}

impl From<FieldErrors> for BTreeMap<String, Vec<String>> {
    fn from(errors: FieldErrors) -> Self {
        errors.0.into_iter().collect()
    }
}

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
    fn fields_stay_in_key_order_and_the_first_message_wins() {
        let mut errors = FieldErrors::new();
        errors.insert_if_absent("phone", || "first".into());
        errors.insert_if_absent("email", || "e".into());
        errors.insert_if_absent("phone", || "second".into());
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["email", "phone"]);
        assert_eq!(errors.get("phone").unwrap(), &["first"]);
        assert_eq!(
            errors.insert("phone".into(), vec!["third".into()]).unwrap(),
            ["first"]
        );
        assert_eq!(errors.remove("email").unwrap(), ["e"]);
        assert!(!errors.contains_key("email"));
        assert_eq!(errors.len(), 1);
        let built: FieldErrors = [("b".into(), vec!["x".into()]), ("a".into(), vec![])].into();
        assert_eq!(built.keys().collect::<Vec<_>>(), ["a", "b"]);
        let json = serde_json::to_string(&built).unwrap();
        assert_eq!(json, r#"{"a":[],"b":["x"]}"#);
        assert_eq!(serde_json::from_str::<FieldErrors>(&json).unwrap(), built);
    }

    #[test]
    fn a_body_without_fields_still_parses() {
        let body: ErrorBody = serde_json::from_str(r#"{"message":"Try again."}"#).unwrap();
        assert_eq!(body, ErrorBody::new("Try again."));
    }
}
