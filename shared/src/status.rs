//! `Status`: where a contact request is in the representatives' work.

picklist! {
    /// The status of a contact request (ContactRequest.Status): every request starts as New, and a
    /// representative moves it to Attempted, Contacted or Abandoned.
    Status {
        New => "New",
        Attempted => "Attempted",
        Contacted => "Contacted",
        Abandoned => "Abandoned",
    }
}

impl Default for Status {
    /// New, the reference's default on create.
    fn default() -> Self {
        Self::New
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_the_default_and_all_four_reference_values_parse() {
        assert_eq!(Status::default(), Status::New);
        for value in ["New", "Attempted", "Contacted", "Abandoned"] {
            assert_eq!(value.parse::<Status>().unwrap().as_str(), value);
        }
    }
}
