//! The cluster's nodes, as their heartbeats report them.

use app::model::{NodeStatus, Permission};

use super::{Caller, Result, Service};
use crate::clock::now_ms;
use crate::node::NODE_TIMEOUT;
use crate::store::{config_version, domains, leases, nodes};

impl Service {
    /// Every node that ever served from this store, with its lag and health: healthy when heard
    /// from within [`NODE_TIMEOUT`] with the database reachable (a heartbeat is a write).
    pub async fn nodes(&self, caller: &Caller) -> Result<Vec<NodeStatus>> {
        caller.require(Permission::Operate)?;
        let mut conn = self.store().conn().await?;
        let store_version = config_version(&mut conn).await?;
        let list = nodes::list(&mut conn).await?;
        let now = now_ms();
        // Cluster: the leases say who monitors what; one node alone monitors everything.
        let held = if self.store().postgres_url().is_some() {
            leases::held_by_node(&mut conn, now).await?
        } else {
            let all = domains::monitored_count(&mut conn).await?;
            list.iter().map(|n| (n.name.clone(), all)).collect()
        };
        let timeout = NODE_TIMEOUT.as_millis() as i64;
        Ok(list
            .into_iter()
            .map(|n| NodeStatus {
                monitored_domains: held
                    .iter()
                    .find(|(name, _)| *name == n.name)
                    .map_or(0, |(_, count)| *count),
                healthy: now - n.last_seen <= timeout,
                behind: (store_version - n.config_version).max(0),
                snapshot_age_ms: (n.last_seen - n.snapshot_at).max(0),
                store_version,
                monitoring: n.monitoring,
                name: n.name,
                version: n.version,
                http: n.http,
                dns: n.dns,
                area: n.area,
                isp: n.isp,
                started_at: n.started_at,
                last_seen: n.last_seen,
                config_version: n.config_version,
            })
            .collect())
    }
}
