//! The edits the strategy editor makes to a draft, each checked before it touches the document:
//! an edit either applies whole or is refused with the reason (a cycle, a duplicate name, …), so
//! the draft never holds a half-made change. Rules are addressed by name and items by their
//! parent rule and index, as in the wire document.

use std::collections::{HashMap, HashSet};

use super::graph::Reachable;
use crate::strategy::{ItemConf, RuleConf, RuleKind, StrategyDocument};

/// One change to a draft.
#[derive(Clone, PartialEq, Debug)]
pub enum Edit {
    /// A new rule of `kind`, under `parent` (as its last item) or on its own; the first rule
    /// becomes the start. The name is chosen by [`Edit::apply`] and returned.
    AddRule {
        parent: Option<String>,
        kind: RuleKind,
    },
    /// `parent` gets an item referencing `reference` (an existing rule or an endpoint value).
    Connect {
        parent: String,
        reference: String,
    },
    /// Item `index` of `from` moves to the end of `to` (re-parenting a node).
    Move {
        from: String,
        index: usize,
        to: String,
    },
    RemoveItem {
        parent: String,
        index: usize,
    },
    /// A new rule of `kind` takes `rule`'s place — as the start, and in every item that referenced
    /// it, weight, priority and user groups kept — with `rule` as its one item: the way to put a
    /// tree (or a branch) under a new rule, which connecting cannot (that would be a cycle).
    Wrap {
        rule: String,
        kind: RuleKind,
    },
    /// Removes the rule and every item referencing it; what happens to the rule's own items
    /// is said, never implied.
    DeleteRule {
        name: String,
        children: Children,
    },
    SetStart {
        name: String,
    },
    Rename {
        from: String,
        to: String,
    },
    SetKind {
        rule: String,
        kind: RuleKind,
    },
    SetLocation {
        rule: String,
        area: String,
        isp: String,
    },
    SetEnabled {
        rule: String,
        enabled: bool,
    },
    SetWeight {
        parent: String,
        index: usize,
        weight: i64,
    },
    SetPriority {
        parent: String,
        index: usize,
        priority: i64,
    },
    SetUsersets {
        parent: String,
        index: usize,
        usersets: String,
    },
    SetEndpoint {
        value: String,
        enable: bool,
        eval_health: bool,
    },
    /// Replaces the whole document (load a version, the recommendation, a pasted JSON).
    Replace(Box<StrategyDocument>),
}

/// What deleting a rule does with the rules and endpoints under it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Children {
    /// The sub-rules only this rule leads to are deleted with it (a sub-rule another rule
    /// also uses stays).
    Delete,
    /// The rule's items move to each rule that used it, in its place (the start rule has none:
    /// refused).
    Reattach,
}

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum EditError {
    #[error("no rule is named \"{0}\"")]
    UnknownRule(String),
    #[error("no rule or endpoint is named \"{0}\"")]
    UnknownReference(String),
    #[error("rule \"{0}\" has no item {1}")]
    UnknownItem(String, usize),
    #[error("\"{child}\" already leads to \"{parent}\": connecting it would make a cycle")]
    Cycle { parent: String, child: String },
    #[error("\"{parent}\" already has \"{reference}\" as an item")]
    AlreadyConnected { parent: String, reference: String },
    #[error("the name \"{0}\" is taken by another rule or an endpoint")]
    NameTaken(String),
    #[error("the name is empty")]
    EmptyName,
    #[error("no rule uses \"{0}\": there is no parent to move its items to")]
    NoParent(String),
}

