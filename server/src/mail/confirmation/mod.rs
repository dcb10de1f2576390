//! The visitor's confirmation email, for the sites that turn it on (`confirmation_email = true`): one
//! task takes the outbox's new `contact_request.created` events of those sites whose visitor gave an
//! address into confirmations, then sends each due one ([`compose`], in the request's locale,
//! [`words`]) and records the outcome. A one-off transactional email: one per request, never a digest,
//! no `List-Unsubscribe`. Refused or unreachable, it is tried again on the webhooks' schedule under
//! the same `Message-ID`; it stays pending until the outcome is committed, so a down SMTP server delays
//! it and loses none. Logs name the request by its id only, never the visitor's name or address.

pub mod compose;
pub mod words;

use std::collections::HashMap;
use std::sync::Arc;

use compose::Confirmation;

use super::Mail;
use super::transport::{LEASE_EACH_MS, Transport, describe, transport};
use contact_shared::RequestReason;

use crate::sites::Site;
use crate::store::{DueConfirmation, Store, StoreError};
use crate::webhooks::retry_at;

/// Confirmations sent per look.
const DUE_PER_LOOK: u32 = 16;

/// The sites that send confirmations: key to name and reasons with their labels.
type Confirming = Arc<HashMap<String, (String, Vec<(RequestReason, String)>)>>;

/// Opens the confirmations' cursor and starts their worker, which runs until the runtime stops: a
/// request committed once this returns is confirmed when its site sends confirmations. Runs also when
/// none does, so that its cursor follows the outbox.
pub async fn start(store: &Store, mail: Mail, sites: &[Site]) -> Result<(), StoreError> {
    store.write(|tx| tx.open_confirmation_cursor()).await?;
    let transport = transport(&mail).map_err(|e| StoreError::Reader(e.to_string()))?;
    let confirming = sites
        .iter()
        .filter(|s| s.confirmation_email)
        .map(|s| (s.key.clone(), (s.name.clone(), s.reasons.clone())))
        .collect();
    tokio::spawn(run(
        store.clone(),
        transport,
        Arc::new(mail),
        Arc::new(confirming),
    ));
    Ok(())
}

async fn run(store: Store, transport: Transport, mail: Arc<Mail>, confirming: Confirming) {
    loop {
        let worked = match round(&store, &transport, &mail, &confirming).await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(%error, "confirmation email stalled; retrying");
                false
            }
        };
        if !worked {
            tokio::time::sleep(mail.poll).await;
        }
    }
}

/// One look: new events into confirmations, then the due ones sent. Answers whether it sent any.
async fn round(
    store: &Store,
    transport: &Transport,
    mail: &Mail,
    confirming: &Confirming,
) -> Result<bool, StoreError> {
    let now = (mail.clock)();
    let keys: Vec<String> = confirming.keys().cloned().collect();
    store
        .write(move |tx| tx.take_confirmations(&keys, now))
        .await?;
    let due = store
        .write(move |tx| tx.claim_confirmations(now, DUE_PER_LOOK, LEASE_EACH_MS))
        .await?;
    for confirmation in &due {
        send(store, transport, mail, confirming, confirmation).await?;
    }
    Ok(!due.is_empty())
}

/// Sends `due`'s visitor their confirmation, and records how it went.
async fn send(
    store: &Store,
    transport: &Transport,
    mail: &Mail,
    confirming: &Confirming,
    due: &DueConfirmation,
) -> Result<(), StoreError> {
    let (site, labels) = due
        .site_key
        .as_deref()
        .and_then(|key| confirming.get(key))
        .map_or(("", &[][..]), |(name, labels)| {
            (name.as_str(), labels.as_slice())
        });
    let confirmation = Confirmation::read(due, site, labels);
    let request = confirmation
        .as_ref()
        .map_or("", |c| c.request_id())
        .to_owned();
    let outcome = match &confirmation {
        None => Err(("the request could not be read".to_owned(), false)),
        Some(confirmation) => match confirmation.to() {
            None => Err(("the visitor's email address is not valid".to_owned(), false)),
            Some(to) => match confirmation.message(&mail.from, to, (mail.clock)()) {
                Err(e) => Err((format!("the email could not be built: {e}"), false)),
                Ok(email) => {
                    use lettre::AsyncTransport;
                    transport
                        .send(email)
                        .await
                        .map(|_| ())
                        .map_err(|e| (describe(&e), true))
                }
            },
        },
    };
    let (seq, now) = (due.event_seq, (mail.clock)());
    match outcome {
        Ok(()) => {
            crate::metrics::email("sent");
            tracing::info!(request = %request, "confirmation sent");
            store.write(move |tx| tx.confirmation_sent(seq)).await
        }
        Err((error, retry)) => {
            let retry_at = retry
                .then(|| retry_at(&mail.schedule, due.attempts, now))
                .flatten();
            crate::metrics::email(if retry_at.is_some() {
                "retried"
            } else {
                "failed"
            });
            tracing::info!(request = %request, %error, retry_at, "confirmation not sent");
            store
                .write(move |tx| tx.confirmation_failed(seq, &error, retry_at))
                .await
        }
    }
}
