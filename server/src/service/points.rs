//! Monitor points: the server's built-in `local` point and an account's registered agents; the
//! agents' side of monitoring (their tasks, their results); and the monitor-task count (points
//! × endpoints, the seed's billing unit).

use std::collections::HashMap;
use std::time::Duration;

use app::model::{
    AgentResult, AgentTask, CreatedMonitorPoint, DomainTaskCount, MonitorPointInfo,
    MonitorTaskCount, NewMonitorPoint, Permission,
};
use app::strategy::{Area, Isp};

use super::monitoring::monitored;
use super::secrets::{random_token, sha256_hex};
use super::{Caller, Result, Service, ServiceError};
use crate::monitor::probe::{Failure, Outcome};
use crate::monitor::{LOCAL_POINT, point_selected, probe_spec};
use crate::store::monitor::{self, MonitorPoint, ProbeRow};
use crate::store::{Conn, domains, endpoints};

/// The most results one post may carry.
const MAX_RESULTS: usize = 10_000;

impl Service {
    pub async fn create_point(
        &self,
        caller: &Caller,
        new: &NewMonitorPoint,
    ) -> Result<CreatedMonitorPoint> {
        caller.require(Permission::Write)?;
        let name = new.name.trim();
        if !valid_point_name(name) {
            return Err(ServiceError::Invalid(format!(
                "name: \"{}\" must be 1..=63 letters, digits, '-', '_' or '.'",
                name.escape_debug()
            )));
        }
        if name == LOCAL_POINT {
            return Err(ServiceError::Conflict(format!(
                "name: \"{LOCAL_POINT}\" is the built-in point"
            )));
        }
        check_location(&new.area, &new.isp)?;
        let token = random_token(40);
        let mut tx = self.store().begin().await?;
        let inserted = monitor::insert_point(
            &mut tx,
            caller.account_id(),
            name,
            &new.area,
            &new.isp,
            &sha256_hex(&token),
        )
        .await;
        match inserted {
            Err(e) if e.is_unique_violation() => {
                return Err(ServiceError::Conflict(format!(
                    "name: a monitor point \"{name}\" already exists"
                )));
            }
            other => other?,
        };
        self.audit(&mut tx, caller, "monitorPoint.create", name, "")
            .await?;
        tx.commit().await?;
        Ok(CreatedMonitorPoint {
            point: MonitorPointInfo {
                name: name.to_owned(),
                area: new.area.clone(),
                isp: new.isp.clone(),
                built_in: false,
                last_seen: None,
                reporting: 0,
                failing: 0,
                probe_side_problem: false,
                issue: None,
                issue_kind: None,
            },
            token,
        })
    }

