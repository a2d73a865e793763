//! Property tests over random valid strategy DAGs (rule i only references rules j > i, so no
//! cycles): probabilities sum to 1, only enabled endpoints of the asked family appear, failover
//! never keeps a share on a Down endpoint while a healthy one is reachable, evaluation is
//! deterministic, does not depend on how deep below the root a rule sits, a mapping answers a
//! group whenever a claim of it has something of the family (and health never empties an
//! answer), the JSON round-trips, and the evaluation-cost limit never refuses what the
//! generator builds (a valid strategy is within it by construction; these are tiny).

use app::strategy::{
    AREAS, EndpointConf, Family, Health, Item, ItemConf, MAX_COST, RuleConf, RuleId, RuleKind,
    Strategy as Model, StrategyDocument, StrategyTree, Target, UserGroup,
};
use proptest::prelude::*;

const TYPES: [&str; 4] = ["wrr", "priority", "geoProximity", "usersetMapping"];
const ISPS: [&str; 5] = ["ct", "cu", "cm", "cernet", "other"];

fn area_code() -> impl Strategy<Value = String> {
    (0..AREAS.len()).prop_map(|i| AREAS[i].code.to_owned())
}

fn endpoint(index: usize) -> impl Strategy<Value = EndpointConf> {
    (
        0..3usize,
        area_code(),
        0..5usize,
        any::<bool>(),
        prop::bool::weighted(0.85),
    )
        .prop_map(move |(kind, area, isp, eval_health, enable)| {
            let (kind, value) = match kind {
                0 => ("A", format!("10.0.{}.{}", index / 250, index % 250 + 1)),
                1 => ("AAAA", format!("2001:db8::{:x}", index + 1)),
                _ => ("CNAME", format!("e{index}.example.net")),
            };
            EndpointConf {
                kind: kind.into(),
                value,
                area,
                isp: ISPS[isp].into(),
                eval_health,
                enable: enable || index == 0,
            }
        })
}

fn selector() -> impl Strategy<Value = String> {
    (prop::option::of(area_code()), prop::option::of(0..5usize)).prop_map(|(area, isp)| {
        format!(
            "{}/{}",
            area.unwrap_or_else(|| "*".into()),
            isp.map_or("*", |i| ISPS[i])
        )
    })
}

/// Items of rule `index`: references to later rules or to endpoints.
fn items(
    index: usize,
    rules: usize,
    endpoints: usize,
    kind: usize,
) -> impl Strategy<Value = Vec<ItemConf>> {
    let later = rules - index - 1;
    let reference = if later > 0 {
        prop_oneof![
            (0..later).prop_map(move |j| format!("r{}", index + 1 + j)),
            (0..endpoints).prop_map(|e| format!("#{e}")),
        ]
        .boxed()
    } else {
        (0..endpoints).prop_map(|e| format!("#{e}")).boxed()
    };
    let mapping = kind == 3;
    prop::collection::vec(
        (
            reference,
            0..5i64,
            0..4i64,
            prop::collection::vec(selector(), 0..3),
        ),
        1..5,
    )
    .prop_map(move |list| {
        let mut items: Vec<ItemConf> = list
            .into_iter()
            .map(|(reference, weight, priority, selectors)| ItemConf {
                reference,
                // Mapping items always carry weights, so equal-specificity claims split legally.
                weight: if mapping { weight + 1 } else { weight },
                priority,
                usersets: if mapping {
                    selectors.join(";")
                } else {
                    String::new()
                },
            })
            .collect();
        items[0].weight = items[0].weight.max(1);
        items
    })
}

