//! The limits (`docs/strategy.md`, "Limits"): for each size limit, a document just at the
//! limit is valid and one just over is refused with that limit, its maximum and the rule (or
//! endpoint) where the count went over; drafts are checked for counts alone. The evaluation
//! cost has its own tests (`tests/cost.rs`); here, that it is refused like the others.

mod common;

use app::strategy::{
    EndpointConf, ItemConf, Limit, Location, MAX_COST, MAX_DEPTH, MAX_ENDPOINTS, MAX_ITEMS,
    MAX_ITEMS_PER_RULE, MAX_RULES, Problem, ProblemKind, RuleConf, Strategy, StrategyDocument,
    StrategyTree, recommend,
};

fn endpoint(i: usize) -> EndpointConf {
    EndpointConf {
        kind: "A".into(),
        value: format!("10.{}.{}.{}", i / 62_500, (i / 250) % 250, i % 250 + 1),
        area: "beijing.CN".into(),
        isp: "ct".into(),
        eval_health: true,
        enable: true,
    }
}

fn item(reference: &str) -> ItemConf {
    ItemConf {
        reference: reference.into(),
        weight: 1,
        priority: 0,
        usersets: String::new(),
    }
}

fn wrr(name: &str, items: Vec<ItemConf>) -> RuleConf {
    RuleConf {
        kind: "wrr".into(),
        area: "none.CN".into(),
        isp: "other".into(),
        name: name.into(),
        enable: true,
        items,
    }
}

fn document(rules: Vec<RuleConf>, endpoints: usize) -> StrategyDocument {
    StrategyDocument {
        status: "start".into(),
        strategy: StrategyTree {
            start: "r0".into(),
            rules,
        },
        endpoints_conf: (0..endpoints).map(endpoint).collect(),
    }
}

/// `r0 → r1 → … → r(n-1) → 10.0.0.1`: a chain of depth `n`.
fn chain(n: usize) -> StrategyDocument {
    let rules = (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("r{}", i + 1)
            } else {
                endpoint(0).value
            };
            wrr(&format!("r{i}"), vec![item(&next)])
        })
        .collect();
    document(rules, 1)
}

/// `rules` rules: the start over the first endpoint, the others beside it (unreachable).
fn rules(count: usize) -> StrategyDocument {
    let first = endpoint(0).value;
    document(
        (0..count)
            .map(|i| wrr(&format!("r{i}"), vec![item(&first)]))
            .collect(),
        1,
    )
}

/// A start rule over `items` items (the first `endpoints` endpoints, round and round).
fn wide(items: usize, endpoints: usize) -> StrategyDocument {
    let values: Vec<String> = (0..endpoints).map(|i| endpoint(i).value).collect();
    let list = (0..items).map(|i| item(&values[i % endpoints])).collect();
    document(vec![wrr("r0", list)], endpoints)
}

fn valid(doc: &StrategyDocument) {
    if let Err(p) = Strategy::compile(doc) {
        panic!("expected valid, got {:?}", p.errors);
    }
    assert_eq!(doc.check_limits(), Ok(()));
}

/// The one error of a refused document, which must be `limit` at `location`.
fn refused(doc: &StrategyDocument, limit: Limit, found: usize, location: Location) -> Problem {
    let problems = Strategy::compile(doc).expect_err("over a limit");
    assert_eq!(problems.errors.len(), 1, "{:?}", problems.errors);
    let problem = problems.errors[0].clone();
    let ProblemKind::OverLimit {
        limit: crossed,
        found: count,
        ..
    } = &problem.kind
    else {
        panic!("not a limit: {problem}");
    };
    assert_eq!((*crossed, *count), (limit, found), "{problem}");
    assert_eq!(problem.location, location, "{problem}");
    let text = problem.to_string();
    assert!(
        text.contains(&limit.max().to_string()) && text.contains(&limit.to_string()),
        "the message names the limit and its maximum: {text}"
    );
    problem
}

fn at_rule(rule: &str, field: &'static str) -> Location {
    Location::Rule {
        rule: rule.into(),
        field,
    }
}

