//! The email that tells a representative a callback assigned to them is due: the request's number and
//! reason in the subject; when it was scheduled, in UTC and in the visitor's time zone when the request
//! has one; the phone to call, who asked and why, and a link to the request in the console.

use serde::Deserialize;

use super::compose::{Composed, Request, callback_time, one_line};

/// What a `callback_due` alert holds: the `callback.due` event, and the visitor's time zone.
#[derive(Deserialize)]
struct Due {
    event: Event,
    #[serde(rename = "timeZone")]
    time_zone: Option<String>,
}

#[derive(Deserialize)]
struct Event {
    data: Request,
}

/// `2026-12-01T10:00:00.000+0000` in the time zone `zone`, `2026-12-01 11:00 Europe/Paris`; `None`
/// when either cannot be read.
fn in_zone(text: &str, zone: &str) -> Option<String> {
    let at = text.replace("+0000", "Z").parse::<jiff::Timestamp>().ok()?;
    let zoned = at.in_tz(zone).ok()?;
    Some(format!("{} {zone}", zoned.strftime("%Y-%m-%d %H:%M")))
}

/// The email of an alert's `payload`; `None` when it tells of no request.
pub fn compose(payload: &str, public_url: &str) -> Option<Composed> {
    let due: Due = serde_json::from_str(payload).ok()?;
    let request = due.event.data;
    let reason = request
        .reason
        .as_deref()
        .map(one_line)
        .filter(|r| !r.is_empty());
    let subject = match &reason {
        Some(reason) => format!("Callback due: {} - {reason}", request.number),
        None => format!("Callback due: {}", request.number),
    };
    let scheduled = request.callback_at.as_deref().map(|at| {
        let utc = callback_time(at);
        match due.time_zone.as_deref().and_then(|zone| in_zone(at, zone)) {
            Some(local) => format!("{utc} ({local}, the visitor's time)"),
            None => utc,
        }
    });
    let details: Vec<(&str, String)> = [
        ("Scheduled", scheduled),
        ("Phone", request.phone.clone()),
        ("Name", request.visitor_name.clone()),
        ("Email", request.visitor_email.clone()),
        ("Message", request.description.clone()),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (label, v)))
    .collect();
    let link = request.link(public_url);
    let title = match &reason {
        Some(reason) => format!("{} - {reason}", request.number),
        None => request.number.clone(),
    };

    let mut text = format!("A callback assigned to you is due now.\n\n{title}\n",);
    for (label, value) in &details {
        // Continuation lines are indented so a typed line break cannot pose as another field.
        text.push_str(&format!("  {label}: {}\n", value.replace('\n', "\n    ")));
    }
    text.push_str(&format!("  {link}\n"));

    use html_escape::{encode_double_quoted_attribute as attribute, encode_text as escape};
    let mut html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>A callback assigned to you is due now.</p>\n\
         <h2><a href=\"{}\">{}</a></h2>\n<table>\n",
        attribute(&link),
        escape(&title)
    );
    for (label, value) in &details {
        html.push_str(&format!(
            "<tr><th align=\"left\">{label}</th><td>{}</td></tr>\n",
            escape(value).replace('\n', "<br>")
        ));
    }
    html.push_str(&format!(
        "</table>\n<p><a href=\"{}\">Open {} in the console</a></p>\n</body></html>\n",
        attribute(&link),
        escape(&request.number)
    ));
    Some(Composed {
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(time_zone: Option<&str>) -> String {
        serde_json::json!({
            "event": {"type": "callback.due", "timestamp": "t", "data": {
                "Id": "0Zx1", "Name": "CR-000042", "RequestReason": "Billing\r\nBcc: x@example.com",
                "RequestDescription": "<b>twice</b>", "VisitorName__c": "Ada", "VisitorEmail__c": null,
                "PreferredPhone": "+44 20 7946 0958",
                "ScheduledRoutingDateTime__c": "2026-12-01T10:00:00.000+0000"}},
            "timeZone": time_zone,
        })
        .to_string()
    }

    #[test]
    fn the_subject_names_the_number_and_the_reason_on_one_line() {
        let email = compose(&payload(None), "https://crm.example.com").unwrap();
        assert_eq!(
            email.subject,
            "Callback due: CR-000042 - Billing Bcc: x@example.com"
        );
    }

    #[test]
    fn the_scheduled_time_is_in_utc_and_in_the_visitors_time_zone() {
        let email = compose(&payload(Some("Europe/Paris")), "https://crm.example.com").unwrap();
        assert!(
            email.text.contains(
                "  Scheduled: 2026-12-01 10:00 UTC (2026-12-01 11:00 Europe/Paris, the visitor's time)\n"
            ),
            "{}",
            email.text
        );
        let without = compose(&payload(None), "https://crm.example.com").unwrap();
        assert!(
            without.text.contains("  Scheduled: 2026-12-01 10:00 UTC\n"),
            "{}",
            without.text
        );
    }

    #[test]
    fn the_html_body_escapes_what_the_visitor_typed_and_links_the_request() {
        let email = compose(&payload(None), "https://crm.example.com").unwrap();
        assert!(!email.html.contains("<b>twice"), "{}", email.html);
        assert!(email.html.contains("&lt;b&gt;twice"), "{}", email.html);
        assert!(
            email
                .html
                .contains("href=\"https://crm.example.com/console/requests/0Zx1\""),
            "{}",
            email.html
        );
    }
}
