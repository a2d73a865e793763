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

    /// Sets a domain's endpoints to exactly `endpoints` (the stored states another node decided);
    /// returns whether anything changed.
    pub fn replace_domain(&self, domain: i64, endpoints: HashMap<String, Health>) -> bool {
        let mut map = self.domains.write().unwrap_or_else(|e| e.into_inner());
        let before = map.get(&domain);
        if before == Some(&endpoints) || (before.is_none() && endpoints.is_empty()) {
            return false;
        }
        map.insert(domain, endpoints);
        true
    }

    /// The domains with recorded health.
    pub fn domain_ids(&self) -> Vec<i64> {
        let map = self.domains.read().unwrap_or_else(|e| e.into_inner());
        map.keys().copied().collect()
    }

    /// Forgets an endpoint (removed from its domain): it is Unknown again.
    pub fn forget(&self, domain: i64, endpoint: &str) {
        let mut map = self.domains.write().unwrap_or_else(|e| e.into_inner());
        if let Some(endpoints) = map.get_mut(&domain) {
            endpoints.remove(endpoint);
        }
    }
}
