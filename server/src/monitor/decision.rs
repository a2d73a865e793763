//! The health decision of `docs/monitoring.md`, pure: a round's verdict from the points that
//! reported, and an endpoint's state from its last `window` verdicts.
//!
//! - A round is **failed** when failing points × 100 ≥ faultThreshold × reporting points; a round
//!   with no reporting point has no verdict (it neither fails nor heals the endpoint).
//! - An endpoint is `Unknown` until its first verdict, `Down` while the last `window` verdicts
//!   hold at least `minErrors` failures, `Up` otherwise.

use std::collections::VecDeque;

use app::strategy::Health;
use serde::{Deserialize, Serialize};

use super::probe::Outcome;

/// One point's latest result for the endpoint, as it entered the round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointReport {
    pub point: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A round's verdict and its arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub failed: bool,
    pub failing: usize,
    pub reporting: usize,
    /// The share of failing points, in percent (rounded down), versus the threshold.
    pub failing_percent: u32,
    pub fault_threshold: u32,
}

/// `None` when no point reported this round.
pub fn verdict(reports: &[PointReport], fault_threshold: u32) -> Option<Verdict> {
    let reporting = reports.len();
    if reporting == 0 {
        return None;
    }
    let failing = reports.iter().filter(|r| !r.outcome.ok).count();
    Some(Verdict {
        failed: failing * 100 >= fault_threshold as usize * reporting,
        failing,
        reporting,
        failing_percent: (failing * 100 / reporting) as u32,
        fault_threshold,
    })
}

/// An endpoint's recent verdicts and state.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    /// The newest verdict last; `true` = failed. Never longer than the window.
    verdicts: VecDeque<bool>,
    state: Health,
}

/// A change of an endpoint's state, with the window that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub from: Health,
    pub to: Health,
    /// The window's verdicts, oldest first (`true` = failed).
    pub window: Vec<bool>,
    pub failures: usize,
}

impl Tracker {
    /// A tracker resuming a stored state with an empty window (after a restart).
    pub fn resumed(state: Health) -> Tracker {
        Tracker {
            verdicts: VecDeque::new(),
            state,
        }
    }

    pub fn state(&self) -> Health {
        self.state
    }

    /// The window's verdicts, oldest first (`true` = failed).
    pub fn window(&self) -> Vec<bool> {
        self.verdicts.iter().copied().collect()
    }

    /// Adds one round's verdict; returns the state change it causes, if any.
    pub fn record(&mut self, failed: bool, window: u32, min_errors: u32) -> Option<Change> {
        let window = window.max(1) as usize;
        self.verdicts.push_back(failed);
        while self.verdicts.len() > window {
            self.verdicts.pop_front();
        }
        let failures = self.verdicts.iter().filter(|&&f| f).count();
        let next = if failures >= min_errors.max(1) as usize {
            Health::Down
        } else {
            Health::Up
        };
        if next == self.state {
            return None;
        }
        let from = std::mem::replace(&mut self.state, next);
        Some(Change {
            from,
            to: next,
            window: self.window(),
            failures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::probe::Failure;

    fn report(point: &str, ok: bool) -> PointReport {
        PointReport {
            point: point.into(),
            outcome: Outcome {
                ok,
                latency_ms: Some(3),
                http_status: Some(if ok { 200 } else { 503 }),
                failure: (!ok).then_some(Failure::UnexpectedStatus),
            },
        }
    }

    #[test]
    fn the_round_fails_at_the_threshold_exactly() {
        let three = |failing: usize| -> Vec<PointReport> {
            (0..3)
                .map(|i| report(&format!("p{i}"), i >= failing))
                .collect()
        };
        // 2 of 3 = 66.7 %: fails at a 66 % threshold, not at 67 %.
        assert!(verdict(&three(2), 66).is_some_and(|v| v.failed));
        assert!(verdict(&three(2), 67).is_some_and(|v| !v.failed));
        // One point of three failing everything stays below the default 80 %.
        let v = verdict(&three(1), 80).expect("a verdict");
        assert_eq!(
            (v.failed, v.failing, v.reporting, v.failing_percent),
            (false, 1, 3, 33)
        );
        assert!(verdict(&three(3), 100).is_some_and(|v| v.failed));
        assert!(verdict(&three(0), 1).is_some_and(|v| !v.failed));
        assert_eq!(verdict(&[], 80), None, "no point reported: no verdict");
    }

    #[test]
    fn the_window_rule_decides_the_state() {
        let mut t = Tracker::default();
        assert_eq!(t.state(), Health::Unknown);
        // window 5, minErrors 3: the first verdict moves Unknown to Up.
        let first = t.record(false, 5, 3).expect("first verdict");
        assert_eq!((first.from, first.to), (Health::Unknown, Health::Up));
        assert_eq!(t.record(true, 5, 3), None);
        assert_eq!(t.record(false, 5, 3), None);
        assert_eq!(t.record(true, 5, 3), None);
        let down = t.record(true, 5, 3).expect("third failure in the window");
        assert_eq!(
            (down.from, down.to, down.failures),
            (Health::Up, Health::Down, 3)
        );
        assert_eq!(down.window, vec![false, true, false, true, true]);
        // Healing needs failures to leave the window: the first pass pushes out a pass (three
        // failures remain), the second a failure.
        assert_eq!(t.record(false, 5, 3), None, "window: T F T T F");
        let up = t
            .record(false, 5, 3)
            .expect("window: F T T F F, two failures");
        assert_eq!((up.from, up.to, up.failures), (Health::Down, Health::Up, 2));
    }

    #[test]
    fn a_first_failure_with_min_errors_one_is_down_at_once() {
        let mut t = Tracker::default();
        let change = t.record(true, 2, 1).expect("down");
        assert_eq!((change.from, change.to), (Health::Unknown, Health::Down));
        assert_eq!(
            t.record(false, 2, 1),
            None,
            "the failure is still in the window of 2"
        );
        assert_eq!(t.record(false, 2, 1).map(|c| c.to), Some(Health::Up));
    }

    #[test]
    fn a_shrinking_window_forgets_old_verdicts() {
        let mut t = Tracker::default();
        for _ in 0..4 {
            t.record(true, 5, 3);
        }
        assert_eq!(t.state(), Health::Down);
        let change = t
            .record(false, 1, 1)
            .expect("only the newest verdict counts");
        assert_eq!(change.to, Health::Up);
        assert_eq!(t.window(), vec![false]);
    }
}
