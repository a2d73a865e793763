//! `evaluate`: what one user group gets for one record family, under given endpoint health.
//!
//! The evaluator walks the rule DAG from the root; each rule's children are evaluated first,
//! then the rule's type decides the shares (`rules/`), and the children's distributions are
//! mixed. It returns a value and writes nowhere: the DNS snapshot, the CLI and the browser
//! preview all call it. It recurses only a bounded number of levels and continues deeper on a
//! stack of its own, on the heap: a [`Strategy`] built by hand, past validation's depth limit,
//! evaluates in full at any depth, and a hand-built cycle ends (the edge closing it counts as an
//! empty child).
//!
//! Speed: an `Evaluator` remembers each rule's outcome together with what it depended on — the
//! family and, only where the sub-DAG needs it, the group's area (geo-proximity) or the whole
//! group (user-group mapping). A `wrr` leaf is therefore computed once per family, not 165 times,
//! and a sub-rule shared by several parents once per group.

use std::rc::Rc;

use super::area::{Area, UserGroup};
use super::limits::MAX_DEPTH;
use super::model::{EndpointId, Family, Health, Item, RuleId, RuleKind, Strategy, Target};
use super::outcome::{Dist, Outcome, mix};
use super::rules::{self, Child, Decision, Reason};
use super::walk::{Visitor, Walk};

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
pub(crate) enum Dependence {
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
    /// The explicit stack of [`Evaluator::iterate`], kept to be reused.
    stack: Vec<Frame>,
    /// The rules under evaluation (recursion and stack): one met again is a hand-built cycle.
    on_stack: Vec<bool>,
}

/// Levels of sub-rules evaluated by recursion before the explicit stack takes over: as deep as
/// validation allows, so a valid strategy never needs the slower loop. That is under 256 KiB
/// of the thread's stack unoptimised (`tests/deep.rs` checks it), far less optimised.
const RECURSION: usize = MAX_DEPTH;

/// What a rule's item yields: its outcome, its area (for geo-proximity) and whether it is
/// present (false for a disabled endpoint or rule).
type ItemOutcome = (Rc<Outcome>, Area, bool);

/// A rule under evaluation by [`Evaluator::iterate`]: the outcomes of its first items.
struct Frame {
    id: RuleId,
    outcomes: Vec<ItemOutcome>,
}

