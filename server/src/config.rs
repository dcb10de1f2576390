//! Command-line flags, each with an environment fallback, and the subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};

use crate::protection::{Challenger, Friction, KeyedLimit, Protection};

/// The contact-request server.
///
/// With no subcommand it serves: the intake API and the widget on `--listen`, and the demo host page on
/// `--demo-listen`. Every flag can also be set through the environment variable shown.
#[derive(Debug, Parser)]
#[command(name = "contact-server", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the widget and the demo page (the default).
    Serve,
    /// Read stored contact requests.
    #[command(subcommand)]
    Requests(RequestsCommand),
    /// Manage the representatives and integrations that call the Salesforce-compatible API.
    #[command(subcommand)]
    Users(crate::access::cli::UsersCommand),
    /// Manage the queues that own contact requests.
    #[command(subcommand)]
    Queues(crate::access::cli::QueuesCommand),
    /// Show or set the organisation-wide default access to contact requests.
    #[command(subcommand)]
    Sharing(crate::access::cli::SharingCommand),
    /// Create, list and revoke the API's bearer tokens.
    #[command(subcommand)]
    Tokens(crate::access::cli::TokensCommand),
    /// Work on callbacks: release junk bookings.
    #[command(subcommand)]
    Callbacks(CallbacksCommand),
    /// Read an endpoint's webhook delivery log, and deliver again.
    #[command(subcommand)]
    Webhooks(crate::webhooks::cli::WebhooksCommand),
}

