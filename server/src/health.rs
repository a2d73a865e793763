//! The health book: the current health of every monitored endpoint, per domain. Monitoring
//! writes it; the DNS snapshot reads it when it (re)builds a domain. It is never read per query.

use std::collections::HashMap;
use std::sync::RwLock;

use app::strategy::Health;

#[derive(Debug, Default)]
pub struct HealthBook {
    // A plain RwLock: reads copy one domain's small map, writes flip one value; no await inside.
    domains: RwLock<HashMap<i64, HashMap<String, Health>>>,
}

impl HealthBook {
    /// The health of the domain's endpoints (endpoint value → health); missing = Unknown.
    pub fn domain(&self, domain: i64) -> HashMap<String, Health> {
        let map = self.domains.read().unwrap_or_else(|e| e.into_inner());
        map.get(&domain).cloned().unwrap_or_default()
    }

    /// Records `health` for an endpoint; returns whether it changed.
    pub fn set(&self, domain: i64, endpoint: &str, health: Health) -> bool {
        let mut map = self.domains.write().unwrap_or_else(|e| e.into_inner());
        let previous = map
            .entry(domain)
            .or_default()
            .insert(endpoint.to_owned(), health);
        previous.unwrap_or_default() != health
    }

    /// Forgets an endpoint (removed from its domain): it is Unknown again.
    pub fn forget(&self, domain: i64, endpoint: &str) {
        let mut map = self.domains.write().unwrap_or_else(|e| e.into_inner());
        if let Some(endpoints) = map.get_mut(&domain) {
            endpoints.remove(endpoint);
        }
    }
}
