//! Which node monitors a domain when several share a PostgreSQL store: the holder of the
//! domain's lease, renewed at every round for 1.5 intervals. A node that dies stops renewing;
//! the others try again when the lease expires, so the domain is taken over within 2 intervals.
//! Free leases go first to the domain's preferred node (rendezvous hashing over the live nodes),
//! so domains spread over the nodes; the others wait a quarter interval before taking one. A
//! holder hands a domain to its preferred node when that one has reported since the holder took
//! the domain, so a node that rejoins gets its share back and only a dead node's share moves.
//! On SQLite (one node) every domain is this node's and nothing is stored.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use crate::clock::now_ms;
use crate::node::Node;
use crate::store::{StoreError, leases};

/// Whether this node runs the next round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Turn {
    Mine,
    /// Another node holds the domain (or should get it first): look again after this long.
    NotMine(Duration),
}

/// `deferred`: this node already gave the preferred node its head start for a free lease.
/// `mine_since`: when this node took the lease it held at the last turn (None: it did not).
pub(super) async fn turn(
    node: &Node,
    domain: i64,
    interval: Duration,
    deferred: &mut bool,
    mine_since: Option<i64>,
) -> Result<Turn, StoreError> {
    if node.store().postgres_url().is_none() {
        return Ok(Turn::Mine);
    }
    // Leases are held by this process (its instance), not by its name: two processes that
    // share a name by mistake never both hold one.
    let me = node.instance();
    let now = now_ms();
    let mut conn = node.store().conn().await?;
    // A free lease is left to the preferred node first; a holder renewing needs no look.
    if mine_since.is_none() && !*deferred && !preferred(node, domain) {
        let holder = leases::holder(&mut conn, domain).await?;
        let free = holder.as_ref().is_none_or(|(_, expires)| *expires < now);
        let ours = holder.as_ref().is_some_and(|(n, _)| n == me);
        if free && !ours {
            *deferred = true;
            tracing::debug!(
                "monitoring domain {domain}: free, leaving it to its preferred node first"
            );
            return Ok(Turn::NotMine(interval / 4));
        }
    }
    let until = now + (interval.as_millis() as i64) * 3 / 2;
    match leases::claim(&mut conn, domain, me, now, until).await? {
        leases::Claim::Held => {
            *deferred = false;
            // A node that (re)joined gets its share back: the holder steps aside for a domain's
            // preferred node once that one has reported since. It claims the free lease at its
            // next look (when the old one would have expired): one round is skipped.
            if handing_over(node, domain, mine_since.unwrap_or(now)) {
                leases::release(&mut conn, domain, me).await?;
                tracing::info!("monitoring domain {domain}: handed over to its preferred node");
                return Ok(Turn::NotMine(interval * 2));
            }
            Ok(Turn::Mine)
        }
        leases::Claim::Elsewhere { expires_at, .. } => {
            *deferred = false;
            // Just after it expires, with a little spread so the others do not all ask at once.
            // Never longer than an interval: a lease taken under other settings (a longer
            // interval) must not keep this node from looking.
            let wait = ((expires_at - now).max(0) as u64 + jitter_ms(domain, me, interval))
                .min(interval.as_millis() as u64);
            tracing::debug!(
                "monitoring domain {domain}: held elsewhere; looking again in {wait} ms"
            );
            Ok(Turn::NotMine(Duration::from_millis(wait)))
        }
    }
}

/// Gives the domain up (it is no longer monitored).
pub(super) async fn release(node: &Node, domain: i64) {
    if node.store().postgres_url().is_none() {
        return;
    }
    let result = async {
        let mut conn = node.store().conn().await?;
        leases::release(&mut conn, domain, node.instance()).await
    }
    .await;
    if let Err(e) = result {
        tracing::debug!("monitoring domain {domain}: releasing its lease: {e}");
    }
}

/// Whether this node is the domain's preferred monitor among the live nodes (or the live set
/// is not known yet).
fn preferred(node: &Node, domain: i64) -> bool {
    let me = node.name();
    best_node(&node.live_nodes(), domain).is_none_or(|(b, _)| b == me)
}

/// Whether the holder should give the domain to its preferred node: another node that has
/// reported since the holder took the domain (so it is alive now: a node that died, and whose
/// domain this one took over, cannot have).
fn handing_over(node: &Node, domain: i64, mine_since: i64) -> bool {
    let me = node.name();
    let after = mine_since + crate::node::HEARTBEAT.as_millis() as i64;
    best_node(&node.live_nodes(), domain)
        .is_some_and(|(b, last_seen)| b != me && *last_seen > after)
}

fn best_node(live: &[(String, i64)], domain: i64) -> Option<(&str, &i64)> {
    live.iter()
        .max_by_key(|(n, _)| score(domain, n))
        .map(|(n, seen)| (n.as_str(), seen))
}

fn score(domain: i64, node: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (domain, node).hash(&mut h);
    h.finish()
}

/// Up to a tenth of the interval, fixed per (domain, node).
fn jitter_ms(domain: i64, node: &str, interval: Duration) -> u64 {
    let span = (interval.as_millis() as u64 / 10).max(1);
    score(domain, node) % span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendezvous_spreads_domains_and_moves_only_a_dead_nodes_share() {
        let nodes = ["a", "b", "c"];
        fn owner(domain: i64, live: &[&'static str]) -> &'static str {
            live.iter()
                .copied()
                .max_by_key(|n| score(domain, n))
                .unwrap_or_default()
        }
        let mut counts = [0usize; 3];
        for d in 0..3000 {
            let o = owner(d, &nodes);
            counts[nodes.iter().position(|n| *n == o).unwrap_or(0)] += 1;
            // Without c, only c's domains move.
            if o != "c" {
                assert_eq!(owner(d, &["a", "b"]), o);
            }
        }
        assert!(counts.iter().all(|&c| c > 800), "{counts:?}");
    }
}