#[derive(Debug, Subcommand)]
pub enum CallbacksCommand {
    /// Close open bookings (a chosen callback time still ahead) as Abandoned, freeing their places; prints
    /// the ids released, one a line.
    Release {
        /// A contact request's id; repeat for several (up to 200).
        #[arg(
            long = "id",
            required_unless_present = "booked_since",
            conflicts_with = "booked_since"
        )]
        ids: Vec<String>,
        /// Release every booking visitors made at or after this time (ISO 8601 with a zone, such as
        /// 2026-02-26T15:40:52Z).
        #[arg(long)]
        booked_since: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// Print one request as JSON, by id or by number (CR-000001); exits 1 when there is none.
    Show {
        /// The request's id or number.
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the API and widget listener; port 0 picks a free port.
    #[arg(
        long,
        env = "CRW_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,

    /// The database: a SQLite file (a path, or sqlite:PATH), created with its schema on first start, or
    /// a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE). Any other URL is refused.
    #[arg(
        long,
        env = "CRW_DATABASE",
        default_value = "data/contact-requests.sqlite3",
        global = true
    )]
    pub database: crate::store::Database,

    /// Connections one server process keeps to PostgreSQL (each is a process of the database server's,
    /// so N server processes hold N times this many). Unused with SQLite.
    #[arg(
        long,
        env = "CRW_DATABASE_POOL_SIZE",
        default_value_t = crate::store::DEFAULT_POOL_SIZE,
        value_parser = clap::value_parser!(u16).range(1..=1024).map(usize::from),
        global = true
    )]
    pub database_pool_size: usize,

    /// PostgreSQL is reached through a pooler in transaction mode (PgBouncer's pool_mode = transaction):
    /// no statement is prepared by name, and the live feed listens on --database-listen-url, which this
    /// then needs. Unused with SQLite.
    #[arg(
        long,
        env = "CRW_DATABASE_TRANSACTION_POOLER",
        default_value_t = false,
        global = true
    )]
    pub database_transaction_pooler: bool,

    /// A PostgreSQL URL that reaches the database directly (not through a pooler in transaction mode),
    /// on which the live feed LISTENs for the other processes' commits. Defaults to --database.
    #[arg(long, env = "CRW_DATABASE_LISTEN_URL", global = true)]
    pub database_listen_url: Option<crate::store::PostgresUrl>,

    /// Address of the demo host page, a separate origin that embeds the widget.
    #[arg(
        long,
        env = "CRW_DEMO_LISTEN",
        default_value = "127.0.0.1:3001",
        global = true
    )]
    pub demo_listen: SocketAddr,

    /// Do not serve the demo host page. It is never served when a sites file is given.
    #[arg(long, env = "CRW_NO_DEMO", global = true)]
    pub no_demo: bool,

    /// With the demo host page: make sure the demo's console users exist (an admin and two
    /// representatives in the default queue), give each a fresh random password, and print them.
    /// `cargo xtask run` sets it; a real deployment never should.
    #[arg(long, env = "CRW_DEMO_USERS", global = true)]
    pub demo_users: bool,

    /// Sites configuration file (TOML; see sites.example.toml). Without it, the built-in demo sites.
    #[arg(long, env = "CRW_SITES", default_value = "sites.toml", global = true)]
    pub sites: PathBuf,

    /// Folder holding the built widget (Trunk's output).
    #[arg(long, env = "CRW_WIDGET_DIR", default_value = "dist", global = true)]
    pub widget_dir: PathBuf,

    /// An origin (scheme://host[:port]) whose pages may use the built-in demo sites; repeat the flag or
    /// separate with commas. The demo page's origin is always allowed. A sites file sets its own origins.
    #[arg(
        long = "allowed-origin",
        env = "CRW_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,

    /// The URL browsers use to reach this server, when it differs from the listen address
    /// (behind a proxy, say). Defaults to http://LISTEN.
    #[arg(long, env = "CRW_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// TOML file of call centers: unified routing, business hours, retry policy and the keys that sign
    /// telephony tokens. Without it there are none and the telephony API refuses every call.
    #[arg(long, env = "CRW_CALL_CENTERS", global = true)]
    pub call_centers: Option<PathBuf>,

    /// TOML file of webhook endpoints (url, whsec_ secrets, events, optional site). Without it no webhooks
    /// are sent.
    #[arg(long, env = "CRW_WEBHOOKS", global = true)]
    pub webhooks: Option<PathBuf>,

    /// The key the secrets of webhook endpoints created through the API are sealed with in the database:
    /// 32 bytes in base64 (`openssl rand -base64 32`), the same for every process on one database. Without
    /// it admins cannot create endpoints through the API, and this process delivers only to the file's.
    #[arg(long, env = "CRW_WEBHOOKS_KEY", hide_env_values = true, global = true)]
    pub webhooks_key: Option<String>,

    /// Deliver webhooks to http:// and to loopback, private and link-local addresses too; by default
    /// only https:// to public addresses, checked when each delivery is made.
    #[arg(long, env = "CRW_WEBHOOKS_ALLOW_PRIVATE", global = true)]
    pub webhooks_allow_private: bool,

    /// How long a console session lasts with nothing done in it: a duration such as `8h`, `30m` or
    /// `90s` (a bare number is seconds).
    #[arg(
        long,
        env = "CRW_SESSION_IDLE",
        default_value = "8h",
        value_parser = duration,
        global = true
    )]
    pub session_idle: Duration,

    /// How long a console session lasts at most, however busy: signed in longer than this, a
    /// representative signs in again. Same form as `--session-idle`.
    #[arg(
        long,
        env = "CRW_SESSION_LIFETIME",
        default_value = "7days",
        value_parser = duration,
        global = true
    )]
    pub session_lifetime: Duration,

    /// Days a Contact Request Details event (and a day's aggregate-only count) is kept; older ones are
    /// swept. The default, 396, is 13 months.
    #[arg(
        long,
        env = "CRW_EVENTS_RETENTION_DAYS",
        default_value_t = crate::xdm::DEFAULT_RETENTION_DAYS,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub events_retention_days: u32,

    /// Forward sites' events to Adobe Experience Platform over http:// and to loopback, private and
    /// link-local addresses too (a stand-in inlet, a proxy the operator trusts); by default only https://
    /// to public addresses, as for webhooks.
    #[arg(long, env = "CRW_EVENTS_FORWARD_ALLOW_PRIVATE", global = true)]
    pub events_forward_allow_private: bool,

    #[command(flatten)]
    pub protection: ProtectionArgs,

    #[command(flatten)]
    pub reads: ReadArgs,

    #[command(flatten)]
    pub mail: MailArgs,
}

/// Email through SMTP: without `--smtp-host` no email is sent.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The SMTP server new requests are emailed through, to the members of the owning queue. Without
    /// it no email is sent.
    #[arg(long, env = "CRW_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,

    /// The SMTP server's port; by default 587 for starttls, 465 for tls, 25 for none.
    #[arg(long, env = "CRW_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,

    /// How the connection is protected: `starttls` (required, never downgraded), `tls` (from the first
    /// byte) or `none` (only to a server on this machine).
    #[arg(
        long,
        env = "CRW_SMTP_SECURITY",
        value_enum,
        default_value = "starttls",
        global = true
    )]
    pub smtp_security: crate::mail::Security,

    /// The username to sign in to the SMTP server with; the password is read from CRW_SMTP_PASSWORD.
    #[arg(long, env = "CRW_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,

    /// The SMTP password: set CRW_SMTP_PASSWORD rather than the flag, which other users of the
    /// machine can read.
    #[arg(
        long,
        env = "CRW_SMTP_PASSWORD",
        hide_env_values = true,
        hide = true,
        global = true
    )]
    pub smtp_password: Option<String>,

    /// The address emails come from, e.g. `Contact requests <requests@example.com>`; required with
    /// `--smtp-host`.
    #[arg(long, env = "CRW_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// At most one email per person per this long: the requests that arrive meanwhile are gathered
    /// into the next one. Same form as `--session-idle`.
    #[arg(
        long,
        env = "CRW_MAIL_DIGEST_WINDOW",
        default_value = "5m",
        value_parser = duration,
        global = true
    )]
    pub mail_digest_window: Duration,
}

