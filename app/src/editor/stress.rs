//! Stress tools over a compiled draft: which endpoints a what-if toggle takes down, the N-1
//! sweep (each single further failure: who loses service, who moves to another province) and the
//! diff of two strategies' answers. Everything is computed with [`Preview::compute`], the
//! evaluator DNS runs, so the browser shows what `itm strategy preview --down …` prints.

use std::collections::{BTreeSet, HashSet};

use super::graph::Reachable;
use crate::strategy::{
    Area, Family, GroupPreview, Health, Preview, Strategy, StrategyDocument, UserGroup,
};

/// The endpoints a rule leads to (through sub-rules), in `endpointsConf` order.
pub fn endpoints_under(doc: &StrategyDocument, rule: &str) -> Vec<String> {
    let found: HashSet<&str> = Reachable::from(doc, rule).collect();
    // A name that is a rule was followed as the rule (rule names win), not as an endpoint.
    let rules: HashSet<&str> = doc.strategy.rules.iter().map(|r| r.name.as_str()).collect();
    doc.endpoints_conf
        .iter()
        .filter(|e| found.contains(e.value.as_str()) && !rules.contains(e.value.as_str()))
        .map(|e| e.value.clone())
        .collect()
}

/// Health with `down` marked Down and everything else Unknown (up), as the CLI's `--down`.
pub fn health_down(strategy: &Strategy, down: &[String]) -> Vec<Health> {
    crate::strategy::health_with_down(strategy, down.iter().map(String::as_str)).0
}

/// The A and AAAA previews.
pub fn previews(strategy: &Strategy, health: &[Health]) -> [Preview; 2] {
    Family::ALL.map(|family| Preview::compute(strategy, health, family))
}

/// What one more endpoint failure does.
#[derive(Clone, PartialEq, Debug)]
pub struct Impact {
    pub endpoint: String,
    /// The endpoint's health is not evaluated (`evalHealth: false`): DNS would keep answering
    /// with it after it fails, so `lost` and `moved` stay empty — which is the risk.
    pub unmonitored: bool,
    /// (family, group) answered healthily before, and not (fail-open or nothing) after.
    pub lost: Vec<(Family, UserGroup)>,
    /// (family, group) still served, but now partly from a province it was not served from.
    pub moved: Vec<(Family, UserGroup)>,
}

/// For each enabled endpoint not already in `down`: the impact of it failing too.
pub fn n1_sweep(strategy: &Strategy, down: &[String]) -> Vec<Impact> {
    let base = previews(strategy, &health_down(strategy, down));
    strategy
        .endpoints
        .iter()
        .filter(|e| e.enabled && !down.contains(&e.value))
        .map(|e| impact(strategy, &base, down, &e.value))
        .collect()
}

/// What `endpoint` failing does on top of `down`, whose previews are `base`.
pub fn impact(strategy: &Strategy, base: &[Preview], down: &[String], endpoint: &str) -> Impact {
    let area_of = |value: &str| {
        strategy
            .endpoint_id(value)
            .map(|id| strategy.endpoint(id).area)
    };
    let mut with = down.to_vec();
    with.push(endpoint.to_owned());
    let after = previews(strategy, &health_down(strategy, &with));
    let mut impact = Impact {
        endpoint: endpoint.to_owned(),
        unmonitored: strategy
            .endpoint_id(endpoint)
            .is_some_and(|id| !strategy.endpoint(id).eval_health),
        lost: Vec::new(),
        moved: Vec::new(),
    };
    let served = |g: &GroupPreview| g.healthy && !g.dist.is_empty();
    let areas = |g: &GroupPreview| -> BTreeSet<Option<Area>> {
        g.dist.iter().map(|(v, _)| area_of(v)).collect()
    };
    for (b, a) in base.iter().zip(&after) {
        for (before, now) in b.groups.iter().zip(&a.groups) {
            if !served(before) {
                continue;
            }
            if !served(now) {
                impact.lost.push((b.family, before.group));
            } else if !areas(now).is_subset(&areas(before)) {
                impact.moved.push((b.family, before.group));
            }
        }
    }
    impact
}

