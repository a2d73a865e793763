//! Console sessions, server-side: the cookie holds a random token, the store its SHA-256 and the
//! SHA-256 of the session's CSRF token (never a token itself).

use super::{Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub user_id: i64,
    /// SHA-256 (hex) of the session's CSRF token.
    #[sqlx(rename = "csrf_token")]
    pub csrf_hash: String,
    pub expires_at: i64,
}

pub async fn insert(conn: &mut Conn, token_hash: &str, session: &Session) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(session.user_id)
    .bind(&session.csrf_hash)
    .bind(now_ms())
    .bind(session.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The live session with this token hash (expired ones are not returned).
pub async fn find(conn: &mut Conn, token_hash: &str) -> Result<Option<Session>> {
    let row = sqlx::query("SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (its password changed, or it was deleted).
pub async fn delete_for_user(conn: &mut Conn, user_id: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn purge_expired(conn: &mut Conn) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