    /// The built-in point first, then the agents, each with what it currently reports.
    pub async fn list_points(&self, caller: &Caller) -> Result<Vec<MonitorPointInfo>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let registered = monitor::points(&mut conn, caller.account_id()).await?;
        let domain_ids: Vec<i64> = domains::list(&mut conn, caller.account_id())
            .await?
            .iter()
            .map(|d| d.id)
            .collect();
        let counts = self.reports().by_point(&domain_ids);
        let info = |name: &str, area: &str, isp: &str, built_in: bool, last_seen| {
            let (reporting, failing) = counts.get(name).copied().unwrap_or_default();
            let issue = self.reports().issue(&domain_ids, name);
            MonitorPointInfo {
                name: name.to_owned(),
                area: area.to_owned(),
                isp: isp.to_owned(),
                built_in,
                last_seen,
                reporting: reporting as u32,
                failing: failing as u32,
                probe_side_problem: reporting >= 2 && failing == reporting,
                issue: issue.as_ref().map(ToString::to_string),
                issue_kind: issue,
            }
        };
        let (area, isp) = self.local_point();
        let mut list = vec![info(LOCAL_POINT, area, isp, true, None)];
        list.extend(
            registered
                .iter()
                .map(|p| info(&p.name, &p.area, &p.isp, false, p.last_seen_at)),
        );
        Ok(list)
    }

    pub async fn delete_point(&self, caller: &Caller, name: &str) -> Result<()> {
        caller.require(Permission::Write)?;
        if name == LOCAL_POINT {
            return Err(ServiceError::Conflict(format!(
                "\"{LOCAL_POINT}\" is the built-in point; it cannot be deleted"
            )));
        }
        let not_found =
            || ServiceError::NotFound(format!("no monitor point \"{}\"", name.escape_debug()));
        // Only names a point can have are looked up (PostgreSQL refuses NUL in text).
        if !valid_point_name(name) {
            return Err(not_found());
        }
        let mut tx = self.store().begin().await?;
        if !monitor::delete_point(&mut tx, caller.account_id(), name).await? {
            return Err(not_found());
        }
        self.audit(&mut tx, caller, "monitorPoint.delete", name, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The names a domain's monitor settings may use: `local` and the account's agents.
    pub(super) async fn point_names(
        &self,
        conn: &mut Conn,
        account_id: i64,
    ) -> Result<Vec<String>> {
        let mut names = vec![LOCAL_POINT.to_owned()];
        names.extend(
            monitor::points(conn, account_id)
                .await?
                .into_iter()
                .map(|p| p.name),
        );
        Ok(names)
    }

    /// The agent a bearer token belongs to; `area`/`isp`, when the agent states them, update
    /// the point's location.
    pub async fn agent(&self, token: &str, area: &str, isp: &str) -> Result<MonitorPoint> {
        let unknown = || ServiceError::Unauthenticated("unknown monitor point token".into());
        if token.is_empty() || token.len() > 200 {
            return Err(unknown());
        }
        let mut conn = self.store().conn().await?;
        let point = monitor::point_by_token(&mut conn, &sha256_hex(token))
            .await?
            .ok_or_else(unknown)?;
        if !area.is_empty() || !isp.is_empty() {
            check_location(area, isp)?;
        }
        let area = if area.is_empty() { &point.area } else { area };
        let isp = if isp.is_empty() { &point.isp } else { isp };
        monitor::point_seen(&mut conn, point.id, area, isp).await?;
        Ok(point)
    }

    /// What an agent probes: every endpoint of its account's monitored domains whose settings
    /// select it.
    pub async fn agent_tasks(&self, point: &MonitorPoint) -> Result<Vec<AgentTask>> {
        let mut conn = self.store().conn().await?;
        let mut tasks = Vec::new();
        for d in domains::list(&mut conn, point.account_id).await? {
            if !monitored(d.status) || !point_selected(&d.monitor, &point.name) {
                continue;
            }
            let spec = probe_spec(&d);
            for e in endpoints::list(&mut conn, d.id).await? {
                tasks.push(AgentTask {
                    domain_id: d.id,
                    endpoint: e.value,
                    protocol: spec.protocol,
                    port: spec.port,
                    path: spec.path.clone(),
                    host: spec.host.clone(),
                    expected_codes: d.monitor.expected_codes.clone(),
                    timeout_sec: d.monitor.timeout_sec,
                    interval_sec: d.monitor.interval_sec,
                });
            }
        }
        Ok(tasks)
    }

    /// Stores an agent's results and hands them to the rounds. Every result is checked first:
    /// one naming a domain or endpoint the point does not probe refuses the whole post.
    pub async fn agent_results(&self, point: &MonitorPoint, results: &[AgentResult]) -> Result<()> {
        if results.len() > MAX_RESULTS {
            return Err(ServiceError::Invalid(format!(
                "at most {MAX_RESULTS} results per post (got {})",
                results.len()
            )));
        }
        let mut conn = self.store().conn().await?;
        let mut intervals: HashMap<i64, Option<(Duration, Vec<String>)>> = HashMap::new();
        let mut rows = Vec::with_capacity(results.len());
        for (i, r) in results.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(slot) = intervals.entry(r.domain_id) {
                slot.insert(probed_by(&mut conn, point, r.domain_id).await?);
            }
            let Some(Some((interval, values))) = intervals.get(&r.domain_id) else {
                return Err(ServiceError::Invalid(format!(
                    "[{i}].domainId: {} is not a domain this point probes",
                    r.domain_id
                )));
            };
            if !values.contains(&r.endpoint) {
                return Err(ServiceError::Invalid(format!(
                    "[{i}].endpoint: \"{}\" is not an endpoint of domain {}",
                    r.endpoint.escape_debug(),
                    r.domain_id
                )));
            }
            let failure = match r.failure.as_deref() {
                None => None,
                Some(text) => Some(Failure::parse(text).ok_or_else(|| {
                    ServiceError::Invalid(format!(
                        "[{i}].failure: \"{}\" is not a failure kind",
                        text.escape_debug()
                    ))
                })?),
            };
            let outcome = Outcome {
                ok: r.ok,
                latency_ms: r.latency_ms.and_then(|l| u32::try_from(l).ok()),
                http_status: r.http_status.and_then(|s| u16::try_from(s).ok()),
                failure,
            };
            rows.push((
                *interval,
                ProbeRow {
                    domain_id: r.domain_id,
                    endpoint: r.endpoint.clone(),
                    point: point.name.clone(),
                    at: r.time,
                    ok: r.ok,
                    latency_ms: r.latency_ms,
                    http_status: r.http_status,
                    failure: r.failure.clone(),
                },
                outcome,
            ));
        }
        drop(conn);
        let mut tx = self.store().begin().await?;
        let stored: Vec<ProbeRow> = rows.iter().map(|(_, row, _)| row.clone()).collect();
        monitor::insert_probes(&mut tx, &stored).await?;
        tx.commit().await?;
        for (interval, row, outcome) in rows {
            self.reports()
                .record(row.domain_id, &row.endpoint, &point.name, outcome, interval);
        }
        Ok(())
    }

    /// Monitor tasks per domain (its points × its endpoints) and in total.
    pub async fn monitor_tasks(&self, caller: &Caller) -> Result<MonitorTaskCount> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let points = self.point_names(&mut conn, caller.account_id()).await?;
        let mut domains_out = Vec::new();
        for d in domains::list(&mut conn, caller.account_id()).await? {
            let endpoints = endpoints::list(&mut conn, d.id).await?.len() as u32;
            let selected = if monitored(d.status) {
                points
                    .iter()
                    .filter(|p| point_selected(&d.monitor, p))
                    .count() as u32
            } else {
                0
            };
            domains_out.push(DomainTaskCount {
                domain: d.name,
                endpoints,
                points: selected,
                tasks: u64::from(endpoints) * u64::from(selected),
            });
        }
        Ok(MonitorTaskCount {
            total: domains_out.iter().map(|d| d.tasks).sum(),
            domains: domains_out,
        })
    }
}

