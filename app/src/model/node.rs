//! A node of the cluster as `GET /v1/nodes` reports it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    pub name: String,
    /// The `itm` version it runs.
    pub version: String,
    pub http: String,
    pub dns: String,
    /// Its monitor point's location.
    pub area: String,
    pub isp: String,
    /// Milliseconds since the Unix epoch.
    pub started_at: i64,
    pub last_seen: i64,
    /// The configuration version its DNS answers from, and the store's.
    pub config_version: i64,
    pub store_version: i64,
    /// Configuration versions its DNS was behind the store at its last heartbeat (changes are
    /// applied within a second; a lasting lag means it misses notifications or cannot build).
    pub behind: i64,
    /// How long ago its DNS snapshot was built (at its last heartbeat), in ms.
    pub snapshot_age_ms: i64,
    /// Runs monitoring (not started with `--no-monitor`).
    pub monitoring: bool,
    /// Domains whose monitoring runs on this node (the rounds: local probes and decisions).
    pub monitored_domains: i64,
    /// Heard from within the timeout (its heartbeat, a database write, succeeded).
    pub healthy: bool,
}