/// A group whose answer differs between two strategies.
#[derive(Clone, PartialEq, Debug)]
pub struct Change {
    pub family: Family,
    pub group: UserGroup,
    pub before: GroupPreview,
    pub after: GroupPreview,
}

/// Every (family, group) whose answer or health differs between `before` and `after`.
pub fn diff(before: &[Preview], after: &[Preview]) -> Vec<Change> {
    before
        .iter()
        .zip(after)
        .flat_map(|(b, a)| {
            b.groups
                .iter()
                .zip(&a.groups)
                .filter(|(x, y)| x != y)
                .map(|(x, y)| Change {
                    family: b.family,
                    group: x.group,
                    before: x.clone(),
                    after: y.clone(),
                })
        })
        .collect()
}

/// `value p%, …` for a group's answer, `—` when empty.
pub fn shares_text(g: &GroupPreview) -> String {
    if g.dist.is_empty() {
        return "—".to_owned();
    }
    g.dist
        .iter()
        .map(|(v, p)| format!("{v} {:.1}%", p * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beijing and Shanghai, one endpoint each, by geo-proximity: Beijing's endpoint failing
    /// moves Beijing's users to Shanghai; with both down nobody is served.
    fn two_cities() -> Strategy {
        let doc = StrategyDocument::from_json(r#"{"strategy":{"start":"root","rules":[
            {"type":"geoProximity","name":"root","items":[{"reference":"bj"},{"reference":"sh"}]},
            {"type":"wrr","name":"bj","area":"beijing.CN","items":[{"reference":"10.0.0.1","weight":1}]},
            {"type":"wrr","name":"sh","area":"shanghai.CN","items":[{"reference":"10.0.0.2","weight":1}]}]},
            "endpointsConf":[{"type":"A","value":"10.0.0.1","area":"beijing.CN","isp":"ct"},
                             {"type":"A","value":"10.0.0.2","area":"shanghai.CN","isp":"ct"}]}"#)
        .expect("parses");
        Strategy::compile(&doc).expect("valid").strategy
    }

    #[test]
    fn n1_finds_moves_and_with_one_down_already_losses() {
        let s = two_cities();
        let sweep = n1_sweep(&s, &[]);
        assert_eq!(sweep.len(), 2);
        let beijing = UserGroup::parse("beijing.CN/ct").expect("group");
        assert!(sweep[0].moved.contains(&(Family::A, beijing)));
        assert!(sweep[0].lost.is_empty());
        let after_one = n1_sweep(&s, &["10.0.0.1".to_owned()]);
        assert_eq!(after_one.len(), 1);
        assert_eq!(after_one[0].lost.len(), 165, "every A group loses service");
    }

    #[test]
    fn diff_lists_exactly_the_changed_groups_and_endpoints_under_follow_sub_rules() {
        let s = two_cities();
        let base = previews(&s, &s.health_unknown());
        assert!(diff(&base, &base).is_empty());
        let down = previews(&s, &health_down(&s, &["10.0.0.2".to_owned()]));
        let changes = diff(&base, &down);
        assert!(!changes.is_empty());
        assert!(
            changes
                .iter()
                .all(|c| c.before.dist.iter().any(|(v, _)| v == "10.0.0.2"))
        );
        let doc = StrategyDocument::from_json(
            r#"{"strategy":{"start":"r","rules":[
            {"type":"wrr","name":"r","items":[{"reference":"s","weight":1}]},
            {"type":"wrr","name":"s","items":[{"reference":"10.0.0.2","weight":1}]}]},
            "endpointsConf":[{"type":"A","value":"10.0.0.1"},{"type":"A","value":"10.0.0.2"}]}"#,
        )
        .expect("parses");
        assert_eq!(endpoints_under(&doc, "r"), ["10.0.0.2"]);
    }
}
