//! Depth-first walks over the rule DAG with an explicit stack instead of recursion, so that a
//! chain of any length — a hand-built [`Strategy`] (its fields are public), or a document whose
//! depth validation has not checked yet — costs heap, never the thread's stack (1–2 MiB in DNS
//! workers and test threads, less in wasm). One walk serves validation (cycles and depth, in one
//! pass) and the evaluator's dependence analysis; it only orders the visits, the [`Visitor`]
//! computes. (The evaluation itself has a loop of its own, being the hot path.)

use std::ops::ControlFlow;

use super::limits::MAX_DEPTH;
use super::model::{RuleId, Strategy, Target};

/// What a walk does at each rule; children are the rules its items reference, in item order.
pub(crate) trait Visitor {
    /// Whether to walk into `child` (false: already done, or not to be followed).
    fn enter(&mut self, child: RuleId) -> bool;

    /// `child` is on the current `path` (root first, ending at its parent): the rules form a
    /// cycle. `Break` ends the walk.
    fn cycle(&mut self, path: &[RuleId], child: RuleId) -> ControlFlow<()> {
        let _ = (path, child);
        ControlFlow::Continue(())
    }

    /// Every child of `id` was left (or skipped, or is on the path): finish `id`.
    fn leave(&mut self, id: RuleId);
}

/// The walk's stack, kept between walks: validation and the dependence analysis walk from every
/// rule not visited yet, with one allocation.
#[derive(Debug)]
pub(crate) struct Walk {
    /// The current path from the walk's root, with the index of each rule's next item.
    path: Vec<RuleId>,
    next: Vec<usize>,
    on_path: Vec<bool>,
}

impl Walk {
    pub(crate) fn new(rules: usize) -> Walk {
        // Room for any valid strategy's path at once: validation walks each document twice.
        let path = rules.min(MAX_DEPTH);
        Walk {
            path: Vec::with_capacity(path),
            next: Vec::with_capacity(path),
            on_path: vec![false; rules],
        }
    }

    /// Walks from `root` (entered unconditionally), leaving each rule after its children.
    /// Returns `Break` when the visitor stopped it at a cycle.
    pub(crate) fn run(
        &mut self,
        strategy: &Strategy,
        root: RuleId,
        visitor: &mut impl Visitor,
    ) -> ControlFlow<()> {
        self.on_path.resize(strategy.rules.len(), false);
        self.push(root);
        while let (Some(&id), Some(next)) = (self.path.last(), self.next.last_mut()) {
            let Some(item) = strategy.rule(id).items.get(*next) else {
                self.pop();
                visitor.leave(id);
                continue;
            };
            *next += 1;
            let Target::Rule(child) = item.target else {
                continue;
            };
            if self.on_path[child.index()] {
                if visitor.cycle(&self.path, child).is_break() {
                    self.clear();
                    return ControlFlow::Break(());
                }
            } else if visitor.enter(child) {
                self.push(child);
            }
        }
        ControlFlow::Continue(())
    }

    fn push(&mut self, id: RuleId) {
        self.path.push(id);
        self.next.push(0);
        self.on_path[id.index()] = true;
    }

    fn pop(&mut self) {
        if let Some(id) = self.path.pop() {
            self.on_path[id.index()] = false;
        }
        self.next.pop();
    }

    fn clear(&mut self) {
        while !self.path.is_empty() {
            self.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::area::{Area, Isp};
    use crate::strategy::model::{Item, Rule, RuleKind};
    use crate::strategy::usersets::Usersets;

    /// Rules named by index, each referencing the rules listed for it.
    fn graph(children: &[&[u32]]) -> Strategy {
        let rules = children
            .iter()
            .enumerate()
            .map(|(i, list)| Rule {
                name: format!("r{i}"),
                kind: RuleKind::Wrr,
                area: Area::from_code("none.CN").expect("area"),
                isp: Isp::from_code("other").expect("isp"),
                enabled: true,
                items: list
                    .iter()
                    .map(|&c| Item {
                        target: Target::Rule(RuleId(c)),
                        weight: 1,
                        priority: 0,
                        usersets: Usersets::default(),
                    })
                    .collect(),
            })
            .collect();
        Strategy {
            endpoints: Vec::new(),
            rules,
            root: RuleId(0),
        }
    }

    /// Records the order rules are left in and the cycles met; enters each rule once.
    struct Order {
        entered: Vec<bool>,
        left: Vec<u32>,
        cycles: Vec<Vec<u32>>,
    }

    impl Visitor for Order {
        fn enter(&mut self, child: RuleId) -> bool {
            !std::mem::replace(&mut self.entered[child.index()], true)
        }

        fn cycle(&mut self, path: &[RuleId], child: RuleId) -> ControlFlow<()> {
            let mut cycle: Vec<u32> = path.iter().map(|r| r.0).collect();
            cycle.push(child.0);
            self.cycles.push(cycle);
            ControlFlow::Continue(())
        }

        fn leave(&mut self, id: RuleId) {
            self.left.push(id.0);
        }
    }

    fn walk(s: &Strategy) -> Order {
        let mut order = Order {
            entered: vec![false; s.rules.len()],
            left: Vec::new(),
            cycles: Vec::new(),
        };
        order.entered[0] = true;
        let flow = Walk::new(s.rules.len()).run(s, RuleId(0), &mut order);
        assert!(flow.is_continue());
        order
    }

    #[test]
    fn children_are_left_before_their_parents_and_shared_ones_once() {
        // 0 → 1, 2; 1 → 3; 2 → 3: 3 is shared.
        let order = walk(&graph(&[&[1, 2], &[3], &[3], &[]]));
        assert_eq!(order.left, [3, 1, 2, 0]);
        assert!(order.cycles.is_empty());
    }

    #[test]
    fn a_cycle_is_reported_with_its_path_and_does_not_loop() {
        // 0 → 1 → 2 → 1.
        let order = walk(&graph(&[&[1], &[2], &[1]]));
        assert_eq!(order.cycles, [vec![0, 1, 2, 1]]);
        assert_eq!(order.left, [2, 1, 0]);
    }

    #[test]
    fn a_chain_far_deeper_than_any_stack_is_walked() {
        let n = 200_000u32;
        let children: Vec<Vec<u32>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { Vec::new() })
            .collect();
        let lists: Vec<&[u32]> = children.iter().map(Vec::as_slice).collect();
        let order = walk(&graph(&lists));
        assert_eq!(order.left.len(), n as usize);
        assert_eq!(order.left.first(), Some(&(n - 1)), "the deepest rule first");
        assert_eq!(order.left.last(), Some(&0));
    }
}
