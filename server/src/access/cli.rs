//! The `users`, `queues`, `sharing` and `tokens` subcommands: the administration of API access from
//! the shell.

use crate::store::Database;

use anyhow::Context;
use clap::Subcommand;

use contact_shared::console::Role;

use super::directory::Membership;
use super::password::{self, Password};
use super::{Scope, directory, tokens};
use crate::Store;
use crate::instant;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a representative or integration user; prints its id.
    Add {
        /// The unique login name, such as ada@example.com.
        #[arg(long)]
        username: String,
        /// The display name.
        #[arg(long)]
        name: String,
        /// The user's email address.
        #[arg(long)]
        email: Option<String>,
        /// `representative` (their own requests and their queues'), `supervisor` (every request;
        /// reassigns) or `admin` (a supervisor who also manages users, queues and tokens).
        #[arg(long, value_parser = role, default_value = "representative")]
        role: Role,
        /// Read the user's console password from the first line of standard input (at least 12
        /// characters), so it appears in no command line or shell history.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users as JSON.
    List,
    /// Set a user's console password, read from the first line of standard input; ends every console
    /// session the user has.
    SetPassword {
        /// The user's id or username.
        user: String,
        /// Read the password from standard input (the only way it is taken).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Change a user's role.
    SetRole {
        /// The user's id or username.
        user: String,
        /// `representative`, `supervisor` or `admin`.
        #[arg(value_parser = role)]
        role: Role,
    },
}

/// A role by its name, for clap.
fn role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

#[derive(Debug, Subcommand)]
pub enum QueuesCommand {
    /// Add a queue; prints its id.
    Add {
        /// The queue's unique name.
        #[arg(long)]
        name: String,
        /// Make it the owner of new widget requests (in place of the current default).
        #[arg(long)]
        default: bool,
    },
    /// List queues as JSON.
    List,
    /// Make a user a member of a queue: they see and work its requests.
    AddMember {
        /// The queue's id or name.
        queue: String,
        /// The user's id or username.
        user: String,
    },
    /// Take a user out of a queue.
    RemoveMember {
        /// The queue's id or name.
        queue: String,
        /// The user's id or username.
        user: String,
    },
    /// List a queue's members as JSON.
    Members {
        /// The queue's id or name.
        queue: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SharingCommand {
    /// Show the organisation-wide default access to contact requests, or set it: `private` (owners,
    /// queue members, shares and sharing rules only; the default), `read` (everyone reads every
    /// request) or `edit` (everyone reads and edits every request).
    Default {
        #[arg(value_parser = default_access)]
        access: Option<&'static str>,
    },
}

/// An organisation-wide default by its command-line name, as stored.
fn default_access(name: &str) -> Result<&'static str, String> {
    match name {
        "private" => Ok("Private"),
        "read" => Ok("Read"),
        "edit" => Ok("Edit"),
        _ => Err("expected one of private, read, edit".into()),
    }
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token acting as a user and print it, once: only its hash is kept.
    Create {
        /// The user's id or username.
        #[arg(long)]
        user: String,
        /// `read` (GET only) or `write` (read and change).
        #[arg(long, value_enum)]
        scope: Scope,
        /// A note saying what the token is for.
        #[arg(long)]
        label: Option<String>,
    },
    /// List tokens as JSON (never the tokens themselves).
    List,
    /// Revoke a token by the id `tokens create` printed.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

/// One administration command.
#[derive(Debug)]
pub enum Admin {
    Users(UsersCommand),
    Queues(QueuesCommand),
    Sharing(SharingCommand),
    Tokens(TokensCommand),
}

/// Opens the database, runs `command`, and waits for its writes to be on disk.
pub async fn run(
    database: &Database,
    postgres: &crate::store::PostgresOptions,
    command: Admin,
) -> anyhow::Result<()> {
    crate::cli::with_store(database, postgres, async |store| {
        execute(store, command).await
    })
    .await
}

async fn execute(store: &Store, command: Admin) -> anyhow::Result<()> {
    match command {
        Admin::Users(UsersCommand::Add {
            username,
            name,
            email,
            role,
            password_stdin,
        }) => {
            // Read before anything is written: a refused password adds no user.
            let password = password_stdin.then(read_password).transpose()?;
            let user = directory::add_user(store, username, name, email, role).await?;
            if let Some(password) = password {
                password::set(store, user.id.clone(), password, instant::now()).await?;
            }
            println!("{}", user.id);
        }
        Admin::Users(UsersCommand::List) => print_json(&directory::users(store).await?)?,
        Admin::Users(UsersCommand::SetRole { user, role }) => {
            directory::set_role(store, user.clone(), role).await?;
            println!("{user} is now {}", role.as_str());
        }
        Admin::Users(UsersCommand::SetPassword { user, .. }) => {
            let password = read_password()?;
            let user_id = directory::find_user(store, user.clone())
                .await?
                .with_context(|| format!("no user with id or username {user}"))?;
            password::set(store, user_id, password, instant::now()).await?;
            eprintln!("password set for {user}; their console sessions have ended");
        }
        Admin::Queues(QueuesCommand::Add { name, default }) => {
            let queue = directory::add_queue(store, name, default).await?;
            println!("{}", queue.id);
        }
        Admin::Queues(QueuesCommand::List) => print_json(&directory::queues(store).await?)?,
        Admin::Queues(QueuesCommand::AddMember { queue, user }) => {
            match directory::set_membership(store, queue.clone(), user.clone(), true).await? {
                Membership::Changed => println!("{user} is now a member of {queue}"),
                Membership::Unchanged => println!("{user} already was a member of {queue}"),
            }
        }
        Admin::Queues(QueuesCommand::RemoveMember { queue, user }) => {
            match directory::set_membership(store, queue.clone(), user.clone(), false).await? {
                Membership::Changed => println!("{user} is no longer a member of {queue}"),
                Membership::Unchanged => println!("{user} was not a member of {queue}"),
            }
        }
        Admin::Queues(QueuesCommand::Members { queue }) => {
            print_json(&directory::members(store, queue).await?)?;
        }
        Admin::Sharing(SharingCommand::Default { access }) => {
            if let Some(access) = access {
                super::sharing::set_default(store, access).await?;
            }
            let now = store.read(|db| db.sharing_default()).await?;
            println!("contact requests: {now}");
        }
        Admin::Tokens(TokensCommand::Create { user, scope, label }) => {
            let user_id = directory::find_user(store, user.clone())
                .await?
                .with_context(|| format!("no user with id or username {user}"))?;
            let (id, token) = tokens::create(store, user_id, scope, label).await?;
            eprintln!("token {id} created; it is shown only this once:");
            println!("{token}");
        }
        Admin::Tokens(TokensCommand::List) => print_json(&tokens::list(store).await?)?,
        Admin::Tokens(TokensCommand::Revoke { id }) => {
            if !tokens::revoke(store, id).await? {
                anyhow::bail!("no live token with id {id}");
            }
            println!("token {id} revoked");
        }
    }
    Ok(())
}

/// The password on the first line of standard input.
fn read_password() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(Password::from_stdin_line(&line)?)
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
