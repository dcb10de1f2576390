//! The preferred-channel radio group, written as markup and kept in step with the form's state (see
//! [`super::markup`]).

use contact_shared::{PreferredChannel, field};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::field::{attribute, by_id, error, replace};
use super::markup::Html;
use crate::model::FormModel;

const NAME: &str = field::PREFERRED_CHANNEL;

/// The id of `channel`'s radio.
fn radio_id(model: FormModel, channel: PreferredChannel) -> String {
    let mut id = model.input_id(NAME);
    id.push('-');
    id.push_str(channel.as_str());
    id
}

/// Writes the site's channels, in its order with its labels, as radios in a fieldset whose legend asks
/// the question, so each radio is read out with it.
pub fn write(
    html: &mut Html,
    model: FormModel,
    legend: &str,
    channels: &[(PreferredChannel, String)],
) {
    html.open("fieldset", &[("class", Some("crw-field crw-channels"))]);
    html.element("legend", &[], legend);
    html.open("div", &[("class", Some("crw-radios"))]);
    for (channel, label) in channels {
        let id = radio_id(model, *channel);
        html.open("label", &[("class", Some("crw-radio")), ("for", Some(&id))]);
        html.open(
            "input",
            &[
                ("type", Some("radio")),
                ("id", Some(&id)),
                ("name", Some(NAME)),
                ("value", Some(channel.as_str())),
            ],
        );
        html.text(label).close("label");
    }
    html.close("div").close("fieldset");
}

/// The written group, and the error it shows now.
pub struct ChannelView {
    radios: Vec<(PreferredChannel, Element)>,
    /// The radios' container, which the error follows.
    list: Element,
    error: Option<String>,
}

impl ChannelView {
    /// Finds the radios of `channels` under `form`, where [`write`] put them.
    pub fn bind(
        form: &Element,
        model: FormModel,
        channels: &[(PreferredChannel, String)],
    ) -> Option<Self> {
        let radios: Vec<_> = channels
            .iter()
            .filter_map(|(channel, _)| Some((*channel, by_id(form, &radio_id(model, *channel))?)))
            .collect();
        let list = radios.first()?.1.parent_element()?.parent_element()?;
        Some(Self {
            radios,
            list,
            error: None,
        })
    }

    /// Brings the group in line with `model`: the chosen channel checked, and the error on show.
    pub fn sync(&mut self, model: FormModel) {
        let chosen = model.channel();
        let checked = JsValue::from_str("checked");
        for (channel, radio) in &self.radios {
            let want = *channel == chosen;
            if js_sys::Reflect::get(radio, &checked)
                .ok()
                .and_then(|v| v.as_bool())
                != Some(want)
            {
                let _ = js_sys::Reflect::set(radio, &checked, &JsValue::from_bool(want));
            }
        }
        let now = model.error(NAME);
        if now == self.error {
            return;
        }
        let error_id = model.error_id(NAME);
        let root = self.list.parent_element();
        if let Some(root) = root {
            let html = now
                .as_deref()
                .map(|message| error(&error_id, NAME, message));
            replace(&root, "p.crw-error", &self.list, "afterend", html);
        }
        for (_, radio) in &self.radios {
            attribute(
                radio,
                "aria-describedby",
                now.as_ref().map(|_| error_id.as_str()),
            );
            attribute(radio, "aria-invalid", now.as_ref().map(|_| "true"));
        }
        self.error = now;
    }
}

/// The locale key of a channel's label.
pub const fn label_key(channel: PreferredChannel) -> &'static str {
    match channel {
        PreferredChannel::Phone => "channel_Phone",
        PreferredChannel::Email => "channel_Email",
        PreferredChannel::Text => "channel_Text",
    }
}
