//! The email that tells one person of new requests: a subject with the requests' numbers, a plain-text
//! and an HTML body listing each with what the visitor asked and a link to it in the console. Everything
//! a visitor typed is escaped in the HTML and kept to one line in the subject.

use std::time::{Duration, SystemTime};

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use serde::Deserialize;

/// An email's subject and bodies, as the staff alerts compose them.
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How many numbers a digest's subject names before it says how many more.
const SUBJECT_NUMBERS: usize = 5;

/// What an email tells of one request, read from its `contact_request.created` event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Request {
    #[serde(rename = "Id")]
    pub id: String,
    /// Its number, `CR-000042`.
    #[serde(rename = "Name")]
    pub number: String,
    #[serde(rename = "RequestReason")]
    pub reason: Option<String>,
    #[serde(rename = "RequestDescription")]
    pub description: Option<String>,
    #[serde(rename = "VisitorName__c")]
    pub visitor_name: Option<String>,
    #[serde(rename = "VisitorEmail__c")]
    pub visitor_email: Option<String>,
    #[serde(rename = "PreferredPhone")]
    pub phone: Option<String>,
    /// When the visitor asked to be called back, as the API writes it.
    #[serde(rename = "ScheduledRoutingDateTime__c")]
    pub callback_at: Option<String>,
}

impl Request {
    /// The request an outbox event's body tells of; `None` if it is not one.
    pub fn from_payload(payload: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Event {
            data: Request,
        }
        serde_json::from_str::<Event>(payload).ok().map(|e| e.data)
    }

    pub(super) fn link(&self, public_url: &str) -> String {
        format!("{public_url}/console/requests/{}", self.id)
    }

    /// The labelled details the visitor gave, in the order shown.
    fn details(&self) -> Vec<(&'static str, String)> {
        [
            ("Name", self.visitor_name.clone()),
            ("Email", self.visitor_email.clone()),
            ("Phone", self.phone.clone()),
            ("Callback", self.callback_at.as_deref().map(callback_time)),
            ("Message", self.description.clone()),
        ]
        .into_iter()
        .filter_map(|(label, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (label, v)))
        .collect()
    }
}

/// The API's `2026-12-01T10:00:00.000+0000` as `2026-12-01 10:00 UTC`; anything else as it is.
pub(super) fn callback_time(text: &str) -> String {
    text.replace("+0000", "Z")
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| text.to_owned())
}

/// Text a visitor typed, on one line: a subject has no room for line breaks or control characters.
pub(super) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `New request CR-000042: Billing` for one, `3 new requests: CR-…, CR-…, CR-…` for several.
pub fn subject(requests: &[Request]) -> String {
    match requests {
        [one] => match one
            .reason
            .as_deref()
            .map(one_line)
            .filter(|r| !r.is_empty())
        {
            Some(reason) => format!("New request {}: {reason}", one.number),
            None => format!("New request {}", one.number),
        },
        many => {
            let named: Vec<&str> = many
                .iter()
                .take(SUBJECT_NUMBERS)
                .map(|r| r.number.as_str())
                .collect();
            let more = match many.len().saturating_sub(SUBJECT_NUMBERS) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            format!("{} new requests: {}{more}", many.len(), named.join(", "))
        }
    }
}

/// The plain-text body.
pub fn text(requests: &[Request], public_url: &str) -> String {
    let mut body = match requests.len() {
        1 => "A new request arrived in your queue.\n".to_owned(),
        n => format!("{n} new requests arrived in your queue.\n"),
    };
    for request in requests {
        body.push_str(&format!("\n{}", request.number));
        if let Some(reason) = request.reason.as_deref().filter(|r| !r.is_empty()) {
            body.push_str(&format!(" - {}", one_line(reason)));
        }
        body.push('\n');
        for (label, value) in request.details() {
            // Continuation lines are indented so a typed line break cannot pose as another field.
            body.push_str(&format!("  {label}: {}\n", value.replace('\n', "\n    ")));
        }
        body.push_str(&format!("  {}\n", request.link(public_url)));
    }
    body
}

/// The HTML body: the same as the text, every value escaped.
pub fn html(requests: &[Request], public_url: &str) -> String {
    use html_escape::{encode_double_quoted_attribute as attribute, encode_text as text};
    let mut body = String::from("<!DOCTYPE html>\n<html><body>\n");
    body.push_str(&match requests.len() {
        1 => "<p>A new request arrived in your queue.</p>\n".to_owned(),
        n => format!("<p>{n} new requests arrived in your queue.</p>\n"),
    });
    for request in requests {
        let link = request.link(public_url);
        body.push_str(&format!(
            "<h2><a href=\"{}\">{}</a>",
            attribute(&link),
            text(&request.number)
        ));
        if let Some(reason) = request.reason.as_deref().filter(|r| !r.is_empty()) {
            body.push_str(&format!(" &ndash; {}", text(reason)));
        }
        body.push_str("</h2>\n<table>\n");
        for (label, value) in request.details() {
            body.push_str(&format!(
                "<tr><th align=\"left\">{label}</th><td>{}</td></tr>\n",
                text(&value).replace('\n', "<br>")
            ));
        }
        body.push_str(&format!(
            "</table>\n<p><a href=\"{}\">Open {} in the console</a></p>\n",
            attribute(&link),
            text(&request.number)
        ));
    }
    body.push_str("</body></html>\n");
    body
}

