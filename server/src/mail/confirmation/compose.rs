//! The confirmation a visitor is sent: in the request's locale, its number, the reason's label, and
//! the callback time (when one was booked) in the visitor's own time zone; a plain-text and an HTML
//! body, the HTML with everything the visitor typed escaped. The subject holds nothing they typed.

use contact_shared::{Locale, PreferredChannel, RequestReason};
use jiff::tz::TimeZone;
use lettre::Message;
use lettre::message::Mailbox;
use serde::Deserialize;

use super::words::{Words, fill};
use crate::mail::compose::{Composed, envelope};
use crate::store::DueConfirmation;

/// What a confirmation tells of its request, read from its `contact_request.created` event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Request {
    #[serde(rename = "Id")]
    id: String,
    /// Its number, `CR-000042`.
    #[serde(rename = "Name")]
    number: String,
    #[serde(rename = "RequestReason")]
    reason: Option<String>,
    #[serde(rename = "PreferredChannel")]
    channel: Option<String>,
    #[serde(rename = "VisitorName__c")]
    visitor_name: Option<String>,
    #[serde(rename = "VisitorEmail__c")]
    visitor_email: Option<String>,
    /// The booked callback time, as the API writes it.
    #[serde(rename = "ScheduledRoutingDateTime__c")]
    callback_at: Option<String>,
}

/// One visitor's confirmation, ready to be written.
#[derive(Debug, Clone)]
pub struct Confirmation {
    request: Request,
    locale: Locale,
    /// The visitor's zone and its name; UTC when their browser did not say.
    zone: (TimeZone, String),
    /// The name of the site they asked.
    site: String,
    /// The reasons that site offers, with its labels.
    labels: Vec<(RequestReason, String)>,
}

impl Confirmation {
    /// The confirmation of `due` from the site named `site`, which labels its reasons `labels`; `None`
    /// when its event is not a request's.
    pub fn read(
        due: &DueConfirmation,
        site: &str,
        labels: &[(RequestReason, String)],
    ) -> Option<Self> {
        #[derive(Deserialize)]
        struct Event {
            data: Request,
        }
        let request = serde_json::from_str::<Event>(&due.payload).ok()?.data;
        let locale = due.locale.as_deref().map(Locale::parse).unwrap_or_default();
        let zone = due
            .time_zone
            .as_deref()
            .and_then(|name| Some((crate::instant::time_zone(name)?, name.to_owned())))
            .unwrap_or_else(|| (TimeZone::UTC, "UTC".to_owned()));
        Some(Self {
            request,
            locale,
            zone,
            site: site.to_owned(),
            labels: labels.to_vec(),
        })
    }

    /// The request's id (not personal: what the logs name it by).
    pub fn request_id(&self) -> &str {
        &self.request.id
    }

    /// The visitor's address, with their name as its display name; `None` when it is not one.
    pub fn to(&self) -> Option<Mailbox> {
        let address = self.request.visitor_email.as_deref()?.parse().ok()?;
        let name = self
            .request
            .visitor_name
            .clone()
            .filter(|n| !n.trim().is_empty());
        Some(Mailbox::new(name, address))
    }

    pub fn subject(&self) -> String {
        fill(&self.words().subject, &[("number", &self.request.number)])
    }

