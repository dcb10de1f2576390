//! Staff alerts, sent at once and each on its own, never waiting for the new-request digest window (nor
//! holding it back): a representative's callback falling due ([`super::callback_due`]) and a webhook
//! endpoint disabled ([`super::endpoint_disabled`]). Each round of the mail worker takes the new
//! `callback.due` events into alerts, then sends the due ones and records each outcome; a refused or
//! unreachable SMTP server is tried again on the webhooks' schedule with the same `Message-ID`. An alert
//! stays pending until its outcome is committed, so a crash in between sends it again.

use lettre::AsyncTransport;
use lettre::message::Mailbox;

use super::Mail;
use super::compose::{Composed, envelope};
use super::transport::{LEASE_EACH_MS, Transport, describe};
use crate::store::{
    CALLBACK_DUE_ALERT, CALLBACK_DUE_NOTICES, DueAlert, ENDPOINT_DISABLED_ALERT, Store, StoreError,
};
use crate::webhooks::retry_at;

/// Alerts sent per look.
const DUE_PER_LOOK: u32 = 16;

/// One look: new `callback.due` events into alerts, then the due alerts sent. Answers whether it sent
/// any.
pub(super) async fn round(
    store: &Store,
    transport: &Transport,
    mail: &Mail,
) -> Result<bool, StoreError> {
    let now = (mail.clock)();
    store.write(move |tx| tx.take_callback_alerts(now)).await?;
    let due = store
        .write(move |tx| tx.claim_alerts(now, DUE_PER_LOOK, LEASE_EACH_MS))
        .await?;
    for alert in &due {
        send(store, transport, mail, alert).await?;
    }
    Ok(!due.is_empty())
}

/// The email `alert` tells, by its kind.
fn compose(alert: &DueAlert, public_url: &str) -> Option<Composed> {
    match alert.kind.as_str() {
        CALLBACK_DUE_ALERT => super::callback_due::compose(&alert.payload, public_url),
        ENDPOINT_DISABLED_ALERT => super::endpoint_disabled::compose(&alert.payload, public_url),
        _ => None,
    }
}

/// Sends `alert` and records how it went.
async fn send(
    store: &Store,
    transport: &Transport,
    mail: &Mail,
    alert: &DueAlert,
) -> Result<(), StoreError> {
    // A representative's own callbacks can be turned off; an admin's alert cannot (README, Email).
    let unsubscribe = match alert.kind.as_str() {
        CALLBACK_DUE_ALERT => {
            Some(super::unsubscribe::token(store, &alert.user_id, CALLBACK_DUE_NOTICES).await?)
        }
        _ => None,
    };
    let outcome = match (
        alert.email.parse::<Mailbox>(),
        compose(alert, &mail.public_url),
    ) {
        (Err(_), _) => Err(("the user's email address is not valid".to_owned(), false)),
        (_, None) => Err(("the alert could not be read".to_owned(), false)),
        (Ok(address), Some(composed)) => {
            let to = Mailbox::new(Some(alert.name.clone()), address.email);
            // One alert, one id: a resent alert can be told from a new one.
            let id = format!("<alert.{}@{}>", alert.id, mail.from.email.domain());
            match envelope(&mail.from, to, composed, id, (mail.clock)()) {
                Err(e) => Err((format!("the email could not be built: {e}"), false)),
                Ok(email) => transport
                    .send(match &unsubscribe {
                        Some(token) => {
                            super::unsubscribe::with_link(email, &mail.public_url, token)
                        }
                        None => email,
                    })
                    .await
                    .map(|_| ())
                    .map_err(|e| (describe(&e), true)),
            }
        }
    };
    let (id, kind, user) = (alert.id, alert.kind.as_str(), alert.user_id.as_str());
    match outcome {
        Ok(()) => {
            crate::metrics::email("sent");
            tracing::info!(user, kind, "alert email sent");
            store.write(move |tx| tx.alert_sent(id)).await
        }
        Err((error, retry)) => {
            let retry_at = retry
                .then(|| retry_at(&mail.schedule, alert.attempts, (mail.clock)()))
                .flatten();
            crate::metrics::email(if retry_at.is_some() {
                "retried"
            } else {
                "failed"
            });
            tracing::info!(user, kind, %error, retry_at, "alert email not sent");
            store
                .write(move |tx| tx.alert_attempt_failed(id, &error, retry_at))
                .await
        }
    }
}
