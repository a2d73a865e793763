//! One domain's monitoring: its plan (settings and endpoints, reloaded when the configuration
//! changes) and its rounds. A round probes every endpoint from the local point (all at once,
//! within the shared concurrency limit), stores the results, judges each endpoint from the
//! latest reports of the points that count, and applies the state changes: one transaction for
//! the states and the events, then the health book and the DNS feed.
//!
//! Rounds of one domain never overlap, so no (point, endpoint) probe is ever in flight twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::model::{DomainStatus, MonitorSettings, MonitorStatus};
use app::strategy::Health;
use rand::Rng;
use serde::Serialize;
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use super::decision::{self, Change, PointReport, Tracker, Verdict};
use super::lease::{self, Turn};
use super::probe::ProbeSpec;
use super::{LOCAL_POINT, Shared};
use crate::clock::now_ms;
use crate::notify;
use crate::store::monitor::{HealthEvent, ProbeRow};
use crate::store::monitor::{health_of, state_of};
use crate::store::{StoreError, domains, endpoints, monitor};

/// What a domain's rounds do, from its stored configuration.
struct Plan {
    account_id: i64,
    /// The domain's name as listed (notifications name it).
    name: String,
    settings: MonitorSettings,
    spec: ProbeSpec,
    endpoints: Vec<String>,
    probes_locally: bool,
}

pub(super) async fn run(shared: Arc<Shared>, domain: i64, mut reload: watch::Receiver<u64>) {
    let mut trackers: HashMap<String, Tracker> = HashMap::new();
    // Whether this node ran the last round (cluster: it held the domain's lease), since when.
    let mut mine = false;
    let mut mine_since = 0;
    let mut deferred = false;
    loop {
        let plan = match load_plan(&shared, domain).await {
            Ok(Some(plan)) => plan,
            Ok(None) => {
                if mine {
                    forget_all(&shared, domain, &mut trackers).await;
                    lease::release(&shared.node, domain).await;
                }
                return;
            }
            Err(e) => {
                tracing::warn!("monitoring domain {domain}: {e}; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    changed = reload.changed() => if changed.is_err() { return } else { continue },
                }
            }
        };
        if mine {
            forget_removed(&shared, domain, &plan.endpoints, &mut trackers).await;
        }
        let interval = plan.interval();
        // Jitter the first round within a tenth of the interval, so domains do not probe in step.
        let jitter = interval.mul_f64(rand::rng().random_range(0.0..0.1));
        let mut ticker = tokio::time::interval_at(Instant::now() + jitter, interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    let held = mine.then_some(mine_since);
                    match lease::turn(&shared.node, domain, interval, &mut deferred, held).await {
                        Ok(Turn::Mine) => {
                            if !mine {
                                mine_since = now_ms();
                                // Taken over: start from the states the last holder decided.
                                trackers = restored_trackers(&shared, domain).await;
                                forget_removed(&shared, domain, &plan.endpoints, &mut trackers).await;
                                mine = true;
                            }
                            round(&shared, domain, &plan, &mut trackers).await;
                        }
                        Ok(Turn::NotMine(retry)) => {
                            mine = false;
                            ticker.reset_after(retry);
                        }
                        // The store is away: nobody can record a decision; try next round.
                        Err(e) => {
                            mine = false;
                            tracing::warn!("monitoring domain {domain}: lease: {e}");
                        }
                    }
                }
                changed = reload.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

impl Plan {
    fn interval(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings.interval_sec.max(1)))
    }
}

/// `None` when the domain is gone, stopped or not scheduled yet (no monitoring).
async fn load_plan(shared: &Shared, domain: i64) -> Result<Option<Plan>, StoreError> {
    let mut conn = shared.node.store().conn().await?;
    let Some(d) = domains::by_id(&mut conn, domain).await? else {
        return Ok(None);
    };
    // Only scheduled domains are monitored (a paused one too: its DNS health is frozen, its
    // monitoring goes on).
    if !matches!(d.status, DomainStatus::Start | DomainStatus::Pause) {
        return Ok(None);
    }
    let endpoints = endpoints::list(&mut conn, domain).await?;
    let spec = super::probe_spec(&d);
    let settings = d.monitor;
    let probes_locally = super::point_selected(&settings, LOCAL_POINT);
    Ok(Some(Plan {
        account_id: d.account_id,
        name: d.name,
        spec,
        endpoints: endpoints.into_iter().map(|e| e.value).collect(),
        probes_locally,
        settings,
    }))
}

