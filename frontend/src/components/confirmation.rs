//! What the visitor sees once their request is created.

use contact_shared::PreferredChannel;

use super::markup::{Html, split_placeholder};
use crate::host::Texts;
use crate::model::Receipt;

/// The thank-you message with the request number, replacing the form.
///
/// It can take focus (`tabindex="-1"`): the form moves focus here when it shows it.
pub fn markup(receipt: &Receipt, texts: Texts) -> String {
    let sentence = texts.get(done_key(receipt.channel));
    let (before, after) = split_number(&sentence);
    let mut html = Html::default();
    html.open(
        "p",
        &[("class", Some("crw-done")), ("tabindex", Some("-1"))],
    )
    .text(before)
    .element(
        "strong",
        &[("data-testid", Some("request-number"))],
        &receipt.number,
    )
    .text(after)
    .close("p");
    html.finish()
}

/// The locale key of the thank-you sentence for a channel.
const fn done_key(channel: PreferredChannel) -> &'static str {
    match channel {
        PreferredChannel::Phone => "done_Phone",
        PreferredChannel::Email => "done_Email",
        PreferredChannel::Text => "done_Text",
    }
}

/// The sentence around its `{number}` placeholder; all of it before the number when it has none.
fn split_number(sentence: &str) -> (&str, &str) {
    split_placeholder(sentence, "{number}").unwrap_or((sentence, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_goes_where_the_locale_puts_it() {
        let table = [
            ("Thanks — {number} is in.", ("Thanks — ", " is in.")),
            ("{number} reçue.", ("", " reçue.")),
            ("No placeholder.", ("No placeholder.", "")),
        ];
        for (sentence, expected) in table {
            assert_eq!(split_number(sentence), expected, "{sentence}");
        }
    }

    #[test]
    fn each_channel_has_its_own_sentence() {
        let keys = PreferredChannel::ALL.iter().map(|c| done_key(*c));
        assert_eq!(
            keys.collect::<Vec<_>>(),
            ["done_Phone", "done_Email", "done_Text"]
        );
    }
}
