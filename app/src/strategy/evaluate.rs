//! `evaluate`: what one user group gets for one record family, under given endpoint health.
//!
//! The evaluator walks the rule DAG from the root; each rule's children are evaluated first,
//! then the rule's type decides the shares (`rules/`), and the children's distributions are
//! mixed. It returns a value and writes nowhere: the DNS snapshot, the CLI and the browser
//! preview all call it.
//!
//! Speed: an `Evaluator` remembers each rule's outcome together with what it depended on — the
//! family and, only where the sub-DAG needs it, the group's area (geo-proximity) or the whole
//! group (user-group mapping). A `wrr` leaf is therefore computed once per family, not 165 times,
//! and a sub-rule shared by several parents once per group.

use std::rc::Rc;

use super::area::{Area, UserGroup};
use super::model::{EndpointId, Family, Health, RuleId, RuleKind, Strategy, Target};
use super::outcome::{Dist, Outcome, mix};
use super::rules::{self, Child, Decision, Reason};

/// The answer for one (group, family): a distribution, its health and why.
#[derive(Clone, PartialEq, Debug)]
pub struct Evaluation {
    pub dist: Dist,
    /// False when the answer is fail-open (every candidate is down) or empty.
    pub healthy: bool,
    /// The rules that decided, from the root down, each with its reason and chosen items.
    pub trace: Vec<TraceStep>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct TraceStep {
    pub rule: RuleId,
    pub reason: Reason,
    /// (item index within the rule, share) of the items the rule routed to.
    pub chosen: Vec<(usize, f64)>,
}

impl Strategy {
    /// Evaluates one group and family. `health[i]` is endpoint `i`'s health; missing = Unknown.
    pub fn evaluate(&self, health: &[Health], group: UserGroup, family: Family) -> Evaluation {
        Evaluator::new(self, health).evaluate(group, family)
    }
}

/// What a rule's outcome can vary with, besides the family and health.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Dependence {
    Nothing,
    Area,
    Group,
}

/// The inputs a memoised outcome was computed for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct MemoKey {
    family: Family,
    /// 0, the area index or the group index, by the rule's [`Dependence`].
    place: usize,
}

struct Memo {
    key: MemoKey,
    outcome: Rc<Outcome>,
    decision: Decision,
}

/// Reusable evaluation state; evaluate many groups with one `Evaluator` (family-major order
/// gets the most reuse).
pub struct Evaluator<'s> {
    strategy: &'s Strategy,
    health: &'s [Health],
    dependence: Vec<Dependence>,
    memo: Vec<Option<Memo>>,
    visiting: Vec<bool>,
}

impl<'s> Evaluator<'s> {
    pub fn new(strategy: &'s Strategy, health: &'s [Health]) -> Self {
        let n = strategy.rules.len();
        Evaluator {
            strategy,
            health,
            dependence: dependence(strategy),
            memo: (0..n).map(|_| None).collect(),
            visiting: vec![false; n],
        }
    }

    /// The answer with the trace of the rules that decided it.
    pub fn evaluate(&mut self, group: UserGroup, family: Family) -> Evaluation {
        let root = self.strategy.root;
        let outcome = self.rule(root, group, family);
        Evaluation {
            dist: outcome.dist.clone(),
            healthy: outcome.healthy,
            trace: self.trace(root),
        }
    }

    /// The answer alone (what the preview and the DNS samplers need).
    pub fn outcome(&mut self, group: UserGroup, family: Family) -> Rc<Outcome> {
        self.rule(self.strategy.root, group, family)
    }

    fn key(&self, id: RuleId, group: UserGroup, family: Family) -> MemoKey {
        let place = match self.dependence[id.index()] {
            Dependence::Nothing => 0,
            Dependence::Area => group.area.index(),
            Dependence::Group => group.index(),
        };
        MemoKey { family, place }
    }

