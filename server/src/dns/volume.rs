//! Query volume per domain and user group, like Azure's Traffic View: every domain in the
//! snapshot carries a [`Tally`] that the answer paths bump (one relaxed atomic add, no lock, no
//! allocation after the first query), and [`record`] adds what was counted to the store's
//! per-minute and per-group-and-hour tables every few seconds, so every node's share ends in
//! the same rows.
//!
//! The tally survives snapshot rebuilds (the new entry takes the old one's), so only the counts
//! of a domain deleted between two flushes are lost, and they have no page left to show them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::strategy::UserGroup;
use tokio_util::sync::CancellationToken;

use super::snapshot::Answers;
use crate::node::Node;
use crate::store::volume::{self, Count};

/// One domain's queries since the last flush, per user group. The 165 counters (64 bits: no
/// rate wraps them between two flushes) are allocated on the first query, so the many domains
/// nobody asks for cost one empty cell each.
#[derive(Debug, Default)]
pub struct Tally {
    groups: OnceLock<Box<[AtomicU64; UserGroup::COUNT]>>,
}

impl Tally {
    #[inline]
    pub fn count(&self, group: UserGroup) {
        let groups = self
            .groups
            .get_or_init(|| Box::new([const { AtomicU64::new(0) }; UserGroup::COUNT]));
        if let Some(counter) = groups.get(group.index()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Takes the counts out (each counter back to zero): the non-zero ones, by group.
    pub fn drain(&self) -> Vec<(UserGroup, u64)> {
        let Some(groups) = self.groups.get() else {
            return Vec::new();
        };
        groups
            .iter()
            .enumerate()
            .filter_map(|(index, counter)| {
                let n = counter.swap(0, Ordering::Relaxed);
                (n > 0).then_some(())?;
                Some((UserGroup::from_index(index)?, n))
            })
            .collect()
    }
}

/// How long query volume is kept (the API's longest window).
pub const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);

/// Adds the snapshot's tallies to the store every `every`, and once more when `dns_stopped` is
/// cancelled (after the listener's last answer).
/// A flush the store refuses keeps its counts for the next one, merged per domain and group, so
/// a long outage holds at most one counter per pair.
pub async fn record(
    node: Node,
    answers: Arc<Answers>,
    every: Duration,
    dns_stopped: CancellationToken,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unsaved: HashMap<(i64, UserGroup), u64> = HashMap::new();
    let mut last_prune = 0;
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            () = dns_stopped.cancelled() => true,
        };
        for c in drain(&answers) {
            let n = unsaved.entry((c.domain_id, c.group)).or_default();
            *n = n.saturating_add(c.count);
        }
        let now = crate::clock::now_ms();
        if !unsaved.is_empty() {
            let counts: Vec<Count> = unsaved
                .iter()
                .map(|(&(domain_id, group), &count)| Count {
                    domain_id,
                    group,
                    count,
                })
                .collect();
            match save(&node, &counts, now).await {
                Ok(()) => unsaved.clear(),
                Err(e) => tracing::warn!("query volume not saved (kept for the next try): {e}"),
            }
        }
        if now - last_prune > PRUNE_EVERY_MS {
            last_prune = now;
            if let Err(e) = prune(&node, now).await {
                tracing::warn!("old query volume not pruned: {e}");
            }
        }
        if stopping {
            return;
        }
    }
}

const PRUNE_EVERY_MS: i64 = 3_600_000;

/// Every served domain's counts since the last drain.
pub fn drain(answers: &Answers) -> Vec<Count> {
    let snapshot = answers.load();
    let mut counts = Vec::new();
    for entry in snapshot.entries() {
        for (group, n) in entry.tally.drain() {
            counts.push(Count {
                domain_id: entry.id,
                group,
                count: n,
            });
        }
    }
    counts
}

async fn save(node: &Node, counts: &[Count], now: i64) -> Result<(), crate::store::StoreError> {
    let mut tx = node.store().begin().await?;
    volume::add(&mut tx, now, counts).await?;
    tx.commit().await?;
    Ok(())
}

async fn prune(node: &Node, now: i64) -> Result<(), crate::store::StoreError> {
    let mut conn = node.store().conn().await?;
    let before = now - KEEP.as_millis() as i64;
    let gone = volume::prune(&mut conn, volume::minute_of(before)).await?;
    if gone > 0 {
        tracing::debug!("pruned {gone} rows of query volume older than 7 days");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::strategy::{Area, Isp};

    #[test]
    fn a_tally_counts_per_group_and_drains_to_zero() {
        let tally = Tally::default();
        assert!(
            tally.drain().is_empty(),
            "nothing counted, nothing allocated"
        );
        let beijing = UserGroup::new(Area::from_code("beijing.CN").expect("area"), Isp::Ct);
        let other = UserGroup::from_index(UserGroup::COUNT - 1).expect("last group");
        for _ in 0..3 {
            tally.count(beijing);
        }
        tally.count(other);
        let mut drained = tally.drain();
        drained.sort();
        assert_eq!(drained, vec![(beijing, 3), (other, 1)]);
        assert!(tally.drain().is_empty(), "a drain leaves zeros");
        tally.count(beijing);
        assert_eq!(tally.drain(), vec![(beijing, 1)]);
    }
}
