//! Where the canvas draws each node: a left-to-right tree from the start rule, one column per
//! depth and one row per leaf, a parent centred on its children. A rule shared by several parents
//! is drawn once (where it is first reached) with an edge from each parent; endpoint leaves are
//! drawn once per item, so every parent shows its own. Rules the start does not reach follow
//! below, marked detached. The layout depends on the document only, so dragging never moves it.
//! A draft may be anything (deep, cyclic, dangling): the walk uses an explicit stack and looks
//! names up in maps built once, so any draft is laid out in time linear in its size.

use std::collections::{HashMap, HashSet};

use crate::strategy::{RuleConf, StrategyDocument};

/// Column and row pitch, and a node's size, in CSS pixels.
pub const COLUMN: f32 = 210.0;
pub const ROW: f32 = 46.0;
pub const NODE_WIDTH: f32 = 170.0;
pub const NODE_HEIGHT: f32 = 34.0;

/// A node of the canvas: a rule, or an item that is not a rule (an endpoint leaf).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum NodeKey {
    Rule(String),
    Leaf { parent: String, index: usize },
}

#[derive(Clone, PartialEq, Debug)]
pub struct Node {
    pub key: NodeKey,
    /// The rule name or the item's reference.
    pub label: String,
    pub x: f32,
    pub y: f32,
    /// The item that placed this node (`parent`, `index`): what dragging it moves.
    pub via: Option<(String, usize)>,
    pub start: bool,
    /// Not reachable from the start rule.
    pub detached: bool,
    /// A leaf whose reference names neither a rule nor an endpoint.
    pub missing: bool,
}

/// An edge from a rule to the node of its item `index`.
#[derive(Clone, PartialEq, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub parent: String,
    pub index: usize,
}

#[derive(Clone, PartialEq, Debug, Default)]
pub struct Layout {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub width: f32,
    pub height: f32,
}

impl Layout {
    pub fn of(doc: &StrategyDocument) -> Layout {
        let mut rules = HashMap::new();
        for rule in &doc.strategy.rules {
            // The first of two same-named rules is the one references reach.
            rules.entry(rule.name.as_str()).or_insert(rule);
        }
        let mut builder = Builder {
            doc,
            rules,
            endpoints: doc
                .endpoints_conf
                .iter()
                .map(|e| e.value.as_str())
                .collect(),
            layout: Layout::default(),
            placed: HashMap::new(),
            rows: 0,
            depth: 0,
            detached: false,
        };
        if let Some(&start) = builder.rules.get(doc.strategy.start.as_str()) {
            builder.tree(start);
        }
        builder.detached = true;
        for rule in &doc.strategy.rules {
            if !builder.placed.contains_key(rule.name.as_str()) {
                builder.tree(rule);
            }
        }
        let mut layout = builder.layout;
        layout.width = (builder.depth + 1) as f32 * COLUMN;
        layout.height = builder.rows.max(1) as f32 * ROW;
        layout
    }

    pub fn position(&self, key: &NodeKey) -> Option<usize> {
        self.nodes.iter().position(|n| &n.key == key)
    }
}

struct Builder<'d> {
    doc: &'d StrategyDocument,
    rules: HashMap<&'d str, &'d RuleConf>,
    endpoints: HashSet<&'d str>,
    layout: Layout,
    placed: HashMap<&'d str, usize>,
    rows: usize,
    depth: usize,
    detached: bool,
}

/// A rule being placed: its node, the next item to place, and the rows of the children it
/// placed (first and last: the rule is centred between them).
struct Frame<'d> {
    rule: &'d RuleConf,
    node: usize,
    depth: usize,
    /// The parent's item that placed this rule; its edge is drawn once the rule is placed.
    via: Option<usize>,
    next: usize,
    rows: Option<(f32, f32)>,
}

impl<'d> Builder<'d> {
    /// Places `root` and the rules under it not placed yet, depth first: a leaf takes the next
    /// row when it is reached, a rule is centred on the children it placed once they all are.
    fn tree(&mut self, root: &'d RuleConf) {
        let mut stack = vec![self.frame(root, 0, None)];
        while let Some(top) = stack.last_mut() {
            let (rule, node, index) = (top.rule, top.node, top.next);
            let Some(item) = rule.items.get(index) else {
                if let Some(done) = stack.pop() {
                    self.finish(&done, stack.last_mut());
                }
                continue;
            };
            top.next += 1;
            let depth = top.depth + 1;
            let reference = item.reference.as_str();
            match (self.rules.get(reference), self.placed.get(reference)) {
                (Some(&child), None) => {
                    let frame = self.frame(child, depth, Some((rule, index)));
                    stack.push(frame);
                }
                (Some(_), Some(&placed)) => self.edge(node, rule, index, placed),
                (None, _) => {
                    let leaf = self.leaf(rule, index, reference, depth);
                    self.edge(node, rule, index, leaf);
                    add_row(&mut top.rows, self.layout.nodes[leaf].y);
                }
            }
        }
    }