impl ServeArgs {
    /// How this process uses PostgreSQL, as its flags say, or why they are refused together.
    pub fn postgres(&self) -> Result<crate::store::PostgresOptions, crate::store::OptionsError> {
        crate::store::PostgresOptions::new(
            self.database_pool_size,
            self.database_transaction_pooler,
            self.database_listen_url.clone(),
        )
    }
}

impl MailArgs {
    /// The email these flags configure, with links to `public_url`; `None` without an SMTP host.
    pub fn mail(&self, public_url: &str) -> Result<Option<crate::mail::Mail>, String> {
        let Some(host) = &self.smtp_host else {
            return Ok(None);
        };
        let smtp = crate::mail::Smtp::parse(
            host,
            self.smtp_port,
            self.smtp_security,
            self.smtp_username.as_deref(),
            self.smtp_password.as_deref(),
        )?;
        let from = self
            .mail_from
            .as_deref()
            .ok_or("--mail-from (CRW_MAIL_FROM) is required with --smtp-host")?;
        let from = from.parse().map_err(|e| {
            format!("--mail-from {from:?} is not an address such as \"Requests <requests@example.com>\": {e}")
        })?;
        Ok(Some(crate::mail::Mail {
            digest_window: self.mail_digest_window,
            ..crate::mail::Mail::new(smtp, from, public_url)
        }))
    }
}

/// A duration of at least a second, in humantime's form (`8h`, `7days`, `1h 30m`) or as bare seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let parsed = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(text).map_err(|e| {
            format!("{e}: give a duration such as 8h, 30m, 7days or a number of seconds")
        })?,
    };
    if parsed < Duration::from_secs(1) {
        return Err("the duration must be at least one second".into());
    }
    Ok(parsed)
}

/// How the store's reads are shared among the API's callers.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Read connections for the API's reads and queries (token checks and probes have their own). The
    /// default is two per core.
    #[arg(
        long,
        env = "CRW_READ_CONNECTIONS",
        default_value_t = crate::store::default_read_connections(),
        value_parser = clap::value_parser!(u16).range(1..=256).map(usize::from),
        global = true
    )]
    pub read_connections: usize,

    /// Seconds one statement of a SOQL query may run before it is stopped and answered `QUERY_TIMEOUT`.
    #[arg(
        long,
        env = "CRW_QUERY_TIMEOUT_SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub query_timeout_secs: u64,

    /// SOQL queries one API user may run at once; more are answered `REQUEST_LIMIT_EXCEEDED`.
    #[arg(
        long,
        env = "CRW_QUERIES_PER_USER",
        default_value_t = 2,
        value_parser = clap::value_parser!(u16).range(1..).map(usize::from),
        global = true
    )]
    pub queries_per_user: usize,
}

impl ReadArgs {
    /// The API's query limits these flags set; the rest keep their defaults.
    pub fn query_limits(&self) -> crate::sobjects::QueryLimits {
        crate::sobjects::QueryLimits {
            timeout: std::time::Duration::from_secs(self.query_timeout_secs),
            per_user: self.queries_per_user,
            ..Default::default()
        }
    }
}

