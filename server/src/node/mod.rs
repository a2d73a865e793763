//! The running node: what this process holds while it serves, shared by the request door
//! (`service`) and the background actors that keep DNS, monitoring and the cluster going (the
//! DNS follower, monitoring, the cluster's heartbeat and listener, the notification sender).
//! Those actors act as the system and take a [`Node`], never a `Service`.
//!
//! It holds the store handle, the node's identity among the nodes (name, instance id, the live
//! nodes), whether the database answers, the health book, the quarantine, and the two change
//! feeds. No SQL here: the store does that.

mod changes;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

pub use changes::{ChangeFeed, Changes};

use crate::health::HealthBook;
use crate::quarantine::Quarantine;
use crate::store::Store;

/// How often a node reports itself (its heartbeat row).
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A node not heard from for this long is reported unhealthy, and its name is free again.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(10);

/// Cheap to clone: everything is shared.
#[derive(Clone, Debug)]
pub struct Node {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    /// ITM's own zone, without the trailing dot.
    zone: String,
    /// This node's name among those sharing the store (set once at start).
    name: OnceLock<String>,
    /// The zone's name servers (`--ns`), which delegated domains are pointed at (set once at
    /// start by the DNS listener's configuration).
    name_servers: OnceLock<Vec<String>>,
    /// This process's own id (random, new at every start): its heartbeat, change notifications
    /// and monitor leases carry it, so even two processes given one name stay apart.
    instance: String,
    /// The monitoring nodes whose heartbeat is fresh, with when it was (ms), this one included.
    live_nodes: RwLock<Vec<(String, i64)>>,
    /// False while the node's heartbeat cannot reach the database.
    database_reachable: AtomicBool,
    health: Arc<HealthBook>,
    quarantine: Arc<Quarantine>,
    changes: ChangeFeed,
    health_changes: ChangeFeed,
    probes_recorded: ChangeFeed,
    notify_wake: tokio::sync::Notify,
    stopping: tokio_util::sync::CancellationToken,
}

impl Node {
    pub fn new(store: Store, zone: &str) -> Node {
        Node {
            inner: Arc::new(Inner {
                store,
                zone: zone.to_owned(),
                name: OnceLock::new(),
                name_servers: OnceLock::new(),
                instance: random_instance_id(),
                live_nodes: RwLock::new(Vec::new()),
                database_reachable: AtomicBool::new(true),
                health: Arc::default(),
                quarantine: Arc::default(),
                changes: ChangeFeed::default(),
                health_changes: ChangeFeed::default(),
                probes_recorded: ChangeFeed::default(),
                notify_wake: tokio::sync::Notify::new(),
                stopping: tokio_util::sync::CancellationToken::new(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn zone(&self) -> &str {
        &self.inner.zone
    }

    /// This node's name (set once at start; "local" when never set).
    pub fn name(&self) -> &str {
        self.inner.name.get().map_or("local", String::as_str)
    }

    pub fn set_name(&self, name: String) {
        let _ = self.inner.name.set(name);
    }

    /// The name servers a delegated domain's NS records should name (none before they are set).
    pub fn name_servers(&self) -> &[String] {
        self.inner.name_servers.get().map_or(&[], Vec::as_slice)
    }

    pub fn set_name_servers(&self, names: Vec<String>) {
        let _ = self.inner.name_servers.set(names);
    }

    /// This process's id among the nodes.
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    /// The monitoring nodes heard from recently and when (this one included once its first
    /// heartbeat is in).
    pub fn live_nodes(&self) -> Vec<(String, i64)> {
        self.inner
            .live_nodes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_live_nodes(&self, nodes: Vec<(String, i64)>) {
        *self
            .inner
            .live_nodes
            .write()
            .unwrap_or_else(|e| e.into_inner()) = nodes;
    }

    /// Stops counting a node that said it left (until its next heartbeat, if it comes back).
    pub fn forget_live_node(&self, name: &str) {
        self.inner
            .live_nodes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(n, _)| n != name);
    }

    /// Whether this node's last heartbeat reached the database.
    pub fn database_reachable(&self) -> bool {
        self.inner.database_reachable.load(Ordering::Relaxed)
    }

    pub fn set_database_reachable(&self, reachable: bool) {
        self.inner
            .database_reachable
            .store(reachable, Ordering::Relaxed);
    }

    /// The current health of monitored endpoints (monitoring writes, DNS reads).
    pub fn health(&self) -> &Arc<HealthBook> {
        &self.inner.health
    }

    /// The domains whose stored strategy the DNS snapshot could not load.
    pub fn quarantine(&self) -> &Arc<Quarantine> {
        &self.inner.quarantine
    }

    /// The feed of committed changes to what DNS answers.
    pub fn changes(&self) -> &ChangeFeed {
        &self.inner.changes
    }

    /// The feed of endpoint health changes (kept apart from configuration changes, which
    /// monitoring itself follows).
    pub fn health_changes(&self) -> &ChangeFeed {
        &self.inner.health_changes
    }

    /// The feed of domains whose probe results this node has just stored: only the console's
    /// live view follows it, so it stays on this node.
    pub fn probes_recorded(&self) -> &ChangeFeed {
        &self.inner.probes_recorded
    }

    /// Cancelled when the node begins to stop: the one shutdown token of `serve`, so long-lived
    /// responses (the console's live views) end with the rest.
    pub fn stopping(&self) -> &tokio_util::sync::CancellationToken {
        &self.inner.stopping
    }

    /// Wakes the notification sender (messages were queued).
    pub fn notify_wake(&self) -> &tokio::sync::Notify {
        &self.inner.notify_wake
    }
}

/// 16 random letters and digits.
fn random_instance_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
