//! Instants as a person reads them, in a given time zone (the browser's `Intl`).

use wasm_bindgen::JsValue;

/// `iso` (an API datetime) as a date and time in `time_zone` (IANA; `None`: the browser's own).
pub fn local(iso: &str, time_zone: Option<&str>) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_owned();
    }
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    };
    set("dateStyle", "medium");
    set("timeStyle", "short");
    if let Some(zone) = time_zone {
        set("timeZone", zone);
    }
    String::from(date.to_locale_string("en-GB", &options))
}

/// The browser's time zone, as IANA names it.
pub fn browser_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_else(|| "UTC".into())
}