async fn restored_trackers(shared: &Shared, domain: i64) -> HashMap<String, Tracker> {
    let stored = match shared.node.store().conn().await {
        Ok(mut conn) => monitor::endpoint_health(&mut conn, domain).await,
        Err(e) => Err(e),
    };
    stored
        .unwrap_or_default()
        .into_iter()
        .map(|h| (h.endpoint, Tracker::resumed(health_of(&h.state))))
        .collect()
}

async fn forget_removed(
    shared: &Shared,
    domain: i64,
    keep: &[String],
    trackers: &mut HashMap<String, Tracker>,
) {
    let removed: Vec<String> = trackers
        .keys()
        .filter(|e| !keep.contains(e))
        .cloned()
        .collect();
    shared.reports.retain(domain, keep);
    if removed.is_empty() {
        return;
    }
    for endpoint in &removed {
        trackers.remove(endpoint);
        shared.node.health().forget(domain, endpoint);
    }
    let result = async {
        let mut conn = shared.node.store().conn().await?;
        for endpoint in &removed {
            monitor::forget_endpoint_health(&mut conn, domain, endpoint).await?;
        }
        Ok::<_, StoreError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!("monitoring domain {domain}: forgetting removed endpoints: {e}");
    }
}

async fn forget_all(shared: &Shared, domain: i64, trackers: &mut HashMap<String, Tracker>) {
    forget_removed(shared, domain, &[], trackers).await;
}

/// The evidence of one endpoint's state change, as stored in its health event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Evidence<'a> {
    verdict: Verdict,
    points: &'a [PointReport],
    /// The window's verdicts, oldest first (`true` = failed round).
    window: &'a [bool],
    failures: usize,
    min_errors: u32,
    window_size: u32,
}

async fn round(shared: &Shared, domain: i64, plan: &Plan, trackers: &mut HashMap<String, Tracker>) {
    if plan.probes_locally {
        probe_locally(shared, domain, plan).await;
    }
    if shared.node.store().postgres_url().is_some() {
        agents_reports_from_store(shared, domain, plan).await;
    }
    let settings = &plan.settings;
    let status_before = monitor_status(trackers, &plan.endpoints);
    let mut changes: Vec<(String, Change, Verdict, Vec<PointReport>)> = Vec::new();
    for endpoint in &plan.endpoints {
        let reports = shared.reports.current(domain, endpoint, &settings.points);
        let Some(verdict) = decision::verdict(&reports, settings.fault_threshold) else {
            continue;
        };
        let tracker = trackers.entry(endpoint.clone()).or_default();
        if let Some(change) = tracker.record(verdict.failed, settings.window, settings.min_errors) {
            changes.push((endpoint.clone(), change, verdict, reports));
        }
    }
    if changes.is_empty() {
        return;
    }
    let status_after = monitor_status(trackers, &plan.endpoints);
    if let Err(e) = apply(
        shared,
        domain,
        plan,
        &changes,
        (status_before, status_after),
    )
    .await
    {
        // The states stay decided in memory; the next change will be written again.
        tracing::error!("monitoring domain {domain}: recording health changes: {e}");
    }
    for (endpoint, change, verdict, _) in &changes {
        shared.node.health().set(domain, endpoint, change.to);
        tracing::info!(
            "monitoring domain {domain}: endpoint {endpoint} {} → {} ({} of {} points failing, threshold {} %)",
            state_of(change.from),
            state_of(change.to),
            verdict.failing,
            verdict.reporting,
            verdict.fault_threshold
        );
    }
    shared.node.health_changes().publish([domain]);
}

