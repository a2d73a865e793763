//! Keeps the DNS snapshot in step with the store: the node's change feeds name the domains to
//! rebuild, and a periodic version check catches a change whose notification was lost.

use std::sync::Arc;
use std::time::Duration;

use super::snapshot::Answers;
use crate::node::{Changes, Node};
use crate::store::{StoreError, config_version};

/// How often the snapshot's version is compared with the store's: a change another node made
/// whose notification was lost is picked up within two checks.
pub const VERSION_CHECK: Duration = Duration::from_secs(2);

/// Keeps `answers` in step with the store: reloads the domains the node's change feeds name
/// (configuration and endpoint health, at once), and every few seconds compares the store's
/// configuration version with the snapshot's. A difference that persists over two checks while
/// the feed is idle means a change made by another process: then everything is reloaded.
pub async fn follow(node: Node, answers: Arc<Answers>) {
    let (config, health) = (node.changes(), node.health_changes());
    let (mut wake_config, mut wake_health) = (config.subscribe(), health.subscribe());
    let (mut seen_config, mut seen_health) = (config.sequence(), health.sequence());
    let mut check = tokio::time::interval(VERSION_CHECK);
    let mut suspect: Option<u32> = None;
    loop {
        tokio::select! {
            changed = wake_config.changed() => if changed.is_err() { return },
            changed = wake_health.changed() => if changed.is_err() { return },
            _ = check.tick() => {
                if config.sequence() == seen_config {
                    suspect = match resync(&node, &answers, suspect).await {
                        Ok(next) => next,
                        Err(e) => {
                            tracing::warn!("DNS snapshot version check: {e}");
                            None
                        }
                    };
                }
                continue;
            }
        }
        let (config_changes, config_now) = config.since(seen_config);
        let (health_changes, health_now) = health.since(seen_health);
        let changes = config_changes.merge(health_changes);
        let started = std::time::Instant::now();
        let result = match &changes {
            Changes::Domains(ids) => answers.reload(node.store(), ids).await,
            Changes::Everything => answers.load_all(node.store()).await,
        };
        match result {
            Ok(()) => {
                (seen_config, seen_health) = (config_now, health_now);
                let count = match &changes {
                    Changes::Domains(ids) => ids.len(),
                    Changes::Everything => answers.load().len(),
                };
                tracing::debug!(
                    "DNS snapshot: rebuilt {count} domains in {} µs",
                    started.elapsed().as_micros()
                );
            }
            // The store is unreachable: keep answering from the current snapshot, retry later.
            Err(e) => {
                tracing::warn!("DNS snapshot not updated ({e}); answering from the previous one")
            }
        }
    }
}

/// Compares versions. `suspect` is the snapshot serial seen behind the store at the previous
/// check: if the snapshot has not moved since while the store still differs, the change came
/// from elsewhere and everything is reloaded. Returns what to suspect next time.
async fn resync(
    node: &Node,
    answers: &Arc<Answers>,
    suspect: Option<u32>,
) -> Result<Option<u32>, StoreError> {
    let mut conn = node.store().conn().await?;
    let version = config_version(&mut conn).await? as u32;
    drop(conn);
    let serial = answers.load().serial;
    if version == serial {
        return Ok(None);
    }
    if suspect == Some(serial) {
        tracing::info!(
            "DNS snapshot: store version {version} ahead of the snapshot's {serial}; reloading everything"
        );
        // Through the feed, so monitoring (which follows it too) catches up as well.
        node.changes().publish_everything_here();
        return Ok(None);
    }
    Ok(Some(serial))
}
