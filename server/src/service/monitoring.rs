//! Monitoring as the API and the console read it: probe results, health events, endpoint states
//! and each domain's monitorStatus. Monitoring itself (`crate::monitor`) writes them.

use std::collections::HashMap;

use app::model::{DomainStatus, HealthEventRecord, MonitorStatus, Permission, ProbeRecord};

use super::{Caller, Result, Service, ServiceError};
use crate::store::{Conn, monitor};

/// The most rows one request returns.
const MAX_LIMIT: i64 = 10_000;

impl Service {
    /// A domain's probe results since `since` (ms; default: the last hour), newest first.
    pub async fn probes(
        &self,
        caller: &Caller,
        domain: &str,
        endpoint: Option<&str>,
        since: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<ProbeRecord>> {
        caller.require(Permission::Read)?;
        let limit = checked_limit(limit)?;
        if let Some(e) = endpoint.filter(|e| e.contains('\0') || e.len() > 255) {
            return Err(ServiceError::Invalid(format!(
                "endpoint: \"{}\" is not an endpoint",
                e.escape_debug()
            )));
        }
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, domain).await?;
        let since = since.unwrap_or_else(|| crate::clock::now_ms() - 3_600_000);
        let rows = monitor::probes(&mut conn, d.id, endpoint, since, limit).await?;
        Ok(rows
            .into_iter()
            .map(|r| ProbeRecord {
                endpoint: r.endpoint,
                point: r.point,
                time: r.at,
                ok: r.ok,
                latency_ms: r.latency_ms,
                http_status: r.http_status,
                failure: r.failure,
            })
            .collect())
    }

    /// A domain's health events since `since` (ms; default: all), newest first.
    pub async fn health_events(
        &self,
        caller: &Caller,
        domain: &str,
        since: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<HealthEventRecord>> {
        caller.require(Permission::Read)?;
        let limit = checked_limit(limit)?;
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, domain).await?;
        let rows = monitor::health_events(&mut conn, d.id, since.unwrap_or(0), limit).await?;
        Ok(rows
            .into_iter()
            .map(|e| HealthEventRecord {
                id: e.id,
                endpoint: e.endpoint,
                time: e.at,
                from: e.from_state,
                to: e.to_state,
                evidence: serde_json::from_str(&e.evidence).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }

    /// The decided state of each endpoint of a domain (`up`/`down`; absent: unknown).
    pub(super) async fn endpoint_states(
        &self,
        conn: &mut Conn,
        domain_id: i64,
    ) -> Result<HashMap<String, String>> {
        Ok(monitor::endpoint_health(conn, domain_id)
            .await?
            .into_iter()
            .map(|h| (h.endpoint, h.state))
            .collect())
    }

    /// Every domain's monitorStatus for an account: `fail` when any endpoint is down, `ok` when
    /// all are up, empty otherwise (and for domains that are not monitored).
    pub(super) async fn monitor_statuses(
        &self,
        conn: &mut Conn,
        account_id: i64,
    ) -> Result<HashMap<i64, MonitorStatus>> {
        let counts = monitor::state_counts(conn, account_id).await?;
        Ok(counts
            .into_iter()
            .map(|c| (c.domain_id, status_of(c.endpoints, c.up, c.down)))
            .collect())
    }
}

/// An endpoint's status from its decided state (`up`/`down`; absent: unknown).
pub(super) fn endpoint_status(
    states: &HashMap<String, String>,
    endpoint: &str,
) -> app::model::EndpointStatus {
    use app::model::EndpointStatus;
    match states.get(endpoint).map(String::as_str) {
        Some("up") => EndpointStatus::Ok,
        Some("down") => EndpointStatus::Fail,
        _ => EndpointStatus::Unknown,
    }
}

pub(super) fn status_of(endpoints: i64, up: i64, down: i64) -> MonitorStatus {
    if down > 0 {
        MonitorStatus::Fail
    } else if endpoints > 0 && up == endpoints {
        MonitorStatus::Ok
    } else {
        MonitorStatus::Unknown
    }
}

/// Whether a domain in `status` is monitored (its monitorStatus means something).
pub(super) fn monitored(status: DomainStatus) -> bool {
    matches!(status, DomainStatus::Start | DomainStatus::Pause)
}

/// A list request's `limit`: 1000 when absent, refused outside 1..=10,000.
pub(super) fn checked_limit(limit: Option<i64>) -> Result<i64> {
    match limit {
        None => Ok(1000),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ServiceError::Invalid(format!(
            "limit: {n} is outside 1..={MAX_LIMIT}"
        ))),
    }
}
