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

impl Status {
    /// The statuses of a request that still takes call attempts: it can be routed, claimed, booked and
    /// called back.
    pub const OPEN: &'static [Self] = &[Self::New, Self::Attempted];

    /// Whether a request in this status still takes call attempts.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
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

    #[test]
    fn new_and_attempted_are_open_and_the_rest_are_closed() {
        assert!(Status::New.is_open() && Status::Attempted.is_open());
        assert!(!Status::Contacted.is_open() && !Status::Abandoned.is_open());
    }
}
