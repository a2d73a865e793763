//! Strategy shapes for the evaluation-cost limit (`tests/cost.rs`): realistic ones that must
//! pass with a wide margin, and expensive ones — deep chains, wide fan-out layers, mappings at
//! the bottom — scaled by their parameters. [`build`] turns any of them into a [`Strategy`]
//! without validation, so shapes over the limit can still be timed.

use app::strategy::{
    AREAS, Area, Endpoint, EndpointConf, EndpointId, EndpointKind, Isp, Item, ItemConf, Rule,
    RuleConf, RuleId, RuleKind, Strategy, StrategyDocument, StrategyTree, Target, Usersets,
    recommend,
};

const ISPS: [&str; 5] = ["ct", "cu", "cm", "cernet", "other"];

/// Endpoint `i` of `n`: an A address (every `aaaa_every`-th an AAAA one, 0: never), spread
/// round-robin over the first `areas` areas and, within each, over the five ISPs.
pub fn endpoint(i: usize, areas: usize, aaaa_every: usize) -> EndpointConf {
    let aaaa = aaaa_every > 0 && i % aaaa_every == aaaa_every - 1;
    let (kind, value) = if aaaa {
        ("AAAA", format!("2001:db8::{:x}", i + 1))
    } else {
        (
            "A",
            format!("10.{}.{}.{}", i / 62_500, (i / 250) % 250, i % 250 + 1),
        )
    };
    EndpointConf {
        kind: kind.into(),
        value,
        area: AREAS[i % areas].code.into(),
        isp: ISPS[(i / areas) % 5].into(),
        eval_health: true,
        enable: true,
    }
}

pub fn endpoints(n: usize, areas: usize, aaaa_every: usize) -> Vec<EndpointConf> {
    (0..n).map(|i| endpoint(i, areas, aaaa_every)).collect()
}

pub fn item(reference: &str, weight: i64, priority: i64, usersets: &str) -> ItemConf {
    ItemConf {
        reference: reference.into(),
        weight,
        priority,
        usersets: usersets.into(),
    }
}

pub fn rule(kind: &str, name: &str, area: &str, items: Vec<ItemConf>) -> RuleConf {
    RuleConf {
        kind: kind.into(),
        area: area.into(),
        isp: "other".into(),
        name: name.into(),
        enable: true,
        items,
    }
}

pub fn document(
    start: &str,
    rules: Vec<RuleConf>,
    endpoints: Vec<EndpointConf>,
) -> StrategyDocument {
    StrategyDocument {
        status: "start".into(),
        strategy: StrategyTree {
            start: start.into(),
            rules,
        },
        endpoints_conf: endpoints,
    }
}

/// Items over endpoints, weight 1 each (so a mapping's default items split legally).
fn over(endpoints: &[EndpointConf]) -> Vec<ItemConf> {
    endpoints.iter().map(|e| item(&e.value, 1, 0, "")).collect()
}

/// One `wrr` start rule over `n` A endpoints.
pub fn flat_wrr(n: usize) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    document("r0", vec![rule("wrr", "r0", "none.CN", over(&eps))], eps)
}

/// [`flat_wrr`] with its items in a scrambled order: the mix sorts every entry.
pub fn shuffled_wrr(n: usize) -> StrategyDocument {
    let mut doc = flat_wrr(n);
    let items = &mut doc.strategy.rules[0].items;
    let sorted = items.clone();
    for (i, item) in items.iter_mut().enumerate() {
        *item = sorted[(i * 7_919) % n].clone();
    }
    doc
}

/// A start rule over `parents` `wrr` rules, each over the same `children` rules of type
/// `bottom`, each over `per_child` A endpoints of its own: every parent mixes `children`
/// distributions at once.
pub fn wide(parents: usize, children: usize, per_child: usize, bottom: &str) -> StrategyDocument {
    let eps = endpoints(children * per_child, 1, 0);
    let mut rules = vec![rule(
        "wrr",
        "root",
        "none.CN",
        (0..parents)
            .map(|p| item(&format!("p{p}"), 1, 0, ""))
            .collect(),
    )];
    for p in 0..parents {
        let items = (0..children)
            .map(|c| item(&format!("c{c}"), 1, 0, ""))
            .collect();
        rules.push(rule("wrr", &format!("p{p}"), "none.CN", items));
    }
    for (c, mine) in eps.chunks(per_child).enumerate() {
        rules.push(rule(bottom, &format!("c{c}"), "none.CN", over(mine)));
    }
    document("root", rules, eps)
}

