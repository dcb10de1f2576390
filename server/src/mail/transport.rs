//! The SMTP client the mail worker sends with, and what it says of a failed send: shared by the
//! digests ([`super::deliver`]) and the staff alerts ([`super::alerts`]).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::{Mail, Security};

/// How long the SMTP server has for each step of a send.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long each email taken is kept from other processes, one after another in the order sent: past
/// the few SMTP steps' deadlines, so that only a process gone meanwhile leaves it to another.
pub(super) const LEASE_EACH_MS: i64 = 6 * TIMEOUT.as_millis() as i64;

pub(super) type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// The SMTP client: one connection per email, protected as configured.
pub(super) fn transport(mail: &Mail) -> Result<Transport, lettre::transport::smtp::Error> {
    let smtp = &mail.smtp;
    let tls = match smtp.security {
        Security::Starttls => Tls::Required(TlsParameters::new(smtp.host.clone())?),
        Security::Tls => Tls::Wrapper(TlsParameters::new(smtp.host.clone())?),
        Security::None => Tls::None,
    };
    let mut builder = Transport::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// A failed send, said without the server's text (which may repeat an address).
pub(super) fn describe(error: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = error.status() {
        let kind = if error.is_permanent() {
            "refused"
        } else {
            "deferred"
        };
        return format!("the SMTP server {kind} it ({code})");
    }
    if error.is_timeout() {
        "the SMTP server timed out".into()
    } else if error.is_tls() {
        "the TLS connection to the SMTP server failed".into()
    } else {
        "could not reach the SMTP server".into()
    }
}