fn document() -> impl Strategy<Value = StrategyDocument> {
    (1..7usize, 1..9usize).prop_flat_map(|(rules, endpoints)| {
        let endpoint_list: Vec<_> = (0..endpoints).map(endpoint).collect();
        let kinds = prop::collection::vec(0..4usize, rules);
        (
            endpoint_list,
            kinds,
            prop::collection::vec((area_code(), prop::bool::weighted(0.9)), rules),
        )
            .prop_flat_map(move |(mut endpoints_conf, kinds, rule_meta)| {
                endpoints_conf[0].kind = "A".into();
                endpoints_conf[0].value = "10.0.0.1".into();
                let item_lists: Vec<_> = kinds
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| items(i, rules, endpoints_conf.len(), k))
                    .collect();
                let endpoints_conf = endpoints_conf.clone();
                let kinds = kinds.clone();
                let rule_meta = rule_meta.clone();
                item_lists.prop_map(move |lists| {
                    let rules: Vec<RuleConf> = lists
                        .into_iter()
                        .enumerate()
                        .map(|(i, items)| RuleConf {
                            kind: TYPES[kinds[i]].into(),
                            area: rule_meta[i].0.clone(),
                            isp: "other".into(),
                            name: format!("r{i}"),
                            enable: rule_meta[i].1 || i == 0,
                            items: items
                                .into_iter()
                                .map(|mut item| {
                                    if let Some(e) = item.reference.strip_prefix('#') {
                                        let e: usize = e.parse().unwrap_or(0);
                                        item.reference = endpoints_conf[e].value.clone();
                                    }
                                    item
                                })
                                .collect(),
                        })
                        .collect();
                    StrategyDocument {
                        status: "start".into(),
                        strategy: StrategyTree {
                            start: "r0".into(),
                            rules,
                        },
                        endpoints_conf: endpoints_conf.clone(),
                    }
                })
            })
    })
}

fn health() -> impl Strategy<Value = Vec<Health>> {
    prop::collection::vec(
        prop_oneof![Just(Health::Unknown), Just(Health::Up), Just(Health::Down)],
        8,
    )
}

fn compile(doc: &StrategyDocument) -> Model {
    match Model::compile(doc) {
        Ok(c) => c.strategy,
        Err(p) => panic!(
            "generator made an invalid strategy: {:?}\n{}",
            p.errors,
            doc.to_json_pretty()
        ),
    }
}

fn usable(s: &Model, health: &[Health], e: app::strategy::EndpointId, family: Family) -> bool {
    let ep = s.endpoint(e);
    ep.enabled && ep.kind.fits(family) && (!ep.eval_health || health[e.index()] != Health::Down)
}

/// Is there an up endpoint reachable along candidate edges (wrr: weight > 0) of enabled rules?
fn healthy_reachable(s: &Model, health: &[Health], family: Family) -> bool {
    let mut stack = vec![s.root];
    let mut seen = vec![false; s.rules.len()];
    while let Some(r) = stack.pop() {
        if std::mem::replace(&mut seen[r.index()], true) || !s.rule(r).enabled {
            continue;
        }
        let rule = s.rule(r);
        for item in &rule.items {
            if rule.kind == app::strategy::RuleKind::Wrr && item.weight == 0 {
                continue;
            }
            match item.target {
                Target::Rule(c) => stack.push(c),
                Target::Endpoint(e) if usable(s, health, e, family) => return true,
                Target::Endpoint(_) => {}
            }
        }
    }
    false
}

/// `s` below a chain of `padding` `wrr` rules of one item each (weight 1): the same answers.
fn below_pass_through_rules(s: &Model, padding: usize) -> Model {
    let mut padded = s.clone();
    let first = padded.rules.len();
    for i in 0..padding {
        let next = if i + 1 < padding {
            RuleId((first + i + 1) as u32)
        } else {
            s.root
        };
        let mut rule = s.rule(s.root).clone();
        rule.name = format!("pad{i}");
        rule.kind = RuleKind::Wrr;
        rule.enabled = true;
        rule.items = vec![Item {
            target: Target::Rule(next),
            weight: 1,
            priority: 0,
            usersets: Default::default(),
        }];
        padded.rules.push(rule);
    }
    if padding > 0 {
        padded.root = RuleId(first as u32);
    }
    padded
}

