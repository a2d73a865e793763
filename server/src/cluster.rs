//! Several `itm serve` nodes on one store. Each node keeps its own DNS snapshot and health book;
//! what keeps them in step is the store, plus — on PostgreSQL — notifications for speed:
//!
//! - a node's committed changes (configuration, decided endpoint health) go out as
//!   `NOTIFY itm_config|itm_health, '<node>|<domain ids>'`; the others reload those domains;
//! - a lost notification (a dropped listener connection, a database restart) heals by itself:
//!   the DNS follower compares configuration versions every [`VERSION_CHECK`], and the health
//!   book is reconciled with the stored states whenever their version moved (checked every
//!   [`HEALTH_CHECK`]);
//! - every node writes a heartbeat row (`nodes`) with the configuration version its DNS answers
//!   from, which `GET /v1/nodes` reports with each node's lag.
//!
//! [`VERSION_CHECK`]: crate::dns::VERSION_CHECK

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::strategy::Health;
use tokio::sync::mpsc;

use crate::clock::now_ms;
use crate::dns::Answers;
use crate::metrics;
use crate::node::{HEARTBEAT, NODE_TIMEOUT, Node};
use crate::store::monitor::health_of;
use crate::store::notifications::{self, Heard};
use crate::store::{StoreError, config_version, leases, monitor, nodes};

/// How often the health book is compared with the stored states (PostgreSQL only).
pub const HEALTH_CHECK: Duration = Duration::from_secs(3);

const CONFIG_CHANNEL: &str = "itm_config";
const HEALTH_CHANNEL: &str = "itm_health";
/// `instance|name`: that node left; the others stop counting it before their next heartbeat, so
/// the domains it hands back go to their next preferred node at once.
const NODES_CHANNEL: &str = "itm_nodes";
/// PostgreSQL refuses payloads of 8000 bytes or more; ids are sent in chunks below that.
const PAYLOAD_LIMIT: usize = 7_000;

/// Who this node is, as `GET /v1/nodes` shows it.
#[derive(Clone, Debug)]
pub struct NodeIdentity {
    pub name: String,
    pub http: SocketAddr,
    pub dns: SocketAddr,
    pub area: String,
    pub isp: String,
    /// Runs monitoring (and so may be given domains to monitor).
    pub monitoring: bool,
}

/// Takes this node's name among the nodes sharing the store, or says who has it. A heartbeat
/// under the name that is still fresh and comes from another process is watched for a little
/// over two heartbeats: still renewed, and this node must not start (two nodes of one name
/// would be one in `GET /v1/nodes` and in the monitoring's sharing); no longer renewed (a node
/// that just died, restarting now), and the name is free.
pub async fn claim_name(node: &Node) -> anyhow::Result<()> {
    let name = node.name().to_owned();
    let read = || async {
        let mut conn = node.store().conn().await?;
        nodes::named(&mut conn, &name).await
    };
    let fresh = |n: &nodes::Node| now_ms() - n.last_seen < NODE_TIMEOUT.as_millis() as i64;
    let Some(first) = read()
        .await?
        .filter(|n| fresh(n) && n.instance != node.instance())
    else {
        return Ok(());
    };
    tracing::info!(
        "a node named {name} reported {} ms ago; checking that it has stopped",
        now_ms() - first.last_seen
    );
    tokio::time::sleep(HEARTBEAT * 2 + HEARTBEAT / 2).await;
    match read().await? {
        Some(now) if now.last_seen > first.last_seen && now.instance != node.instance() => {
            anyhow::bail!(
                "another node named \"{name}\" is running (HTTP {}, DNS {}, started at {} ms \
                 since the epoch, last seen {} ms ago); give this one its own --node-name",
                now.http,
                now.dns,
                now.started_at,
                (now_ms() - now.last_seen).max(0)
            )
        }
        _ => Ok(()),
    }
}

/// Leaves the cluster (the node is stopping, its monitoring already stopped): hands its
/// monitoring leases back and tells the other nodes, so they take those domains over at once
/// instead of when the leases would have expired, and deletes its heartbeat, so it is no longer
/// counted. Returns how many domains it handed back.
pub async fn leave(node: &Node) -> usize {
    let result = async {
        let mut conn = node.store().conn().await?;
        let released = leases::release_all(&mut conn, node.instance()).await?;
        if node.store().postgres_url().is_some() {
            let left = format!("{}|{}", node.instance(), node.name());
            notifications::send(&mut conn, NODES_CHANNEL, &left).await?;
            let ids: BTreeSet<i64> = released.iter().copied().collect();
            for payload in payloads(node.instance(), &ids) {
                notifications::send(&mut conn, CONFIG_CHANNEL, &payload).await?;
            }
        }
        nodes::remove(&mut conn, node.name(), node.instance()).await?;
        Ok::<_, StoreError>(released.len())
    }
    .await;
    match result {
        Ok(released) => released,
        Err(e) => {
            tracing::warn!("leaving the cluster: {e} (the leases expire by themselves)");
            0
        }
    }
}

