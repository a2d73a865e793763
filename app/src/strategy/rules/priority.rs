//! Priority: the smallest priority number with an available child wins (seed: the primary IP
//! gets 1, backups 2, 3…); children sharing that level split by weight, equally when all their
//! weights are 0. None available: the smallest level that answers at all, unhealthy.

use super::{Child, Decision, Reason, answering, available};
use crate::strategy::outcome::shares_by_weight;

pub fn decide(children: &[Child<'_>]) -> Decision {
    if let Some(decision) = best_level(children, available, true) {
        return decision;
    }
    best_level(children, answering, false).unwrap_or_else(Decision::no_answer)
}

fn best_level(
    children: &[Child<'_>],
    keep: fn(&Child<'_>) -> bool,
    healthy: bool,
) -> Option<Decision> {
    let level = children
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.item.priority)
        .min()?;
    let at_level = children
        .iter()
        .enumerate()
        .filter(|(_, c)| keep(c) && c.item.priority == level)
        .map(|(i, c)| (i, c.item.weight));
    let reason = if healthy {
        Reason::Level(level)
    } else {
        Reason::FailOpen
    };
    Some(Decision {
        shares: shares_by_weight(at_level),
        healthy,
        reason,
    })
}
