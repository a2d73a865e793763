//! The latest outcome each monitor point reported for each endpoint: the local point's own
//! probes and the agents' posted results meet here, and a round reads the points that reported
//! recently enough to count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::decision::PointReport;
use super::probe::Outcome;

/// Per point name: when its latest outcome arrived, and the outcome.
type ByPoint = HashMap<String, (Instant, Outcome)>;

#[derive(Debug, Default)]
pub struct Reports {
    // A plain mutex: a lookup or an insert, never held across an await.
    latest: Mutex<HashMap<(i64, String), ByPoint>>,
}

impl Reports {
    pub fn record(&self, domain: i64, endpoint: &str, point: &str, outcome: Outcome) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest
            .entry((domain, endpoint.to_owned()))
            .or_default()
            .insert(point.to_owned(), (Instant::now(), outcome));
    }

    /// The reports of `points` (all when empty) younger than `max_age`, by point name. A point
    /// that has been silent longer does not count either way.
    pub fn current(
        &self,
        domain: i64,
        endpoint: &str,
        points: &[String],
        max_age: Duration,
    ) -> Vec<PointReport> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        let Some(by_point) = latest.get(&(domain, endpoint.to_owned())) else {
            return Vec::new();
        };
        let mut reports: Vec<PointReport> = by_point
            .iter()
            .filter(|(point, _)| points.is_empty() || points.contains(point))
            .filter(|(_, (at, _))| at.elapsed() <= max_age)
            .map(|(point, (_, outcome))| PointReport {
                point: point.clone(),
                outcome: outcome.clone(),
            })
            .collect();
        reports.sort_by(|a, b| a.point.cmp(&b.point));
        reports
    }

    /// Forgets a domain's endpoints that are not in `keep` (removed endpoints, deleted domains).
    pub fn retain(&self, domain: i64, keep: &[String]) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest.retain(|(d, endpoint), _| *d != domain || keep.contains(endpoint));
    }
}
