//! The preferred-channel radio group.

use contact_shared::{PreferredChannel, field};
use leptos::prelude::*;

use crate::host::Texts;
use crate::model::FormModel;
use crate::site;

/// The site's channels as radios in a fieldset whose legend asks the question, so each radio is read out with it.
#[component]
pub fn ChannelGroup(
    /// The form this group belongs to.
    model: FormModel,
    /// The locale's strings.
    texts: Texts,
    /// The channels the site offers, in its order, with the labels it gave them.
    channels: Vec<(PreferredChannel, String)>,
) -> impl IntoView {
    let name = field::PREFERRED_CHANNEL;
    let error_id = model.error_id(name);
    let radios = channels
        .into_iter()
        .map(|(channel, label)| {
            let mut id = model.input_id(name);
            id.push('-');
            id.push_str(channel.as_str());
            let label_for = id.clone();
            view! {
                <label class="crw-radio" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name=name
                        value=channel.as_str()
                        aria-describedby={
                            let error_id = error_id.clone();
                            move || model.error(name).map(|_| error_id.clone())
                        }
                        aria-invalid=move || model.error(name).map(|_| "true")
                        prop:checked=move || model.channel() == channel
                        on:change=move |_| model.edit(name, channel.as_str().to_owned())
                        on:blur=move |_| model.blur(name)
                    />
                    {site::label(&label, channel.label(), || texts.get(label_key(channel)))}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="crw-field crw-channels">
            <legend>{texts.get("channel")}</legend>
            <div class="crw-radios">{radios}</div>
            {move || {
                model.error(name).map(|message| {
                    view! {
                        <p class="crw-error" id=error_id.clone() data-error-for=name>
                            {message}
                        </p>
                    }
                })
            }}
        </fieldset>
    }
}

/// The locale key of a channel's label.
const fn label_key(channel: PreferredChannel) -> &'static str {
    match channel {
        PreferredChannel::Phone => "channel_Phone",
        PreferredChannel::Email => "channel_Email",
        PreferredChannel::Text => "channel_Text",
    }
}