/// Starts the heartbeat and, on PostgreSQL, the notifier and the listener. Runs until dropped.
pub async fn run(node: Node, answers: Arc<Answers>, me: NodeIdentity) {
    let heartbeat = tokio::spawn(heartbeat(node.clone(), answers.clone(), me.clone()));
    let Some(url) = node.store().postgres_url().map(str::to_owned) else {
        let _ = heartbeat.await;
        return;
    };
    let (config_out, config_in) = mpsc::unbounded_channel();
    let (health_out, health_in) = mpsc::unbounded_channel();
    node.changes().forward_to(config_out);
    node.health_changes().forward_to(health_out);
    // Notifications carry this process's instance id: a node skips its own, never another's
    // that happens to share its name.
    let notifier = tokio::spawn(notify(
        node.clone(),
        node.instance().to_owned(),
        config_in,
        health_in,
    ));
    let reconcile = tokio::spawn(reconcile_health_forever(node.clone()));
    let instance = node.instance().to_owned();
    listen(node, url, instance).await;
    heartbeat.abort();
    notifier.abort();
    reconcile.abort();
}

async fn heartbeat(node: Node, answers: Arc<Answers>, me: NodeIdentity) {
    let started_at = now_ms();
    let mut every = tokio::time::interval(HEARTBEAT);
    let mut failing = false;
    loop {
        every.tick().await;
        let snapshot = answers.load();
        let row = nodes::Node {
            name: me.name.clone(),
            instance: node.instance().to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            http: me.http.to_string(),
            dns: me.dns.to_string(),
            area: me.area.clone(),
            isp: me.isp.clone(),
            started_at,
            last_seen: now_ms(),
            config_version: i64::from(snapshot.serial),
            snapshot_at: snapshot.built_at,
            monitoring: me.monitoring,
        };
        drop(snapshot);
        let result = async {
            let mut conn = node.store().conn().await?;
            nodes::heartbeat(&mut conn, &row).await?;
            let list = nodes::list(&mut conn).await?;
            Ok::<_, StoreError>((list, config_version(&mut conn).await?))
        }
        .await;
        let store_version = result.as_ref().ok().map(|(_, v)| *v);
        let result = result.map(|(list, _)| {
            let fresh_since = now_ms() - NODE_TIMEOUT.as_millis() as i64;
            let live: Vec<nodes::Node> = list
                .into_iter()
                .filter(|n| n.last_seen >= fresh_since)
                .collect();
            let count = live.len();
            node.set_live_nodes(
                live.into_iter()
                    .filter(|n| n.monitoring)
                    .map(|n| (n.name, n.last_seen))
                    .collect(),
            );
            count
        });
        metrics::set_status(
            metrics::Gauges {
                node: me.name.clone(),
                snapshot_serial: row.config_version as u32,
                snapshot_age_seconds: 0.0,
                store_version,
                database_up: result.is_ok(),
                live_nodes: *result.as_ref().unwrap_or(&0),
                domains_answered: answers.load().len(),
                domains_quarantined: answers.quarantine().len(),
            },
            row.snapshot_at,
        );
        match (result.map(drop), failing) {
            (Ok(()), true) => {
                tracing::info!("the database is reachable again");
                failing = false;
            }
            (Err(e), false) => {
                tracing::warn!(
                    "the database is unreachable ({e}); DNS answers from the snapshot of configuration version {}",
                    row.config_version
                );
                failing = true;
            }
            _ => {}
        }
        node.set_database_reachable(!failing);
    }
}

/// Sends this node's changes to the others, batched: whatever piled up while one was sent goes
/// in the next.
async fn notify(
    node: Node,
    instance: String,
    mut config: mpsc::UnboundedReceiver<Vec<i64>>,
    mut health: mpsc::UnboundedReceiver<Vec<i64>>,
) {
    loop {
        let (channel, first, rx) = tokio::select! {
            Some(ids) = config.recv() => (CONFIG_CHANNEL, ids, &mut config),
            Some(ids) = health.recv() => (HEALTH_CHANNEL, ids, &mut health),
            else => return,
        };
        let mut ids: BTreeSet<i64> = first.into_iter().collect();
        while let Ok(more) = rx.try_recv() {
            ids.extend(more);
        }
        for payload in payloads(&instance, &ids) {
            if let Err(e) = send(&node, channel, &payload).await {
                // The others catch up by their periodic checks.
                tracing::warn!("telling the other nodes about changes: {e}");
                break;
            }
        }
    }
}

/// `node|id,id,…` texts under the payload limit.
fn payloads(node: &str, ids: &BTreeSet<i64>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = format!("{node}|");
    let base = current.len();
    for id in ids {
        let piece = id.to_string();
        if current.len() + piece.len() + 1 > PAYLOAD_LIMIT && current.len() > base {
            out.push(std::mem::replace(&mut current, format!("{node}|")));
        }
        if current.len() > base {
            current.push(',');
        }
        current.push_str(&piece);
    }
    if current.len() > base {
        out.push(current);
    }
    out
}

async fn send(node: &Node, channel: &str, payload: &str) -> Result<(), StoreError> {
    let mut conn = node.store().conn().await?;
    notifications::send(&mut conn, channel, payload).await
}