async fn probe_locally(shared: &Shared, domain: i64, plan: &Plan) {
    let probes = plan.endpoints.iter().map(|endpoint| async move {
        let _permit = shared.permits.acquire().await.ok()?;
        let at = now_ms();
        match shared.prober.probe(&plan.spec, endpoint).await {
            Ok(outcome) => Some((endpoint, at, outcome)),
            Err(unavailable) => {
                tracing::warn!("monitoring domain {domain}: {unavailable}");
                shared
                    .reports
                    .note_issue(domain, LOCAL_POINT, unavailable.0);
                None
            }
        }
    });
    let results = futures_util::future::join_all(probes).await;
    let mut rows = Vec::with_capacity(results.len());
    for (endpoint, at, outcome) in results.into_iter().flatten() {
        crate::metrics::probe(outcome.ok);
        rows.push(ProbeRow {
            domain_id: domain,
            endpoint: endpoint.clone(),
            point: LOCAL_POINT.into(),
            at,
            ok: outcome.ok,
            latency_ms: outcome.latency_ms.map(i64::from),
            http_status: outcome.http_status.map(i64::from),
            failure: outcome.failure.map(|f| f.as_str().to_owned()),
        });
        shared
            .reports
            .record(domain, endpoint, LOCAL_POINT, outcome, plan.interval());
    }
    let stored = async {
        let mut tx = shared.node.store().begin().await?;
        monitor::insert_probes(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    }
    .await;
    match stored {
        Ok(()) => shared.node.probes_recorded().publish_here([domain]),
        Err(e) => tracing::warn!("monitoring domain {domain}: storing probe results: {e}"),
    }
}

/// In a cluster an agent posts to any node, and the results are stored there: the node judging
/// the domain reads the agents' latest results of the last two intervals from the store.
async fn agents_reports_from_store(shared: &Shared, domain: i64, plan: &Plan) {
    let window = plan.interval() * 2;
    let now = now_ms();
    let since = now - window.as_millis() as i64;
    let limit = (plan.endpoints.len() as i64 * 64).max(64);
    let rows = match shared.node.store().conn().await {
        Ok(mut conn) => monitor::probes(&mut conn, domain, None, since, limit).await,
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            tracing::debug!("monitoring domain {domain}: reading agents' results: {e}");
            return;
        }
    };
    // Newest first: the first row of each (endpoint, point) is its latest.
    for row in rows.into_iter().filter(|r| r.point != LOCAL_POINT) {
        let outcome = super::probe::Outcome {
            ok: row.ok,
            latency_ms: row.latency_ms.and_then(|l| u32::try_from(l).ok()),
            http_status: row.http_status.and_then(|h| u16::try_from(h).ok()),
            failure: row
                .failure
                .as_deref()
                .and_then(super::probe::Failure::parse),
        };
        let age = Duration::from_millis((now - row.at).max(0) as u64);
        shared.reports.record_received(
            domain,
            &row.endpoint,
            &row.point,
            outcome,
            plan.interval(),
            age,
        );
    }
}

/// `fail` when any endpoint is Down, `ok` when every endpoint is Up, else unknown.
fn monitor_status(trackers: &HashMap<String, Tracker>, endpoints: &[String]) -> MonitorStatus {
    let states: Vec<Health> = endpoints
        .iter()
        .map(|e| trackers.get(e).map_or(Health::Unknown, Tracker::state))
        .collect();
    if states.contains(&Health::Down) {
        MonitorStatus::Fail
    } else if !states.is_empty() && states.iter().all(|s| *s == Health::Up) {
        MonitorStatus::Ok
    } else {
        MonitorStatus::Unknown
    }
}

fn status_text(status: MonitorStatus) -> &'static str {
    match status {
        MonitorStatus::Ok => "ok",
        MonitorStatus::Fail => "fail",
        MonitorStatus::Unknown => "",
    }
}

