//! Weighted round robin: the available children with weight > 0 share by weight. A failed child
//! drops out and the rest keep their relative weights (seed: 去除故障节点后，重新计算端点权重).
//! None available: every candidate by weight, unhealthy (fail-open).

use super::{Child, Decision, Reason, answering, available};
use crate::strategy::model::Rule;
use crate::strategy::outcome::shares_by_weight;
use crate::strategy::problem::{ProblemKind, Problems};

pub fn decide(children: &[Child<'_>]) -> Decision {
    let weighted = |keep: fn(&Child<'_>) -> bool| {
        children
            .iter()
            .enumerate()
            .filter(|(_, c)| c.item.weight > 0 && keep(c))
            .map(|(i, c)| (i, c.item.weight))
            .collect::<Vec<_>>()
    };
    let healthy = weighted(available);
    if !healthy.is_empty() {
        return Decision {
            shares: shares_by_weight(healthy),
            healthy: true,
            reason: Reason::Weighted,
        };
    }
    let all = weighted(answering);
    if all.is_empty() {
        return Decision::no_answer();
    }
    Decision {
        shares: shares_by_weight(all),
        healthy: false,
        reason: Reason::FailOpen,
    }
}

pub fn validate(rule: &Rule, problems: &mut Problems) {
    if !rule.items.is_empty() && rule.items.iter().all(|item| item.weight == 0) {
        problems.rule(&rule.name, "items", ProblemKind::NoPositiveWeight);
    }
}
