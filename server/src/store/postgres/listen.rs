//! Commits of every process, heard: a connection of its own that `LISTEN`s on `crw_outbox`, on which
//! PostgreSQL notifies each committed transaction that added outbox events, whichever process made it
//! (migration 0012's trigger). Each notification moves a counter that the live feed watches, as a SQLite
//! process's feed watches its own writer; a console connected to one process so hears at once of a
//! request stored through another.
//!
//! The connection is re-opened when it is lost (the database restarted), and the counter moves then too:
//! what was committed while nobody listened is read on that move, so nothing is missed, only read late.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls};

use crate::store::StoreError;

/// The channel migration 0012's trigger notifies.
const CHANNEL: &str = "crw_outbox";

/// How long to wait before listening again after the connection was lost or could not be opened.
const RETRY: Duration = Duration::from_secs(1);

/// Starts listening with `config`; the receiver's value moves on each commit heard. The listener stops
/// once every receiver is gone.
pub(super) fn start(config: Config) -> watch::Receiver<u64> {
    let (sender, receiver) = watch::channel(0);
    tokio::spawn(async move {
        while !sender.is_closed() {
            let heard = tokio::select! {
                heard = listen_once(&config, &sender) => heard,
                () = sender.closed() => return,
            };
            if let Err(error) = heard {
                tracing::warn!(%error, "cannot listen for other processes' commits; retrying");
            }
            tokio::time::sleep(RETRY).await;
        }
    });
    receiver
}

/// Listens on one connection until it ends.
async fn listen_once(config: &Config, sender: &watch::Sender<u64>) -> Result<(), StoreError> {
    match config.get_ssl_mode() {
        SslMode::Require => {
            let (client, connection) = config.connect(super::tls()?).await?;
            Ok(hear(client, connection, sender).await?)
        }
        _ => {
            let (client, connection) = config.connect(NoTls).await?;
            Ok(hear(client, connection, sender).await?)
        }
    }
}

/// Drives `connection`, moving the counter on each notification, until the connection ends.
async fn hear<S, T>(
    client: Client,
    mut connection: Connection<S, T>,
    sender: &watch::Sender<u64>,
) -> Result<(), tokio_postgres::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let bump = || sender.send_modify(|n| *n = n.wrapping_add(1));
    let listen = format!("LISTEN {CHANNEL}");
    let listening = client.batch_execute(&listen);
    tokio::pin!(listening);
    let mut listened = false;
    loop {
        tokio::select! {
            done = &mut listening, if !listened => {
                done?;
                listened = true;
                // Anything committed before the LISTEN took effect is read now.
                bump();
            }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(_))) => bump(),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
        }
    }
}
