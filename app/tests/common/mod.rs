//! Helpers shared by the strategy tests: compact builders for strategy JSON.
#![allow(dead_code)]

use app::strategy::{Family, Health, Strategy, StrategyDocument, UserGroup, health_with_down};
use serde_json::{Value, json};

pub fn ep(kind: &str, value: &str, area: &str) -> Value {
    json!({"type": kind, "value": value, "area": area, "isp": "ct", "evalHealth": true, "enable": true})
}

pub fn item(reference: &str, weight: i64, priority: i64, usersets: &str) -> Value {
    json!({"reference": reference, "weight": weight, "priority": priority, "usersets": usersets})
}

pub fn rule(kind: &str, name: &str, area: &str, items: Vec<Value>) -> Value {
    json!({"type": kind, "area": area, "isp": "other", "name": name, "enable": true, "items": items})
}

pub fn doc(start: &str, rules: Vec<Value>, endpoints: Vec<Value>) -> StrategyDocument {
    let value = json!({"status": "start", "strategy": {"start": start, "rules": rules}, "endpointsConf": endpoints});
    serde_json::from_value(value).expect("test document parses")
}

pub fn compile(doc: &StrategyDocument) -> Strategy {
    match Strategy::compile(doc) {
        Ok(c) => c.strategy,
        Err(p) => panic!("test strategy invalid: {:?}", p.errors),
    }
}

pub fn group(text: &str) -> UserGroup {
    UserGroup::parse(text).expect("group")
}

/// The distribution as (value, probability), for readable assertions.
pub fn answer(s: &Strategy, down: &[&str], g: &str, family: Family) -> (Vec<(String, f64)>, bool) {
    let (health, unknown) = health_with_down(s, down.iter().copied());
    assert!(unknown.is_empty(), "unknown endpoints {unknown:?}");
    let e = s.evaluate(&health, group(g), family);
    (
        e.dist
            .iter()
            .map(|&(id, p)| (s.endpoint(id).value.clone(), p))
            .collect(),
        e.healthy,
    )
}

pub fn a(s: &Strategy, down: &[&str], g: &str) -> Vec<(String, f64)> {
    answer(s, down, g, Family::A).0
}

pub fn approx(dist: &[(String, f64)], expected: &[(&str, f64)]) -> bool {
    dist.len() == expected.len()
        && dist
            .iter()
            .zip(expected)
            .all(|((v, p), (ev, ep))| v == ev && (p - ep).abs() < 1e-12)
}

pub fn health_all(s: &Strategy, h: Health) -> Vec<Health> {
    vec![h; s.endpoints.len()]
}