/// Limits, rate limits, bot friction and metrics: the defaults suit a public form on many sites.
#[derive(Debug, Clone, Args)]
pub struct ProtectionArgs {
    /// Address of the Prometheus `/metrics` listener; keep it off the public network.
    #[arg(
        long,
        env = "CRW_METRICS_LISTEN",
        default_value = "127.0.0.1:9464",
        global = true
    )]
    pub metrics_listen: SocketAddr,

    /// Do not serve metrics.
    #[arg(long, env = "CRW_NO_METRICS", global = true)]
    pub no_metrics: bool,

    /// A proxy (IP or CIDR, such as 10.0.0.0/8) whose `X-Forwarded-For` names the client; repeat or
    /// separate with commas. `forwarded=10.0.0.0/8`: the proxy writes RFC 7239's `Forwarded` instead.
    /// From any other peer the headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CRW_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::protection::TrustedProxy::parse,
        global = true
    )]
    pub trusted_proxies: Vec<crate::protection::TrustedProxy>,

    /// Submissions per minute from one client IP (0: no limit).
    #[arg(long, env = "CRW_RATE_LIMIT_IP", default_value_t = 10, global = true)]
    pub rate_limit_ip: u32,

    /// Submissions one client IP may send at once before the per-minute rate applies.
    #[arg(
        long,
        env = "CRW_RATE_LIMIT_IP_BURST",
        default_value_t = 5,
        global = true
    )]
    pub rate_limit_ip_burst: u32,

    /// Batches of analytics events per minute from one client IP (0: no limit).
    #[arg(
        long,
        env = "CRW_RATE_LIMIT_EVENTS",
        default_value_t = 60,
        global = true
    )]
    pub rate_limit_events: u32,

    /// Batches of events one client IP may send at once before the per-minute rate applies.
    #[arg(
        long,
        env = "CRW_RATE_LIMIT_EVENTS_BURST",
        default_value_t = 20,
        global = true
    )]
    pub rate_limit_events_burst: u32,

    /// Submissions per minute for one site, the widget's `data-site` (0: no limit).
    #[arg(
        long,
        env = "CRW_RATE_LIMIT_SITE",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_site: u32,

    /// Submissions one site may receive at once before the per-minute rate applies.
    #[arg(
        long,
        env = "CRW_RATE_LIMIT_SITE_BURST",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_site_burst: u32,

    /// Callback times one client IP (an IPv6 client by its /64) may book an hour (0: no limit).
    #[arg(
        long,
        env = "CRW_BOOKINGS_PER_CLIENT_HOUR",
        default_value_t = 3,
        global = true
    )]
    pub bookings_per_client_hour: u32,

    /// Open bookings (a chosen callback time still ahead) one phone number may hold (0: no limit).
    #[arg(
        long,
        env = "CRW_BOOKINGS_PER_PHONE",
        default_value_t = 1,
        global = true
    )]
    pub bookings_per_phone: u32,

    /// Hours an idempotency key is kept after its submission was stored: a retry within it gets the first
    /// answer. Older keys are swept.
    #[arg(
        long,
        env = "CRW_IDEMPOTENCY_RETENTION_HOURS",
        default_value_t = 24,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub idempotency_retention_hours: u64,

    /// Proof-of-work difficulty in leading zero bits of SHA-256 (each bit doubles the widget's work;
    /// 16 is about 65,000 hashes, a few hundred milliseconds on a phone). 0 turns it off.
    #[arg(long, env = "CRW_POW_DIFFICULTY", default_value_t = 16, global = true)]
    pub pow_difficulty: u8,

    /// The least time, in milliseconds, between the widget fetching its challenge and submitting.
    #[arg(long, env = "CRW_MIN_FILL_MS", default_value_t = 1500, global = true)]
    pub min_fill_ms: u64,

    /// Secret that signs challenges; set it so challenges survive restarts. Random per start if unset.
    #[arg(
        long,
        env = "CRW_CHALLENGE_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub challenge_secret: Option<String>,

    /// Seconds a request may take, body included, before it is answered 408.
    #[arg(
        long,
        env = "CRW_REQUEST_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Seconds a client has to send its request headers (slow clients are cut off).
    #[arg(
        long,
        env = "CRW_HEADER_TIMEOUT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub header_timeout_secs: u64,

    /// Open connections served at once; more wait in the listen queue.
    #[arg(
        long,
        env = "CRW_MAX_CONNECTIONS",
        default_value_t = 2048,
        global = true
    )]
    pub max_connections: usize,

    /// Open connections served at once from one client address (0: no cap). Trusted proxies are exempt.
    #[arg(
        long,
        env = "CRW_MAX_CONNECTIONS_PER_IP",
        default_value_t = 128,
        global = true
    )]
    pub max_connections_per_ip: usize,

    /// Seconds a write may wait on a client that takes no data before its connection is closed.
    #[arg(
        long,
        env = "CRW_WRITE_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub write_timeout_secs: u64,

    /// The most bytes of request line and headers read (at least 8192).
    #[arg(long, env = "CRW_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u32).range(8192..), global = true)]
    pub max_header_bytes: u32,
}