impl Edit {
    /// Applies the edit to `doc`; on `Err` the document is unchanged. Returns the name of the
    /// rule the edit created or renamed (the editor selects it).
    pub fn apply(self, doc: &mut StrategyDocument) -> Result<Option<String>, EditError> {
        match self {
            Edit::AddRule { parent, kind } => {
                if let Some(p) = &parent {
                    rule_index(doc, p)?;
                }
                let name = fresh_name(doc);
                doc.strategy.rules.push(RuleConf {
                    kind: kind.code().to_owned(),
                    area: "none.CN".into(),
                    isp: "other".into(),
                    name: name.clone(),
                    enable: true,
                    items: Vec::new(),
                });
                match parent {
                    Some(p) => push_item(doc, &p, &name)?,
                    None if doc.strategy.start.is_empty() => doc.strategy.start = name.clone(),
                    None => {}
                }
                Ok(Some(name))
            }
            Edit::Connect { parent, reference } => {
                check_connect(doc, &parent, &reference)?;
                push_item(doc, &parent, &reference)?;
                Ok(None)
            }
            Edit::Move { from, index, to } => {
                let reference = item(doc, &from, index)?.reference.clone();
                if from == to {
                    return Ok(None);
                }
                check_connect(doc, &to, &reference)?;
                let mut item = rule_mut(doc, &from)?.items.remove(index);
                // Like a new item: last in priority; user groups only mean something under a
                // mapping rule.
                let target = rule_mut(doc, &to)?;
                item.priority = next_priority(target);
                if RuleKind::parse(&target.kind) != Some(RuleKind::UsersetMapping) {
                    item.usersets.clear();
                }
                target.items.push(item);
                Ok(None)
            }
            Edit::Wrap { rule, kind } => {
                rule_index(doc, &rule)?;
                let name = fresh_name(doc);
                for item in doc
                    .strategy
                    .rules
                    .iter_mut()
                    .flat_map(|r| r.items.iter_mut())
                    .filter(|i| i.reference == rule)
                {
                    item.reference.clone_from(&name);
                }
                if doc.strategy.start == rule {
                    doc.strategy.start.clone_from(&name);
                }
                doc.strategy.rules.push(RuleConf {
                    kind: kind.code().to_owned(),
                    area: "none.CN".into(),
                    isp: "other".into(),
                    name: name.clone(),
                    enable: true,
                    items: vec![ItemConf {
                        reference: rule,
                        weight: 1,
                        priority: 1,
                        usersets: String::new(),
                    }],
                });
                Ok(Some(name))
            }
            Edit::RemoveItem { parent, index } => {
                item(doc, &parent, index)?;
                rule_mut(doc, &parent)?.items.remove(index);
                Ok(None)
            }
            Edit::DeleteRule { name, children } => {
                rule_index(doc, &name)?;
                let gone = match children {
                    Children::Delete => only_under(doc, &name),
                    Children::Reattach => {
                        reattach(doc, &name)?;
                        HashSet::from([name.clone()])
                    }
                };
                doc.strategy.rules.retain(|r| !gone.contains(&r.name));
                for rule in &mut doc.strategy.rules {
                    rule.items.retain(|i| !gone.contains(&i.reference));
                }
                if gone.contains(&doc.strategy.start) {
                    doc.strategy.start = doc
                        .strategy
                        .rules
                        .first()
                        .map(|r| r.name.clone())
                        .unwrap_or_default();
                }
                Ok(None)
            }
            Edit::SetStart { name } => {
                rule_index(doc, &name)?;
                doc.strategy.start = name;
                Ok(None)
            }
            Edit::Rename { from, to } => {
                let to = to.trim().to_owned();
                rule_index(doc, &from)?;
                if to.is_empty() {
                    return Err(EditError::EmptyName);
                }
                if to == from {
                    return Ok(Some(to));
                }
                if name_taken(doc, &to) {
                    return Err(EditError::NameTaken(to));
                }
                for rule in &mut doc.strategy.rules {
                    if rule.name == from {
                        rule.name = to.clone();
                    }
                    for item in &mut rule.items {
                        if item.reference == from {
                            item.reference = to.clone();
                        }
                    }
                }
                if doc.strategy.start == from {
                    doc.strategy.start = to.clone();
                }
                Ok(Some(to))
            }
            Edit::SetKind { rule, kind } => {
                rule_mut(doc, &rule)?.kind = kind.code().to_owned();
                Ok(None)
            }
            Edit::SetLocation { rule, area, isp } => {
                let r = rule_mut(doc, &rule)?;
                r.area = area;
                r.isp = isp;
                Ok(None)
            }
            Edit::SetEnabled { rule, enabled } => {
                rule_mut(doc, &rule)?.enable = enabled;
                Ok(None)
            }
            Edit::SetWeight {
                parent,
                index,
                weight,
            } => {
                item_mut(doc, &parent, index)?.weight = weight;
                Ok(None)
            }
            Edit::SetPriority {
                parent,
                index,
                priority,
            } => {
                item_mut(doc, &parent, index)?.priority = priority;
                Ok(None)
            }
            Edit::SetUsersets {
                parent,
                index,
                usersets,
            } => {
                item_mut(doc, &parent, index)?.usersets = usersets;
                Ok(None)
            }
            Edit::SetEndpoint {
                value,
                enable,
                eval_health,
            } => {
                let conf = doc
                    .endpoints_conf
                    .iter_mut()
                    .find(|e| e.value == value)
                    .ok_or(EditError::UnknownReference(value))?;
                conf.enable = enable;
                conf.eval_health = eval_health;
                Ok(None)
            }
            Edit::Replace(new) => {
                *doc = *new;
                Ok(None)
            }
        }
    }
}

