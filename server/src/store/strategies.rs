//! Strategy versions: every enable stores the whole document as a new version; the domain row
//! points at the enabled one.

use sqlx::Row;

use super::{Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    pub version: i64,
    /// The strategy document JSON (`{strategy, endpointsConf}`).
    pub document: String,
    pub created_at: i64,
    pub created_by: String,
}

pub async fn insert(
    conn: &mut Conn,
    domain_id: i64,
    document: &str,
    created_by: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) AS v FROM strategy_versions WHERE domain_id = $1",
    )
    .bind(domain_id)
    .fetch_one(&mut *conn)
    .await?;
    let version = row.try_get::<i64, _>("v")? + 1;
    sqlx::query(
        "INSERT INTO strategy_versions (domain_id, version, document, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(domain_id)
    .bind(version)
    .bind(document)
    .bind(now_ms())
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

pub async fn get(conn: &mut Conn, domain_id: i64, version: i64) -> Result<Option<Version>> {
    let row = sqlx::query(
        "SELECT version, document, created_at, created_by FROM strategy_versions WHERE domain_id = $1 AND version = $2",
    )
    .bind(domain_id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// Every version, newest first.
pub async fn list(conn: &mut Conn, domain_id: i64) -> Result<Vec<Version>> {
    let rows = sqlx::query(
        "SELECT version, document, created_at, created_by FROM strategy_versions WHERE domain_id = $1 ORDER BY version DESC",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}
