//! The email that tells an admin the server disabled a webhook endpoint for failing every delivery for
//! five days: its name and URL, since when it failed, the last error, and a link to the webhooks in the
//! console, where it is enabled again.

use serde::Deserialize;

use super::compose::Composed;

/// What an `endpoint_disabled` alert holds (written by `webhooks::disable`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Disabled {
    name: String,
    url: String,
    failing_since: String,
    disabled_at: String,
    last_error: String,
}

/// The console's page of the webhook endpoints.
fn link(public_url: &str) -> String {
    format!("{public_url}/console/admin#webhooks-heading")
}

/// The email of an alert's `payload`; `None` when it cannot be read.
pub fn compose(payload: &str, public_url: &str) -> Option<Composed> {
    let d: Disabled = serde_json::from_str(payload).ok()?;
    let link = link(public_url);
    let subject = format!("Webhook endpoint {} disabled: failing for 5 days", d.name);
    let details = [
        ("Endpoint", &d.name),
        ("URL", &d.url),
        ("Failing since", &d.failing_since),
        ("Disabled at", &d.disabled_at),
        ("Last error", &d.last_error),
    ];
    let mut text = String::from(
        "A webhook endpoint failed every delivery for 5 days, so the server disabled it. Nothing is \
         delivered to it until an admin enables it again.\n\n",
    );
    for (label, value) in details {
        text.push_str(&format!("  {label}: {value}\n"));
    }
    text.push_str(&format!("\nEnable it again in the console: {link}\n"));

    use html_escape::{encode_double_quoted_attribute as attribute, encode_text as escape};
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><body>\n<p>A webhook endpoint failed every delivery for 5 days, so \
         the server disabled it. Nothing is delivered to it until an admin enables it again.</p>\n\
         <table>\n",
    );
    for (label, value) in details {
        html.push_str(&format!(
            "<tr><th align=\"left\">{label}</th><td>{}</td></tr>\n",
            escape(value)
        ));
    }
    html.push_str(&format!(
        "</table>\n<p><a href=\"{}\">Enable it again in the console</a></p>\n</body></html>\n",
        attribute(&link)
    ));
    Some(Composed {
        subject,
        text,
        html,
    })
}