/// The email to `to` telling of `requests`, dated `now_ms`, under `message_id` (with its angle brackets).
pub fn message(
    from: &Mailbox,
    to: Mailbox,
    requests: &[Request],
    public_url: &str,
    message_id: String,
    now_ms: i64,
) -> Result<Message, lettre::error::Error> {
    let composed = Composed {
        subject: subject(requests),
        text: text(requests, public_url),
        html: html(requests, public_url),
    };
    envelope(from, to, composed, message_id, now_ms)
}

/// The one way each of the server's emails is put together: from `from` to `to`, `composed` as its
/// subject and its plain-text and HTML alternatives, dated `now_ms`, under `message_id` (with its angle
/// brackets).
pub(super) fn envelope(
    from: &Mailbox,
    to: Mailbox,
    composed: Composed,
    message_id: String,
    now_ms: i64,
) -> Result<Message, lettre::error::Error> {
    let date = SystemTime::UNIX_EPOCH + Duration::from_millis(now_ms.max(0) as u64);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(composed.subject)
        .message_id(Some(message_id))
        .date(date)
        .multipart(MultiPart::alternative_plain_html(
            composed.text,
            composed.html,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(number: &str, reason: Option<&str>) -> Request {
        Request {
            id: format!("0Zx{number}"),
            number: number.into(),
            reason: reason.map(Into::into),
            description: Some("Call me <b>after</b> 5 & not before\nthanks".into()),
            visitor_name: Some("Ana \"A\" O'Neil".into()),
            visitor_email: Some("ana@example.com".into()),
            phone: None,
            callback_at: Some("2026-12-01T10:00:00.000+0000".into()),
        }
    }

    #[test]
    fn one_request_is_named_with_its_reason_in_the_subject() {
        assert_eq!(
            subject(&[request("CR-000001", Some("Billing"))]),
            "New request CR-000001: Billing"
        );
        assert_eq!(
            subject(&[request("CR-000001", None)]),
            "New request CR-000001"
        );
    }

    #[test]
    fn a_typed_line_break_cannot_reach_the_subject() {
        assert_eq!(
            subject(&[request("CR-000001", Some("Billing\r\nBcc: x@example.com"))]),
            "New request CR-000001: Billing Bcc: x@example.com"
        );
    }

    #[test]
    fn several_requests_are_counted_and_named_in_the_subject() {
        let three: Vec<Request> = (1..=3)
            .map(|n| request(&format!("CR-00000{n}"), None))
            .collect();
        assert_eq!(
            subject(&three),
            "3 new requests: CR-000001, CR-000002, CR-000003"
        );
        let seven: Vec<Request> = (1..=7)
            .map(|n| request(&format!("CR-00000{n}"), None))
            .collect();
        assert_eq!(
            subject(&seven),
            "7 new requests: CR-000001, CR-000002, CR-000003, CR-000004, CR-000005 and 2 more"
        );
    }

    #[test]
    fn the_html_body_escapes_everything_the_visitor_typed() {
        let mut typed = request("CR-000001", Some("<script>alert(1)</script>"));
        typed.phone = Some("<img src=x onerror=alert(1)>".into());
        let html = html(&[typed], "https://crm.example.com");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>after</b>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("after&lt;/b&gt; 5 &amp; not before<br>thanks"),
            "{html}"
        );
        assert!(
            html.contains("href=\"https://crm.example.com/console/requests/0ZxCR-000001\""),
            "{html}"
        );
    }

    #[test]
    fn the_text_body_lists_each_request_with_its_details_and_link() {
        let text = text(
            &[
                request("CR-000001", Some("Billing")),
                request("CR-000002", None),
            ],
            "https://crm.example.com",
        );
        assert!(text.starts_with("2 new requests arrived"), "{text}");
        assert!(text.contains("CR-000001 - Billing\n"), "{text}");
        assert!(
            text.contains("  Callback: 2026-12-01 10:00 UTC\n"),
            "{text}"
        );
        assert!(
            text.contains("  Message: Call me <b>after</b> 5 & not before\n    thanks\n"),
            "{text}"
        );
        assert!(
            text.contains("  https://crm.example.com/console/requests/0ZxCR-000002\n"),
            "{text}"
        );
    }

    #[test]
    fn a_request_is_read_from_its_created_event() {
        let payload = r#"{"type":"contact_request.created","timestamp":"t","data":{
            "Id":"0Zx1","Name":"CR-000007","RequestReason":"Sales","RequestDescription":null,
            "VisitorName__c":"Bo","VisitorEmail__c":null,"PreferredPhone":"+33 1 23",
            "ScheduledRoutingDateTime__c":null,"OwnerId":"00G1"}}"#;
        let request = Request::from_payload(payload).unwrap();
        assert_eq!(request.number, "CR-000007");
        assert_eq!(request.reason.as_deref(), Some("Sales"));
        assert_eq!(request.phone.as_deref(), Some("+33 1 23"));
        assert_eq!(Request::from_payload("{}"), None);
    }
}
