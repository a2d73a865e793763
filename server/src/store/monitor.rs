//! Monitoring's records: probe results, each endpoint's decided state, health events with their
//! evidence, and registered monitor points (agents).

use app::strategy::Health;

use super::{Conn, Flag, Result, decode};

/// One probe, as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ProbeRow {
    pub domain_id: i64,
    pub endpoint: String,
    pub point: String,
    pub at: i64,
    #[sqlx(try_from = "Flag")]
    pub ok: bool,
    pub latency_ms: Option<i64>,
    pub http_status: Option<i64>,
    pub failure: Option<String>,
}

pub async fn insert_probes(conn: &mut Conn, rows: &[ProbeRow]) -> Result<()> {
    for r in rows {
        sqlx::query(
            "INSERT INTO probe_results (domain_id, endpoint, point, at, ok, latency_ms, http_status, failure) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.domain_id)
        .bind(&r.endpoint)
        .bind(&r.point)
        .bind(r.at)
        .bind(i64::from(r.ok))
        .bind(r.latency_ms)
        .bind(r.http_status)
        .bind(r.failure.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

macro_rules! probe_columns {
    () => {
        "domain_id, endpoint, point, at, ok, latency_ms, http_status, failure"
    };
}

/// A domain's probes since `since` (ms), newest first, for one endpoint or all; at most `limit`.
pub async fn probes(
    conn: &mut Conn,
    domain_id: i64,
    endpoint: Option<&str>,
    since: i64,
    limit: i64,
) -> Result<Vec<ProbeRow>> {
    let rows = match endpoint {
        Some(endpoint) => {
            sqlx::query(concat!(
                "SELECT ",
                probe_columns!(),
                " FROM probe_results WHERE domain_id = $1 AND endpoint = $2 AND at >= $3 \
                 ORDER BY at DESC, id DESC LIMIT $4"
            ))
            .bind(domain_id)
            .bind(endpoint)
            .bind(since)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(concat!(
                "SELECT ",
                probe_columns!(),
                " FROM probe_results WHERE domain_id = $1 AND at >= $2 \
                 ORDER BY at DESC, id DESC LIMIT $3"
            ))
            .bind(domain_id)
            .bind(since)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.iter().map(decode).collect()
}

/// Deletes probe results older than `before` (ms); returns how many.
pub async fn purge_probes(conn: &mut Conn, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM probe_results WHERE at < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// An endpoint's decided state: `up` or `down` (no row: unknown).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EndpointHealth {
    pub endpoint: String,
    pub state: String,
    pub since: i64,
}

pub async fn set_endpoint_health(
    conn: &mut Conn,
    domain_id: i64,
    endpoint: &str,
    state: &str,
    since: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO endpoint_health (domain_id, endpoint, state, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (domain_id, endpoint) DO UPDATE SET state = excluded.state, since = excluded.since",
    )
    .bind(domain_id)
    .bind(endpoint)
    .bind(state)
    .bind(since)
    .execute(&mut *conn)
    .await?;
    bump_health_version(conn).await
}

/// Forgets a removed endpoint's state.
pub async fn forget_endpoint_health(conn: &mut Conn, domain_id: i64, endpoint: &str) -> Result<()> {
    sqlx::query("DELETE FROM endpoint_health WHERE domain_id = $1 AND endpoint = $2")
        .bind(domain_id)
        .bind(endpoint)
        .execute(&mut *conn)
        .await?;
    bump_health_version(conn).await
}

/// Marks a change to the stored states, so other nodes know to read them again.
async fn bump_health_version(conn: &mut Conn) -> Result<()> {
    sqlx::query("UPDATE meta SET value = value + 1 WHERE key = 'health_version'")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes whenever a stored endpoint state does.
pub async fn health_version(conn: &mut Conn) -> Result<i64> {
    let value = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'health_version'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(value)
}

pub async fn endpoint_health(conn: &mut Conn, domain_id: i64) -> Result<Vec<EndpointHealth>> {
    let rows = sqlx::query(
        "SELECT endpoint, state, since FROM endpoint_health WHERE domain_id = $1 ORDER BY endpoint",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// Every stored endpoint state, for the health book at start: (domain id, endpoint, state).
pub async fn all_endpoint_health(conn: &mut Conn) -> Result<Vec<(i64, String, String)>> {
    let states = sqlx::query_as("SELECT domain_id, endpoint, state FROM endpoint_health")
        .fetch_all(&mut *conn)
        .await?;
    Ok(states)
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HealthEvent {
    pub id: i64,
    pub domain_id: i64,
    /// Empty for a change of the domain's monitorStatus.
    pub endpoint: String,
    pub at: i64,
    pub from_state: String,
    pub to_state: String,
    /// JSON.
    pub evidence: String,
}

pub async fn insert_health_event(conn: &mut Conn, e: &HealthEvent) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO health_events (domain_id, endpoint, at, from_state, to_state, evidence) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(e.domain_id)
    .bind(&e.endpoint)
    .bind(e.at)
    .bind(&e.from_state)
    .bind(&e.to_state)
    .bind(&e.evidence)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// A domain's events since `since` (ms), newest first, at most `limit`.
pub async fn health_events(
    conn: &mut Conn,
    domain_id: i64,
    since: i64,
    limit: i64,
) -> Result<Vec<HealthEvent>> {
    let rows = sqlx::query(
        "SELECT id, domain_id, endpoint, at, from_state, to_state, evidence FROM health_events \
         WHERE domain_id = $1 AND at >= $2 ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(domain_id)
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// Each endpoint's state as of `at` (ms): the target of its last event at or before then;
/// endpoints with no event by then are absent (Unknown).
pub async fn states_at(
    conn: &mut Conn,
    domain_id: i64,
    at: i64,
) -> Result<std::collections::HashMap<String, String>> {
    // Newest first per endpoint: the first row seen for an endpoint is its state then.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT endpoint, to_state FROM health_events \
         WHERE domain_id = $1 AND endpoint <> '' AND at <= $2 \
         ORDER BY endpoint, at DESC, id DESC",
    )
    .bind(domain_id)
    .bind(at)
    .fetch_all(&mut *conn)
    .await?;
    let mut states = std::collections::HashMap::new();
    for (endpoint, state) in rows {
        states.entry(endpoint).or_insert(state);
    }
    Ok(states)
}

/// Per domain of an account: its endpoints, and how many are decided up and down.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StateCounts {
    pub domain_id: i64,
    pub endpoints: i64,
    pub up: i64,
    pub down: i64,
}

pub async fn state_counts(conn: &mut Conn, account_id: i64) -> Result<Vec<StateCounts>> {
    let rows = sqlx::query(
        "SELECT e.domain_id AS domain_id, COUNT(*) AS endpoints, \
         SUM(CASE WHEN h.state = 'up' THEN 1 ELSE 0 END) AS up, \
         SUM(CASE WHEN h.state = 'down' THEN 1 ELSE 0 END) AS down \
         FROM endpoints e JOIN domains d ON d.id = e.domain_id \
         LEFT JOIN endpoint_health h ON h.domain_id = e.domain_id AND h.endpoint = e.value \
         WHERE d.account_id = $1 GROUP BY e.domain_id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// A registered monitor point (an agent) of an account.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MonitorPoint {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub area: String,
    pub isp: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
}

macro_rules! point_columns {
    () => {
        "id, account_id, name, area, isp, created_at, last_seen_at"
    };
}

pub async fn insert_point(
    conn: &mut Conn,
    account_id: i64,
    name: &str,
    area: &str,
    isp: &str,
    token_hash: &str,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO monitor_points (account_id, name, area, isp, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(name)
    .bind(area)
    .bind(isp)
    .bind(token_hash)
    .bind(super::now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn points(conn: &mut Conn, account_id: i64) -> Result<Vec<MonitorPoint>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        point_columns!(),
        " FROM monitor_points WHERE account_id = $1 ORDER BY name"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

pub async fn point_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<MonitorPoint>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        point_columns!(),
        " FROM monitor_points WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// Returns whether a point was deleted.
pub async fn delete_point(conn: &mut Conn, account_id: i64, name: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM monitor_points WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn point_seen(conn: &mut Conn, id: i64, area: &str, isp: &str) -> Result<()> {
    sqlx::query("UPDATE monitor_points SET last_seen_at = $1, area = $2, isp = $3 WHERE id = $4")
        .bind(super::now_ms())
        .bind(area)
        .bind(isp)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A stored endpoint state as health.
pub fn health_of(state: &str) -> Health {
    match state {
        "up" => Health::Up,
        "down" => Health::Down,
        _ => Health::Unknown,
    }
}

/// Health as a stored endpoint state.
pub fn state_of(health: Health) -> &'static str {
    match health {
        Health::Up => "up",
        Health::Down => "down",
        Health::Unknown => "unknown",
    }
}
