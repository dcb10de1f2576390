//! Command-line flags, each with an environment fallback, and the subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Create, list and revoke the API's bearer tokens.
    #[command(subcommand)]
    Tokens(crate::access::cli::TokensCommand),
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

    /// SQLite database file; created with its schema on first start.
    #[arg(
        long,
        env = "CRW_DATABASE",
        default_value = "data/contact-requests.sqlite3",
        global = true
    )]
    pub database: PathBuf,

    /// Address of the demo host page, a separate origin that embeds the widget.
    #[arg(
        long,
        env = "CRW_DEMO_LISTEN",
        default_value = "127.0.0.1:3001",
        global = true
    )]
    pub demo_listen: SocketAddr,

    /// Do not serve the demo host page.
    #[arg(long, env = "CRW_NO_DEMO", global = true)]
    pub no_demo: bool,

    /// Folder holding the built widget (Trunk's output).
    #[arg(long, env = "CRW_WIDGET_DIR", default_value = "dist", global = true)]
    pub widget_dir: PathBuf,

    /// An origin (scheme://host[:port]) whose pages may send contact requests; repeat the flag or
    /// separate with commas. The demo page's origin is always allowed while it is served.
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
}

/// Checks that `value` is an origin: `http` or `https`, a host, an optional port, and nothing else.
pub fn parse_origin(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| format!("allowed origin {value:?} must start with http:// or https://"))?;
    let valid_host = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid_host {
        return Err(format!(
            "allowed origin {value:?} must be scheme://host[:port] with no path, such as https://www.example.com"
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://www.example.com",
            "http://127.0.0.1:3001",
            "http://[::1]:8080",
        ] {
            assert_eq!(parse_origin(ok), Ok(ok.to_owned()));
        }
        let table = [
            ("www.example.com", "must start with http:// or https://"),
            (
                "https://www.example.com/",
                "must be scheme://host[:port] with no path",
            ),
            (
                "https://example.com/contact",
                "must be scheme://host[:port] with no path",
            ),
            ("https://", "must be scheme://host[:port] with no path"),
            ("*", "must start with http:// or https://"),
        ];
        for (bad, why) in table {
            let err = parse_origin(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn defaults_serve_on_localhost_with_the_demo() {
        let cli = Cli::try_parse_from(["contact-server"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(cli.serve.demo_listen.to_string(), "127.0.0.1:3001");
        assert!(!cli.serve.no_demo);
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
