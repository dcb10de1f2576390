//! The call center of the built-in demo sites, so the demo offers callback times without a call-center
//! file. It has no telephony keys: no provider can request callbacks through it.

use super::{BusinessHours, CallCenter, SlotPolicy, SoftphoneLayout};

/// The internal name the demo sites give as their `call_center`. A call-center file may declare a center
/// of this name to replace the built-in one.
pub const DEMO_CALL_CENTER: &str = "demo";

/// London, weekdays 08:00–18:00 and Saturday mornings, half-hour slots for the next five open days.
pub fn demo_center() -> CallCenter {
    let weekday = Some((8 * 60, 18 * 60));
    let zone = "Europe/London";
    CallCenter {
        internal_name: DEMO_CALL_CENTER.to_owned(),
        name: "Northwind call center".to_owned(),
        unified_routing: true,
        time_zone_name: zone.to_owned(),
        // Only a system without a time zone database lacks London; the demo then keeps UTC hours.
        time_zone: jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC),
        business_hours: BusinessHours {
            days: [
                weekday,
                weekday,
                weekday,
                weekday,
                weekday,
                Some((9 * 60, 13 * 60)),
                None,
            ],
        },
        additional_numbers: Vec::new(),
        retry_delay_seconds: 15 * 60,
        max_attempts: 3,
        issuer: String::new(),
        audience: String::new(),
        leeway_seconds: 30,
        keys: Vec::new(),
        slots: SlotPolicy::default(),
        softphone_layout: SoftphoneLayout::default(),
        softphone_url: None,
        queue: None,
        default_country_code: Some("44".to_owned()),
    }
}
