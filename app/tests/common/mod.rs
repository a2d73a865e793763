//! Helpers shared by the strategy tests: compact builders for strategy JSON, and chains of
//! rules of any depth, as a document and built by hand.
#![allow(dead_code)]

use app::strategy::{
    Area, Endpoint, EndpointConf, EndpointId, EndpointKind, Family, Health, Isp, Item, ItemConf,
    Rule, RuleConf, RuleId, RuleKind, Strategy, StrategyDocument, StrategyTree, Target, UserGroup,
    Usersets, health_with_down,
};
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

/// One expected answer: with the endpoints in `down` down (every other one unknown), `group`
/// asking for `family` gets `dist` (value, probability), healthy or not.
#[derive(Clone, Copy, Debug)]
pub struct Case<'a> {
    pub down: &'a [&'a str],
    pub group: &'a str,
    pub family: Family,
    pub dist: &'a [(&'a str, f64)],
    pub healthy: bool,
}

impl<'a> Case<'a> {
    /// A healthy answer to an A query, the common case.
    pub const fn a(down: &'a [&'a str], group: &'a str, dist: &'a [(&'a str, f64)]) -> Self {
        Case {
            down,
            group,
            family: Family::A,
            dist,
            healthy: true,
        }
    }

    /// A healthy answer to an AAAA query.
    pub const fn aaaa(down: &'a [&'a str], group: &'a str, dist: &'a [(&'a str, f64)]) -> Self {
        Case {
            family: Family::Aaaa,
            ..Case::a(down, group, dist)
        }
    }

    /// The same answer, unhealthy: fail-open, or nothing of the family to answer with.
    pub const fn unhealthy(self) -> Self {
        Case {
            healthy: false,
            ..self
        }
    }
}

/// Checks every case against `s` and fails naming each case that does not hold (its index in
/// the table and its inputs), so one run shows every broken row of a table, not just the first.
#[track_caller]
pub fn expect_answers(s: &Strategy, cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let (dist, healthy) = answer(s, c.down, c.group, c.family);
            (!approx(&dist, c.dist) || healthy != c.healthy).then(|| {
                format!(
                    "case {i} ({} {:?}, down {:?}): got {dist:?} healthy {healthy}, \
                     expected {:?} healthy {}",
                    c.group, c.family, c.down, c.dist, c.healthy
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

pub fn health_all(s: &Strategy, h: Health) -> Vec<Health> {
    vec![h; s.endpoints.len()]
}

/// The endpoints of [`chain_document`] and [`chain_strategy`]: one A, one AAAA.
pub const CHAIN_ENDPOINTS: [&str; 2] = ["10.0.0.1", "2001:db8::1"];

/// `r0 → r1 → … → r(depth-1)`, the last rule over [`CHAIN_ENDPOINTS`]; rule `i` has type
/// `kinds[i % kinds.len()]` and every item weight 1 and the default usersets, so that each
/// rule passes its child's answer through whatever its type.
pub fn chain_document(depth: usize, kinds: &[RuleKind]) -> StrategyDocument {
    let item = |reference: &str| ItemConf {
        reference: reference.to_owned(),
        weight: 1,
        priority: 0,
        usersets: String::new(),
    };
    let rules = (0..depth)
        .map(|i| RuleConf {
            kind: kinds[i % kinds.len()].code().to_owned(),
            area: "none.CN".into(),
            isp: "other".into(),
            name: format!("r{i}"),
            enable: true,
            items: if i + 1 < depth {
                vec![item(&format!("r{}", i + 1))]
            } else {
                CHAIN_ENDPOINTS.iter().map(|e| item(e)).collect()
            },
        })
        .collect();
    let endpoint = |(kind, value): (&str, &str)| EndpointConf {
        kind: kind.into(),
        value: value.into(),
        area: "beijing.CN".into(),
        isp: "ct".into(),
        eval_health: true,
        enable: true,
    };
    StrategyDocument {
        status: "start".into(),
        strategy: StrategyTree {
            start: "r0".into(),
            rules,
        },
        endpoints_conf: ["A", "AAAA"]
            .into_iter()
            .zip(CHAIN_ENDPOINTS)
            .map(endpoint)
            .collect(),
    }
}

/// [`chain_document`] built by hand, without validation — as any caller may, the fields being
/// public — so it can be deeper than validation allows.
pub fn chain_strategy(depth: usize, kinds: &[RuleKind]) -> Strategy {
    let area = |code: &str| Area::from_code(code).expect("area");
    let item = |target: Target| Item {
        target,
        weight: 1,
        priority: 0,
        usersets: Usersets::default(),
    };
    let rules = (0..depth)
        .map(|i| Rule {
            name: format!("r{i}"),
            kind: kinds[i % kinds.len()],
            area: area("none.CN"),
            isp: Isp::Other,
            enabled: true,
            items: if i + 1 < depth {
                vec![item(Target::Rule(RuleId(i as u32 + 1)))]
            } else {
                (0..2)
                    .map(|e| item(Target::Endpoint(EndpointId(e))))
                    .collect()
            },
        })
        .collect();
    let endpoint = |(kind, value): (EndpointKind, &str)| Endpoint {
        kind,
        value: value.into(),
        area: area("beijing.CN"),
        isp: Isp::Ct,
        eval_health: true,
        enabled: true,
    };
    Strategy {
        endpoints: [EndpointKind::A, EndpointKind::Aaaa]
            .into_iter()
            .zip(CHAIN_ENDPOINTS)
            .map(endpoint)
            .collect(),
        rules,
        root: RuleId(0),
    }
}

pub mod shapes;
