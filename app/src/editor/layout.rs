//! Where the canvas draws each node: a left-to-right tree from the start rule, one column per
//! depth and one row per leaf, a parent centred on its children. A rule shared by several parents
//! is drawn once (where it is first reached) with an edge from each parent; endpoint leaves are
//! drawn once per item, so every parent shows its own. Rules the start does not reach follow
//! below, marked detached. The layout depends on the document only, so dragging never moves it.

use std::collections::HashMap;

use crate::strategy::StrategyDocument;

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
        let mut builder = Builder {
            doc,
            layout: Layout::default(),
            placed: HashMap::new(),
            rows: 0,
            depth: 0,
            detached: false,
        };
        if doc
            .strategy
            .rules
            .iter()
            .any(|r| r.name == doc.strategy.start)
        {
            builder.rule(&doc.strategy.start, 0, None);
        }
        builder.detached = true;
        for rule in &doc.strategy.rules {
            if !builder.placed.contains_key(rule.name.as_str()) {
                builder.rule(&rule.name, 0, None);
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
    layout: Layout,
    placed: HashMap<&'d str, usize>,
    rows: usize,
    depth: usize,
    detached: bool,
}

impl<'d> Builder<'d> {
    /// Places rule `name` (once) and its sub-tree; returns its node.
    fn rule(&mut self, name: &'d str, depth: usize, via: Option<(String, usize)>) -> usize {
        if let Some(&node) = self.placed.get(name) {
            return node;
        }
        let node = self.push(NodeKey::Rule(name.to_owned()), name, depth, via);
        self.placed.insert(name, node);
        let Some(rule) = self.doc.strategy.rules.iter().find(|r| r.name == name) else {
            return node;
        };
        let mut child_rows = Vec::new();
        for (index, item) in rule.items.iter().enumerate() {
            let reference = item.reference.as_str();
            let via = Some((name.to_owned(), index));
            let child = if self.doc.strategy.rules.iter().any(|r| r.name == reference) {
                let fresh = !self.placed.contains_key(reference);
                let child = self.rule(reference, depth + 1, via);
                if fresh {
                    child_rows.push(self.layout.nodes[child].y);
                }
                child
            } else {
                let key = NodeKey::Leaf {
                    parent: name.to_owned(),
                    index,
                };
                let leaf = self.push(key, reference, depth + 1, via);
                self.layout.nodes[leaf].y = self.next_row();
                self.layout.nodes[leaf].missing =
                    !self.doc.endpoints_conf.iter().any(|e| e.value == reference);
                child_rows.push(self.layout.nodes[leaf].y);
                leaf
            };
            self.layout.edges.push(Edge {
                from: node,
                to: child,
                parent: name.to_owned(),
                index,
            });
        }
        self.layout.nodes[node].y = match (child_rows.first(), child_rows.last()) {
            (Some(first), Some(last)) => (first + last) / 2.0,
            _ => self.next_row(),
        };
        node
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
