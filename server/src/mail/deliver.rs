//! The mail worker: one task takes the outbox's new `contact_request.created` events into notices for
//! the owning queue's members, then sends each person whose next email is due one email listing all
//! their pending notices, and records the outcome. Accepted by the SMTP server, the notices are sent and
//! the person's next email waits for the digest window; refused or unreachable, the same email is tried
//! again on the webhooks' schedule (same `Message-ID`), until it is spent and the notices are failed.
//! Notices stay pending until the outcome is committed, so a crash in between sends the email again.

use std::sync::Arc;

use lettre::AsyncTransport;
use lettre::message::Mailbox;

use super::Mail;
use super::compose::{Request, message};
use super::transport::{LEASE_EACH_MS, Transport, describe, transport};
use crate::store::{DueDigest, NEW_REQUESTS, Store, StoreError};
use crate::webhooks::retry_at;

/// People mailed per look.
const DUE_PER_LOOK: u32 = 16;
/// Requests one email lists at most; the rest go in the next.
const REQUESTS_PER_EMAIL: u32 = 50;

/// Opens the mail cursor and starts the worker, which runs until the runtime stops: a request
/// committed once this returns is mailed to its queue's members.
pub async fn start(store: &Store, mail: Mail) -> Result<(), StoreError> {
    store
        .write(|tx| {
            tx.open_mail_cursor()?;
            tx.open_alert_cursor()
        })
        .await?;
    let transport = transport(&mail).map_err(|e| StoreError::Reader(e.to_string()))?;
    tokio::spawn(run(store.clone(), transport, Arc::new(mail)));
    Ok(())
}

async fn run(store: Store, transport: Transport, mail: Arc<Mail>) {
    loop {
        let worked = match round(&store, &transport, &mail).await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(%error, "email stalled; retrying");
                false
            }
        };
        if !worked {
            tokio::time::sleep(mail.poll).await;
        }
    }
}

/// One look: the due staff alerts sent first (they are time-sensitive, [`super::alerts`]), then new
/// events into notices and the due digests sent. Answers whether it sent any.
async fn round(store: &Store, transport: &Transport, mail: &Mail) -> Result<bool, StoreError> {
    let alerted = super::alerts::round(store, transport, mail).await?;
    let now = (mail.clock)();
    store.write(move |tx| tx.take_mail_notices(now)).await?;
    let due = store
        .write(move |tx| tx.claim_digests(now, DUE_PER_LOOK, LEASE_EACH_MS))
        .await?;
    for digest in &due {
        send_digest(store, transport, mail, digest).await?;
    }
    Ok(alerted || !due.is_empty())
}

/// Sends `digest`'s person one email of their pending notices, and records how it went.
async fn send_digest(
    store: &Store,
    transport: &Transport,
    mail: &Mail,
    digest: &DueDigest,
) -> Result<(), StoreError> {
    let user = digest.user_id.clone();
    let notices = store
        .read(move |db| db.pending_notices(&user, REQUESTS_PER_EMAIL))
        .await?;
    let (Some(first), Some(last)) = (notices.first(), notices.last()) else {
        return Ok(());
    };
    let (first, last) = (first.event_seq, last.event_seq);
    let requests: Vec<Request> = notices
        .iter()
        .filter_map(|n| Request::from_payload(&n.payload))
        .collect();
    let unsubscribe = super::unsubscribe::token(store, &digest.user_id, NEW_REQUESTS).await?;
    let outcome = match digest.email.parse::<Mailbox>() {
        Err(_) => Err(("the user's email address is not valid".to_owned(), false)),
        Ok(_) if requests.is_empty() => Err(("no request could be read".to_owned(), false)),
        Ok(address) => {
            let to = Mailbox::new(Some(digest.name.clone()), address.email);
            // The same notices make the same id, so a resent email can be told from a new one.
            let id = format!(
                "<requests.{}.{first}.{last}@{}>",
                digest.user_id,
                mail.from.email.domain()
            );
            match message(
                &mail.from,
                to,
                &requests,
                &mail.public_url,
                id,
                (mail.clock)(),
            ) {
                Err(e) => Err((format!("the email could not be built: {e}"), false)),
                Ok(email) => transport
                    .send(super::unsubscribe::with_link(
                        email,
                        &mail.public_url,
                        &unsubscribe,
                    ))
                    .await
                    .map(|_| ())
                    .map_err(|e| (describe(&e), true)),
            }
        }
    };
    let (user, now) = (digest.user_id.clone(), (mail.clock)());
    match outcome {
        Ok(()) => {
            crate::metrics::email("sent");
            tracing::info!(user = %user, requests = requests.len(), "email sent");
            let next = now + mail.digest_window.as_millis() as i64;
            store.write(move |tx| tx.mail_sent(&user, last, next)).await
        }
        Err((error, retry)) => {
            let retry_at = retry
                .then(|| retry_at(&mail.schedule, digest.attempts, now))
                .flatten();
            crate::metrics::email(if retry_at.is_some() {
                "retried"
            } else {
                "failed"
            });
            tracing::info!(user = %user, %error, retry_at, "email not sent");
            store
                .write(move |tx| tx.mail_attempt_failed(&user, last, &error, retry_at, now))
                .await
        }
    }
}