#[test]
fn rules_up_to_the_limit_pass_and_one_more_is_named() {
    valid(&rules(MAX_RULES));
    let over = rules(MAX_RULES + 1);
    let name = format!("r{MAX_RULES}");
    refused(&over, Limit::Rules, MAX_RULES + 1, at_rule(&name, "name"));
    assert!(over.check_limits().is_err());
}

#[test]
fn endpoints_up_to_the_limit_pass_and_one_more_is_named() {
    valid(&document(
        vec![wrr("r0", vec![item("10.0.0.1")])],
        MAX_ENDPOINTS,
    ));
    let over = document(vec![wrr("r0", vec![item("10.0.0.1")])], MAX_ENDPOINTS + 1);
    let location = Location::Endpoint {
        value: endpoint(MAX_ENDPOINTS).value,
        field: "value",
    };
    refused(&over, Limit::Endpoints, MAX_ENDPOINTS + 1, location);
}

#[test]
fn items_of_one_rule_up_to_the_limit_pass_and_one_more_is_named() {
    valid(&wide(MAX_ITEMS_PER_RULE, MAX_ENDPOINTS));
    let over = wide(MAX_ITEMS_PER_RULE + 1, MAX_ENDPOINTS);
    refused(
        &over,
        Limit::ItemsPerRule,
        MAX_ITEMS_PER_RULE + 1,
        at_rule("r0", "items"),
    );
}

#[test]
fn items_of_all_rules_up_to_the_limit_pass_and_one_more_names_where_it_went_over() {
    // The start's 3 items over "a" (a full rule), "b" and "c" (one item): MAX_ITEMS in all.
    let b_items = MAX_ITEMS - 3 - MAX_ITEMS_PER_RULE - 1;
    let over_endpoints = |count: usize| (0..count).map(|i| item(&endpoint(i).value)).collect();
    let at_limit = document(
        vec![
            wrr("r0", vec![item("a"), item("b"), item("c")]),
            wrr("a", over_endpoints(MAX_ITEMS_PER_RULE)),
            wrr("b", over_endpoints(b_items)),
            wrr("c", over_endpoints(1)),
        ],
        MAX_ENDPOINTS,
    );
    valid(&at_limit);
    let mut over = at_limit.clone();
    over.strategy.rules[3].items.push(item("10.0.0.2"));
    refused(&over, Limit::Items, MAX_ITEMS + 1, at_rule("c", "items"));
    // The location is the rule where the running total went over, not the last rule: two more
    // in "b" take it over before "c" is counted; `found` is still the whole count.
    let mut over = at_limit;
    over.strategy.rules[2].items.extend(over_endpoints(2));
    refused(&over, Limit::Items, MAX_ITEMS + 2, at_rule("b", "items"));
}

#[test]
fn a_chain_as_deep_as_the_limit_passes_and_one_deeper_names_its_first_rule_too_deep() {
    valid(&chain(MAX_DEPTH));
    let deep = chain(MAX_DEPTH + 1);
    let first_too_deep = format!("r{MAX_DEPTH}");
    let problem = refused(
        &deep,
        Limit::Depth,
        MAX_DEPTH + 1,
        at_rule(&first_too_deep, "name"),
    );
    let text = problem.to_string();
    assert!(
        text.contains("r0 → r1 → r2 → …") && text.contains(&format!("→ {first_too_deep})")),
        "the chain's head and its first rule too deep: {text}"
    );
    // Drafts are bounded by counts only: a too-deep draft may be saved and fixed later.
    assert_eq!(deep.check_limits(), Ok(()));
}

#[test]
fn depth_counts_the_longest_chain_not_the_first_one_found() {
    // r0 → x directly, and r0 → c0 → … → c62 → x: x is first met at depth 2, but the longest
    // chain is 1 + 63 + 1 = 65 rules.
    let cs = MAX_DEPTH - 1;
    let mut list = vec![wrr("r0", vec![item("x"), item("c0")])];
    for i in 0..cs {
        let next = if i + 1 < cs {
            format!("c{}", i + 1)
        } else {
            "x".into()
        };
        list.push(wrr(&format!("c{i}"), vec![item(&next)]));
    }
    list.push(wrr("x", vec![item("10.0.0.1")]));
    let doc = document(list, 1);
    refused(&doc, Limit::Depth, MAX_DEPTH + 1, at_rule("x", "name"));
    // One link shorter and it fits.
    let mut fits = doc.clone();
    fits.strategy.rules[cs].items[0].reference = "10.0.0.1".into();
    valid(&fits);
}

