//! The nodes sharing this store, as each reports itself (a heartbeat every few seconds).

use super::{Conn, Flag, Result, decode};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Node {
    pub name: String,
    /// The running process's id (a restarted node has a new one).
    pub instance: String,
    pub version: String,
    pub http: String,
    pub dns: String,
    pub area: String,
    pub isp: String,
    pub started_at: i64,
    pub last_seen: i64,
    pub config_version: i64,
    pub snapshot_at: i64,
    /// Runs monitoring (not started with `--no-monitor`).
    #[sqlx(try_from = "Flag")]
    pub monitoring: bool,
}

/// Inserts or refreshes `node`'s row.
pub async fn heartbeat(conn: &mut Conn, node: &Node) -> Result<()> {
    sqlx::query(
        "INSERT INTO nodes (name, version, http, dns, area, isp, started_at, last_seen, config_version, snapshot_at, monitoring, instance)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, http = excluded.http, instance = excluded.instance,
             dns = excluded.dns, area = excluded.area, isp = excluded.isp,
             started_at = excluded.started_at, last_seen = excluded.last_seen,
             config_version = excluded.config_version, snapshot_at = excluded.snapshot_at,
             monitoring = excluded.monitoring",
    )
    .bind(&node.name)
    .bind(&node.version)
    .bind(&node.http)
    .bind(&node.dns)
    .bind(&node.area)
    .bind(&node.isp)
    .bind(node.started_at)
    .bind(node.last_seen)
    .bind(node.config_version)
    .bind(node.snapshot_at)
    .bind(i64::from(node.monitoring))
    .bind(&node.instance)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every node, by name.
pub async fn list(conn: &mut Conn) -> Result<Vec<Node>> {
    let rows = sqlx::query(
        "SELECT name, instance, version, http, dns, area, isp, started_at, last_seen, config_version, snapshot_at, monitoring
         FROM nodes ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// The node row named `name`, if any.
pub async fn named(conn: &mut Conn, name: &str) -> Result<Option<Node>> {
    Ok(list(conn).await?.into_iter().find(|n| n.name == name))
}

/// Deletes this process's heartbeat (a node stopping cleanly): the others stop counting it at
/// once, and a restart under the same name need not wait for it to go stale.
pub async fn remove(conn: &mut Conn, name: &str, instance: &str) -> Result<()> {
    sqlx::query("DELETE FROM nodes WHERE name = $1 AND instance = $2")
        .bind(name)
        .bind(instance)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