    /// Centres a rule whose items are all placed and links it to the parent that placed it.
    fn finish(&mut self, done: &Frame<'d>, parent: Option<&mut Frame<'d>>) {
        let y = match done.rows {
            Some((first, last)) => (first + last) / 2.0,
            None => self.next_row(),
        };
        self.layout.nodes[done.node].y = y;
        if let (Some(parent), Some(index)) = (parent, done.via) {
            add_row(&mut parent.rows, y);
            self.edge(parent.node, parent.rule, index, done.node);
        }
    }

    /// Pushes the node of `rule`, placed by item `index` of `parent` (none for a tree's root),
    /// and marks it placed.
    fn frame(
        &mut self,
        rule: &'d RuleConf,
        depth: usize,
        via: Option<(&RuleConf, usize)>,
    ) -> Frame<'d> {
        let key = NodeKey::Rule(rule.name.clone());
        let from = via.map(|(parent, index)| (parent.name.clone(), index));
        let node = self.push(key, &rule.name, depth, from);
        self.placed.insert(&rule.name, node);
        Frame {
            rule,
            node,
            depth,
            via: via.map(|(_, index)| index),
            next: 0,
            rows: None,
        }
    }

    /// The leaf of item `index` of `rule` (an endpoint, or a dangling reference), on the next
    /// row.
    fn leaf(&mut self, rule: &RuleConf, index: usize, reference: &str, depth: usize) -> usize {
        let key = NodeKey::Leaf {
            parent: rule.name.clone(),
            index,
        };
        let leaf = self.push(key, reference, depth, Some((rule.name.clone(), index)));
        let y = self.next_row();
        let node = &mut self.layout.nodes[leaf];
        node.y = y;
        node.missing = !self.endpoints.contains(reference);
        leaf
    }

    fn edge(&mut self, from: usize, rule: &RuleConf, index: usize, to: usize) {
        self.layout.edges.push(Edge {
            from,
            to,
            parent: rule.name.clone(),
            index,
        });
    }

    fn push(
        &mut self,
        key: NodeKey,
        label: &str,
        depth: usize,
        via: Option<(String, usize)>,
    ) -> usize {
        self.depth = self.depth.max(depth);
        let start = matches!(&key, NodeKey::Rule(n) if *n == self.doc.strategy.start);
        self.layout.nodes.push(Node {
            key,
            label: label.to_owned(),
            x: depth as f32 * COLUMN,
            y: 0.0,
            via,
            start,
            detached: self.detached,
            missing: false,
        });
        self.layout.nodes.len() - 1
    }

    fn next_row(&mut self) -> f32 {
        self.rows += 1;
        (self.rows - 1) as f32 * ROW
    }
}

/// Widens a rule's span of child rows by `y` (children are placed top to bottom).
fn add_row(rows: &mut Option<(f32, f32)>, y: f32) {
    *rows = Some(match *rows {
        Some((first, _)) => (first, y),
        None => (y, y),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::synthetic;

    #[test]
    fn every_rule_once_every_item_an_edge_and_parents_between_their_children() {
        let doc = synthetic(30, 100);
        let layout = Layout::of(&doc);
        let rules = layout
            .nodes
            .iter()
            .filter(|n| matches!(n.key, NodeKey::Rule(_)))
            .count();
        assert_eq!(rules, doc.strategy.rules.len());
        let items: usize = doc.strategy.rules.iter().map(|r| r.items.len()).sum();
        assert_eq!(layout.edges.len(), items);
        assert!(layout.nodes[0].start && !layout.nodes[0].detached);
        for edge in &layout.edges {
            let (parent, child) = (&layout.nodes[edge.from], &layout.nodes[edge.to]);
            if child.via == Some((edge.parent.clone(), edge.index)) {
                assert_eq!(
                    child.x,
                    parent.x + COLUMN,
                    "{} is one column right of {}",
                    child.label,
                    parent.label
                );
            }
        }
        // No two nodes share a position.
        let mut spots: Vec<(i64, i64)> = layout
            .nodes
            .iter()
            .map(|n| (n.x as i64, n.y as i64))
            .collect();
        spots.sort_unstable();
        spots.dedup();
        assert_eq!(spots.len(), layout.nodes.len());
    }

    #[test]
    fn unreachable_rules_are_detached_and_dangling_references_missing() {
        let mut doc = synthetic(3, 4);
        doc.strategy.rules[0].items.push(crate::strategy::ItemConf {
            reference: "nowhere".into(),
            weight: 1,
            priority: 0,
            usersets: String::new(),
        });
        let mut island = doc.strategy.rules[1].clone();
        island.name = "island".into();
        doc.strategy.rules.push(island);
        let layout = Layout::of(&doc);
        let island = &layout.nodes[layout
            .position(&NodeKey::Rule("island".into()))
            .expect("drawn")];
        assert!(island.detached);
        assert!(
            layout
                .nodes
                .iter()
                .any(|n| n.label == "nowhere" && n.missing)
        );
    }
}