/// The protection settings the flags ask for.
impl From<&ProtectionArgs> for Protection {
    fn from(args: &ProtectionArgs) -> Self {
        let secret = args.challenge_secret.as_ref().map_or_else(
            || rand::random::<[u8; 32]>().to_vec(),
            |s| s.as_bytes().to_vec(),
        );
        Self {
            trusted_proxies: Arc::new(args.trusted_proxies.clone()),
            challenger: Challenger::new(
                secret,
                Friction {
                    difficulty: args.pow_difficulty,
                    min_fill: Duration::from_millis(args.min_fill_ms),
                },
            ),
            ip_limit: KeyedLimit::per_minute(args.rate_limit_ip, args.rate_limit_ip_burst),
            site_limit: KeyedLimit::per_minute(args.rate_limit_site, args.rate_limit_site_burst),
            booking_limit: KeyedLimit::per_hour(
                args.bookings_per_client_hour,
                args.bookings_per_client_hour,
            ),
            events_limit: KeyedLimit::per_minute(
                args.rate_limit_events,
                args.rate_limit_events_burst,
            ),
            bookings_per_phone: (args.bookings_per_phone > 0).then_some(args.bookings_per_phone),
            request_timeout: Duration::from_secs(args.request_timeout_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_on_localhost_with_the_demo() {
        let cli = Cli::try_parse_from(["contact-server"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(cli.serve.demo_listen.to_string(), "127.0.0.1:3001");
        assert!(!cli.serve.no_demo);
    }

    #[test]
    fn events_are_kept_thirteen_months_unless_told_otherwise() {
        let cli = Cli::try_parse_from(["contact-server"]).unwrap();
        assert_eq!(cli.serve.events_retention_days, 396);
        let cli = Cli::try_parse_from(["contact-server", "--events-retention-days", "30"]).unwrap();
        assert_eq!(cli.serve.events_retention_days, 30);
        assert!(Cli::try_parse_from(["contact-server", "--events-retention-days", "0"]).is_err());
    }

    #[test]
    fn session_expiries_default_to_eight_hours_and_seven_days() {
        let cli = Cli::try_parse_from(["contact-server"]).unwrap();
        assert_eq!(cli.serve.session_idle, Duration::from_secs(8 * 3_600));
        assert_eq!(
            cli.serve.session_lifetime,
            Duration::from_secs(7 * 24 * 3_600)
        );
    }

    #[test]
    fn session_expiries_read_durations_or_seconds() {
        let table = [
            ("30m", Ok(Duration::from_secs(1_800)), "humantime minutes"),
            (
                "1h 30m",
                Ok(Duration::from_secs(5_400)),
                "humantime, two parts",
            ),
            ("90", Ok(Duration::from_secs(90)), "bare seconds"),
            ("0", Err(()), "zero"),
            ("soon", Err(()), "not a duration"),
        ];
        for (text, expected, why) in table {
            assert_eq!(duration(text).map_err(|_| ()), expected, "{why}: {text:?}");
        }
    }

    fn mail(args: &[&str]) -> Result<Option<crate::mail::Mail>, String> {
        let cli = Cli::try_parse_from([&["contact-server"], args].concat()).unwrap();
        cli.serve.mail.mail("https://crm.example.com/")
    }

    #[test]
    fn without_an_smtp_host_no_email_is_configured() {
        assert!(mail(&[]).unwrap().is_none());
    }

    #[test]
    fn an_smtp_host_and_a_from_address_configure_email() {
        let configured = mail(&[
            "--smtp-host",
            "smtp.example.com",
            "--mail-from",
            "Requests <requests@example.com>",
            "--mail-digest-window",
            "10m",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(configured.smtp.port, 587);
        assert_eq!(configured.smtp.security, crate::mail::Security::Starttls);
        assert_eq!(configured.from.email.to_string(), "requests@example.com");
        assert_eq!(configured.public_url, "https://crm.example.com");
        assert_eq!(configured.digest_window, Duration::from_secs(600));
    }

    #[test]
    fn invalid_email_settings_say_what_to_fix() {
        let table: [(&[&str], &str); 3] = [
            (&["--smtp-host", "smtp.example.com"], "--mail-from"),
            (
                &[
                    "--smtp-host",
                    "smtp.example.com",
                    "--mail-from",
                    "not an address",
                ],
                "is not an address",
            ),
            (
                &[
                    "--smtp-host",
                    "smtp.example.com",
                    "--smtp-security",
                    "none",
                    "--mail-from",
                    "a@example.com",
                ],
                "only to a server on this machine",
            ),
        ];
        for (args, says) in table {
            let error = mail(args).err().unwrap();
            assert!(error.contains(says), "{args:?}: {error}");
        }
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
