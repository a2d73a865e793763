//! The latest outcome each monitor point reported for each endpoint: the local point's own
//! probes and the agents' posted results meet here, and a round reads the points that reported
//! recently enough to count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::model::PointIssue;

use super::decision::PointReport;
use super::probe::Outcome;

/// Per point name: its latest outcome, when it arrived, and how long it counts.
type ByPoint = HashMap<String, Latest>;

#[derive(Clone, Debug)]
struct Latest {
    at: Instant,
    outcome: Outcome,
    /// Twice the domain's interval: a point silent for longer does not count.
    counts_for: Duration,
}

#[derive(Debug, Default)]
pub struct Reports {
    // A plain mutex: a lookup or an insert, never held across an await.
    latest: Mutex<HashMap<(i64, String), ByPoint>>,
    /// Per (domain, point): the latest reason the point could not probe at all (e.g. no ICMP
    /// socket), and when. Per domain, so an account only sees its own.
    issues: Mutex<HashMap<(i64, String), (Instant, PointIssue)>>,
}

/// How long a point's "cannot probe" issue is shown after it last happened.
const ISSUE_SHOWN_FOR: Duration = Duration::from_secs(600);

impl Reports {
    /// Records a point's outcome for a domain probed every `interval`.
    pub fn record(
        &self,
        domain: i64,
        endpoint: &str,
        point: &str,
        outcome: Outcome,
        interval: Duration,
    ) {
        self.record_received(domain, endpoint, point, outcome, interval, Duration::ZERO);
    }

    /// Records an outcome another node received `age` ago (an agent posted it there), unless
    /// a newer one of that point is already held.
    pub fn record_received(
        &self,
        domain: i64,
        endpoint: &str,
        point: &str,
        outcome: Outcome,
        interval: Duration,
        age: Duration,
    ) {
        let Some(at) = Instant::now().checked_sub(age) else {
            return;
        };
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        let by_point = latest.entry((domain, endpoint.to_owned())).or_default();
        if by_point.get(point).is_some_and(|held| held.at >= at) {
            return;
        }
        by_point.insert(
            point.to_owned(),
            Latest {
                at,
                outcome,
                counts_for: interval * 2,
            },
        );
    }

    /// The reports of `points` (all when empty) that still count, by point name. A point silent
    /// for more than twice the interval does not count either way.
    pub fn current(&self, domain: i64, endpoint: &str, points: &[String]) -> Vec<PointReport> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        let Some(by_point) = latest.get(&(domain, endpoint.to_owned())) else {
            return Vec::new();
        };
        let mut reports: Vec<PointReport> = by_point
            .iter()
            .filter(|(point, _)| points.is_empty() || points.contains(point))
            .filter(|(_, latest)| latest.at.elapsed() <= latest.counts_for)
            .map(|(point, latest)| PointReport {
                point: point.clone(),
                outcome: latest.outcome.clone(),
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

    /// Per point, over the given domains' endpoints: how many current reports it has and how
    /// many of them failed.
    pub fn by_point(&self, domains: &[i64]) -> HashMap<String, (usize, usize)> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
        for ((domain, _), by_point) in latest.iter() {
            if !domains.contains(domain) {
                continue;
            }
            for (point, report) in by_point {
                if report.at.elapsed() > report.counts_for {
                    continue;
                }
                let count = counts.entry(point.clone()).or_default();
                count.0 += 1;
                count.1 += usize::from(!report.outcome.ok);
            }
        }
        counts
    }

    /// Notes that `point` could not make a probe for `domain` at all (never counted against
    /// the endpoint).
    pub fn note_issue(&self, domain: i64, point: &str, issue: PointIssue) {
        let mut issues = self.issues.lock().unwrap_or_else(|e| e.into_inner());
        issues.insert((domain, point.to_owned()), (Instant::now(), issue));
    }

    /// The point's most recent issue over the given domains, if any.
    pub fn issue(&self, domains: &[i64], point: &str) -> Option<PointIssue> {
        let issues = self.issues.lock().unwrap_or_else(|e| e.into_inner());
        issues
            .iter()
            .filter(|((d, p), (at, _))| {
                p == point && domains.contains(d) && at.elapsed() <= ISSUE_SHOWN_FOR
            })
            .max_by_key(|(_, (at, _))| *at)
            .map(|(_, (_, issue))| issue.clone())
    }
}
