//! The evaluation-cost limit (`docs/strategy.md`, "Limits"): issue 16's fan-out — well inside
//! every size limit, yet minutes to compile its samplers — is refused, naming the limit and a
//! rule; a strategy just under the limit passes and one just over does not; the realistic
//! shapes (the recommendation for the most endpoints allowed, the synthetic benchmark
//! strategies, the console's and end-to-end fixtures, ISP-aware trees) pass far below it; and
//! the cost bounds what the evaluator really builds. Two ignored tests measure cost against
//! the samplers' compile time (run them in release, they print the tables the docs quote).

mod common;

use std::time::{Duration, Instant};

use app::strategy::{
    EndpointConf, Family, Health, Limit, Location, MAX_COST, MAX_ITEMS, MAX_RULES, Problem,
    ProblemKind, RuleId, RuleKind, SamplerSet, Strategy, StrategyDocument, UserGroup, recommend,
    synthetic,
};
use common::shapes::*;
use proptest::prelude::*;

fn valid(doc: &StrategyDocument) -> Strategy {
    match Strategy::compile(doc) {
        Ok(c) => c.strategy,
        Err(p) => panic!("expected valid, got {:?}", p.errors),
    }
}

/// The one error of `doc`, which must be the cost limit, with the whole cost as `found`.
fn over_cost(doc: &StrategyDocument) -> Problem {
    let problems = Strategy::compile(doc).expect_err("over the cost limit");
    assert_eq!(problems.errors.len(), 1, "{:?}", problems.errors);
    let problem = problems.errors[0].clone();
    let ProblemKind::OverLimit { limit, found, .. } = &problem.kind else {
        panic!("not a limit: {problem}");
    };
    assert_eq!(*limit, Limit::Cost, "{problem}");
    let cost = build(doc).evaluation_cost().total;
    assert_eq!(*found as u64, cost, "{problem}");
    assert!(cost > MAX_COST as u64);
    problem
}

/// The rule a problem is located at (field `items`).
fn located_rule(problem: &Problem) -> &str {
    match &problem.location {
        Location::Rule { rule, field } => {
            assert_eq!(*field, "items", "{problem}");
            rule
        }
        other => panic!("not at a rule: {other:?}"),
    }
}

fn cost(doc: &StrategyDocument) -> u64 {
    valid(doc).evaluation_cost().total
}

/// Realistic strategies cost at most a tenth of the limit.
fn far_below(name: &str, doc: &StrategyDocument) {
    let cost = cost(doc);
    assert!(
        cost <= MAX_COST as u64 / 10,
        "{name}: cost {cost}, {:.1} % of the limit",
        cost as f64 * 100.0 / MAX_COST as f64
    );
}