/// True when following items from rule `from` reaches rule `to` (or `from == to`).
pub fn reaches(doc: &StrategyDocument, from: &str, to: &str) -> bool {
    Reachable::from(doc, from).any(|name| name == to)
}

pub fn is_rule(doc: &StrategyDocument, name: &str) -> bool {
    doc.strategy.rules.iter().any(|r| r.name == name)
}

fn check_connect(doc: &StrategyDocument, parent: &str, reference: &str) -> Result<(), EditError> {
    let rule = &doc.strategy.rules[rule_index(doc, parent)?];
    let endpoint = doc.endpoints_conf.iter().any(|e| e.value == reference);
    if !is_rule(doc, reference) && !endpoint {
        return Err(EditError::UnknownReference(reference.to_owned()));
    }
    if rule.items.iter().any(|i| i.reference == reference) {
        return Err(EditError::AlreadyConnected {
            parent: parent.to_owned(),
            reference: reference.to_owned(),
        });
    }
    if is_rule(doc, reference) && reaches(doc, reference, parent) {
        return Err(EditError::Cycle {
            parent: parent.to_owned(),
            child: reference.to_owned(),
        });
    }
    Ok(())
}

/// Appends an item; a priority rule's new item comes last in priority (the seed's primary/backup
/// numbering: 1, 2, 3, …).
fn push_item(doc: &mut StrategyDocument, parent: &str, reference: &str) -> Result<(), EditError> {
    let rule = rule_mut(doc, parent)?;
    let priority = next_priority(rule);
    rule.items.push(ItemConf {
        reference: reference.to_owned(),
        weight: 1,
        priority,
        usersets: String::new(),
    });
    Ok(())
}

/// `name` and the sub-rules reachable from it that no other rule leads to (a shared sub-rule
/// stays, and so does whatever it leads to).
pub fn only_under(doc: &StrategyDocument, name: &str) -> HashSet<String> {
    // Each rule's distinct parent rules; a rule goes once every parent has (a work list, so a
    // chain 100,000 deep costs one pass).
    let mut parents: HashMap<&str, HashSet<&str>> = HashMap::new();
    for rule in &doc.strategy.rules {
        for item in &rule.items {
            parents
                .entry(item.reference.as_str())
                .or_default()
                .insert(rule.name.as_str());
        }
    }
    let by_name: HashMap<&str, &RuleConf> = doc
        .strategy
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r))
        .collect();
    let mut gone: HashSet<&str> = HashSet::from([name]);
    let mut work = vec![name];
    while let Some(rule) = work.pop() {
        let Some(current) = by_name.get(rule) else {
            continue;
        };
        for child in current.items.iter().map(|i| i.reference.as_str()) {
            if gone.contains(child) || !by_name.contains_key(child) {
                continue;
            }
            let all_gone = parents
                .get(child)
                .is_none_or(|ps| ps.iter().all(|p| gone.contains(p)));
            if all_gone {
                gone.insert(child);
                work.push(child);
            }
        }
    }
    gone.into_iter().map(str::to_owned).collect()
}

/// Puts `name`'s items in place of every item referencing it; an item its new parent already
/// has is not added twice.
fn reattach(doc: &mut StrategyDocument, name: &str) -> Result<(), EditError> {
    let moved = doc.strategy.rules[rule_index(doc, name)?].items.clone();
    let mut found = false;
    for parent in doc.strategy.rules.iter_mut().filter(|r| r.name != name) {
        let Some(at) = parent.items.iter().position(|i| i.reference == name) else {
            continue;
        };
        found = true;
        let mapping = RuleKind::parse(&parent.kind) == Some(RuleKind::UsersetMapping);
        let placed = parent.items.remove(at);
        let mut fresh: Vec<ItemConf> = moved
            .iter()
            .filter(|m| !parent.items.iter().any(|i| i.reference == m.reference))
            .cloned()
            .collect();
        // One item takes the deleted rule's place whole, user groups included; several would
        // claim the same groups, so they start with none (the editor then shows what to pick).
        let inherit = mapping && fresh.len() == 1;
        for item in &mut fresh {
            if inherit {
                item.usersets.clone_from(&placed.usersets);
            } else {
                item.usersets.clear();
            }
        }
        parent.items.splice(at..at, fresh);
    }
    if found {
        Ok(())
    } else {
        Err(EditError::NoParent(name.to_owned()))
    }
}

