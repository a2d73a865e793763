//! The change feed: after a transaction that changes what DNS answers commits, the service
//! records which domains changed. The DNS snapshot follows the feed and reloads just those
//! domains; a follower that fell too far behind (or a change that is not per-domain) reloads all.

use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

use tokio::sync::{mpsc, watch};

/// How many recent changes the feed remembers for followers that are catching up.
const REMEMBERED: usize = 10_000;

#[derive(Debug)]
pub struct ChangeFeed {
    // A plain mutex: pushed and read in microseconds, never held across an await.
    log: Mutex<Log>,
    sequence: watch::Sender<u64>,
    /// Where this node's own changes also go to reach the other nodes (`cluster`); unset on a
    /// lone node.
    outbox: OnceLock<mpsc::UnboundedSender<Vec<i64>>>,
}

#[derive(Debug, Default)]
struct Log {
    /// (sequence, domain id) of recent changes, oldest first.
    recent: VecDeque<(u64, i64)>,
    /// Changes at or below this sequence are no longer in `recent`.
    forgotten_up_to: u64,
}

/// What a follower must reload to catch up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    Domains(Vec<i64>),
    Everything,
}

impl Changes {
    /// What two feeds' changes need together.
    pub fn merge(self, other: Changes) -> Changes {
        match (self, other) {
            (Changes::Domains(mut a), Changes::Domains(b)) => {
                a.extend(b);
                a.sort_unstable();
                a.dedup();
                Changes::Domains(a)
            }
            _ => Changes::Everything,
        }
    }
}

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed {
            log: Mutex::new(Log::default()),
            sequence: watch::channel(0).0,
            outbox: OnceLock::new(),
        }
    }
}

impl ChangeFeed {
    /// Records committed changes to `domains` made here, and passes them on to the other nodes.
    pub fn publish(&self, domains: impl IntoIterator<Item = i64>) {
        let domains: Vec<i64> = domains.into_iter().collect();
        if let Some(outbox) = self.outbox.get() {
            let _ = outbox.send(domains.clone());
        }
        self.publish_here(domains);
    }

    /// Tells every follower to reload everything (changes may have been missed: another node's
    /// notifications before this node listened, or a version check that found the store ahead).
    pub fn publish_everything_here(&self) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let sequence = *self.sequence.borrow() + 1;
        log.recent.clear();
        log.forgotten_up_to = sequence;
        drop(log);
        self.sequence.send_replace(sequence);
    }

    /// Sends this node's changes to `outbox` from now on (once; later calls are ignored).
    pub fn forward_to(&self, outbox: mpsc::UnboundedSender<Vec<i64>>) {
        let _ = self.outbox.set(outbox);
    }

    /// Records committed changes to `domains` that another node made (not passed on again).
    pub fn publish_here(&self, domains: impl IntoIterator<Item = i64>) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let mut sequence = *self.sequence.borrow();
        for domain in domains {
            sequence += 1;
            log.recent.push_back((sequence, domain));
        }
        while log.recent.len() > REMEMBERED {
            if let Some((seq, _)) = log.recent.pop_front() {
                log.forgotten_up_to = seq;
            }
        }
        drop(log);
        self.sequence.send_replace(sequence);
    }

    /// A receiver that wakes when the sequence moves.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.sequence.subscribe()
    }

    pub fn sequence(&self) -> u64 {
        *self.sequence.borrow()
    }

    /// What changed after `seen` (a sequence number from this feed), and the sequence now.
    pub fn since(&self, seen: u64) -> (Changes, u64) {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let now = *self.sequence.borrow();
        if seen < log.forgotten_up_to {
            return (Changes::Everything, now);
        }
        let mut domains: Vec<i64> = log
            .recent
            .iter()
            .filter(|(s, _)| *s > seen)
            .map(|(_, d)| *d)
            .collect();
        domains.sort_unstable();
        domains.dedup();
        (Changes::Domains(domains), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn followers_get_the_domains_changed_since_they_last_looked() {
        let feed = ChangeFeed::default();
        assert_eq!(feed.since(0), (Changes::Domains(vec![]), 0));
        feed.publish([7, 3]);
        feed.publish([7]);
        assert_eq!(feed.since(0), (Changes::Domains(vec![3, 7]), 3));
        assert_eq!(feed.since(2), (Changes::Domains(vec![7]), 3));
    }

    #[test]
    fn everything_reaches_every_follower_once() {
        let feed = ChangeFeed::default();
        feed.publish([1]);
        let (_, seen) = feed.since(0);
        feed.publish_everything_here();
        let (changes, now) = feed.since(seen);
        assert_eq!(changes, Changes::Everything);
        feed.publish([2]);
        assert_eq!(feed.since(now).0, Changes::Domains(vec![2]));
    }

    #[test]
    fn a_follower_too_far_behind_reloads_everything() {
        let feed = ChangeFeed::default();
        feed.publish(0..(REMEMBERED as i64 + 5));
        assert_eq!(feed.since(1).0, Changes::Everything);
        assert!(matches!(feed.since(10).0, Changes::Domains(_)));
    }
}
