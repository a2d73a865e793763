//! Strategy versions: every enable stores the whole document as a new version; the domain row
//! points at the enabled one.

use app::model::VersionSource;

use super::{Coded, Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    pub version: i64,
    /// The strategy document JSON (`{strategy, endpointsConf}`).
    pub document: String,
    pub created_at: i64,
    pub created_by: String,
    #[sqlx(try_from = "Coded<VersionSource>")]
    pub source: VersionSource,
    pub note: String,
}

/// Who made a version, how, and what they said about it.
#[derive(Clone, Copy, Debug)]
pub struct Made<'a> {
    pub by: &'a str,
    pub source: VersionSource,
    pub note: &'a str,
}

pub async fn insert(
    conn: &mut Conn,
    domain_id: i64,
    document: &str,
    made: Made<'_>,
) -> Result<i64> {
    let latest: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) AS v FROM strategy_versions WHERE domain_id = $1",
    )
    .bind(domain_id)
    .fetch_one(&mut *conn)
    .await?;
    let version = latest + 1;
    sqlx::query(
        "INSERT INTO strategy_versions (domain_id, version, document, created_at, created_by, source, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(domain_id)
    .bind(version)
    .bind(document)
    .bind(now_ms())
    .bind(made.by)
    .bind(made.source.code())
    .bind(made.note)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

pub async fn get(conn: &mut Conn, domain_id: i64, version: i64) -> Result<Option<Version>> {
    let row = sqlx::query(
        "SELECT version, document, created_at, created_by, source, note FROM strategy_versions WHERE domain_id = $1 AND version = $2",
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
        "SELECT version, document, created_at, created_by, source, note FROM strategy_versions WHERE domain_id = $1 ORDER BY version DESC",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}