fn next_priority(rule: &RuleConf) -> i64 {
    rule.items.iter().map(|i| i.priority).max().unwrap_or(0) + 1
}

fn rule_index(doc: &StrategyDocument, name: &str) -> Result<usize, EditError> {
    doc.strategy
        .rules
        .iter()
        .position(|r| r.name == name)
        .ok_or_else(|| EditError::UnknownRule(name.to_owned()))
}

fn rule_mut<'d>(doc: &'d mut StrategyDocument, name: &str) -> Result<&'d mut RuleConf, EditError> {
    let at = rule_index(doc, name)?;
    Ok(&mut doc.strategy.rules[at])
}

fn item<'d>(
    doc: &'d StrategyDocument,
    parent: &str,
    index: usize,
) -> Result<&'d ItemConf, EditError> {
    doc.strategy.rules[rule_index(doc, parent)?]
        .items
        .get(index)
        .ok_or_else(|| EditError::UnknownItem(parent.to_owned(), index + 1))
}

fn item_mut<'d>(
    doc: &'d mut StrategyDocument,
    parent: &str,
    index: usize,
) -> Result<&'d mut ItemConf, EditError> {
    rule_mut(doc, parent)?
        .items
        .get_mut(index)
        .ok_or_else(|| EditError::UnknownItem(parent.to_owned(), index + 1))
}

/// A rule, an endpoint, or any item's reference (a dangling one included: a rule taking its
/// name would silently adopt those items, unchecked for cycles).
fn name_taken(doc: &StrategyDocument, name: &str) -> bool {
    taken_names(doc).contains(name)
}

/// Every name [`name_taken`] refuses, collected once.
fn taken_names(doc: &StrategyDocument) -> HashSet<&str> {
    let rules = doc.strategy.rules.iter();
    rules
        .clone()
        .map(|r| r.name.as_str())
        .chain(doc.endpoints_conf.iter().map(|e| e.value.as_str()))
        .chain(rules.flat_map(|r| r.items.iter().map(|i| i.reference.as_str())))
        .collect()
}

