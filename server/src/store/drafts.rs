//! Strategy drafts: at most one per domain, replaced on every save, removed when enabled.

use super::{Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Draft {
    /// The strategy document JSON as the editor saved it.
    pub document: String,
    pub updated_at: i64,
    pub updated_by: String,
}

pub async fn get(conn: &mut Conn, domain_id: i64) -> Result<Option<Draft>> {
    let row = sqlx::query(
        "SELECT document, updated_at, updated_by FROM strategy_drafts WHERE domain_id = $1",
    )
    .bind(domain_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn put(conn: &mut Conn, domain_id: i64, document: &str, by: &str) -> Result<i64> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO strategy_drafts (domain_id, document, updated_at, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (domain_id) DO UPDATE SET document = excluded.document,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(domain_id)
    .bind(document)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(now)
}

/// Removes the draft; true when there was one.
pub async fn delete(conn: &mut Conn, domain_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM strategy_drafts WHERE domain_id = $1")
        .bind(domain_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
