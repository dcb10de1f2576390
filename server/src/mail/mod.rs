//! Email through SMTP, sent from the outbox: each new request is told to the members of the queue that
//! owns it ([`deliver`]), at most one email per person per digest window, in plain text and HTML
//! ([`compose`]). A failed send is retried on the webhooks' schedule, so a down SMTP server delays mail
//! and loses none. Staff alerts go at once, each on its own ([`alerts`]): a representative's callback
//! falling due ([`callback_due`]) and a webhook endpoint disabled, to the admins ([`endpoint_disabled`]).
//! A person's own notifications carry a one-click unsubscribe link ([`unsubscribe`]).
//! Sites may also have each visitor who gave an address sent a confirmation ([`confirmation`]).
//! Logs name people by their user id only, never an address or what a visitor typed.

pub mod alerts;
pub mod callback_due;
pub mod compose;
pub mod confirmation;
pub mod deliver;
pub mod endpoint_disabled;
mod transport;
pub mod unsubscribe;

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::webhooks::{Clock, SCHEDULE, system_clock};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Security {
    /// A plain connection upgraded with STARTTLS before anything is sent; refused if it cannot be.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only to a server on this machine (a local relay, the tests).
    None,
}

impl Security {
    /// The port this protection is usually served on.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// The SMTP server mail goes through.
#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The username and password to sign in with, if the server wants them.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Smtp {
    // The password stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("signs_in", &self.credentials.is_some())
            .finish()
    }
}

impl Smtp {
    /// The server at `host`, on `port` or the one usual for `security`; an unencrypted connection only
    /// to a loopback host, and credentials only as a pair.
    pub fn parse(
        host: &str,
        port: Option<u16>,
        security: Security,
        username: Option<&str>,
        password: Option<&str>,
    ) -> Result<Self, String> {
        let host = host.trim();
        if host.is_empty() {
            return Err("the SMTP host is empty".into());
        }
        if security == Security::None && !is_loopback(host) {
            return Err(format!(
                "--smtp-security none sends mail and passwords in the clear, so it is allowed only to a \
                 server on this machine (localhost, 127.0.0.1, ::1), not to {host:?}; use starttls or tls"
            ));
        }
        let credentials = match (
            username.filter(|u| !u.is_empty()),
            password.filter(|p| !p.is_empty()),
        ) {
            (Some(user), Some(password)) => Some((user.to_owned(), password.to_owned())),
            (None, None) => None,
            (Some(_), None) => {
                return Err("--smtp-username is set but CRW_SMTP_PASSWORD is not".into());
            }
            (None, Some(_)) => {
                return Err("CRW_SMTP_PASSWORD is set but --smtp-username is not".into());
            }
        };
        Ok(Self {
            host: host.to_owned(),
            port: port.unwrap_or(security.default_port()),
            security,
            credentials,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The email a server sends, and how.
#[derive(Clone)]
pub struct Mail {
    pub smtp: Smtp,
    pub from: Mailbox,
    /// The server's public URL, which links in the emails start with (no trailing slash).
    pub public_url: String,
    /// At most one email per person per this long; later requests wait for the next.
    pub digest_window: Duration,
    /// The waits after each failed try, as the webhooks'.
    pub schedule: Vec<Duration>,
    /// What the sending reads the time from: tests turn it by hand.
    pub clock: Clock,
    /// How often the worker looks for new events when it has nothing to do.
    pub poll: Duration,
}

/// The digest window unless configured: at most one email per person per five minutes.
pub const DIGEST_WINDOW: Duration = Duration::from_secs(5 * 60);

impl Mail {
    /// Mail through `smtp` from `from`, linking to `public_url`, on the machine's clock, the webhooks'
    /// schedule and the default digest window.
    pub fn new(smtp: Smtp, from: Mailbox, public_url: &str) -> Self {
        Self {
            smtp,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
            digest_window: DIGEST_WINDOW,
            schedule: SCHEDULE.to_vec(),
            clock: system_clock(),
            poll: Duration::from_secs(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unencrypted_connection_is_allowed_only_to_this_machine() {
        for host in ["localhost", "127.0.0.1", "::1", "[::1]", "127.1.2.3"] {
            assert!(
                Smtp::parse(host, Some(2525), Security::None, None, None).is_ok(),
                "{host}"
            );
        }
        for host in ["smtp.example.com", "10.0.0.5", "192.168.1.1"] {
            assert!(
                Smtp::parse(host, None, Security::None, None, None).is_err(),
                "{host}"
            );
        }
    }

    #[test]
    fn invalid_smtp_settings_are_refused_with_what_to_fix() {
        let table = [
            ("", Security::Starttls, None, None, "the SMTP host is empty"),
            (
                "smtp.example.com",
                Security::Starttls,
                Some("me"),
                None,
                "CRW_SMTP_PASSWORD is not",
            ),
            (
                "smtp.example.com",
                Security::Tls,
                None,
                Some("secret"),
                "--smtp-username is not",
            ),
            (
                "mail.example.com",
                Security::None,
                None,
                None,
                "only to a server on this machine",
            ),
        ];
        for (host, security, user, password, says) in table {
            let error = Smtp::parse(host, None, security, user, password).unwrap_err();
            assert!(error.contains(says), "{host:?}: {error}");
        }
    }

    #[test]
    fn the_port_defaults_to_the_one_usual_for_the_protection() {
        let port = |security| {
            Smtp::parse("localhost", None, security, None, None)
                .unwrap()
                .port
        };
        assert_eq!(port(Security::Starttls), 587);
        assert_eq!(port(Security::Tls), 465);
        assert_eq!(port(Security::None), 25);
    }

    #[test]
    fn the_password_is_not_in_the_debug_output() {
        let smtp = Smtp::parse(
            "smtp.example.com",
            None,
            Security::Starttls,
            Some("me"),
            Some("hunter2"),
        )
        .unwrap();
        assert!(!format!("{smtp:?}").contains("hunter2"));
    }
}