    fn rule(&mut self, id: RuleId, group: UserGroup, family: Family) -> Rc<Outcome> {
        let key = self.key(id, group, family);
        if let Some(memo) = &self.memo[id.index()]
            && memo.key == key
        {
            return Rc::clone(&memo.outcome);
        }
        // Validation forbids cycles; this guard keeps a hand-built cyclic model from recursing.
        if std::mem::replace(&mut self.visiting[id.index()], true) {
            return Rc::new(Outcome::empty());
        }
        let strategy = self.strategy;
        let rule = strategy.rule(id);
        let outcomes: Vec<(Rc<Outcome>, Area, bool)> = rule
            .items
            .iter()
            .map(|item| match item.target {
                Target::Endpoint(e) => {
                    let endpoint = strategy.endpoint(e);
                    (
                        Rc::new(self.leaf(e, family)),
                        endpoint.area,
                        endpoint.enabled,
                    )
                }
                Target::Rule(child) => {
                    let child_rule = strategy.rule(child);
                    if child_rule.enabled {
                        (self.rule(child, group, family), child_rule.area, true)
                    } else {
                        (Rc::new(Outcome::empty()), child_rule.area, false)
                    }
                }
            })
            .collect();
        let children: Vec<Child<'_>> = rule
            .items
            .iter()
            .zip(&outcomes)
            .map(|(item, (outcome, area, present))| Child {
                item,
                outcome,
                area: *area,
                present: *present,
            })
            .collect();
        let decision = rules::decide(rule, group, &children);
        let dist = mix(decision
            .shares
            .iter()
            .map(|&(i, share)| (share, &outcomes[i].0.dist)));
        let healthy = decision.healthy && !dist.is_empty();
        let outcome = Rc::new(Outcome { dist, healthy });
        self.visiting[id.index()] = false;
        self.memo[id.index()] = Some(Memo {
            key,
            outcome: Rc::clone(&outcome),
            decision,
        });
        outcome
    }

    fn leaf(&self, id: EndpointId, family: Family) -> Outcome {
        let endpoint = self.strategy.endpoint(id);
        if !endpoint.enabled || !endpoint.kind.fits(family) {
            return Outcome::empty();
        }
        let health = self.health.get(id.index()).copied().unwrap_or_default();
        Outcome::single(id, !endpoint.eval_health || health != Health::Down)
    }

    /// The decisions along the chosen paths, root first, each rule once. Every memo entry on
    /// those paths was computed or confirmed for the current group by the evaluation just done.
    fn trace(&self, root: RuleId) -> Vec<TraceStep> {
        let mut steps = Vec::new();
        let mut seen = vec![false; self.strategy.rules.len()];
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id.index()], true) {
                continue;
            }
            let Some(memo) = &self.memo[id.index()] else {
                continue;
            };
            let rule = self.strategy.rule(id);
            for &(i, _) in memo.decision.shares.iter().rev() {
                if let Target::Rule(child) = rule.items[i].target {
                    stack.push(child);
                }
            }
            let chosen = memo.decision.shares.clone();
            steps.push(TraceStep {
                rule: id,
                reason: memo.decision.reason,
                chosen,
            });
        }
        steps
    }
}

/// Each rule's [`Dependence`]: its own type's need, joined with its children's.
fn dependence(strategy: &Strategy) -> Vec<Dependence> {
    fn visit(s: &Strategy, id: RuleId, out: &mut [Option<Dependence>]) -> Dependence {
        if let Some(d) = out[id.index()] {
            return d;
        }
        // Provisional value: a (forbidden) cycle then ends here instead of recursing forever.
        out[id.index()] = Some(Dependence::Group);
        let rule = s.rule(id);
        let own = match rule.kind {
            RuleKind::Wrr | RuleKind::Priority => Dependence::Nothing,
            RuleKind::GeoProximity => Dependence::Area,
            RuleKind::UsersetMapping => Dependence::Group,
        };
        let d = rule
            .items
            .iter()
            .filter_map(|item| match item.target {
                Target::Rule(child) => Some(visit(s, child, out)),
                Target::Endpoint(_) => None,
            })
            .fold(own, Dependence::max);
        out[id.index()] = Some(d);
        d
    }
    let mut out = vec![None; strategy.rules.len()];
    (0..strategy.rules.len() as u32)
        .map(|i| visit(strategy, RuleId(i), &mut out))
        .collect()
}
