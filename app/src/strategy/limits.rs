//! The limits of a strategy: how many rules, items and endpoints a document may hold, how
//! deep its rules may chain, and how much evaluating it may cost. Validation checks the counts
//! first, before it builds anything, then the depth and the evaluation cost (`cost`) as soon as
//! references are resolved, before any check that costs more than one pass over the document;
//! the server checks the counts of drafts, which may be otherwise invalid
//! ([`StrategyDocument::check_limits`]). Each bound is far above what an operator builds and
//! far below what would exhaust memory, time or (were a walk recursive) the stack.

use std::fmt;

use super::model::{RuleId, Strategy, Target};
use super::problem::{Location, Problem, ProblemKind};
use super::wire::StrategyDocument;

/// Rules in `strategy.rules`.
pub const MAX_RULES: usize = 2_000;
/// Endpoints in `endpointsConf`.
pub const MAX_ENDPOINTS: usize = 10_000;
/// Items of one rule. As many as there may be endpoints: the recommendation puts every endpoint
/// of an area into one `wrr` rule, so a domain within [`MAX_ENDPOINTS`] always has a valid
/// recommendation; no per-rule work grows faster than its items, so a lower bound buys nothing.
pub const MAX_ITEMS_PER_RULE: usize = MAX_ENDPOINTS;
/// Items of all rules together.
pub const MAX_ITEMS: usize = 20_000;
/// Rules in the longest chain of references from the start rule, the start rule included: a
/// start rule whose items are all endpoints has depth 1, one with a sub-rule over endpoints 2.
pub const MAX_DEPTH: usize = 64;

/// The evaluation cost ([`Strategy::evaluation_cost`]): a bound, from the rules' shape, on the
/// work of answering all 165 user groups × 2 families under any health, in units of about one
/// comparison of the evaluator's mix (2–4 ns each measured, `tests/cost.rs`). At this maximum
/// the costliest shape measured compiles its samplers in under a second; the recommendation
/// for 10,000 endpoints costs under 1 % of it, the synthetic benchmark strategies far less.
pub const MAX_COST: usize = 200_000_000;

/// Which limit a document crossed; [`Limit::max`] is its bound.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Limit {
    Rules,
    Endpoints,
    ItemsPerRule,
    Items,
    Depth,
    Cost,
}

impl Limit {
    pub const ALL: [Limit; 6] = [
        Limit::Rules,
        Limit::Endpoints,
        Limit::ItemsPerRule,
        Limit::Items,
        Limit::Depth,
        Limit::Cost,
    ];

    /// The largest allowed value.
    pub const fn max(self) -> usize {
        match self {
            Limit::Rules => MAX_RULES,
            Limit::Endpoints => MAX_ENDPOINTS,
            Limit::ItemsPerRule => MAX_ITEMS_PER_RULE,
            Limit::Items => MAX_ITEMS,
            Limit::Depth => MAX_DEPTH,
            Limit::Cost => MAX_COST,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Rules => "rules",
            Limit::Endpoints => "endpoints",
            Limit::ItemsPerRule => "items in one rule",
            Limit::Items => "items in all rules",
            Limit::Depth => "rules in a chain from the start rule (depth)",
            Limit::Cost => "evaluation cost",
        })
    }
}

impl StrategyDocument {
    /// Checks the counts — rules, endpoints, items per rule and in all — against their limits,
    /// in that order, and returns the first one crossed, located at the rule (or endpoint)
    /// where the count went over. One pass over the rules, nothing else: the server runs it on
    /// drafts, which may be otherwise invalid. The depth needs resolved references and is
    /// checked by [`Strategy::compile`]. (Boxed: a [`Problem`] is large and the answer is
    /// almost always `Ok`.)
    pub fn check_limits(&self) -> Result<(), Box<Problem>> {
        let rules = &self.strategy.rules;
        if let Some(rule) = rules.get(MAX_RULES) {
            return Err(over(
                Location::rule(&rule.name, "name"),
                Limit::Rules,
                rules.len(),
            ));
        }
        if let Some(endpoint) = self.endpoints_conf.get(MAX_ENDPOINTS) {
            let location = Location::endpoint(&endpoint.value, "value");
            return Err(over(location, Limit::Endpoints, self.endpoints_conf.len()));
        }
        let mut total = 0;
        for rule in rules {
            let location = || Location::rule(&rule.name, "items");
            if rule.items.len() > MAX_ITEMS_PER_RULE {
                return Err(over(location(), Limit::ItemsPerRule, rule.items.len()));
            }
            total += rule.items.len();
            if total > MAX_ITEMS {
                let all = rules.iter().map(|r| r.items.len()).sum();
                return Err(over(location(), Limit::Items, all));
            }
        }
        Ok(())
    }
}