/// A `wrr` leaf over `n` A endpoints, `mids` `wrr` rules over it alone, and a start rule over
/// every mid: the start rule mixes `mids` distributions of all `n` endpoints at once.
pub fn mega_mix(mids: usize, n: usize) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    let mut rules = vec![rule(
        "wrr",
        "root",
        "none.CN",
        (0..mids)
            .map(|m| item(&format!("m{m}"), 1, 0, ""))
            .collect(),
    )];
    for m in 0..mids {
        rules.push(rule(
            "wrr",
            &format!("m{m}"),
            "none.CN",
            vec![item("leaf", 1, 0, "")],
        ));
    }
    rules.push(rule("wrr", "leaf", "none.CN", over(&eps)));
    document("root", rules, eps)
}

/// The recommendation for `n` endpoints spread over the first `areas` areas and every ISP,
/// every 4th one AAAA.
pub fn recommended(n: usize, areas: usize) -> StrategyDocument {
    recommend(&endpoints(n, areas, 4))
}

/// `r0 → r1 → … → r(depth-2)` (`wrr`, one item each), then a `bottom` rule over `n` A
/// endpoints: every rule's distribution holds all `n`.
pub fn chain(depth: usize, n: usize, bottom: &str) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    let mut rules: Vec<RuleConf> = (0..depth - 1)
        .map(|i| {
            let next = format!("r{}", i + 1);
            rule(
                "wrr",
                &format!("r{i}"),
                "none.CN",
                vec![item(&next, 1, 0, "")],
            )
        })
        .collect();
    rules.push(rule(
        bottom,
        &format!("r{}", depth - 1),
        "none.CN",
        over(&eps),
    ));
    document("r0", rules, eps)
}

/// A start rule over the `width` rules of layer 1; each rule of a layer over `fan` rules of
/// the next; the `width` rules of the last of `layers` layers of type `bottom`, each over its
/// share of `n` A endpoints (`layers` = 1: the start rule over them directly).
///
/// `fan_out(50, 20, 10, 10_000, "usersetMapping")` is issue 16's: 1,001 rules, 19,820 items,
/// depth 51, and every rule mixes ten distributions of all 10,000 endpoints for each group.
pub fn fan_out(
    layers: usize,
    width: usize,
    fan: usize,
    n: usize,
    bottom: &str,
) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    let name = |layer: usize, j: usize| format!("L{layer}-{j}");
    let mut rules = vec![rule(
        "wrr",
        "root",
        "none.CN",
        (0..width).map(|j| item(&name(1, j), 1, 0, "")).collect(),
    )];
    for layer in 1..layers {
        for j in 0..width {
            let items = (0..fan)
                .map(|t| item(&name(layer + 1, (j + t) % width), 1, 0, ""))
                .collect();
            rules.push(rule("wrr", &name(layer, j), "none.CN", items));
        }
    }
    let share = n.div_ceil(width);
    for j in 0..width {
        let mine = &eps[(j * share).min(n)..((j + 1) * share).min(n)];
        rules.push(rule(bottom, &name(layers, j), "none.CN", over(mine)));
    }
    document("root", rules, eps)
}

/// [`recommended`] with a national fallback: a `priority` start rule over the recommendation's
/// `geoProximity` rule (1) and a `wrr` rule over every endpoint (2).
pub fn nearest_then_national(n: usize, areas: usize) -> StrategyDocument {
    let mut doc = recommended(n, areas);
    let rules = &mut doc.strategy.rules;
    rules[0].name = "nearest".into();
    let all = over(&doc.endpoints_conf);
    rules.push(rule("wrr", "national", "none.CN", all));
    let steps = vec![item("nearest", 0, 1, ""), item("national", 0, 2, "")];
    rules.push(rule("priority", "start", "none.CN", steps));
    doc.strategy.start = "start".into();
    doc
}

/// An ISP-aware strategy as an operator builds one for a large fleet: a `usersetMapping` root
/// sends each of the 165 groups (`area/isp`) to a `priority` rule — its own ISP's endpoints in
/// its area (`wrr`), then the whole area (`wrr`), then every area by nearness (`geoProximity`).
pub fn mapping_tree(n: usize) -> StrategyDocument {
    let eps = endpoints(n, AREAS.len(), 4);
    let mut rules = vec![rule("usersetMapping", "root", "none.CN", Vec::new())];
    let mut nearest = Vec::new();
    for (a, area) in AREAS.iter().enumerate() {
        let mut whole = Vec::new();
        for isp in ISPS {
            let group = format!("{}/{isp}", area.code);
            let mine: Vec<ItemConf> = eps
                .iter()
                .filter(|e| e.area == area.code && e.isp == isp)
                .map(|e| item(&e.value, 1, 0, ""))
                .collect();
            let (local, pick) = (format!("{group} local"), format!("{group} pick"));
            let mut steps = vec![
                item(&format!("area {a}"), 0, 2, ""),
                item("nearest", 0, 3, ""),
            ];
            if !mine.is_empty() {
                rules.push(rule("wrr", &local, area.code, mine));
                steps.insert(0, item(&local, 0, 1, ""));
                whole.push(item(&local, 1, 0, ""));
            }
            rules.push(rule("priority", &pick, area.code, steps));
            rules[0].items.push(item(&pick, 1, 0, &group));
        }
        rules.push(rule("wrr", &format!("area {a}"), area.code, whole));
        nearest.push(item(&format!("area {a}"), 0, 0, ""));
    }
    rules[0].items.push(item("nearest", 1, 0, ""));
    rules.push(rule("geoProximity", "nearest", "none.CN", nearest));
    document("root", rules, eps)
}