/// `rule1`, `rule2`, …: the first free one (found in one pass, however many are taken).
fn fresh_name(doc: &StrategyDocument) -> String {
    let taken = taken_names(doc);
    (1..)
        .map(|n| format!("rule{n}"))
        .find(|name| !taken.contains(name.as_str()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{EndpointConf, StrategyTree};

    fn doc() -> StrategyDocument {
        let endpoint = |value: &str, area: &str| EndpointConf {
            kind: "A".into(),
            value: value.into(),
            area: area.into(),
            isp: "ct".into(),
            eval_health: true,
            enable: true,
        };
        StrategyDocument {
            status: String::new(),
            strategy: StrategyTree {
                start: String::new(),
                rules: Vec::new(),
            },
            endpoints_conf: vec![
                endpoint("10.0.0.1", "beijing.CN"),
                endpoint("10.0.0.2", "shanghai.CN"),
            ],
        }
    }

    fn apply(doc: &mut StrategyDocument, edit: Edit) -> Option<String> {
        edit.apply(doc).expect("edit applies")
    }

    #[test]
    fn builds_a_primary_backup_tree_with_increasing_priorities() {
        let mut d = doc();
        let root = apply(
            &mut d,
            Edit::AddRule {
                parent: None,
                kind: RuleKind::Priority,
            },
        )
        .expect("named");
        assert_eq!(d.strategy.start, root);
        for value in ["10.0.0.1", "10.0.0.2"] {
            apply(
                &mut d,
                Edit::Connect {
                    parent: root.clone(),
                    reference: value.into(),
                },
            );
        }
        let items = &d.strategy.rules[0].items;
        assert_eq!(
            items
                .iter()
                .map(|i| (i.reference.as_str(), i.priority))
                .collect::<Vec<_>>(),
            [("10.0.0.1", 1), ("10.0.0.2", 2)]
        );
        assert!(crate::strategy::Strategy::compile(&d).is_ok());
    }

    #[test]
    fn wrapping_puts_a_new_rule_in_the_place_of_the_start_and_of_a_branch() {
        let mut d = doc();
        let root = apply(
            &mut d,
            Edit::AddRule {
                parent: None,
                kind: RuleKind::UsersetMapping,
            },
        )
        .expect("root");
        let branch = apply(
            &mut d,
            Edit::AddRule {
                parent: Some(root.clone()),
                kind: RuleKind::Wrr,
            },
        )
        .expect("branch");
        apply(
            &mut d,
            Edit::Connect {
                parent: branch.clone(),
                reference: "10.0.0.1".into(),
            },
        );
        apply(
            &mut d,
            Edit::SetUsersets {
                parent: root.clone(),
                index: 0,
                usersets: "beijing.CN/ct".into(),
            },
        );
        // Connecting a new rule above the start is refused as a cycle; wrapping is the way.
        let top = apply(
            &mut d,
            Edit::Wrap {
                rule: root.clone(),
                kind: RuleKind::Priority,
            },
        )
        .expect("top");
        assert_eq!(d.strategy.start, top);
        let rule = |d: &StrategyDocument, name: &str| {
            d.strategy
                .rules
                .iter()
                .find(|r| r.name == name)
                .cloned()
                .expect("rule")
        };
        assert_eq!(rule(&d, &top).kind, "priority");
        assert_eq!(
            rule(&d, &top)
                .items
                .iter()
                .map(|i| i.reference.as_str())
                .collect::<Vec<_>>(),
            [root.as_str()]
        );
        // A branch: its parent's item now names the wrapper, user groups kept.
        let middle = apply(
            &mut d,
            Edit::Wrap {
                rule: branch.clone(),
                kind: RuleKind::Wrr,
            },
        )
        .expect("middle");
        let parent_item = rule(&d, &root).items[0].clone();
        assert_eq!(
            (
                parent_item.reference.as_str(),
                parent_item.usersets.as_str()
            ),
            (middle.as_str(), "beijing.CN/ct")
        );
        assert_eq!(rule(&d, &middle).items[0].reference, branch);
        assert_eq!(d.strategy.start, top);
        if let Err(e) = crate::strategy::Strategy::compile(&d) {
            panic!("{e:?}")
        }
        let before = d.clone();
        assert_eq!(
            Edit::Wrap {
                rule: "nope".into(),
                kind: RuleKind::Wrr
            }
            .apply(&mut d),
            Err(EditError::UnknownRule("nope".into()))
        );
        assert_eq!(d, before);
    }

    #[test]
    fn refuses_cycles_duplicates_and_unknown_names_without_changing_anything() {
        let mut d = doc();
        let a = apply(
            &mut d,
            Edit::AddRule {
                parent: None,
                kind: RuleKind::Wrr,
            },
        )
        .expect("a");
        let b = apply(
            &mut d,
            Edit::AddRule {
                parent: Some(a.clone()),
                kind: RuleKind::Wrr,
            },
        )
        .expect("b");
        let before = d.clone();
        for (edit, expected) in [
            (
                Edit::Connect {
                    parent: b.clone(),
                    reference: a.clone(),
                },
                EditError::Cycle {
                    parent: b.clone(),
                    child: a.clone(),
                },
            ),
            (
                Edit::Connect {
                    parent: a.clone(),
                    reference: b.clone(),
                },
                EditError::AlreadyConnected {
                    parent: a.clone(),
                    reference: b.clone(),
                },
            ),
            (
                Edit::Connect {
                    parent: a.clone(),
                    reference: "10.9.9.9".into(),
                },
                EditError::UnknownReference("10.9.9.9".into()),
            ),
            (
                Edit::Rename {
                    from: b.clone(),
                    to: "10.0.0.1".into(),
                },
                EditError::NameTaken("10.0.0.1".into()),
            ),
            (
                Edit::Move {
                    from: a.clone(),
                    index: 5,
                    to: b.clone(),
                },
                EditError::UnknownItem(a.clone(), 6),
            ),
        ] {
            assert_eq!(edit.apply(&mut d), Err(expected));
            assert_eq!(d, before, "a refused edit changes nothing");
        }
    }

    #[test]
    fn moving_renaming_and_deleting_keep_references_consistent() {
        let mut d = doc();
        let root = apply(
            &mut d,
            Edit::AddRule {
                parent: None,
                kind: RuleKind::GeoProximity,
            },
        )
        .expect("root");
        let x = apply(
            &mut d,
            Edit::AddRule {
                parent: Some(root.clone()),
                kind: RuleKind::Wrr,
            },
        )
        .expect("x");
        let y = apply(
            &mut d,
            Edit::AddRule {
                parent: Some(root.clone()),
                kind: RuleKind::Wrr,
            },
        )
        .expect("y");
        apply(
            &mut d,
            Edit::Connect {
                parent: x.clone(),
                reference: "10.0.0.1".into(),
            },
        );
        apply(
            &mut d,
            Edit::Move {
                from: x.clone(),
                index: 0,
                to: y.clone(),
            },
        );
        assert!(d.strategy.rules[1].items.is_empty());
        assert_eq!(d.strategy.rules[2].items[0].reference, "10.0.0.1");
        apply(
            &mut d,
            Edit::Rename {
                from: root.clone(),
                to: "根".into(),
            },
        );
        assert_eq!(d.strategy.start, "根");
        apply(
            &mut d,
            Edit::DeleteRule {
                name: x.clone(),
                children: Children::Delete,
            },
        );
        assert_eq!(
            d.strategy.rules[0]
                .items
                .iter()
                .map(|i| i.reference.as_str())
                .collect::<Vec<_>>(),
            [y.as_str()]
        );
    }

    /// root → a → {b → 10.0.0.1, shared → 10.0.0.2}; root → shared too.
    fn tree() -> StrategyDocument {
        serde_json::from_str(
            r#"{"strategy":{"start":"root","rules":[
                {"type":"wrr","name":"root","items":[{"reference":"a","weight":1},{"reference":"shared","weight":1}]},
                {"type":"priority","name":"a","items":[{"reference":"b","priority":1},{"reference":"shared","priority":2}]},
                {"type":"wrr","name":"b","items":[{"reference":"10.0.0.1","weight":1}]},
                {"type":"wrr","name":"shared","items":[{"reference":"10.0.0.2","weight":1}]}]},
               "endpointsConf":[{"type":"A","value":"10.0.0.1","evalHealth":true,"enable":true},
                                {"type":"A","value":"10.0.0.2","evalHealth":true,"enable":true}]}"#,
        )
        .expect("tree")
    }

    fn names(d: &StrategyDocument) -> Vec<&str> {
        d.strategy.rules.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn deleting_with_children_keeps_what_another_rule_uses() {
        let mut d = tree();
        apply(
            &mut d,
            Edit::DeleteRule {
                name: "a".into(),
                children: Children::Delete,
            },
        );
        assert_eq!(names(&d), ["root", "shared"]);
        let refs: Vec<&str> = d.strategy.rules[0]
            .items
            .iter()
            .map(|i| i.reference.as_str())
            .collect();
        assert_eq!(refs, ["shared"]);
        let mut d = tree();
        apply(
            &mut d,
            Edit::DeleteRule {
                name: "root".into(),
                children: Children::Delete,
            },
        );
        assert!(d.strategy.rules.is_empty(), "{:?}", names(&d));
        assert_eq!(d.strategy.start, "");
    }

    #[test]
    fn reattaching_moves_the_items_into_the_parent_in_place() {
        let mut d = tree();
        apply(
            &mut d,
            Edit::DeleteRule {
                name: "a".into(),
                children: Children::Reattach,
            },
        );
        assert_eq!(names(&d), ["root", "b", "shared"]);
        let refs: Vec<&str> = d.strategy.rules[0]
            .items
            .iter()
            .map(|i| i.reference.as_str())
            .collect();
        assert_eq!(
            refs,
            ["b", "shared"],
            "shared was there already: not added twice"
        );
        let mut d = tree();
        let before = d.clone();
        let refused = Edit::DeleteRule {
            name: "root".into(),
            children: Children::Reattach,
        }
        .apply(&mut d);
        assert_eq!(refused, Err(EditError::NoParent("root".into())));
        assert_eq!(d, before, "a refused edit leaves the draft as it was");
    }
}
