//! The JSON the widget sends and reads, through the browser's own `JSON` rather than `serde_json`.
//!
//! The shapes are the shared crate's serde types; only the codec differs. `serde_json`'s parser, error
//! messages and float formatting were the largest part of the widget's WebAssembly, while the browser
//! already ships a JSON codec. Natively (unit tests, clippy) the same functions use `serde_json`, so the
//! logic around them is tested without a browser; the browser path is exercised by the e2e suite.

use contact_shared::{
    Challenge, ContactRequestCreated, ContactRequestForm, ErrorBody, SiteSettings,
};

/// The claims a token carries about the visitor, as its payload says (decoded by
/// `identity`, which shows them in the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[cfg(target_arch = "wasm32")]
mod codec {
    use contact_shared::{
        Challenge, Choice, ContactRequestCreated, ContactRequestForm, DirectContact, ErrorBody,
        FieldErrors, SiteSettings,
    };
    use js_sys::{Array, JSON, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn get(object: &JsValue, key: &str) -> JsValue {
        Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    pub fn form(form: &ContactRequestForm) -> String {
        let object = Object::new();
        let fields = [
            ("request_reason", &form.request_reason),
            ("preferred_channel", &form.preferred_channel),
            ("preferred_phone", &form.preferred_phone),
            ("name", &form.name),
            ("email", &form.email),
            ("request_description", &form.request_description),
            ("callback_time", &form.callback_time),
            ("time_zone", &form.time_zone),
            ("locale", &form.locale),
        ];
        for (key, value) in fields {
            let value = value.as_deref().map_or(JsValue::NULL, JsValue::from_str);
            let _ = Reflect::set(&object, &key.into(), &value);
        }
        let _ = Reflect::set(&object, &"is_callback".into(), &form.is_callback.into());
        JSON::stringify(&object)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn created(body: &str) -> Option<ContactRequestCreated> {
        let value = JSON::parse(body).ok()?;
        Some(ContactRequestCreated {
            id: get(&value, "id").as_string()?,
            name: get(&value, "name").as_string()?,
            status: get(&value, "status").as_string()?.parse().ok()?,
        })
    }

    pub fn error_body(body: &str) -> Option<ErrorBody> {
        let value = JSON::parse(body).ok()?;
        let message = get(&value, "message").as_string()?;
        let mut fields = FieldErrors::new();
        let raw = get(&value, "fields");
        if raw.is_object() {
            for key in Object::keys(&raw.clone().into()).iter() {
                let messages = Array::from(&get(&raw, &key.as_string()?))
                    .iter()
                    .filter_map(|m| m.as_string())
                    .collect();
                fields.insert(key.as_string()?, messages);
            }
        }
        Some(ErrorBody { message, fields })
    }

    pub fn challenge(body: &str) -> Option<Challenge> {
        let value = JSON::parse(body).ok()?;
        let number = |key| get(&value, key).as_f64().unwrap_or(0.0);
        Some(Challenge {
            token: get(&value, "token").as_string()?,
            difficulty: number("difficulty") as u8,
            not_before_ms: number("not_before_ms") as u64,
            expires_in_ms: number("expires_in_ms") as u64,
        })
    }

    pub fn settings(body: &str) -> Option<SiteSettings> {
        let value = JSON::parse(body).ok()?;
        Some(SiteSettings {
            key: get(&value, "key").as_string()?,
            name: get(&value, "name").as_string()?,
            sign_in_required: get(&value, "sign_in_required").as_bool()?,
            reasons: choices(&value, "reasons"),
            channels: choices(&value, "channels"),
            default_country_code: get(&value, "default_country_code").as_string(),
            callback_slots: get(&value, "callback_slots").is_truthy(),
            direct: Array::from(&get(&value, "direct"))
                .iter()
                .filter_map(|link| {
                    Some(DirectContact {
                        kind: get(&link, "kind").as_string()?.parse().ok()?,
                        value: get(&link, "value").as_string()?,
                        label: get(&link, "label").as_string()?,
                    })
                })
                .collect(),
        })
    }

    /// The choices under `key`, leaving out values this build does not know.
    fn choices<T: std::str::FromStr>(value: &JsValue, key: &str) -> Vec<Choice<T>> {
        Array::from(&get(value, key))
            .iter()
            .filter_map(|choice| {
                Some(Choice {
                    value: get(&choice, "value").as_string()?.parse().ok()?,
                    label: get(&choice, "label").as_string()?,
                })
            })
            .collect()
    }

    pub fn slots(body: &str) -> Option<Vec<String>> {
        let value = JSON::parse(body).ok()?;
        let slots = Array::from(&get(&value, "slots"));
        Some(
            slots
                .iter()
                .filter_map(|s| get(&s, "start").as_string())
                .collect(),
        )
    }

    pub fn claims(body: &str) -> Option<super::Claims> {
        let value = JSON::parse(body).ok()?;
        if !value.is_object() || Array::is_array(&value) {
            return None;
        }
        Some(super::Claims {
            name: get(&value, "name").as_string(),
            email: get(&value, "email").as_string(),
            phone: get(&value, "phone").as_string(),
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod codec {
    use contact_shared::{ContactRequestCreated, ContactRequestForm, ErrorBody};

    pub fn form(form: &ContactRequestForm) -> String {
        serde_json::to_string(form).unwrap_or_default()
    }

    pub fn created(body: &str) -> Option<ContactRequestCreated> {
        serde_json::from_str(body).ok()
    }

    pub fn error_body(body: &str) -> Option<ErrorBody> {
        serde_json::from_str(body).ok()
    }

    pub fn challenge(body: &str) -> Option<contact_shared::Challenge> {
        serde_json::from_str(body).ok()
    }

    pub fn settings(body: &str) -> Option<contact_shared::SiteSettings> {
        serde_json::from_str(body).ok()
    }

    pub fn slots(body: &str) -> Option<Vec<String>> {
        let slots: contact_shared::CallbackSlots = serde_json::from_str(body).ok()?;
        Some(slots.slots.into_iter().map(|s| s.start).collect())
    }

    pub fn claims(body: &str) -> Option<super::Claims> {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let claim = |key: &str| value.as_object()?.get(key)?.as_str().map(str::to_owned);
        value.is_object().then(|| super::Claims {
            name: claim("name"),
            email: claim("email"),
            phone: claim("phone"),
        })
    }
}

/// The submission as JSON.
pub fn form_json(form: &ContactRequestForm) -> String {
    codec::form(form)
}

/// A `201` body, or `None` when it is not the documented shape.
pub fn created(body: &str) -> Option<ContactRequestCreated> {
    codec::created(body)
}

/// An error body, or `None` when it is not the documented shape.
pub fn error_body(body: &str) -> Option<ErrorBody> {
    codec::error_body(body)
}

/// A challenge body, or `None` when it is not the documented shape.
pub fn challenge(body: &str) -> Option<Challenge> {
    codec::challenge(body)
}

/// A site's settings body, or `None` when it is not the documented shape.
pub fn settings(body: &str) -> Option<SiteSettings> {
    codec::settings(body)
}

/// The UTC starts of a callback-slots body, or `None` when it is not the documented shape.
pub fn slots(body: &str) -> Option<Vec<String>> {
    codec::slots(body)
}

/// The visitor claims of a JWT payload, or `None` when it is not a JSON object.
pub fn claims(payload: &str) -> Option<Claims> {
    codec::claims(payload)
}
