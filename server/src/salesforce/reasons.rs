//! The organisation's values of ContactRequest.RequestReason. The reference says they "are customizable in
//! Object Manager" and lists its defaults; here the sites file is the Object Manager: its
//! `[[request_reason]]` entries relabel or deactivate a default, add values of the organisation's own, and
//! say which one a record created without a reason gets ("Defaulted on create").
//!
//! The picklist is not restricted (the reference does not say Restricted), so the API stores any value, as
//! Salesforce does; the values here are what describe lists, what sites may offer their visitors, and
//! the labels shown for them.

use contact_shared::RequestReason;

use super::schema::{SObject, prop};
use super::values::Change;
use crate::store::Value as Sql;

/// One value, as the organisation configured it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonValue {
    pub value: RequestReason,
    /// What people see for it, the API name unless configured.
    pub label: String,
    /// Whether it may be offered and is described; an inactive value stays on the records that hold it.
    pub active: bool,
}

/// Every value, in the order configured: the reference's defaults first, then the organisation's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestReasons {
    values: Vec<ReasonValue>,
    /// The index of the value a record created without one gets, if any.
    default: Option<usize>,
}

/// The value defaulted on create unless the configuration names another: the reference's catch-all.
pub const STANDARD_DEFAULT: &str = "General";

impl Default for RequestReasons {
    /// The reference's values, labelled with their API names, and [`STANDARD_DEFAULT`] the default.
    fn default() -> Self {
        let values: Vec<ReasonValue> = RequestReason::defaults()
            .into_iter()
            .map(|value| ReasonValue {
                label: value.as_str().to_owned(),
                value,
                active: true,
            })
            .collect();
        let default = values
            .iter()
            .position(|v| v.value.as_str() == STANDARD_DEFAULT);
        Self { values, default }
    }
}

impl RequestReasons {
    /// `values` in order, with the one named `default` (which must be active) defaulted on create.
    pub fn new(values: Vec<ReasonValue>, default: Option<&str>) -> Self {
        let default = default.and_then(|d| {
            values
                .iter()
                .position(|v| v.active && v.value.as_str() == d)
        });
        Self { values, default }
    }

    /// Every value, active or not, in order.
    pub fn all(&self) -> &[ReasonValue] {
        &self.values
    }

    /// The values that may be offered and are described, in order.
    pub fn active(&self) -> impl Iterator<Item = &ReasonValue> {
        self.values.iter().filter(|v| v.active)
    }

    /// The value called `value`, active or not.
    pub fn find(&self, value: &str) -> Option<&ReasonValue> {
        self.values.iter().find(|v| v.value.as_str() == value)
    }

    /// The value a record created without a reason gets.
    pub fn default_value(&self) -> Option<&RequestReason> {
        self.default.map(|i| &self.values[i].value)
    }

    /// The changes of a create of `object` at API version `major`, with the default value of each
    /// customizable picklist the body left out ("Defaulted on create"). A value given, null too, stays.
    pub fn with_defaults(&self, object: &'static SObject, major: u32, changes: &mut Vec<Change>) {
        let Some(default) = self.default_value() else {
            return;
        };
        for field in object.fields_in(major) {
            if field.has(prop::ORG_VALUES) && !changes.iter().any(|c| c.field.name == field.name) {
                changes.push(Change {
                    field,
                    value: Sql::Text(default.as_str().to_owned()),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_configuration_the_values_are_the_reference_s_and_general_is_the_default() {
        let reasons = RequestReasons::default();
        let values: Vec<&str> = reasons.active().map(|v| v.value.as_str()).collect();
        assert_eq!(values, RequestReason::DEFAULTS);
        assert_eq!(reasons.default_value().map(|v| v.as_str()), Some("General"));
        assert_eq!(reasons.find("Billing").unwrap().label, "Billing");
    }

    #[test]
    fn an_inactive_value_cannot_be_the_default() {
        let value = |v: &str, active| ReasonValue {
            value: RequestReason::parse(v).unwrap(),
            label: v.to_owned(),
            active,
        };
        let reasons = RequestReasons::new(vec![value("A", false), value("B", true)], Some("A"));
        assert_eq!(reasons.default_value(), None);
        assert_eq!(reasons.active().count(), 1);
        assert!(reasons.find("A").is_some());
    }
}