impl<'s> Evaluator<'s> {
    pub fn new(strategy: &'s Strategy, health: &'s [Health]) -> Self {
        let n = strategy.rules.len();
        Evaluator {
            strategy,
            health,
            dependence: dependence(strategy),
            memo: (0..n).map(|_| None).collect(),
            stack: Vec::new(),
            on_stack: vec![false; n],
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

    /// The memoised outcome of `id` for this group and family, if there is one.
    fn memoised(&self, id: RuleId, group: UserGroup, family: Family) -> Option<&Rc<Outcome>> {
        let key = self.key(id, group, family);
        self.memo[id.index()]
            .as_ref()
            .filter(|memo| memo.key == key)
            .map(|memo| &memo.outcome)
    }

    /// The outcome of rule `id`, its enabled sub-rules evaluated first.
    fn rule(&mut self, id: RuleId, group: UserGroup, family: Family) -> Rc<Outcome> {
        match self.memoised(id, group, family) {
            Some(outcome) => Rc::clone(outcome),
            None => self.recurse(id, group, family, 0),
        }
    }

    /// Evaluates rule `id` (not memoised for this group and family) at `depth` below the
    /// evaluation's start: by recursion, the fastest way, for the first [`RECURSION`] levels
    /// (every validated strategy fits), and past them by [`Evaluator::iterate`], which keeps
    /// its stack on the heap. So a hand-built chain of any depth evaluates in full and the
    /// thread's stack holds at most `RECURSION` frames.
    fn recurse(
        &mut self,
        id: RuleId,
        group: UserGroup,
        family: Family,
        depth: usize,
    ) -> Rc<Outcome> {
        if depth >= RECURSION {
            return self.iterate(id, group, family);
        }
        self.on_stack[id.index()] = true;
        let items = &self.strategy.rule(id).items;
        let outcomes = items
            .iter()
            .map(|item| match self.known(item, group, family) {
                Ok(outcome) => outcome,
                Err(child) => {
                    let outcome = self.recurse(child, group, family, depth + 1);
                    (outcome, self.strategy.rule(child).area, true)
                }
            })
            .collect();
        self.on_stack[id.index()] = false;
        self.decide(id, outcomes, group, family)
    }

    /// [`Evaluator::recurse`] past its depth: depth first over an explicit stack of
    /// [`Frame`]s, each collecting its items' outcomes in order and decided once it has them.
    fn iterate(&mut self, id: RuleId, group: UserGroup, family: Family) -> Rc<Outcome> {
        let mut stack = std::mem::take(&mut self.stack);
        stack.push(self.frame(id));
        let mut outcome = Rc::new(Outcome::empty());
        while let Some(frame) = stack.last_mut() {
            if let Some(child) = self.gather(frame, group, family) {
                stack.push(self.frame(child));
                continue;
            }
            let Some(Frame { id, outcomes }) = stack.pop() else {
                break;
            };
            self.on_stack[id.index()] = false;
            outcome = self.decide(id, outcomes, group, family);
            // The parent stopped at exactly this child: hand its outcome over.
            if let Some(parent) = stack.last_mut() {
                let area = self.strategy.rule(id).area;
                parent.outcomes.push((Rc::clone(&outcome), area, true));
            }
        }
        self.stack = stack;
        outcome
    }

    fn frame(&mut self, id: RuleId) -> Frame {
        self.on_stack[id.index()] = true;
        let items = self.strategy.rule(id).items.len();
        Frame {
            id,
            outcomes: Vec::with_capacity(items),
        }
    }

    /// Adds the outcomes of `frame`'s next items until one is a rule still to evaluate, which
    /// is returned; `None` when every item has its outcome.
    fn gather(&self, frame: &mut Frame, group: UserGroup, family: Family) -> Option<RuleId> {
        let items = &self.strategy.rule(frame.id).items;
        let mut outcomes = std::mem::take(&mut frame.outcomes);
        let mut next = None;
        for item in &items[outcomes.len()..] {
            match self.known(item, group, family) {
                Ok(outcome) => outcomes.push(outcome),
                Err(child) => {
                    next = Some(child);
                    break;
                }
            }
        }
        frame.outcomes = outcomes;
        next
    }

    /// An item's outcome, area and presence when known without evaluating anything: an
    /// endpoint, a disabled rule (absent), a rule memoised for this group and family, or one on
    /// the stack (the edge closing a hand-built cycle: empty). `Err`: the rule to evaluate.
    #[inline]
    fn known(&self, item: &Item, group: UserGroup, family: Family) -> Result<ItemOutcome, RuleId> {
        match item.target {
            Target::Endpoint(e) => {
                let endpoint = self.strategy.endpoint(e);
                let leaf = Rc::new(self.leaf(e, family));
                Ok((leaf, endpoint.area, endpoint.enabled))
            }
            Target::Rule(child) => {
                let rule = self.strategy.rule(child);
                let outcome = match self.memoised(child, group, family) {
                    _ if !rule.enabled => Rc::new(Outcome::empty()),
                    Some(outcome) => Rc::clone(outcome),
                    None if self.on_stack[child.index()] => Rc::new(Outcome::empty()),
                    None => return Err(child),
                };
                Ok((outcome, rule.area, rule.enabled))
            }
        }
    }

    /// Decides rule `id` from its items' `outcomes` and memoises it.
    fn decide(
        &mut self,
        id: RuleId,
        outcomes: Vec<ItemOutcome>,
        group: UserGroup,
        family: Family,
    ) -> Rc<Outcome> {
        let rule = self.strategy.rule(id);
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
        self.memo[id.index()] = Some(Memo {
            key: self.key(id, group, family),
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
pub(crate) fn dependence(strategy: &Strategy) -> Vec<Dependence> {
    struct Join<'s> {
        strategy: &'s Strategy,
        out: Vec<Option<Dependence>>,
    }
    impl Visitor for Join<'_> {
        fn enter(&mut self, child: RuleId) -> bool {
            self.out[child.index()].is_none()
        }

        fn leave(&mut self, id: RuleId) {
            let rule = self.strategy.rule(id);
            let own = match rule.kind {
                RuleKind::Wrr | RuleKind::Priority => Dependence::Nothing,
                RuleKind::GeoProximity => Dependence::Area,
                RuleKind::UsersetMapping => Dependence::Group,
            };
            // A child without a value is on the path of a (forbidden) cycle: assume the most.
            let d = rule
                .items
                .iter()
                .filter_map(|item| match item.target {
                    Target::Rule(child) => {
                        Some(self.out[child.index()].unwrap_or(Dependence::Group))
                    }
                    Target::Endpoint(_) => None,
                })
                .fold(own, Dependence::max);
            self.out[id.index()] = Some(d);
        }
    }
    let n = strategy.rules.len();
    let mut join = Join {
        strategy,
        out: vec![None; n],
    };
    let mut walk = Walk::new(n);
    for i in 0..n as u32 {
        if join.out[i as usize].is_none() {
            let _ = walk.run(strategy, RuleId(i), &mut join);
        }
    }
    join.out
        .into_iter()
        .map(|d| d.unwrap_or(Dependence::Group))
        .collect()
}