#[test]
fn the_fan_out_of_issue_16_is_refused_naming_the_cost_and_a_rule() {
    // Layers of 20 rules, each over 10 of the next, usersetMapping rules at the bottom: every
    // rule mixes ten distributions of all 10,000 endpoints, for each of the 165 groups.
    let doc = fan_out(50, 20, 10, 10_000, "usersetMapping");
    let items: usize = doc.strategy.rules.iter().map(|r| r.items.len()).sum();
    assert_eq!((doc.strategy.rules.len(), items), (1_001, 19_820));
    assert!(items <= MAX_ITEMS && doc.strategy.rules.len() <= MAX_RULES);
    assert_eq!(doc.check_limits(), Ok(()), "within every size limit");
    let problem = over_cost(&doc);
    let rule = located_rule(&problem);
    assert!(
        doc.strategy.rules.iter().any(|r| r.name == rule),
        "{problem}"
    );
    let text = problem.to_string();
    for words in [
        "evaluation cost",
        &MAX_COST.to_string(),
        "of it in this rule",
        "fewer endpoints under rules that many others share",
        "fan out less",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    // The same shape over wrr rules (once per family, not per group) is still refused.
    over_cost(&fan_out(50, 20, 10, 10_000, "wrr"));
}

#[test]
fn the_located_rule_is_the_one_with_the_largest_part() {
    // A chain over a mapping: every rule mixes all endpoints for each group, and the mapping
    // at the bottom also looks at its 10,000 items for each group: it is the costliest.
    let doc = chain(64, 10_000, "usersetMapping");
    let cost = build(&doc).evaluation_cost();
    assert_eq!(cost.costliest.map(|(r, _)| r), Some(RuleId(63)));
    assert_eq!(located_rule(&over_cost(&doc)), "r63");
    // Under a wide wrr rule over many shared rules, that rule mixes the most.
    let doc = mega_mix(1_500, 10_000);
    assert_eq!(located_rule(&over_cost(&doc)), "root");
}

#[test]
fn a_strategy_just_under_the_limit_passes_and_one_endpoint_more_is_refused() {
    // `chain(64, n, usersetMapping)`: the cost grows with every endpoint under the chain.
    let doc = |n: usize| chain(64, n, "usersetMapping");
    let (mut low, mut high) = (1, 10_000);
    assert!(build(&doc(high)).evaluation_cost().total > MAX_COST as u64);
    while high - low > 1 {
        let mid = (low + high) / 2;
        if build(&doc(mid)).evaluation_cost().total <= MAX_COST as u64 {
            low = mid;
        } else {
            high = mid;
        }
    }
    let under = valid(&doc(low)).evaluation_cost().total;
    assert!(
        under <= MAX_COST as u64 && under > MAX_COST as u64 * 99 / 100,
        "{under}"
    );
    over_cost(&doc(low + 1));
}

#[test]
fn the_recommendation_for_the_most_endpoints_over_every_area_and_isp_passes() {
    for areas in [1, 2, 31, 33] {
        let doc = recommended(10_000, areas);
        let groups: std::collections::HashSet<(&str, &str)> = doc
            .endpoints_conf
            .iter()
            .map(|e| (e.area.as_str(), e.isp.as_str()))
            .collect();
        assert_eq!(groups.len(), areas * 5, "every ISP in every area");
        far_below(&format!("recommendation over {areas} areas"), &doc);
    }
    // A fiftieth of the limit, even with a national fallback below the nearest area.
    assert!(cost(&recommended(10_000, 33)) <= MAX_COST as u64 / 50);
    far_below("nearest, then national", &nearest_then_national(9_900, 33));
}

#[test]
fn realistic_strategies_pass_far_below_the_limit() {
    for (rules, endpoints) in [
        (4, 1),
        (10, 20),
        (30, 100),
        (50, 200),
        (120, 1000),
        (300, 3000),
    ] {
        far_below(
            &format!("synthetic({rules}, {endpoints})"),
            &synthetic(rules, endpoints),
        );
    }
    far_below("ISP-aware tree over 10,000", &mapping_tree(10_000));
    far_below("one wrr rule over 10,000", &flat_wrr(10_000));
    far_below("a chain of 64 over 10,000", &chain(64, 10_000, "wrr"));
    let lab = include_str!("../src/ui/pages/lab_example.json");
    let e2e = include_str!("../../end2end/fixtures/mixed-strategy.json");
    for (name, text) in [("lab example", lab), ("end-to-end fixture", e2e)] {
        far_below(name, &StrategyDocument::from_json(text).expect("parses"));
    }
}

#[test]
fn drafts_are_not_checked_for_cost() {
    // Like the depth, the cost needs resolved references: a costly draft may be saved.
    assert_eq!(fan_out(50, 20, 10, 10_000, "wrr").check_limits(), Ok(()));
}

#[test]
fn disabled_rules_count_and_unreachable_ones_do_not() {
    let doc = fan_out(50, 20, 10, 10_000, "wrr");
    let mut disabled = doc.clone();
    for rule in disabled.strategy.rules.iter_mut().skip(1) {
        rule.enable = false;
    }
    assert_eq!(over_cost(&disabled).kind, over_cost(&doc).kind);
    // Start at the last layer instead: the layers above are never evaluated.
    let mut shallow = doc;
    shallow.strategy.rules[0].items.truncate(1);
    shallow.strategy.rules[0].items[0].reference = "L50-0".into();
    let small = cost(&shallow);
    assert!(small < MAX_COST as u64 / 100, "{small}");
}

#[test]
fn health_never_changes_the_cost_and_a_hand_built_cycle_or_chain_ends() {
    // The cost is the document's, under any health; a hand-built strategy (public fields) may
    // hold a cycle or be far deeper than validation allows: the walk ends, off the stack.
    let deep = common::chain_strategy(20_000, &RuleKind::ALL);
    assert!(deep.evaluation_cost().total > 0);
    let mut cyclic = common::chain_strategy(10, &[RuleKind::Wrr]);
    cyclic.rules[9].items[0].target = app::strategy::Target::Rule(RuleId(0));
    assert!(cyclic.evaluation_cost().total > 0);
}

/// Every endpoint of `doc`'s enabled strategy answered in one alias table at most: the
/// answers' entries over all groups and families, under `health`.
fn answer_entries(s: &Strategy, health: &[Health]) -> u64 {
    let mut evaluator = app::strategy::Evaluator::new(s, health);
    Family::ALL
        .iter()
        .flat_map(|&f| UserGroup::all().map(move |g| (g, f)))
        .map(|(g, f)| evaluator.outcome(g, f).dist.len() as u64)
        .sum()
}

fn health(n: usize) -> impl proptest::strategy::Strategy<Value = Vec<Health>> {
    prop::collection::vec(
        prop_oneof![Just(Health::Unknown), Just(Health::Up), Just(Health::Down)],
        n,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_recommendation_within_the_size_limits_passes(
        n in 1..=10_000usize, areas in 1..=33usize, aaaa_every in 0..6usize,
    ) {
        let endpoints: Vec<EndpointConf> = (0..n).map(|i| endpoint(i, areas, aaaa_every)).collect();
        let mut doc = recommend(&endpoints);
        if !doc.endpoints_conf.iter().any(|e| e.kind == "A") {
            doc.endpoints_conf[0].kind = "A".into();
            doc.endpoints_conf[0].value = "10.0.0.1".into();
            doc = recommend(&doc.endpoints_conf);
        }
        let cost = valid(&doc).evaluation_cost().total;
        // `far_below`'s margin: all 10,000 endpoints in one area cost ≈ 10.7 M (5.4 % of the
        // limit; a twentieth, once asserted here, failed CI for 9,358 endpoints in one area).
        prop_assert!(cost <= MAX_COST as u64 / 10, "{} endpoints over {} areas: {}", n, areas, cost);
    }

    #[test]
    fn the_cost_counts_every_answer_entry_under_any_health(
        shape in 0..5usize, n in 1..300usize, health in health(300),
    ) {
        // The cost's answer entries bound what the samplers get, whatever is down.
        let doc = match shape {
            0 => mapping_tree(n.max(33)),
            1 => nearest_then_national(n, 1 + n % 33),
            2 => synthetic(4 + n % 60, n),
            3 => fan_out(3, 5, 2, n.max(5), "usersetMapping"),
            _ => distinct_answers(1 + n % 165, n.max(2)),
        };
        let s = valid(&doc);
        let health = &health[..s.endpoints.len().min(health.len())];
        let bound = s.evaluation_cost().answer_entries;
        let got = answer_entries(&s, health);
        prop_assert!(got <= bound, "{} entries answered, the cost counts {}", got, bound);
    }
}

/// The fastest of `runs` full sampler compilations (both families, 165 groups).
fn compile_time(s: &Strategy, runs: usize) -> Duration {
    let health = s.health_unknown();
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(SamplerSet::compile(s, &health));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn shapes() -> Vec<(String, StrategyDocument)> {
    let mut list: Vec<(String, StrategyDocument)> = vec![
        ("synthetic 30/100".into(), synthetic(30, 100)),
        ("synthetic 50/200".into(), synthetic(50, 200)),
        ("synthetic 120/1000".into(), synthetic(120, 1000)),
        ("synthetic 2000/10000".into(), synthetic(2000, 10_000)),
        ("flat wrr 10000".into(), flat_wrr(10_000)),
        ("shuffled wrr 10000".into(), shuffled_wrr(10_000)),
        ("wide 9 x 1000 x 10 (wrr)".into(), wide(9, 1000, 10, "wrr")),
        (
            "wide 9 x 1000 x 10 (usersetMapping)".into(),
            wide(9, 1000, 10, "usersetMapping"),
        ),
        (
            "wide 2 x 100 x 100 (usersetMapping)".into(),
            wide(2, 100, 100, "usersetMapping"),
        ),
        (
            "recommended 10000 / 31 areas".into(),
            recommended(10_000, 31),
        ),
        (
            "recommended 10000 / 33 areas".into(),
            recommended(10_000, 33),
        ),
        ("mapping tree 10000".into(), mapping_tree(10_000)),
        (
            "nearest then national 9900 / 33 areas".into(),
            nearest_then_national(9_900, 33),
        ),
        (
            "distinct answers 165 x 10000".into(),
            distinct_answers(165, 10_000),
        ),
        (
            "distinct answers 165 x 2000".into(),
            distinct_answers(165, 2_000),
        ),
        ("many selectors 2000 x 5".into(), many_selectors(2_000, 5)),
        ("many selectors 200 x 50".into(), many_selectors(200, 50)),
    ];
    for (depth, n, bottom) in [
        (64, 10_000, "wrr"),
        (64, 1_000, "usersetMapping"),
        (20, 1_000, "usersetMapping"),
        (64, 10_000, "geoProximity"),
    ] {
        list.push((
            format!("chain {depth} over {n} ({bottom})"),
            chain(depth, n, bottom),
        ));
    }
    for (layers, width, fan, n, bottom) in [
        (50, 20, 10, 10_000, "wrr"),
        (10, 20, 10, 10_000, "wrr"),
        (3, 20, 10, 10_000, "usersetMapping"),
        (2, 20, 10, 10_000, "usersetMapping"),
        (5, 10, 3, 2_000, "usersetMapping"),
        (10, 10, 2, 1_000, "usersetMapping"),
        (5, 40, 40, 10_000, "wrr"),
    ] {
        list.push((
            format!("fan-out {layers}x{width}/{fan} over {n} ({bottom})"),
            fan_out(layers, width, fan, n, bottom),
        ));
    }
    list
}

/// Prints cost against measured time for every shape. Run in release:
/// `cargo test -p app --release --test cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: run it in release, it prints a table"]
fn cost_against_compile_time() {
    println!(
        "| shape | rules | items | cost | items | selectors | mix | answers | tables | compile ms | ns/unit | cost ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, doc) in shapes() {
        let s = build(&doc);
        let cost = s.evaluation_cost();
        let runs = if cost.total > 200_000_000 { 1 } else { 3 };
        let time = compile_time(&s, runs);
        let start = Instant::now();
        std::hint::black_box(s.evaluation_cost());
        let costing = start.elapsed();
        let items: usize = s.rules.iter().map(|r| r.items.len()).sum();
        println!(
            "| {name} | {} | {items} | {} | {} | {} | {} | {} | {} | {:.1} | {:.2} | {:.2} |",
            s.rules.len(),
            cost.total,
            cost.item_visits,
            cost.selector_visits,
            cost.mix_units,
            cost.answer_entries,
            cost.table_entries,
            time.as_secs_f64() * 1e3,
            time.as_nanos() as f64 / cost.total.max(1) as f64,
            costing.as_secs_f64() * 1e3,
        );
    }
}

/// The largest `p` in `1..=high` whose document passes validation (its cost being monotone
/// in `p`), by bisection on the cost.
fn largest_passing(high: usize, doc: &dyn Fn(usize) -> StrategyDocument) -> Option<usize> {
    let passes = |p: usize| build(&doc(p)).evaluation_cost().total <= MAX_COST as u64;
    if !passes(1) {
        return None;
    }
    let (mut low, mut high) = (1, high);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if passes(mid) {
            low = mid
        } else {
            high = mid - 1
        }
    }
    Some(low)
}

/// For each expensive shape, the largest of its kind that passes validation, timed. Run in
/// release: `cargo test -p app --release --test cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: run it in release, it prints a table"]
fn the_costliest_strategies_that_pass() {
    type Shape = (&'static str, usize, Box<dyn Fn(usize) -> StrategyDocument>);
    let shapes: Vec<Shape> = vec![
        (
            "fan-out p layers x 20 / 10 (wrr)",
            50,
            Box::new(|p| fan_out(p, 20, 10, 10_000, "wrr")),
        ),
        (
            "fan-out p layers x 20 / 3 (wrr)",
            63,
            Box::new(|p| fan_out(p, 20, 3, 10_000, "wrr")),
        ),
        (
            "fan-out p layers x 20 / 20 (wrr)",
            25,
            Box::new(|p| fan_out(p, 20, 20, 10_000, "wrr")),
        ),
        (
            "fan-out p layers x 40 / 40 (wrr)",
            7,
            Box::new(|p| fan_out(p, 40, 40, 10_000, "wrr")),
        ),
        (
            "fan-out 3 layers x 20 / 10 over p (mapping)",
            10_000,
            Box::new(|p| fan_out(3, 20, 10, p, "usersetMapping")),
        ),
        (
            "fan-out p layers x 10 / 10 over 10000 (mapping)",
            64,
            Box::new(|p| fan_out(p, 10, 10, 10_000, "usersetMapping")),
        ),
        (
            "fan-out 50 layers x 20 / 10 over p (mapping)",
            10_000,
            Box::new(|p| fan_out(50, 20, 10, p, "usersetMapping")),
        ),
        (
            "chain 64 over p (mapping)",
            10_000,
            Box::new(|p| chain(64, p, "usersetMapping")),
        ),
        (
            "chain p over 10000 (geoProximity)",
            64,
            Box::new(|p| chain(p, 10_000, "geoProximity")),
        ),
        (
            "mega mix: p mids over 10000",
            1_998,
            Box::new(|p| mega_mix(p, 10_000)),
        ),
        (
            "mega mix: p mids over 250",
            1_998,
            Box::new(|p| mega_mix(p, 250)),
        ),
        (
            "mega mix: p mids over 2500",
            1_998,
            Box::new(|p| mega_mix(p, 2_500)),
        ),
        (
            "wide p x 1000 x 10 (mapping)",
            9,
            Box::new(|p| wide(p, 1000, 10, "usersetMapping")),
        ),
        (
            "wide p x 100 x 100 (mapping)",
            99,
            Box::new(|p| wide(p, 100, 100, "usersetMapping")),
        ),
        (
            "distinct answers 165 x p",
            10_000,
            Box::new(|p| distinct_answers(165, p)),
        ),
        (
            "many selectors 200 x p",
            5_000,
            Box::new(|p| many_selectors(200, p)),
        ),
    ];
    println!("| shape | p | cost | % of max | compile ms | ns/unit |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, high, doc) in shapes {
        let Some(p) = largest_passing(high, &doc) else {
            println!("| {name} | - | none passes | | | |");
            continue;
        };
        let doc = doc(p);
        let s = match Strategy::compile(&doc) {
            Ok(c) => c.strategy,
            Err(e) => panic!("{name} p = {p}: {:?}", e.errors),
        };
        let cost = s.evaluation_cost().total;
        let time = compile_time(&s, 2);
        println!(
            "| {name} | {p} | {cost} | {:.0} | {:.1} | {:.2} |",
            cost as f64 * 100.0 / MAX_COST as f64,
            time.as_secs_f64() * 1e3,
            time.as_nanos() as f64 / cost as f64,
        );
    }
}
