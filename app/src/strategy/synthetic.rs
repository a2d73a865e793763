//! A deterministic, realistically shaped strategy of any size, for benchmarks and for tests that
//! compare the preview across implementations (CLI, browser, DNS). Shape, from the root down:
//! `usersetMapping` by ISP → `priority` (primary / backup region) → `geoProximity` over regions
//! → `wrr` leaves holding the endpoints (A, every 4th AAAA, every 10th a CNAME). Regions are
//! shared by several parents, so the result is a DAG as operators build with "connect existing".

use super::area::{AREAS, Isp};
use super::wire::{EndpointConf, ItemConf, RuleConf, StrategyDocument, StrategyTree};

/// `rules` ≥ 4 rules and `endpoints` ≥ 1 endpoints (fewer are raised to those minimums).
pub fn synthetic(rules: usize, endpoints: usize) -> StrategyDocument {
    let rules = rules.max(4);
    let endpoints = endpoints.max(1);
    let priorities = ((rules - 1) / 8).clamp(1, 3);
    let geos = ((rules - 1 - priorities) / 4).max(1);
    let leaves = rules - 1 - priorities - geos;
    let mut random = Lcg(0x5EED);

    let leaf_area = |leaf: usize| AREAS[(leaf * 7) % 31].code;
    let mut leaf_items: Vec<Vec<ItemConf>> = vec![Vec::new(); leaves.max(1)];
    let endpoints_conf: Vec<EndpointConf> = (0..endpoints)
        .map(|i| {
            let leaf = i % leaves.max(1);
            let (kind, value) = match i {
                _ if i % 10 == 9 => ("CNAME", format!("edge{i}.cdn.example.net")),
                _ if i % 4 == 3 => ("AAAA", format!("2001:db8:{:x}::{:x}", i / 200, i % 200 + 1)),
                // 198.18.0.0/15 (RFC 2544, for benchmarks): never routed, and no range a
                // server refuses as an endpoint (private addresses are, by default).
                _ => (
                    "A",
                    format!("198.{}.{}.{}", 18 + i / 62500, (i / 250) % 250, i % 250 + 1),
                ),
            };
            leaf_items[leaf].push(ItemConf {
                reference: value.clone(),
                weight: 1 + random.below(10) as i64,
                priority: 0,
                usersets: String::new(),
            });
            EndpointConf {
                kind: kind.into(),
                value,
                area: leaf_area(leaf).into(),
                isp: Isp::ALL[i % 5].code().into(),
                eval_health: true,
                enable: true,
            }
        })
        .collect();

    let mut rule_list = Vec::with_capacity(rules);
    let isp_selectors = ["*/ct", "*/cu", "*/cm"];
    rule_list.push(RuleConf {
        kind: "usersetMapping".into(),
        area: "none.CN".into(),
        isp: "other".into(),
        name: "root".into(),
        enable: true,
        items: (0..priorities)
            .map(|p| {
                item(
                    format!("p{p}"),
                    1,
                    0,
                    isp_selectors.get(p).copied().unwrap_or(""),
                )
            })
            .chain(std::iter::once(item("p0".into(), 1, 0, "")))
            .collect(),
    });
    for p in 0..priorities {
        let items = (0..geos.min(3))
            .map(|k| item(format!("g{}", (p + k) % geos), 0, k as i64 + 1, ""))
            .collect();
        rule_list.push(rule("priority", &format!("p{p}"), "none.CN", items));
    }
    for g in 0..geos {
        let items = (0..leaves)
            .filter(|l| l % geos == g || l % 5 == g % 5)
            .map(|l| item(format!("l{l}"), 0, 0, ""));
        rule_list.push(rule(
            "geoProximity",
            &format!("g{g}"),
            "none.CN",
            items.collect(),
        ));
    }
    for (l, items) in leaf_items.into_iter().enumerate().take(leaves) {
        rule_list.push(rule("wrr", &format!("l{l}"), leaf_area(l), items));
    }
    StrategyDocument {
        status: "start".into(),
        strategy: StrategyTree {
            start: "root".into(),
            rules: rule_list,
        },
        endpoints_conf,
    }
}

fn rule(kind: &str, name: &str, area: &str, items: Vec<ItemConf>) -> RuleConf {
    RuleConf {
        kind: kind.into(),
        area: area.into(),
        isp: "other".into(),
        name: name.into(),
        enable: true,
        items,
    }
}

fn item(reference: String, weight: i64, priority: i64, usersets: &str) -> ItemConf {
    ItemConf {
        reference,
        weight,
        priority,
        usersets: usersets.into(),
    }
}

/// A small linear congruential generator: deterministic weights without a dependency.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Strategy;

    #[test]
    fn synthetic_strategies_are_valid_at_every_size() {
        for (rules, endpoints) in [(4, 1), (10, 20), (30, 100), (50, 200), (120, 1000)] {
            let doc = synthetic(rules, endpoints);
            assert_eq!(doc.strategy.rules.len(), rules);
            assert_eq!(doc.endpoints_conf.len(), endpoints);
            if let Err(p) = Strategy::compile(&doc) {
                panic!("synthetic({rules}, {endpoints}) invalid: {:?}", p.errors);
            }
        }
    }
}