fn valid_point_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A domain's interval and endpoints, when `point` probes it (same account, monitored,
/// selected by its settings).
async fn probed_by(
    conn: &mut Conn,
    point: &MonitorPoint,
    domain_id: i64,
) -> Result<Option<(Duration, Vec<String>)>> {
    let Some(d) = domains::by_id(conn, domain_id).await? else {
        return Ok(None);
    };
    if d.account_id != point.account_id
        || !monitored(d.status)
        || !point_selected(&d.monitor, &point.name)
    {
        return Ok(None);
    }
    let values = endpoints::list(conn, d.id)
        .await?
        .into_iter()
        .map(|e| e.value)
        .collect();
    let interval = Duration::from_secs(u64::from(d.monitor.interval_sec.max(1)));
    Ok(Some((interval, values)))
}

fn check_location(area: &str, isp: &str) -> Result<()> {
    if !area.is_empty() && Area::from_code(area).is_none() {
        return Err(ServiceError::Invalid(format!(
            "area: \"{}\" is not an area code (e.g. beijing.CN)",
            area.escape_debug()
        )));
    }
    if !isp.is_empty() && Isp::from_code(isp).is_none() {
        return Err(ServiceError::Invalid(format!(
            "isp: \"{}\" is not an ISP code (ct, cu, cm, cernet, other)",
            isp.escape_debug()
        )));
    }
    Ok(())
}