/// A mapping start rule giving each of the first `groups` groups a `wrr` rule of its own over
/// the same two halves of `n` A endpoints, with different weights: `groups` different answers
/// of all `n` endpoints, each a new alias table for the samplers.
pub fn distinct_answers(groups: usize, n: usize) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    let mut rules = vec![rule("usersetMapping", "root", "none.CN", Vec::new())];
    for g in 0..groups {
        let selector = format!("{}/{}", AREAS[g / 5].code, ISPS[g % 5]);
        rules[0].items.push(item(&format!("w{g}"), 1, 0, &selector));
        let halves = vec![item("low", g as i64 + 1, 0, ""), item("high", 1, 0, "")];
        rules.push(rule("wrr", &format!("w{g}"), "none.CN", halves));
    }
    rules[0].items.push(item("low", 1, 0, ""));
    let half = n / 2;
    rules.push(rule("wrr", "low", "none.CN", over(&eps[..half])));
    rules.push(rule("wrr", "high", "none.CN", over(&eps[half..])));
    document("root", rules, eps)
}

/// A `usersetMapping` start rule over `n` A endpoints, each item claiming `selectors` groups
/// (`area/isp`, round and round) and weight 1: every evaluation matches every selector.
pub fn many_selectors(n: usize, selectors: usize) -> StrategyDocument {
    let eps = endpoints(n, 1, 0);
    let items = eps
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let list: Vec<String> = (0..selectors)
                .map(|s| {
                    let g = (i + s) % 165;
                    format!("{}/{}", AREAS[g / 5].code, ISPS[g % 5])
                })
                .collect();
            item(&e.value, 1, 0, &list.join(";"))
        })
        .collect();
    document(
        "r0",
        vec![rule("usersetMapping", "r0", "none.CN", items)],
        eps,
    )
}

/// `doc` as a [`Strategy`], references resolved without any validation (the fields are
/// public): shapes over a limit can be evaluated and timed. Panics on a bad reference or code.
pub fn build(doc: &StrategyDocument) -> Strategy {
    let endpoints: Vec<Endpoint> = doc
        .endpoints_conf
        .iter()
        .map(|e| Endpoint {
            kind: EndpointKind::parse(&e.kind).expect("endpoint type"),
            value: e.value.clone(),
            area: Area::from_code(&e.area).expect("area"),
            isp: Isp::from_code(&e.isp).expect("isp"),
            eval_health: e.eval_health,
            enabled: e.enable,
        })
        .collect();
    let rule_ids: std::collections::HashMap<&str, u32> = doc
        .strategy
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i as u32))
        .collect();
    let endpoint_ids: std::collections::HashMap<&str, u32> = endpoints
        .iter()
        .enumerate()
        .map(|(i, e)| (e.value.as_str(), i as u32))
        .collect();
    let target = |reference: &str| match rule_ids.get(reference) {
        Some(&r) => Target::Rule(RuleId(r)),
        None => Target::Endpoint(EndpointId(endpoint_ids[reference])),
    };
    let rules = doc
        .strategy
        .rules
        .iter()
        .map(|r| Rule {
            name: r.name.clone(),
            kind: RuleKind::parse(&r.kind).expect("rule type"),
            area: Area::from_code(&r.area).expect("area"),
            isp: Isp::from_code(&r.isp).expect("isp"),
            enabled: r.enable,
            items: r
                .items
                .iter()
                .map(|i| Item {
                    target: target(&i.reference),
                    weight: i.weight as u32,
                    priority: i.priority as u32,
                    usersets: Usersets::parse(&i.usersets).expect("usersets"),
                })
                .collect(),
        })
        .collect();
    Strategy {
        endpoints,
        rules,
        root: RuleId(rule_ids[doc.strategy.start.as_str()]),
    }
}