fn over(location: Location, limit: Limit, found: usize) -> Box<Problem> {
    Box::new(Problem {
        location,
        kind: ProblemKind::OverLimit {
            limit,
            found,
            chain: String::new(),
        },
    })
}

/// The depth of `strategy` from its root, disabled rules included (enabling one later must not
/// make a valid strategy too deep); over [`MAX_DEPTH`], the problem names the first rule of the
/// longest chain that is deeper than allowed and the chain's head. `heights[r]`: the rules in
/// the longest chain starting at rule `r`, itself included (validation's one walk over the
/// rules computes them while it looks for cycles, see `validate::heights`).
pub(crate) fn check_depth(strategy: &Strategy, heights: &[usize]) -> Result<(), Box<Problem>> {
    let depth = heights[strategy.root.index()];
    if depth <= MAX_DEPTH {
        return Ok(());
    }
    let chain = longest_chain(strategy, heights, MAX_DEPTH + 1);
    let names: Vec<&str> = chain
        .iter()
        .map(|&r| strategy.rule(r).name.as_str())
        .collect();
    let deepest = names.last().copied().unwrap_or_default();
    Err(Box::new(Problem {
        location: Location::rule(deepest, "name"),
        kind: ProblemKind::OverLimit {
            limit: Limit::Depth,
            found: depth,
            chain: abbreviated(&names),
        },
    }))
}

/// The first `length` rules of a longest chain from the root: each step takes the first item
/// whose rule is exactly one shorter.
fn longest_chain(strategy: &Strategy, heights: &[usize], length: usize) -> Vec<RuleId> {
    let mut chain = vec![strategy.root];
    while let Some(&last) = chain.last()
        && chain.len() < length
    {
        let wanted = heights[last.index()].saturating_sub(1);
        let next = strategy
            .rule(last)
            .items
            .iter()
            .find_map(|item| match item.target {
                Target::Rule(child) if wanted > 0 && heights[child.index()] == wanted => {
                    Some(child)
                }
                _ => None,
            });
        let Some(next) = next else { break };
        chain.push(next);
    }
    chain
}

/// The evaluation cost of `strategy` (valid but for it: no cycle, within the depth); over
/// [`MAX_COST`], the problem is located at the rule with the largest part of it.
pub(crate) fn check_cost(strategy: &Strategy) -> Result<(), Box<Problem>> {
    let cost = strategy.evaluation_cost();
    if cost.total <= MAX_COST as u64 {
        return Ok(());
    }
    let (rule, part) = cost.costliest.unwrap_or((strategy.root, cost.total));
    Err(Box::new(Problem {
        location: Location::rule(&strategy.rule(rule).name, "items"),
        kind: ProblemKind::OverLimit {
            limit: Limit::Cost,
            found: usize::try_from(cost.total).unwrap_or(usize::MAX),
            chain: format!("{part} of it in this rule"),
        },
    }))
}

/// `a → b → … → y → z`: the chain's head and end, so the message stays short at any depth.
fn abbreviated(names: &[&str]) -> String {
    const ENDS: usize = 3;
    if names.len() <= 2 * ENDS {
        return names.join(" → ");
    }
    let head = names[..ENDS].join(" → ");
    let tail = names[names.len() - ENDS..].join(" → ");
    format!("{head} → … → {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_names_its_bound_and_the_chain_is_shortened() {
        assert_eq!(
            Limit::ALL.map(Limit::max),
            [
                MAX_RULES,
                MAX_ENDPOINTS,
                MAX_ITEMS_PER_RULE,
                MAX_ITEMS,
                MAX_DEPTH,
                MAX_COST
            ]
        );
        let names: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(abbreviated(&names[..3]), "r0 → r1 → r2");
        assert_eq!(abbreviated(&names), "r0 → r1 → r2 → … → r7 → r8 → r9");
    }
}