    /// The paragraphs, as plain text: greeting, thanks, the details (label and value), closing.
    fn parts(&self) -> (String, String, Vec<(String, String)>, [String; 2]) {
        let words = self.words();
        let number = self.request.number.as_str();
        let greeting = match self.request.visitor_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => fill(&words.greeting, &[("name", name)]),
            _ => words.greeting_anonymous.clone(),
        };
        let channel = self
            .request
            .channel
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(PreferredChannel::Email);
        let mut details = Vec::new();
        if let Some(reason) = self
            .request
            .reason
            .as_deref()
            .and_then(|r| r.parse::<RequestReason>().ok())
        {
            // The locale's word for a value the site did not relabel, else the site's (or the
            // organisation's) label, as the widget shows it.
            let site_label = self
                .labels
                .iter()
                .find(|(r, _)| *r == reason)
                .map(|(_, l)| l);
            let label = match site_label {
                Some(label) if label != reason.as_str() => label.clone(),
                _ => words
                    .reason_label(&reason)
                    .unwrap_or_else(|| site_label.cloned().unwrap_or_else(|| reason.to_string())),
            };
            details.push((words.reason(), label));
        }
        if let Some(at) = self
            .request
            .callback_at
            .as_deref()
            .and_then(crate::instant::parse)
        {
            let (zone, name) = &self.zone;
            details.push((words.callback.clone(), words.when(at, zone, name)));
        }
        let closing = [
            fill(&words.quote, &[("number", number)]),
            fill(&words.why, &[("site", &self.site)]),
        ];
        (greeting, words.thanks(channel, number), details, closing)
    }

    /// The plain-text body.
    pub fn text(&self) -> String {
        let (greeting, thanks, details, closing) = self.parts();
        let mut body = format!("{greeting}\n\n{thanks}\n\n");
        for (label, value) in &details {
            body.push_str(&format!("{label}: {value}\n"));
        }
        if !details.is_empty() {
            body.push('\n');
        }
        body.push_str(&format!(
            "{}\n{}\n\n{}\n",
            closing[0], closing[1], self.site
        ));
        body
    }

    /// The HTML body: the same as the text, every sentence escaped (the visitor's name is in one).
    pub fn html(&self) -> String {
        use html_escape::encode_text as text;
        let (greeting, thanks, details, closing) = self.parts();
        let lang = self.locale.as_str();
        let mut body = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><body>\n<p>{}</p>\n<p>{}</p>\n",
            text(&greeting),
            text(&thanks)
        );
        if !details.is_empty() {
            body.push_str("<table>\n");
            for (label, value) in &details {
                body.push_str(&format!(
                    "<tr><th align=\"left\">{}</th><td>{}</td></tr>\n",
                    text(label),
                    text(value)
                ));
            }
            body.push_str("</table>\n");
        }
        body.push_str(&format!(
            "<p>{}<br>{}</p>\n<p>{}</p>\n</body></html>\n",
            text(&closing[0]),
            text(&closing[1]),
            text(&self.site)
        ));
        body
    }

    fn words(&self) -> &'static Words {
        Words::of(self.locale)
    }

    /// The email from `from` to `to`, dated `now_ms`, under a `Message-ID` that one request always
    /// gets, so a resent confirmation can be told from a new one.
    pub fn message(
        &self,
        from: &Mailbox,
        to: Mailbox,
        now_ms: i64,
    ) -> Result<Message, lettre::error::Error> {
        let id = format!("<confirmation.{}@{}>", self.request.id, from.email.domain());
        let composed = Composed {
            subject: self.subject(),
            text: self.text(),
            html: self.html(),
        };
        envelope(from, to, composed, id, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(
        locale: Option<&str>,
        zone: Option<&str>,
        name: &str,
        at: Option<&str>,
    ) -> DueConfirmation {
        let data = serde_json::json!({
            "Id": "0Zx000000000001AAA", "Name": "CR-000042", "RequestReason": "Billing",
            "PreferredChannel": "Phone", "VisitorName__c": name, "VisitorEmail__c": "ana@example.com",
            "ScheduledRoutingDateTime__c": at,
        });
        DueConfirmation {
            event_seq: 1,
            site_key: Some("shop".into()),
            payload: serde_json::json!({"type": "contact_request.created", "data": data})
                .to_string(),
            locale: locale.map(Into::into),
            time_zone: zone.map(Into::into),
            attempts: 0,
        }
    }

    #[test]
    fn a_french_request_is_confirmed_in_french_with_the_time_in_the_visitor_s_zone() {
        let confirmation = Confirmation::read(
            &due(
                Some("fr"),
                Some("Europe/Paris"),
                "Anaïs",
                Some("2026-12-01T10:00:00.000+0000"),
            ),
            "Boutique",
            &[],
        )
        .unwrap();
        assert_eq!(
            confirmation.subject(),
            "Votre demande CR-000042 a bien été reçue"
        );
        let text = confirmation.text();
        assert!(
            text.starts_with("Bonjour Anaïs,\n\nMerci — votre demande CR-000042"),
            "{text}"
        );
        assert!(text.contains("Motif: Facturation\n"), "{text}");
        assert!(
            text.contains("Rappel: mardi 1 décembre 2026 à 11:00 (heure de Europe/Paris)\n"),
            "{text}"
        );
        assert!(
            text.contains("demandé à Boutique de vous contacter"),
            "{text}"
        );
        assert!(confirmation.html().contains("<html lang=\"fr\">"));
    }

    #[test]
    fn without_a_locale_or_zone_the_default_language_and_utc_are_used() {
        let confirmation = Confirmation::read(
            &due(None, None, "", Some("2026-12-01T10:00:00.000+0000")),
            "Shop",
            &[],
        )
        .unwrap();
        let text = confirmation.text();
        assert!(
            text.starts_with("Hello,\n\nThanks — your request CR-000042"),
            "{text}"
        );
        assert!(
            text.contains("Callback: Tuesday 1 December 2026 at 10:00 (UTC time)\n"),
            "{text}"
        );
        let asap = Confirmation::read(&due(Some("en"), None, "Bo", None), "Shop", &[]).unwrap();
        assert!(!asap.text().contains("Callback"), "{}", asap.text());
    }

    #[test]
    fn a_reason_the_site_relabels_or_the_organisation_adds_is_named_by_its_label() {
        let reason = |value| RequestReason::parse(value).unwrap();
        let with_reason = |value: &str| {
            let mut due = due(Some("fr"), None, "Ana", None);
            due.payload = due.payload.replace("\"Billing\"", &format!("{value:?}"));
            due
        };
        let labels = [
            (reason("Billing"), "Billing".to_owned()),
            (reason("Order"), "Une réservation".to_owned()),
            (reason("Warranty"), "Garantie".to_owned()),
        ];
        let table = [
            (
                "Billing",
                "Motif: Facturation\n",
                "not relabelled: the locale's word",
            ),
            (
                "Order",
                "Motif: Une réservation\n",
                "relabelled by the site",
            ),
            (
                "Warranty",
                "Motif: Garantie\n",
                "the organisation's own, which no locale has",
            ),
            (
                "Retired",
                "Motif: Retired\n",
                "a value no site offers: its API name",
            ),
        ];
        for (value, line, why) in table {
            let text = Confirmation::read(&with_reason(value), "Shop", &labels)
                .unwrap()
                .text();
            assert!(text.contains(line), "{why}: {text}");
        }
    }

    #[test]
    fn the_html_body_escapes_the_visitor_s_name_and_the_display_name_keeps_it_whole() {
        let typed = "<b>Ana</b> & \"Co\"";
        let confirmation =
            Confirmation::read(&due(Some("en"), None, typed, None), "Shop", &[]).unwrap();
        let html = confirmation.html();
        assert!(
            html.contains("Hello &lt;b&gt;Ana&lt;/b&gt; &amp; \"Co\","),
            "{html}"
        );
        assert!(!html.contains("<b>Ana"), "{html}");
        let to = confirmation.to().unwrap();
        assert_eq!(to.name.as_deref(), Some(typed));
        assert_eq!(to.email.to_string(), "ana@example.com");
    }
}