/// `answers[r][family][group]`: the answer of the sub-strategy rooted at rule `r`.
fn answers_of_every_rule(s: &Model, health: &[Health]) -> Vec<Vec<Vec<app::strategy::Evaluation>>> {
    (0..s.rules.len())
        .map(|r| {
            let rooted = Model {
                root: RuleId(r as u32),
                ..s.clone()
            };
            let mut evaluator = app::strategy::Evaluator::new(&rooted, health);
            Family::ALL
                .map(|family| {
                    UserGroup::all()
                        .map(|g| evaluator.evaluate(g, family))
                        .collect()
                })
                .to_vec()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_mapping_answers_a_group_whenever_one_of_its_claims_has_something_of_the_family(
        doc in document(), health in health(),
    ) {
        // Issue 15: an item with nothing of the family is passed over, so a group claimed by
        // any item that answers gets an answer, from the most specific such items only.
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let answers = answers_of_every_rule(&s, health);
        let item_answer = |item: &Item, family: Family, group: UserGroup| -> Vec<app::strategy::EndpointId> {
            match item.target {
                Target::Endpoint(e) => {
                    let ep = s.endpoint(e);
                    if ep.enabled && ep.kind.fits(family) { vec![e] } else { Vec::new() }
                }
                Target::Rule(r) if s.rule(r).enabled => answers[r.index()][family.index()][group.index()]
                    .dist.iter().map(|&(e, _)| e).collect(),
                Target::Rule(_) => Vec::new(),
            }
        };
        for (r, rule) in s.rules.iter().enumerate() {
            if rule.kind != RuleKind::UsersetMapping {
                continue;
            }
            for family in Family::ALL {
                for group in UserGroup::all() {
                    let answering: Vec<(app::strategy::Specificity, Vec<_>)> = rule.items.iter()
                        .filter_map(|item| Some((item.usersets.claim(group)?, item_answer(item, family, group))))
                        .filter(|(_, endpoints)| !endpoints.is_empty())
                        .collect();
                    let got = &answers[r][family.index()][group.index()];
                    prop_assert_eq!(got.dist.is_empty(), answering.is_empty(), "rule {} {} {}", rule.name, group, family);
                    let Some(best) = answering.iter().map(|(spec, _)| *spec).max() else { continue };
                    for &(e, _) in &got.dist {
                        prop_assert!(
                            answering.iter().any(|(spec, endpoints)| *spec == best && endpoints.contains(&e)),
                            "{} answered {} not from its most specific answering claim ({})", rule.name, s.endpoint(e).value, best
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn whether_a_group_gets_an_answer_never_depends_on_health(doc in document(), health in health()) {
        // Absent is about the family and `enable`; down is present (fail-open), so health can
        // make an answer unhealthy but never empty, and never moves a mapped group elsewhere.
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let mut up = app::strategy::Evaluator::new(&s, &[]);
        let mut now = app::strategy::Evaluator::new(&s, health);
        for family in Family::ALL {
            for group in UserGroup::all() {
                let (a, b) = (up.evaluate(group, family), now.evaluate(group, family));
                prop_assert_eq!(a.dist.is_empty(), b.dist.is_empty(), "{} {}", group, family);
            }
        }
    }

    #[test]
    fn distributions_sum_to_one_with_only_fitting_enabled_endpoints(doc in document(), health in health()) {
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        for group in UserGroup::all() {
            for family in Family::ALL {
                let e = s.evaluate(health, group, family);
                if !e.dist.is_empty() {
                    let total: f64 = e.dist.iter().map(|&(_, p)| p).sum();
                    prop_assert!((total - 1.0).abs() < 1e-9, "sum {} for {} {}", total, group, family);
                }
                for &(id, p) in &e.dist {
                    let ep = s.endpoint(id);
                    prop_assert!(p > 0.0);
                    prop_assert!(ep.enabled, "disabled {} answered", ep.value);
                    prop_assert!(ep.kind.fits(family), "{} answered for {}", ep.value, family);
                }
            }
        }
    }

    #[test]
    fn without_mapping_a_down_endpoint_gets_nothing_while_a_healthy_one_is_reachable(
        mut doc in document(), health in prop::collection::vec(prop_oneof![Just(Health::Up), Just(Health::Down)], 8),
    ) {
        for rule in &mut doc.strategy.rules {
            if rule.kind == "usersetMapping" {
                rule.kind = "priority".into();
                rule.items.iter_mut().for_each(|i| i.usersets.clear());
            }
        }
        let s = compile(&doc);
        let health = &health[..s.endpoints.len()];
        for group in UserGroup::all() {
            for family in Family::ALL {
                let e = s.evaluate(health, group, family);
                prop_assert_eq!(e.healthy, healthy_reachable(&s, health, family), "group {} {}", group, family);
                if e.healthy {
                    for &(id, _) in &e.dist {
                        prop_assert!(usable(&s, health, id, family), "down {} kept a share", s.endpoint(id).value);
                    }
                }
            }
        }
    }

    #[test]
    fn evaluation_is_deterministic(doc in document(), health in health()) {
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let again = compile(&doc);
        for group in UserGroup::all().step_by(7) {
            prop_assert_eq!(s.evaluate(health, group, Family::A), again.evaluate(health, group, Family::A));
        }
    }

    #[test]
    fn a_reused_evaluator_answers_like_a_fresh_one(doc in document(), health in health()) {
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let mut reused = app::strategy::Evaluator::new(&s, health);
        // Alternate families and jump around groups to defeat any stale memo.
        for (i, group) in UserGroup::all().enumerate() {
            let family = Family::ALL[i % 2];
            prop_assert_eq!(reused.evaluate(group, family), s.evaluate(health, group, family));
        }
    }

    #[test]
    fn answers_do_not_depend_on_how_deep_the_strategy_sits(
        doc in document(), health in health(), padding in 0..100usize,
    ) {
        // The evaluator recurses for the first levels and continues on a stack of its own
        // deeper down: a strategy hung below `padding` pass-through rules straddles that
        // boundary at every level as `padding` varies, and must answer exactly as it did.
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let padded = below_pass_through_rules(&s, padding);
        let mut plain = app::strategy::Evaluator::new(&s, health);
        let mut deep = app::strategy::Evaluator::new(&padded, health);
        for family in Family::ALL {
            for group in UserGroup::all() {
                let (want, got) = (plain.evaluate(group, family), deep.evaluate(group, family));
                prop_assert_eq!(&got.dist, &want.dist, "{} {}", group, family);
                prop_assert_eq!(got.healthy, want.healthy);
                // The padding routes to the strategy's root only when it answers at all.
                if !want.dist.is_empty() {
                    let own: Vec<_> = got.trace.into_iter().filter(|t| t.rule.index() < s.rules.len()).collect();
                    prop_assert_eq!(own, want.trace);
                }
            }
        }
    }

    #[test]
    fn json_round_trips(doc in document()) {
        let text = serde_json::to_string(&doc).expect("serialise");
        let back = StrategyDocument::from_json(&text).expect("parse");
        prop_assert_eq!(&back, &doc);
        prop_assert_eq!(compile(&back), compile(&doc));
    }

    #[test]
    fn every_strategy_that_validates_is_within_the_cost_limit_and_generated_ones_validate(
        doc in document(),
    ) {
        // `compile` panics on an invalid strategy: the cost limit refuses none of these
        // realistic-for-the-generator shapes, and they sit far below it.
        let s = compile(&doc);
        let cost = s.evaluation_cost();
        prop_assert!(cost.total <= MAX_COST as u64 / 1_000, "cost {}", cost.total);
        prop_assert!(cost.costliest.is_some());
    }

    #[test]
    fn the_cost_bounds_every_rules_answers_under_any_health(doc in document(), health in health()) {
        // Rooted at any rule, the cost counts at least the entries its answers hold, whatever
        // is down: the bound holds at every level, not only at the start rule.
        let s = compile(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        for r in 0..s.rules.len() {
            let rooted = Model { root: RuleId(r as u32), ..s.clone() };
            let bound = rooted.evaluation_cost().answer_entries;
            let mut evaluator = app::strategy::Evaluator::new(&rooted, health);
            let mut entries = 0u64;
            for family in Family::ALL {
                for group in UserGroup::all() {
                    entries += evaluator.outcome(group, family).dist.len() as u64;
                }
            }
            prop_assert!(entries <= bound, "rule r{}: {} entries, the cost counts {}", r, entries, bound);
        }
    }
}
