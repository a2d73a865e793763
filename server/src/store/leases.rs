//! Monitor leases: which node monitors a domain, until when.

use super::{Conn, Result};

/// The outcome of a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The claiming node holds the lease now.
    Held,
    /// Another node holds it until `expires_at` (ms).
    Elsewhere { node: String, expires_at: i64 },
}

/// Takes or renews the lease of `domain_id` for `node` until `until`, if it is free, expired (at
/// `now`) or already `node`'s.
pub async fn claim(
    conn: &mut Conn,
    domain_id: i64,
    node: &str,
    now: i64,
    until: i64,
) -> Result<Claim> {
    let done = sqlx::query(
        "INSERT INTO monitor_leases (domain_id, node, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (domain_id) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
         WHERE monitor_leases.node = excluded.node OR monitor_leases.expires_at < $4",
    )
    .bind(domain_id)
    .bind(node)
    .bind(until)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() > 0 {
        return Ok(Claim::Held);
    }
    Ok(match holder(conn, domain_id).await? {
        Some((node, expires_at)) => Claim::Elsewhere { node, expires_at },
        // Released between the two statements: free, try again at once.
        None => Claim::Elsewhere {
            node: String::new(),
            expires_at: now,
        },
    })
}

/// The current holder and expiry (ms), if any.
pub async fn holder(conn: &mut Conn, domain_id: i64) -> Result<Option<(String, i64)>> {
    let holder = sqlx::query_as("SELECT node, expires_at FROM monitor_leases WHERE domain_id = $1")
        .bind(domain_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(holder)
}

/// Gives the lease up (the domain is no longer monitored here).
pub async fn release(conn: &mut Conn, domain_id: i64, node: &str) -> Result<()> {
    sqlx::query("DELETE FROM monitor_leases WHERE domain_id = $1 AND node = $2")
        .bind(domain_id)
        .bind(node)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives up every lease `node` (an instance) holds; returns their domains.
pub async fn release_all(conn: &mut Conn, node: &str) -> Result<Vec<i64>> {
    let domains =
        sqlx::query_scalar("DELETE FROM monitor_leases WHERE node = $1 RETURNING domain_id")
            .bind(node)
            .fetch_all(&mut *conn)
            .await?;
    Ok(domains)
}

/// Domains held per node name (unexpired leases at `now`; leases name the holding instance).
pub async fn held_by_node(conn: &mut Conn, now: i64) -> Result<Vec<(String, i64)>> {
    let held = sqlx::query_as(
        "SELECT n.name AS node, COUNT(*) AS n FROM monitor_leases l \
         JOIN nodes n ON n.instance = l.node WHERE l.expires_at >= $1 GROUP BY n.name",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    Ok(held)
}
