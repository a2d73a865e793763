//! Change notifications between the nodes sharing a PostgreSQL store: `NOTIFY` sends one,
//! a [`Listener`] (its own connection, `LISTEN`) receives them. What they carry is the
//! cluster's business; this file only moves text.

use sqlx::postgres::PgListener;

use super::{Conn, Result};

/// Sends `payload` on `channel` to every listening node.
pub async fn send(conn: &mut Conn, channel: &str, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A connection listening on some channels.
pub struct Listener(PgListener);

/// What a listener got: a notification, or the news that its connection dropped (the next
/// [`Listener::next`] reconnects; whatever was sent meanwhile is lost).
#[derive(Debug)]
pub enum Heard {
    Notification { channel: String, payload: String },
    Reconnected,
}

impl Listener {
    pub async fn connect(url: &str, channels: &[&str]) -> Result<Listener> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen_all(channels.iter().copied()).await?;
        Ok(Listener(listener))
    }

    pub async fn next(&mut self) -> Result<Heard> {
        Ok(match self.0.try_recv().await? {
            Some(message) => Heard::Notification {
                channel: message.channel().to_owned(),
                payload: message.payload().to_owned(),
            },
            None => Heard::Reconnected,
        })
    }
}
