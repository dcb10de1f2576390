//! What the visitor sees once their request is created.

use contact_shared::PreferredChannel;
use leptos::{html, prelude::*};

/// A created request, as the confirmation tells the visitor about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The request number, such as `CR-000001`.
    pub number: String,
    /// The channel the visitor will be contacted on.
    pub channel: PreferredChannel,
}

/// The thank-you message with the request number, replacing the form.
///
/// It takes focus when shown: the submit button the visitor was on has gone, and focus would otherwise
/// fall back to the top of the host page.
#[component]
pub fn Confirmation(
    /// The request that was created.
    receipt: Receipt,
) -> impl IntoView {
    let message = NodeRef::<html::P>::new();
    Effect::new(move |_| {
        if let Some(message) = message.get() {
            // Focus can only fail on a detached element, which this is not once the effect runs.
            let _ = message.focus();
        }
    });
    view! {
        <p class="crw-done" tabindex="-1" node_ref=message>
            "Thanks — your request "
            <strong data-testid="request-number">{receipt.number}</strong>
            " has been received. We'll be in touch "
            {by(receipt.channel)}
            "."
        </p>
    }
}

/// How the visitor will hear from us, as the end of a sentence.
const fn by(channel: PreferredChannel) -> &'static str {
    match channel {
        PreferredChannel::Phone => "by phone",
        PreferredChannel::Email => "by email",
        PreferredChannel::Text => "by text message",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_channel_reads_as_the_end_of_the_sentence() {
        let got = PreferredChannel::ALL
            .iter()
            .map(|c| by(*c))
            .collect::<Vec<_>>();
        assert_eq!(got, ["by phone", "by email", "by text message"]);
    }
}
