//! Invalid strategies are refused with a message naming the rule, item or endpoint at fault;
//! lint warnings are reported beside valid ones; the recommendation follows the spec.

mod common;

use app::strategy::{EndpointConf, Family, Strategy, StrategyDocument, recommend};
use common::*;

fn errors(d: &StrategyDocument) -> Vec<String> {
    match Strategy::compile(d) {
        Ok(_) => panic!("expected the strategy to be refused"),
        Err(p) => p.errors.iter().map(ToString::to_string).collect(),
    }
}

fn one_rule(items: Vec<serde_json::Value>) -> StrategyDocument {
    doc(
        "root",
        vec![rule("wrr", "root", "none.CN", items)],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    )
}

fn assert_names(errors: &[String], parts: &[&str]) {
    assert!(
        errors.iter().any(|e| parts.iter().all(|p| e.contains(p))),
        "no error mentions all of {parts:?}: {errors:#?}"
    );
}

#[test]
fn cycle_is_refused_with_its_path() {
    let d = doc(
        "a",
        vec![
            rule("wrr", "a", "none.CN", vec![item("b", 1, 0, "")]),
            rule("wrr", "b", "none.CN", vec![item("c", 1, 0, "")]),
            rule(
                "wrr",
                "c",
                "none.CN",
                vec![item("a", 1, 0, ""), item("1.1.1.1", 1, 0, "")],
            ),
        ],
        vec![ep("A", "1.1.1.1", "beijing.CN")],
    );
    assert_names(&errors(&d), &["cycle", "a → b → c → a"]);
}

#[test]
fn dangling_reference_names_rule_item_and_reference() {
    let e = errors(&one_rule(vec![
        item("1.1.1.1", 1, 0, ""),
        item("9.9.9.9", 1, 0, ""),
    ]));
    assert_names(&e, &["rule \"root\"", "item 2", "\"9.9.9.9\"", "reference"]);
}

#[test]
fn no_enabled_a_endpoint_is_refused() {
    let mut d = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 1, 0, ""), item("2001:db8::1", 1, 0, "")],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("AAAA", "2001:db8::1", "beijing.CN"),
        ],
    );
    d.endpoints_conf[0].enable = false;
    assert_names(&errors(&d), &["at least one enabled A"]);
}

#[test]
fn bad_usersets_name_the_selector() {
    let d = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 0, "beijing.CN/cm;mars.CN/*"),
                item("2.2.2.2", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    assert_names(
        &errors(&d),
        &["rule \"root\"", "item 1", "usersets", "mars.CN"],
    );
}

#[test]
fn conflicting_mapping_items_are_refused_unless_weighted() {
    let conflict = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 0, "beijing.CN/*"),
                item("2.2.2.2", 0, 0, "beijing.CN/*;*/*"),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    let e = errors(&conflict);
    assert_names(&e, &["rule \"root\"", "beijing.CN/", "items 1, 2"]);
    assert_eq!(
        e.len(),
        1,
        "one report per clashing set, not one per group: {e:#?}"
    );
}

#[test]
fn unknown_area_and_isp_are_named() {
    let mut d = one_rule(vec![item("1.1.1.1", 1, 0, "")]);
    d.strategy.rules[0].area = "atlantis.CN".into();
    d.endpoints_conf[1].isp = "telecom".into();
    let e = errors(&d);
    assert_names(&e, &["rule \"root\"", "area", "atlantis.CN"]);
    assert_names(&e, &["endpoint \"2.2.2.2\"", "isp", "telecom"]);
}

#[test]
fn duplicate_rule_name_is_refused() {
    let d = doc(
        "root",
        vec![
            rule("wrr", "root", "none.CN", vec![item("1.1.1.1", 1, 0, "")]),
            rule("priority", "root", "none.CN", vec![]),
        ],
        vec![ep("A", "1.1.1.1", "beijing.CN")],
    );
    assert_names(&errors(&d), &["rule \"root\"", "name", "same name"]);
}

#[test]
fn weights_and_priorities_out_of_range_are_named() {
    let e = errors(&one_rule(vec![
        item("1.1.1.1", 100_001, 0, ""),
        item("2.2.2.2", -1, 1001, ""),
    ]));
    assert_names(&e, &["item 1", "weight", "100001"]);
    assert_names(&e, &["item 2", "weight", "-1"]);
    assert_names(&e, &["item 2", "priority", "1001"]);
}

#[test]
fn wrr_without_positive_weight_is_refused() {
    assert_names(
        &errors(&one_rule(vec![item("1.1.1.1", 0, 0, "")])),
        &["rule \"root\"", "weight > 0"],
    );
}

