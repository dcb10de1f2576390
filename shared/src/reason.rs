//! `RequestReason`: why the visitor wants to be contacted.

picklist! {
    /// The reason the customer gives in the contact request flow (ContactRequest.RequestReason).
    /// The values are the reference's defaults; sites choose a subset and may relabel them.
    RequestReason {
        Account => "Account",
        Billing => "Billing",
        Case => "Case",
        General => "General",
        Order => "Order",
        Other => "Other",
        Product => "Product",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_value_round_trips_through_its_api_name() {
        for reason in RequestReason::ALL {
            assert_eq!(reason.as_str().parse::<RequestReason>(), Ok(*reason));
        }
        assert_eq!(RequestReason::ALL.len(), 7);
    }

    #[test]
    fn values_outside_the_picklist_are_rejected_with_the_allowed_list() {
        for given in ["", "account", "ACCOUNT", "Sales", " Account"] {
            let err = given.parse::<RequestReason>().unwrap_err();
            assert_eq!(
                err.to_string(),
                "Choose one of: Account, Billing, Case, General, Order, Other, Product.",
                "{given:?}"
            );
        }
    }

    #[test]
    fn serialises_as_the_api_value() {
        let json = serde_json::to_string(&RequestReason::Billing).unwrap();
        assert_eq!(json, "\"Billing\"");
        assert_eq!(
            serde_json::from_str::<RequestReason>(&json).unwrap(),
            RequestReason::Billing
        );
        assert!(serde_json::from_str::<RequestReason>("\"billing\"").is_err());
    }
}
