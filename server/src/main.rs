//! The `contact-server` binary: read the flags, then serve or run a subcommand.

use clap::Parser;
use contact_server::cli::with_store;
use contact_server::config::{CallbacksCommand, Cli, Command, RequestsCommand};
use contact_server::{access, callbacks, serve, webhooks};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let postgres = cli.serve.postgres()?;
    match cli.command {
        None | Some(Command::Serve) => serve::serve(cli.serve).await,
        Some(Command::Requests(RequestsCommand::Show { key })) => {
            let found = with_store(&cli.serve.database, &postgres, async |store| {
                Ok(store.find(&key).await?)
            })
            .await?;
            match found {
                Some(request) => {
                    println!("{}", serde_json::to_string_pretty(&request)?);
                    Ok(())
                }
                None => anyhow::bail!("no contact request with id or number {key}"),
            }
        }
        Some(Command::Users(command)) => {
            access::cli::run(
                &cli.serve.database,
                &postgres,
                access::cli::Admin::Users(command),
            )
            .await
        }
        Some(Command::Queues(command)) => {
            access::cli::run(
                &cli.serve.database,
                &postgres,
                access::cli::Admin::Queues(command),
            )
            .await
        }
        Some(Command::Sharing(command)) => {
            access::cli::run(
                &cli.serve.database,
                &postgres,
                access::cli::Admin::Sharing(command),
            )
            .await
        }
        Some(Command::Tokens(command)) => {
            access::cli::run(
                &cli.serve.database,
                &postgres,
                access::cli::Admin::Tokens(command),
            )
            .await
        }
        Some(Command::Webhooks(command)) => {
            webhooks::cli::run(&cli.serve.database, &postgres, command).await
        }
        Some(Command::Callbacks(CallbacksCommand::Release { ids, booked_since })) => {
            let selection = match booked_since {
                Some(since) => callbacks::release::Selection::booked_since(&since),
                None => callbacks::release::Selection::ids(&ids),
            }
            .map_err(anyhow::Error::msg)?;
            let released = with_store(&cli.serve.database, &postgres, async |store| {
                Ok(callbacks::release::release(store, selection, None).await?)
            })
            .await?;
            for id in released {
                println!("{id}");
            }
            Ok(())
        }
    }
}