async fn apply(
    shared: &Shared,
    domain: i64,
    plan: &Plan,
    changes: &[(String, Change, Verdict, Vec<PointReport>)],
    (before, after): (MonitorStatus, MonitorStatus),
) -> Result<(), StoreError> {
    let settings = &plan.settings;
    let at = now_ms();
    let mut messages = Vec::new();
    let mut tx = shared.node.store().begin().await?;
    for (endpoint, change, verdict, reports) in changes {
        monitor::set_endpoint_health(&mut tx, domain, endpoint, state_of(change.to), at).await?;
        let evidence = Evidence {
            verdict: *verdict,
            points: reports,
            window: &change.window,
            failures: change.failures,
            min_errors: settings.min_errors,
            window_size: settings.window,
        };
        let event = HealthEvent {
            id: 0,
            domain_id: domain,
            endpoint: endpoint.clone(),
            at,
            from_state: state_of(change.from).into(),
            to_state: state_of(change.to).into(),
            evidence: serde_json::to_string(&evidence).unwrap_or_default(),
        };
        monitor::insert_health_event(&mut tx, &event).await?;
        // A first verdict of Up is no news: nobody is told.
        if change.from == Health::Unknown && change.to == Health::Up {
            continue;
        }
        messages.push(notify::Change {
            account_id: plan.account_id,
            domain_id: domain,
            domain: plan.name.clone(),
            endpoint: endpoint.clone(),
            from: event.from_state.clone(),
            to: event.to_state.clone(),
            time: at,
            reason: reason(verdict, reports),
            evidence: serde_json::to_value(&evidence).unwrap_or_default(),
        });
    }
    if before != after {
        let changed: Vec<&str> = changes.iter().map(|(e, ..)| e.as_str()).collect();
        let event = HealthEvent {
            id: 0,
            domain_id: domain,
            endpoint: String::new(),
            at,
            from_state: status_text(before).into(),
            to_state: status_text(after).into(),
            evidence: serde_json::json!({ "endpointsChanged": changed }).to_string(),
        };
        monitor::insert_health_event(&mut tx, &event).await?;
        let first_ok = before == MonitorStatus::Unknown && after == MonitorStatus::Ok;
        if !first_ok {
            messages.push(notify::Change {
                account_id: plan.account_id,
                domain_id: domain,
                domain: plan.name.clone(),
                endpoint: String::new(),
                from: event.from_state.clone(),
                to: event.to_state.clone(),
                time: at,
                reason: format!("endpoints changed: {}", changed.join(", ")),
                evidence: serde_json::json!({ "endpointsChanged": changed }),
            });
        }
    }
    notify::enqueue(&mut tx, &messages, shared.notify_quiet).await?;
    tx.commit().await?;
    if !messages.is_empty() {
        shared.node.notify_wake().notify_one();
    }
    Ok(())
}

/// One line on why a round decided as it did, for messages.
fn reason(verdict: &Verdict, reports: &[PointReport]) -> String {
    let points: Vec<String> = reports
        .iter()
        .map(|r| {
            let what = match (r.outcome.http_status, r.outcome.failure) {
                (Some(code), _) => code.to_string(),
                (None, Some(failure)) => failure.as_str().to_owned(),
                (None, None) => "ok".to_owned(),
            };
            format!("{} {what}", r.point)
        })
        .collect();
    format!(
        "{} of {} points failing ({} %, threshold {} %): {}",
        verdict.failing,
        verdict.reporting,
        verdict.failing_percent,
        verdict.fault_threshold,
        points.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::probe::{Failure, Outcome};

    #[test]
    fn the_console_reads_the_evidence_monitoring_writes() {
        let points = [
            PointReport {
                point: "local".into(),
                outcome: Outcome {
                    ok: false,
                    latency_ms: None,
                    http_status: None,
                    failure: Some(Failure::Refused),
                },
            },
            PointReport {
                point: "bj-ct-1".into(),
                outcome: Outcome {
                    ok: true,
                    latency_ms: Some(12),
                    http_status: Some(200),
                    failure: None,
                },
            },
        ];
        let verdict = decision::verdict(&points, 50).expect("two reports");
        let written = serde_json::to_value(Evidence {
            verdict,
            points: &points,
            window: &[false, true],
            failures: 1,
            min_errors: 1,
            window_size: 3,
        })
        .expect("json");
        let read = app::model::Evidence::read(&written).expect("the console's shape");
        assert_eq!(
            (
                read.failures,
                read.min_errors,
                read.window_size,
                read.window
            ),
            (1, 1, 3, vec![false, true])
        );
        assert_eq!((read.verdict.failing, read.verdict.reporting), (1, 2));
        assert_eq!(read.verdict.failing_percent, 50);
        assert_eq!(read.points[0].failure.as_deref(), Some("refused"));
        assert_eq!(
            (read.points[1].http_status, read.points[1].latency_ms),
            (Some(200), Some(12))
        );
        assert!(app::model::Evidence::read(&serde_json::json!({"note": "by hand"})).is_none());
    }
}
