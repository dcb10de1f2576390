//! Reading record ids as clients send them: the 18-character form, or the 15-character case-sensitive form
//! that is completed with its case-safe suffix.

pub use crate::ids::RecordId;

/// The 18-character form of `value`, when it is a well-formed 15- or 18-character id.
pub fn to_18(value: &str) -> Option<String> {
    RecordId::parse(value).map(RecordId::into_string)
}

/// The 18-character id of a record of the object with `prefix`, when `value` is one.
pub fn of_object(value: &str, prefix: &str) -> Option<RecordId> {
    RecordId::of_object(value, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_in_both_forms_and_checked() {
        let table = [
            (
                "0015000000VALDt",
                Some("0015000000VALDtAAP"),
                "the 15-character form is completed",
            ),
            (
                "0015000000VALDtAAP",
                Some("0015000000VALDtAAP"),
                "the 18-character form is kept",
            ),
            (
                "0015000000VALDtaap",
                Some("0015000000VALDtAAP"),
                "the suffix is read without case",
            ),
            (
                "0015000000VALDtAAA",
                None,
                "a suffix that does not match is refused",
            ),
            ("0015000000VALD", None, "14 characters are not an id"),
            ("0015000000VALDt'--", None, "punctuation is not an id"),
            ("", None, "empty is not an id"),
        ];
        for (value, expected, why) in table {
            assert_eq!(to_18(value).as_deref(), expected, "{why}");
        }
        assert!(of_object("0015000000VALDt", "001").is_some());
        assert!(of_object("0015000000VALDt", "0SR").is_none());
    }
}