/// Applies the other nodes' notifications; reconnects (and catches up) when the connection drops.
async fn listen(node: Node, url: String, instance: String) {
    loop {
        let mut listener = match notifications::Listener::connect(
            &url,
            &[CONFIG_CHANNEL, HEALTH_CHANNEL, NODES_CHANNEL],
        )
        .await
        {
            Ok(l) => l,
            Err(e) => {
                tracing::debug!("change listener: connecting: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // Whatever was sent while nobody listened (before the first LISTEN, or while the
        // connection was down): reload everything, configuration and health.
        node.changes().publish_everything_here();
        let _ = reconcile_health(&node).await;
        loop {
            match listener.next().await {
                Ok(Heard::Notification { channel, payload }) => {
                    apply(&node, &instance, &channel, &payload).await;
                }
                // The connection dropped; the next `next` reconnects. Catch up meanwhile.
                Ok(Heard::Reconnected) => {
                    node.changes().publish_everything_here();
                    let _ = reconcile_health(&node).await;
                }
                Err(e) => {
                    tracing::debug!("change listener: {e}");
                    break;
                }
            }
        }
    }
}

async fn apply(node: &Node, own: &str, channel: &str, payload: &str) {
    let Some((from, body)) = payload.split_once('|') else {
        return;
    };
    if from == own {
        return;
    }
    if channel == NODES_CHANNEL {
        node.forget_live_node(body);
        return;
    }
    let ids: Vec<i64> = body.split(',').filter_map(|s| s.parse().ok()).collect();
    metrics::notification(channel == HEALTH_CHANNEL);
    match channel {
        CONFIG_CHANNEL => node.changes().publish_here(ids),
        HEALTH_CHANNEL => {
            let changed = load_health(node, &ids).await;
            node.health_changes().publish_here(changed);
        }
        _ => {}
    }
}

/// Reads the stored health of `ids` into the book; returns the domains that changed.
async fn load_health(node: &Node, ids: &[i64]) -> Vec<i64> {
    let mut conn = match node.store().conn().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("reading endpoint health another node decided: {e}");
            return Vec::new();
        }
    };
    let mut changed = Vec::new();
    for &id in ids {
        match monitor::endpoint_health(&mut conn, id).await {
            Ok(rows) => {
                let states: HashMap<String, Health> = rows
                    .into_iter()
                    .map(|r| (r.endpoint, health_of(&r.state)))
                    .collect();
                if node.health().replace_domain(id, states) {
                    changed.push(id);
                }
            }
            Err(e) => tracing::warn!("reading endpoint health of domain {id}: {e}"),
        }
    }
    changed
}

/// Reconciles every [`HEALTH_CHECK`], when the stored states' version moved since.
async fn reconcile_health_forever(node: Node) {
    let mut every = tokio::time::interval(HEALTH_CHECK);
    let mut seen = None;
    loop {
        every.tick().await;
        let version = match node.store().conn().await {
            Ok(mut conn) => monitor::health_version(&mut conn).await.ok(),
            Err(_) => None,
        };
        if version.is_some() && version == seen {
            continue;
        }
        // The version is read first: a change after it is caught at the next check.
        if reconcile_health(&node).await {
            seen = version;
        }
    }
}

/// Makes the health book equal the stored states (all domains); announces the domains that
/// differed, so DNS rebuilds them. False when the states could not be read.
async fn reconcile_health(node: &Node) -> bool {
    let rows = match node.store().conn().await {
        Ok(mut conn) => monitor::all_endpoint_health(&mut conn).await,
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            tracing::debug!("health reconciliation: {e}");
            return false;
        }
    };
    let mut stored: HashMap<i64, HashMap<String, Health>> = HashMap::new();
    for (domain, endpoint, state) in rows {
        stored
            .entry(domain)
            .or_default()
            .insert(endpoint, health_of(&state));
    }
    let mut ids: BTreeSet<i64> = stored.keys().copied().collect();
    ids.extend(node.health().domain_ids());
    let changed: Vec<i64> = ids
        .into_iter()
        .filter(|id| {
            let states = stored.remove(id).unwrap_or_default();
            node.health().replace_domain(*id, states)
        })
        .collect();
    if !changed.is_empty() {
        tracing::info!(
            "health reconciliation: {} domains differed from the store",
            changed.len()
        );
        node.health_changes().publish_here(changed);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_stay_under_the_limit_and_carry_every_id() {
        let ids: BTreeSet<i64> = (1_000_000..1_003_000).collect();
        let out = payloads("node-a", &ids);
        assert!(out.len() > 1);
        let mut back = BTreeSet::new();
        for p in &out {
            assert!(p.len() < 8_000, "{}", p.len());
            let (node, list) = p.split_once('|').expect("node|ids");
            assert_eq!(node, "node-a");
            back.extend(list.split(',').map(|s| s.parse::<i64>().expect("id")));
        }
        assert_eq!(back, ids);
        assert!(payloads("n", &BTreeSet::new()).is_empty());
    }
}
