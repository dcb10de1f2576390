//! The `webhooks` subcommands: an endpoint's delivery log and replays from the shell, by the same rule
//! as the API's (`webhooks::log`). A replay marks the deliveries due; the running server posts them.

use clap::Subcommand;

use super::log::{self, Replay};
use crate::Store;
use crate::store::Database;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Print an endpoint's deliveries as JSON, newest first, each with its tries; `nextBefore` is the
    /// next page's --before.
    Deliveries {
        /// The endpoint's name in the webhooks file.
        endpoint: String,
        /// How many deliveries (1 to 100; 20 when not given).
        #[arg(long)]
        limit: Option<String>,
        /// Start after this page's `nextBefore`.
        #[arg(long)]
        before: Option<String>,
    },
    /// Deliver again, with the same webhook-id, one delivery or those of the events written from
    /// --since until before --until (at most 1000), whether they had been delivered or had failed;
    /// prints how many. The running server posts them.
    Replay {
        /// The endpoint's name in the webhooks file.
        endpoint: String,
        /// The event's id (msg_…, its webhook-id).
        #[arg(long, required_unless_present = "since", conflicts_with = "since")]
        id: Option<String>,
        /// The range's start, an ISO 8601 date and time with its zone (2026-02-26T15:40:52Z).
        #[arg(long, requires = "until")]
        since: Option<String>,
        /// The range's end, itself left out.
        #[arg(long, requires = "since")]
        until: Option<String>,
    },
}

/// Opens the database, runs `command`, and waits for its writes to be on disk.
pub async fn run(
    database: &Database,
    postgres: &crate::store::PostgresOptions,
    command: WebhooksCommand,
) -> anyhow::Result<()> {
    crate::cli::with_store(database, postgres, async |store| {
        execute(store, command).await
    })
    .await
}

async fn execute(store: &Store, command: WebhooksCommand) -> anyhow::Result<()> {
    match command {
        WebhooksCommand::Deliveries {
            endpoint,
            limit,
            before,
        } => {
            let limit = log::page_size(limit.as_deref())?;
            let before = log::page_start(before.as_deref())?;
            let page = log::page(store, endpoint, before, limit).await?;
            println!("{}", serde_json::to_string_pretty(&page)?);
        }
        WebhooksCommand::Replay {
            endpoint,
            id,
            since,
            until,
        } => {
            let replay = match (id, since, until) {
                (Some(id), ..) => Replay::One(id),
                (None, Some(since), Some(until)) => Replay::range(&since, &until)?,
                _ => anyhow::bail!("give --id, or --since and --until"),
            };
            let now_ms = jiff::Timestamp::now().as_millisecond();
            println!("{}", log::replay(store, endpoint, replay, now_ms).await?);
        }
    }
    Ok(())
}