#[test]
fn disabled_rules_count_toward_the_depth() {
    let mut deep = chain(MAX_DEPTH + 1);
    deep.strategy.rules[10].enable = false;
    refused(
        &deep,
        Limit::Depth,
        MAX_DEPTH + 1,
        at_rule(&format!("r{MAX_DEPTH}"), "name"),
    );
}

#[test]
fn a_root_over_endpoints_alone_has_depth_one() {
    // MAX_DEPTH chains of depth 1 side by side are not one deep chain.
    let mut doc = rules(MAX_DEPTH + 1);
    doc.strategy.rules[0]
        .items
        .extend((1..=MAX_DEPTH).map(|i| item(&format!("r{i}"))));
    valid(&doc);
}

#[test]
fn over_a_count_limit_nothing_else_is_reported() {
    // Every rule's reference dangles too, but past a count limit validation stops at once.
    let mut doc = rules(MAX_RULES + 1);
    for rule in &mut doc.strategy.rules {
        rule.items[0].reference = "nowhere".into();
    }
    let problems = Strategy::compile(&doc).expect_err("refused");
    assert_eq!(problems.errors.len(), 1);
    assert!(matches!(
        problems.errors[0].kind,
        ProblemKind::OverLimit {
            limit: Limit::Rules,
            ..
        }
    ));
}

#[test]
fn check_limits_takes_an_otherwise_invalid_draft_within_the_counts() {
    let mut draft = rules(MAX_RULES);
    draft.strategy.start = "missing".into();
    draft.strategy.rules[1].items[0].reference = "nowhere".into();
    draft.strategy.rules[2].kind = "bogus".into();
    assert!(Strategy::compile(&draft).is_err());
    assert_eq!(draft.check_limits(), Ok(()));
    draft.strategy.rules.push(wrr("one too many", Vec::new()));
    let problem = draft.check_limits().expect_err("over");
    assert_eq!(problem.location, at_rule("one too many", "name"));
}

#[test]
fn the_recommendation_of_the_most_endpoints_allowed_is_valid() {
    let endpoints: Vec<EndpointConf> = (0..MAX_ENDPOINTS).map(endpoint).collect();
    let doc = recommend(&endpoints);
    // One area: the root over one area rule holding every endpoint.
    assert_eq!(doc.strategy.rules.len(), 2);
    assert_eq!(doc.strategy.rules[1].items.len(), MAX_ENDPOINTS, "one area");
    valid(&doc);
}

#[test]
fn the_chain_of_issue_14_is_refused_at_once() {
    // 5,000 rules r0 → r1 → … → an endpoint, as the API received it (about 300 KB of JSON):
    // it used to validate and then overflow the evaluator's stack, aborting the server.
    let text = serde_json::to_string(&chain(5_000)).expect("serialises");
    assert!(text.len() > 250_000, "{} bytes", text.len());
    let doc = StrategyDocument::from_json(&text).expect("parses");
    let name = format!("r{MAX_RULES}");
    refused(&doc, Limit::Rules, 5_000, at_rule(&name, "name"));
}

#[test]
fn a_document_within_every_size_limit_can_still_be_over_the_evaluation_cost() {
    // r0 → r1 → … → r62 → a mapping over 10,000 endpoints: each rule mixes all of them, for
    // each of the 165 groups. Refused like every limit: one error, the limit and its maximum.
    let doc = common::shapes::chain(64, MAX_ENDPOINTS, "usersetMapping");
    assert_eq!(doc.check_limits(), Ok(()));
    let cost = common::shapes::build(&doc).evaluation_cost().total;
    assert!(cost > MAX_COST as u64);
    refused(&doc, Limit::Cost, cost as usize, at_rule("r63", "items"));
    // Over the depth as well: only the depth is reported (a chain too deep is not evaluated).
    let deeper = common::shapes::chain(MAX_DEPTH + 1, MAX_ENDPOINTS, "usersetMapping");
    let first_too_deep = format!("r{MAX_DEPTH}");
    refused(
        &deeper,
        Limit::Depth,
        MAX_DEPTH + 1,
        at_rule(&first_too_deep, "name"),
    );
}
