//! Health monitoring (`docs/monitoring.md`): every started or paused domain gets one task that
//! runs a round per `intervalSec` — the local point probes each endpoint (`probe`), the latest
//! report of every point is judged (`decision`), and a state change is written with its
//! evidence, put in the health book and announced to DNS at once.
//!
//! The task follows the node's configuration feed: changed monitor settings or endpoints take
//! effect at the next round, which starts at once.

pub mod decision;
mod lease;
pub mod probe;
mod reports;
mod rounds;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::model::{ExpectedCodes, MonitorSettings};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::node::{Changes, Node};
use crate::store::domains::Domain;
use crate::store::monitor::health_of;
use crate::store::{StoreError, domains, monitor};

pub use reports::Reports;

/// The built-in point's name (monitor settings name it in `points`).
pub const LOCAL_POINT: &str = "local";

#[derive(Clone, Debug)]
pub struct MonitorConfig {
    /// The built-in point's location, shown with its results.
    pub area: String,
    pub isp: String,
    /// Probes in flight at once, over all domains.
    pub concurrency: usize,
    /// How long probe results are kept.
    pub retention: Duration,
    /// Where probes may go (`--probe-networks`).
    pub reach: crate::net::Reach,
    /// The flapping rule's period for the notifications a state change queues.
    pub notify_quiet: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            area: String::new(),
            isp: String::new(),
            concurrency: 256,
            retention: Duration::from_secs(24 * 3600),
            reach: crate::net::Reach::public("--probe-networks"),
            notify_quiet: Duration::from_secs(600),
        }
    }
}

/// What the domain tasks share.
pub(crate) struct Shared {
    node: Node,
    /// The latest outcome of every point (this node's probes and the agents' posts).
    reports: Arc<Reports>,
    notify_quiet: Duration,
    prober: probe::Prober,
    permits: Semaphore,
}

/// How a domain's endpoints are probed, from its monitor settings: the protocol's port when none
/// is set, the domain's own name as Host/SNI when no host is set.
pub fn probe_spec(d: &Domain) -> probe::ProbeSpec {
    let settings = &d.monitor;
    let own_name = if d.is_itm {
        // ITM domains are listed as `<name>.<accountId>`.
        d.name
            .rsplit_once('.')
            .map_or(d.name.as_str(), |(base, _)| base)
    } else {
        d.name.as_str()
    };
    probe::ProbeSpec {
        protocol: settings.protocol,
        port: match u16::try_from(settings.port) {
            Ok(0) | Err(_) => settings.protocol.default_port(),
            Ok(port) => port,
        },
        path: settings.path.clone(),
        host: if settings.host.is_empty() {
            own_name.to_owned()
        } else {
            settings.host.clone()
        },
        // Validated when written; a corrupt record falls back to the default codes.
        expected: ExpectedCodes::parse(&settings.expected_codes).unwrap_or_default(),
        timeout: Duration::from_secs(u64::from(settings.timeout_sec.max(1))),
    }
}

/// Whether a point takes part in a domain's monitoring (its settings name it, or name none).
pub fn point_selected(settings: &MonitorSettings, point: &str) -> bool {
    settings.points.is_empty() || settings.points.iter().any(|p| p == point)
}

/// Puts the stored endpoint states in the health book (before DNS builds its snapshot, so a
/// restart answers with the health it had).
pub async fn restore_health(node: &Node) -> Result<usize, StoreError> {
    let mut conn = node.store().conn().await?;
    let states = monitor::all_endpoint_health(&mut conn).await?;
    for (domain, endpoint, state) in &states {
        node.health().set(*domain, endpoint, health_of(state));
    }
    Ok(states.len())
}

/// Runs monitoring until the task is dropped. The agents' results reach the rounds through the
/// node's [`Reports`].
pub async fn run(node: Node, reports: Arc<Reports>, config: MonitorConfig) {
    let prober = match probe::Prober::new(config.reach.clone()) {
        Ok(prober) => prober,
        Err(e) => {
            tracing::error!("monitoring cannot start: TLS configuration for HTTPS probes: {e}");
            return;
        }
    };
    let shared = Arc::new(Shared {
        node: node.clone(),
        reports,
        notify_quiet: config.notify_quiet,
        prober,
        permits: Semaphore::new(config.concurrency.max(1)),
    });
    let feed = node.changes();
    let mut wake = feed.subscribe();
    let mut seen = feed.sequence();
    let mut tasks: HashMap<i64, Task> = HashMap::new();
    let mut purge = tokio::time::interval(Duration::from_secs(600));
    start_all(&shared, &mut tasks).await;
    loop {
        tokio::select! {
            changed = wake.changed() => if changed.is_err() { return },
            _ = purge.tick() => {
                purge_old_probes(&node, config.retention).await;
                continue;
            }
        }
        let (changes, now) = feed.since(seen);
        seen = now;
        match changes {
            Changes::Domains(ids) => {
                for id in ids {
                    nudge(&shared, &mut tasks, id);
                }
            }
            Changes::Everything => start_all(&shared, &mut tasks).await,
        }
    }
}

/// A domain's task and the sender that makes it reload its plan.
struct Task {
    reload: watch::Sender<u64>,
    handle: JoinHandle<()>,
}

async fn start_all(shared: &Arc<Shared>, tasks: &mut HashMap<i64, Task>) {
    let ids = match shared.node.store().conn().await {
        Ok(mut conn) => domains::all_ids(&mut conn).await,
        Err(e) => Err(e),
    };
    match ids {
        Ok(ids) => {
            for id in ids {
                nudge(shared, tasks, id);
            }
        }
        Err(e) => tracing::warn!("monitoring: listing domains: {e}"),
    }
}

/// Tells a domain's task to reload, or starts one (it ends by itself when the domain is stopped
/// or deleted).
fn nudge(shared: &Arc<Shared>, tasks: &mut HashMap<i64, Task>, id: i64) {
    if let Some(task) = tasks.get(&id).filter(|t| !t.handle.is_finished()) {
        task.reload.send_modify(|n| *n += 1);
        return;
    }
    let (reload, listen) = watch::channel(0);
    let handle = tokio::spawn(rounds::run(shared.clone(), id, listen));
    tasks.insert(id, Task { reload, handle });
}

async fn purge_old_probes(node: &Node, retention: Duration) {
    let before = crate::clock::now_ms() - retention.as_millis() as i64;
    let result = match node.store().conn().await {
        Ok(mut conn) => monitor::purge_probes(&mut conn, before).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(0) => {}
        Ok(n) => tracing::info!("monitoring: purged {n} probe results older than the retention"),
        Err(e) => tracing::warn!("monitoring: purging probe results: {e}"),
    }
}