#[test]
fn start_must_name_an_enabled_rule() {
    let mut d = one_rule(vec![item("1.1.1.1", 1, 0, "")]);
    d.strategy.start = "nope".into();
    assert_names(&errors(&d), &["strategy.start", "nope"]);
    let mut d = one_rule(vec![item("1.1.1.1", 1, 0, "")]);
    d.strategy.rules[0].enable = false;
    assert_names(&errors(&d), &["strategy.start", "disabled"]);
}

#[test]
fn endpoint_values_must_fit_their_type() {
    let d = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 1, 0, "")],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "1.1.1.300", "beijing.CN"),
            ep("AAAA", "1.2.3.4", "beijing.CN"),
            ep("CNAME", "bad host!", "beijing.CN"),
            ep("MX", "mx.example.com", "beijing.CN"),
        ],
    );
    let e = errors(&d);
    assert_names(&e, &["endpoint \"1.1.1.300\"", "IPv4"]);
    assert_names(&e, &["endpoint \"1.2.3.4\"", "IPv6"]);
    assert_names(&e, &["endpoint \"bad host!\"", "host name"]);
    assert_names(&e, &["endpoint \"mx.example.com\"", "type", "MX"]);
}

#[test]
fn lint_warns_about_unreachable_rules_unreferenced_endpoints_and_clashes() {
    let d = doc(
        "root",
        vec![
            rule("wrr", "root", "none.CN", vec![item("1.1.1.1", 1, 0, "")]),
            rule("wrr", "orphan", "none.CN", vec![item("1.1.1.1", 1, 0, "")]),
            rule("wrr", "2.2.2.2", "none.CN", vec![item("1.1.1.1", 1, 0, "")]),
        ],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
        ],
    );
    let warnings: Vec<String> = Strategy::compile(&d)
        .expect("valid")
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_names(&warnings, &["rule \"orphan\"", "not reachable"]);
    assert_names(&warnings, &["endpoint \"3.3.3.3\"", "no rule references"]);
    assert_names(
        &warnings,
        &["\"2.2.2.2\"", "both a rule name and an endpoint"],
    );
}

fn conf(value: &str, area: &str) -> EndpointConf {
    serde_json::from_value(ep(
        if value.contains(':') { "AAAA" } else { "A" },
        value,
        area,
    ))
    .expect("endpoint")
}

/// The seed's shape for one area too (tools that edit the `北京` rule rely on it).
#[test]
fn recommend_one_area_is_geo_over_the_areas_wrr() {
    let doc = recommend(&[conf("1.1.1.1", "beijing.CN"), conf("1.1.1.2", "beijing.CN")]);
    assert_eq!(doc.strategy.rules.len(), 2);
    assert_eq!(doc.strategy.start, "根规则");
    assert_eq!(doc.strategy.rules[0].kind, "geoProximity");
    assert_eq!(doc.strategy.rules[0].items[0].reference, "北京");
    assert_eq!(doc.strategy.rules[1].kind, "wrr");
    assert_eq!(doc.strategy.rules[1].name, "北京");
    let s = compile(&doc);
    assert!(approx(
        &a(&s, &[], "xizang.CN/ct"),
        &[("1.1.1.1", 0.5), ("1.1.1.2", 0.5)]
    ));
}

#[test]
fn recommend_several_areas_is_geo_over_one_wrr_per_area() {
    let doc = recommend(&[
        conf("2.2.2.2", "shanghai.CN"),
        conf("1.1.1.1", "beijing.CN"),
        conf("2.2.2.3", "shanghai.CN"),
    ]);
    let names: Vec<&str> = doc.strategy.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["根规则", "北京", "上海"]);
    assert_eq!(doc.strategy.rules[0].kind, "geoProximity");
    assert_eq!(doc.strategy.rules[2].area, "shanghai.CN");
    let s = compile(&doc);
    assert!(approx(&a(&s, &[], "hebei.CN/ct"), &[("1.1.1.1", 1.0)]));
    assert!(approx(
        &a(&s, &[], "zhejiang.CN/ct"),
        &[("2.2.2.2", 0.5), ("2.2.2.3", 0.5)]
    ));
    assert!(approx(
        &a(&s, &["1.1.1.1"], "hebei.CN/ct"),
        &[("2.2.2.2", 0.5), ("2.2.2.3", 0.5)]
    ));
    let (v6, _) = answer(&s, &[], "hebei.CN/ct", Family::Aaaa);
    assert!(v6.is_empty());
}
