//! User-group mapping: the group goes to the items whose selectors claim it most specifically
//! (split by weight, equally if all weights are 0), else to the default item, else nowhere.
//! No failover (seed: 若某个用户组指定的端点故障，不会自动切换): the mapped children are answered
//! as they are, and the result is healthy only if every mapped child is, so a parent `priority`
//! or `wrr` rule can fail over for the group.

use std::collections::HashSet;

use super::{Child, Decision, Reason};
use crate::strategy::area::UserGroup;
use crate::strategy::model::Rule;
use crate::strategy::outcome::shares_by_weight;
use crate::strategy::usersets::Specificity;
use crate::strategy::validate::Problems;

pub fn decide(group: UserGroup, children: &[Child<'_>]) -> Decision {
    let Some((specificity, claimed)) = claimants(group, children.iter().map(|c| c.item)) else {
        return Decision {
            shares: Vec::new(),
            healthy: false,
            reason: Reason::Unmapped,
        };
    };
    let answering: Vec<(usize, u32)> = claimed
        .into_iter()
        .filter(|&i| children[i].present && !children[i].outcome.dist.is_empty())
        .map(|i| (i, children[i].item.weight))
        .collect();
    if answering.is_empty() {
        return Decision::no_answer();
    }
    let healthy = answering.iter().all(|&(i, _)| children[i].outcome.healthy);
    Decision {
        shares: shares_by_weight(answering),
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
            problems.mapping_conflict(rule, group, specificity, &claimed);
            reported.insert(claimed);
        }
    }
    if !rule.items.iter().any(|item| item.usersets.is_default()) {
        problems.no_default_item(rule);
    }
}
