//! User-group mapping: the group goes to the items whose selectors claim it most specifically
//! (split by weight, equally if all weights are 0), else to the default item, else nowhere.
//! An item with nothing of the asked family under it (an absent target) does not count: the
//! group falls through to the next most specific claim, then the default item, as if that item
//! were not there. No failover (seed: 若某个用户组指定的端点故障，不会自动切换): a target that is
//! present but down is answered as it is, and the result is healthy only if every mapped child
//! is, so a parent `priority` or `wrr` rule can fail over for the group.

use std::collections::HashSet;

use super::{Child, Decision, Reason, answering};
use crate::strategy::area::UserGroup;
use crate::strategy::model::Rule;
use crate::strategy::outcome::shares_by_weight;
use crate::strategy::problem::{ProblemKind, Problems};
use crate::strategy::usersets::Specificity;

pub fn decide(group: UserGroup, children: &[Child<'_>]) -> Decision {
    let mut claimed = false;
    // The most specific claim among the items that answer for the family: an absent item (a
    // disabled target, or nothing of the family under it) is passed over as if not there.
    let mut best: Option<(Specificity, Vec<(usize, u32)>)> = None;
    for (index, child) in children.iter().enumerate() {
        let Some(specificity) = child.item.usersets.claim(group) else {
            continue;
        };
        claimed = true;
        if !answering(child) {
            continue;
        }
        let claim = (index, child.item.weight);
        match &mut best {
            Some((s, list)) if *s == specificity => list.push(claim),
            Some((s, _)) if *s > specificity => {}
            _ => best = Some((specificity, vec![claim])),
        }
    }
    let Some((specificity, claims)) = best else {
        return if claimed {
            Decision::no_answer()
        } else {
            Decision {
                shares: Vec::new(),
                healthy: false,
                reason: Reason::Unmapped,
            }
        };
    };
    let shares = shares_by_weight(claims);
    // Down is not absent: a mapped child is answered as it is, and the mix is healthy only if
    // every child in it is.
    let healthy = shares.iter().all(|&(i, _)| children[i].outcome.healthy);
    Decision {
        shares,
        healthy,
        reason: Reason::Mapped(specificity),
    }
}

/// The items claiming `group` at the highest specificity, with that specificity.
pub fn claimants<'a>(
    group: UserGroup,
    items: impl Iterator<Item = &'a crate::strategy::model::Item>,
) -> Option<(Specificity, Vec<usize>)> {
    let mut best: Option<(Specificity, Vec<usize>)> = None;
    for (index, item) in items.enumerate() {
        let Some(spec) = item.usersets.claim(group) else {
            continue;
        };
        match &mut best {
            Some((s, list)) if *s == spec => list.push(index),
            Some((s, _)) if *s > spec => {}
            _ => best = Some((spec, vec![index])),
        }
    }
    best
}

pub fn validate(rule: &Rule, problems: &mut Problems) {
    // One report per set of clashing items, at the first group they clash on.
    let mut reported: HashSet<Vec<usize>> = HashSet::new();
    for group in UserGroup::all() {
        if let Some((specificity, claimed)) = claimants(group, rule.items.iter())
            && claimed.len() > 1
            && claimed.iter().any(|&i| rule.items[i].weight == 0)
            && !reported.contains(&claimed)
        {
            mapping_conflict(rule, group, specificity, &claimed, problems);
            reported.insert(claimed);
        }
    }
    if !rule.items.iter().any(|item| item.usersets.is_default()) {
        problems.rule(&rule.name, "items", ProblemKind::NoDefaultItem);
    }
}

/// Items (0-based) of `rule` that claim `group` at the same `specificity` without weights.
/// The caller reports each set of clashing items once, at the first group they clash on.
fn mapping_conflict(
    rule: &Rule,
    group: UserGroup,
    specificity: Specificity,
    items: &[usize],
    problems: &mut Problems,
) {
    let items = items
        .iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let kind = ProblemKind::MappingConflict {
        group,
        specificity,
        items,
    };
    problems.rule(&rule.name, "usersets", kind);
}
