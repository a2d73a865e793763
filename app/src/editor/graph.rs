//! The draft's references as a graph: which names a rule leads to, through its sub-rules. A
//! draft is unchecked (deep, cyclic, dangling, with duplicate names), so the walk keeps its own
//! stack and set of seen names, and finds rules through a map built once: linear in the draft
//! however it is shaped.

use std::collections::{HashMap, HashSet};

use crate::strategy::{RuleConf, StrategyDocument};

/// Every name reachable from rule `from` by following items — `from` itself, the rules under
/// it and their items' references (endpoints, dangling names) — each once, depth first.
pub struct Reachable<'d> {
    rules: HashMap<&'d str, &'d RuleConf>,
    stack: Vec<&'d str>,
    seen: HashSet<&'d str>,
}

impl<'d> Reachable<'d> {
    pub fn from(doc: &'d StrategyDocument, from: &'d str) -> Reachable<'d> {
        let mut rules = HashMap::new();
        for rule in &doc.strategy.rules {
            // References reach the first of two same-named rules.
            rules.entry(rule.name.as_str()).or_insert(rule);
        }
        Reachable {
            rules,
            stack: vec![from],
            seen: HashSet::new(),
        }
    }
}

impl<'d> Iterator for Reachable<'d> {
    type Item = &'d str;

    fn next(&mut self) -> Option<&'d str> {
        while let Some(name) = self.stack.pop() {
            if !self.seen.insert(name) {
                continue;
            }
            if let Some(rule) = self.rules.get(name) {
                // Reversed, so the first item is walked first.
                self.stack
                    .extend(rule.items.iter().rev().map(|i| i.reference.as_str()));
            }
            return Some(name);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{ItemConf, StrategyTree};

    fn chain(n: usize) -> StrategyDocument {
        let rules = (0..n)
            .map(|i| RuleConf {
                kind: "wrr".into(),
                area: "none.CN".into(),
                isp: "other".into(),
                name: format!("r{i}"),
                enable: true,
                items: vec![ItemConf {
                    reference: format!("r{}", (i + 1) % n),
                    weight: 1,
                    priority: 0,
                    usersets: String::new(),
                }],
            })
            .collect();
        StrategyDocument {
            status: String::new(),
            strategy: StrategyTree {
                start: "r0".into(),
                rules,
            },
            endpoints_conf: Vec::new(),
        }
    }

    #[test]
    fn a_cycle_is_walked_once_in_order() {
        let doc = chain(4);
        let names: Vec<&str> = Reachable::from(&doc, "r1").collect();
        assert_eq!(names, ["r1", "r2", "r3", "r0"]);
    }
}
