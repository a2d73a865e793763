//! The evaluator against `docs/strategy.md`: each rule type, fail-open, disabled endpoints,
//! `evalHealth`, families, usersets specificity, absent mapping targets falling through, shared
//! sub-rules and the four seed scenarios. Each test builds a strategy and checks a table of
//! [`Case`]s against it (what a group gets with which endpoints down); the few checks of another
//! shape (traces, warnings) follow their table.

mod common;

use app::strategy::{Family, Health, Reason, Strategy};
use common::*;

#[test]
fn wrr_splits_by_weight_and_renormalises_without_the_failed() {
    let d = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 1, 0, ""),
                item("2.2.2.2", 3, 0, ""),
                item("3.3.3.3", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
        ],
    );
    let both = [("1.1.1.1", 0.25), ("2.2.2.2", 0.75)];
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "beijing.CN/ct", &both),
            // Weight 0 is never a candidate, even when everything else is down.
            Case::a(&["2.2.2.2"], "beijing.CN/ct", &[("1.1.1.1", 1.0)]),
            // All candidates down is fail-open.
            Case::a(&["1.1.1.1", "2.2.2.2"], "beijing.CN/ct", &both).unhealthy(),
        ],
    );
}

#[test]
fn priority_takes_the_best_available_level_and_mixes_within_it() {
    let d = doc(
        "root",
        vec![rule(
            "priority",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 1, ""),
                item("2.2.2.2", 0, 1, ""),
                item("3.3.3.3", 2, 2, ""),
                item("4.4.4.4", 6, 2, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
            ep("A", "4.4.4.4", "beijing.CN"),
        ],
    );
    let first = [("1.1.1.1", 0.5), ("2.2.2.2", 0.5)];
    let all = ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"];
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "hebei.CN/cu", &first),
            Case::a(&["1.1.1.1"], "hebei.CN/cu", &[("2.2.2.2", 1.0)]),
            Case::a(
                &["1.1.1.1", "2.2.2.2"],
                "hebei.CN/cu",
                &[("3.3.3.3", 0.25), ("4.4.4.4", 0.75)],
            ),
            // Fail-open to the best level.
            Case::a(&all, "hebei.CN/cu", &first).unhealthy(),
        ],
    );
}

#[test]
fn geo_proximity_picks_the_nearest_available_and_splits_ties() {
    let d = doc(
        "root",
        vec![rule(
            "geoProximity",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 0, ""),
                item("1.1.1.2", 0, 0, ""),
                item("2.2.2.2", 0, 0, ""),
                item("3.3.3.3", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "1.1.1.2", "beijing.CN"),
            ep("A", "2.2.2.2", "shanghai.CN"),
            ep("A", "3.3.3.3", "guangdong.CN"),
        ],
    );
    let s = compile(&d);
    let third = 1.0 / 3.0;
    expect_answers(
        &s,
        &[
            Case::a(&[], "tianjin.CN/cm", &[("1.1.1.1", 0.5), ("1.1.1.2", 0.5)]),
            Case::a(&[], "zhejiang.CN/ct", &[("2.2.2.2", 1.0)]),
            Case::a(&[], "hainan.CN/ct", &[("3.3.3.3", 1.0)]),
            // Beijing down: Tianjin's nearest survivor is Shanghai (≈1 000 km) not Guangzhou.
            Case::a(
                &["1.1.1.1", "1.1.1.2"],
                "tianjin.CN/cm",
                &[("2.2.2.2", 1.0)],
            ),
            // No capital: every available child equally.
            Case::a(
                &["3.3.3.3"],
                "none.abroad/other",
                &[("1.1.1.1", third), ("1.1.1.2", third), ("2.2.2.2", third)],
            ),
        ],
    );
    let e = s.evaluate(&s.health_unknown(), group("zhejiang.CN/ct"), Family::A);
    assert!(matches!(e.trace[0].reason, Reason::Nearest { km } if km > 100.0 && km < 200.0));
}

#[test]
fn geo_proximity_uses_a_sub_rules_own_area() {
    let d = doc(
        "root",
        vec![
            rule(
                "geoProximity",
                "root",
                "none.CN",
                vec![item("north", 0, 0, ""), item("south", 0, 0, "")],
            ),
            rule(
                "wrr",
                "north",
                "beijing.CN",
                vec![item("1.1.1.1", 1, 0, "")],
            ),
            rule(
                "wrr",
                "south",
                "guangdong.CN",
                vec![item("2.2.2.2", 1, 0, "")],
            ),
        ],
        // The endpoints' own areas are deliberately swapped: the rule's area decides.
        vec![
            ep("A", "1.1.1.1", "guangdong.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "hebei.CN/ct", &[("1.1.1.1", 1.0)]),
            Case::a(&[], "guangxi.CN/ct", &[("2.2.2.2", 1.0)]),
        ],
    );
}

#[test]
fn userset_mapping_follows_specificity_then_default() {
    let d = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 0, "beijing.CN/cm"),
                item("2.2.2.2", 0, 0, "beijing.CN/*"),
                item("3.3.3.3", 0, 0, "*/cm"),
                item("4.4.4.4", 0, 0, "*/*"),
                item("5.5.5.5", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
            ep("A", "4.4.4.4", "beijing.CN"),
            ep("A", "5.5.5.5", "beijing.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "beijing.CN/cm", &[("1.1.1.1", 1.0)]),
            Case::a(&[], "beijing.CN/ct", &[("2.2.2.2", 1.0)]),
            Case::a(&[], "hebei.CN/cm", &[("3.3.3.3", 1.0)]),
            Case::a(&[], "hebei.CN/ct", &[("4.4.4.4", 1.0)]),
            // No failover inside a mapping: the mapped endpoint is answered, unhealthy.
            Case::a(&["1.1.1.1"], "beijing.CN/cm", &[("1.1.1.1", 1.0)]).unhealthy(),
        ],
    );
}

#[test]
fn userset_mapping_default_item_and_unmapped_groups() {
    let with_default = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 0, 0, "shanghai.CN/*"),
                item("2.2.2.2", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "shanghai.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    expect_answers(
        &compile(&with_default),
        &[
            Case::a(&[], "shanghai.CN/cu", &[("1.1.1.1", 1.0)]),
            Case::a(&[], "xinjiang.CN/cu", &[("2.2.2.2", 1.0)]),
        ],
    );

    let without_default = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 0, 0, "shanghai.CN/*")],
        )],
        vec![ep("A", "1.1.1.1", "shanghai.CN")],
    );
    let compiled = Strategy::compile(&without_default).expect("valid, with a warning");
    assert!(
        compiled
            .warnings
            .iter()
            .any(|w| w.to_string().contains("no default item"))
    );
    expect_answers(
        &compiled.strategy,
        &[Case::a(&[], "xinjiang.CN/cu", &[]).unhealthy()],
    );
}

#[test]
fn userset_mapping_splits_weighted_items_at_equal_specificity() {
    let d = doc(
        "root",
        vec![rule(
            "usersetMapping",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 1, 0, "beijing.CN/*"),
                item("2.2.2.2", 4, 0, "beijing.CN/*"),
                item("3.3.3.3", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
        ],
    );
    let s = compile(&d);
    expect_answers(
        &s,
        &[Case::a(
            &[],
            "beijing.CN/ct",
            &[("1.1.1.1", 0.2), ("2.2.2.2", 0.8)],
        )],
    );
    // Mixed children: healthy only if every one is, so a parent fails over.
    let (_, healthy) = answer(&s, &["2.2.2.2"], "beijing.CN/ct", Family::A);
    assert!(!healthy);
}

#[test]
fn disabled_endpoints_and_rules_are_absent() {
    let mut d = doc(
        "root",
        vec![
            rule(
                "wrr",
                "root",
                "none.CN",
                vec![
                    item("1.1.1.1", 1, 0, ""),
                    item("2.2.2.2", 1, 0, ""),
                    item("sub", 1, 0, ""),
                ],
            ),
            rule("wrr", "sub", "none.CN", vec![item("3.3.3.3", 1, 0, "")]),
        ],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
        ],
    );
    d.endpoints_conf[1].enable = false;
    d.strategy.rules[1].enable = false;
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "beijing.CN/ct", &[("1.1.1.1", 1.0)]),
            // Absent endpoints are not even fail-open candidates.
            Case::a(&["1.1.1.1"], "beijing.CN/ct", &[("1.1.1.1", 1.0)]).unhealthy(),
        ],
    );
}

#[test]
fn eval_health_false_is_never_removed() {
    let mut d = doc(
        "root",
        vec![rule(
            "priority",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 0, 1, ""), item("2.2.2.2", 0, 2, "")],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    d.endpoints_conf[0].eval_health = false;
    expect_answers(
        &compile(&d),
        &[Case::a(&["1.1.1.1"], "beijing.CN/ct", &[("1.1.1.1", 1.0)])],
    );
}

#[test]
fn families_filter_endpoints_and_cname_fits_both() {
    let d = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![
                item("1.1.1.1", 1, 0, ""),
                item("2001:db8::1", 1, 0, ""),
                item("cdn.example.net", 2, 0, ""),
            ],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("AAAA", "2001:db8::1", "beijing.CN"),
            ep("CNAME", "cdn.example.net", "beijing.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(
                &[],
                "beijing.CN/ct",
                &[("1.1.1.1", 1.0 / 3.0), ("cdn.example.net", 2.0 / 3.0)],
            ),
            Case::aaaa(
                &[],
                "beijing.CN/ct",
                &[("2001:db8::1", 1.0 / 3.0), ("cdn.example.net", 2.0 / 3.0)],
            ),
        ],
    );
    let only_a = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 1, 0, "")],
        )],
        vec![ep("A", "1.1.1.1", "beijing.CN")],
    );
    expect_answers(
        &compile(&only_a),
        // No AAAA endpoint: empty (NODATA).
        &[Case::aaaa(&[], "beijing.CN/ct", &[]).unhealthy()],
    );
}

#[test]
fn a_shared_sub_rule_is_evaluated_once_and_used_by_each_parent() {
    let d = doc(
        "root",
        vec![
            rule(
                "wrr",
                "root",
                "none.CN",
                vec![item("left", 1, 0, ""), item("right", 1, 0, "")],
            ),
            rule(
                "priority",
                "left",
                "none.CN",
                vec![item("1.1.1.1", 0, 1, ""), item("shared", 0, 2, "")],
            ),
            rule(
                "priority",
                "right",
                "none.CN",
                vec![item("2.2.2.2", 0, 1, ""), item("shared", 0, 2, "")],
            ),
            rule("wrr", "shared", "none.CN", vec![item("3.3.3.3", 1, 0, "")]),
        ],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
            ep("A", "3.3.3.3", "beijing.CN"),
        ],
    );
    let s = compile(&d);
    expect_answers(
        &s,
        &[
            Case::a(
                &["1.1.1.1"],
                "beijing.CN/ct",
                &[("2.2.2.2", 0.5), ("3.3.3.3", 0.5)],
            ),
            Case::a(
                &["1.1.1.1", "2.2.2.2"],
                "beijing.CN/ct",
                &[("3.3.3.3", 1.0)],
            ),
        ],
    );
    let e = s.evaluate(
        &app::strategy::health_with_down(&s, ["1.1.1.1"]).0,
        group("beijing.CN/ct"),
        Family::A,
    );
    let names: Vec<&str> = e
        .trace
        .iter()
        .map(|t| s.rule(t.rule).name.as_str())
        .collect();
    assert_eq!(
        names,
        ["root", "left", "shared", "right"],
        "trace lists each deciding rule once"
    );
}

#[test]
fn mapping_under_priority_gets_per_group_failover() {
    // The seed's advice: combine usersetMapping with priority for per-group failover.
    let d = doc(
        "root",
        vec![
            rule(
                "priority",
                "root",
                "none.CN",
                vec![item("map", 0, 1, ""), item("9.9.9.9", 0, 2, "")],
            ),
            rule(
                "usersetMapping",
                "map",
                "none.CN",
                vec![
                    item("1.1.1.1", 0, 0, "beijing.CN/*"),
                    item("2.2.2.2", 0, 0, ""),
                ],
            ),
        ],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "shanghai.CN"),
            ep("A", "9.9.9.9", "guangdong.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&["1.1.1.1"], "beijing.CN/ct", &[("9.9.9.9", 1.0)]),
            Case::a(&["1.1.1.1"], "hebei.CN/ct", &[("2.2.2.2", 1.0)]),
        ],
    );
}

#[test]
fn seed_scenario_1_primary_backup() {
    let d = doc(
        "主备",
        vec![rule(
            "priority",
            "主备",
            "none.CN",
            vec![
                item("10.0.0.1", 0, 1, ""),
                item("10.0.0.2", 0, 2, ""),
                item("10.0.0.3", 0, 3, ""),
            ],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "beijing.CN"),
            ep("A", "10.0.0.3", "shanghai.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "sichuan.CN/cm", &[("10.0.0.1", 1.0)]),
            Case::a(&["10.0.0.1"], "sichuan.CN/cm", &[("10.0.0.2", 1.0)]),
            Case::a(
                &["10.0.0.1", "10.0.0.2"],
                "sichuan.CN/cm",
                &[("10.0.0.3", 1.0)],
            ),
        ],
    );
}

#[test]
fn seed_scenario_2_multi_active_load_balancing() {
    let d = doc(
        "多活",
        vec![rule(
            "wrr",
            "多活",
            "none.CN",
            vec![
                item("10.0.0.1", 2, 0, ""),
                item("10.0.0.2", 3, 0, ""),
                item("10.0.0.3", 5, 0, ""),
            ],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "beijing.CN"),
            ep("A", "10.0.0.3", "beijing.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(
                &[],
                "beijing.CN/cu",
                &[("10.0.0.1", 0.2), ("10.0.0.2", 0.3), ("10.0.0.3", 0.5)],
            ),
            // The survivors keep their relative weights 2:5.
            Case::a(
                &["10.0.0.2"],
                "beijing.CN/cu",
                &[("10.0.0.1", 2.0 / 7.0), ("10.0.0.3", 5.0 / 7.0)],
            ),
        ],
    );
}

#[test]
fn seed_scenario_3_nearest_with_fault_tolerance() {
    let d = doc(
        "就近",
        vec![rule(
            "geoProximity",
            "就近",
            "none.CN",
            vec![item("10.0.0.1", 0, 0, ""), item("10.0.0.2", 0, 0, "")],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "shanghai.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "beijing.CN/ct", &[("10.0.0.1", 1.0)]),
            Case::a(&[], "shanghai.CN/ct", &[("10.0.0.2", 1.0)]),
            Case::a(&["10.0.0.1"], "beijing.CN/ct", &[("10.0.0.2", 1.0)]),
        ],
    );
}

#[test]
fn seed_scenario_4_smart_resolution() {
    let d = doc(
        "智能解析",
        vec![rule(
            "usersetMapping",
            "智能解析",
            "none.CN",
            vec![
                item("10.0.0.1", 0, 0, "beijing.CN/cm;shanghai.CN/cm"),
                item("10.0.0.2", 0, 0, "*/cu"),
                item("10.0.0.3", 0, 0, ""),
            ],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "shanghai.CN"),
            ep("A", "10.0.0.3", "guangdong.CN"),
        ],
    );
    expect_answers(
        &compile(&d),
        &[
            Case::a(&[], "beijing.CN/cm", &[("10.0.0.1", 1.0)]),
            Case::a(&[], "shanghai.CN/cm", &[("10.0.0.1", 1.0)]),
            Case::a(&[], "hunan.CN/cu", &[("10.0.0.2", 1.0)]),
            Case::a(&[], "hunan.CN/ct", &[("10.0.0.3", 1.0)]),
            Case::a(&[], "none.abroad/other", &[("10.0.0.3", 1.0)]),
        ],
    );
}

/// Issue 15, item 1: a mapping item whose target has nothing of the asked family is absent for
/// that family, and the group falls through to the next most specific item.
fn anhui_mobile_v6_and_a_default(v6_target: &str, extra_rules: Vec<serde_json::Value>) -> Strategy {
    let mut rules = vec![rule(
        "usersetMapping",
        "root",
        "none.CN",
        vec![
            item(v6_target, 1, 0, "anhui.CN/cm"),
            item("192.0.2.1", 1, 0, "*/*"),
        ],
    )];
    rules.extend(extra_rules);
    compile(&doc(
        "root",
        rules,
        vec![
            ep("A", "192.0.2.1", "beijing.CN"),
            ep("A", "192.0.2.2", "anhui.CN"),
            ep("AAAA", "2001:db8::2", "anhui.CN"),
        ],
    ))
}

#[test]
fn a_mapping_item_with_only_aaaa_falls_through_for_a_queries() {
    let s = anhui_mobile_v6_and_a_default("2001:db8::2", Vec::new());
    expect_answers(
        &s,
        &[
            Case::a(&[], "anhui.CN/cm", &[("192.0.2.1", 1.0)]),
            // AAAA still goes to the Anhui Mobile item; other groups' */* item has no AAAA:
            // nothing.
            Case::aaaa(&[], "anhui.CN/cm", &[("2001:db8::2", 1.0)]),
            Case::aaaa(&[], "beijing.CN/cm", &[]).unhealthy(),
        ],
    );
    let e = s.evaluate(&s.health_unknown(), group("anhui.CN/cm"), Family::A);
    assert_eq!(
        e.trace[0].reason,
        Reason::Mapped(app::strategy::Specificity::AnyGroup),
        "decided by the */* item"
    );
}

#[test]
fn a_mapping_item_whose_rule_weights_only_aaaa_falls_through_for_a_queries() {
    // wrr{AAAA weight 1, A weight 0}: the A endpoint can never be chosen, so for A the rule has
    // nothing under it.
    let v6 = rule(
        "wrr",
        "v6",
        "anhui.CN",
        vec![item("2001:db8::2", 1, 0, ""), item("192.0.2.2", 0, 0, "")],
    );
    expect_answers(
        &anhui_mobile_v6_and_a_default("v6", vec![v6]),
        &[
            Case::a(&[], "anhui.CN/cm", &[("192.0.2.1", 1.0)]),
            Case::aaaa(&[], "anhui.CN/cm", &[("2001:db8::2", 1.0)]),
        ],
    );
}

#[test]
fn a_down_mapping_target_still_captures_its_groups() {
    // Absent is about the family, not health: a target with an A endpoint that is down is
    // answered as it is (no failover inside a mapping), unhealthy, so a parent can fail over.
    expect_answers(
        &anhui_mobile_v6_and_a_default("192.0.2.2", Vec::new()),
        &[Case::a(&["192.0.2.2"], "anhui.CN/cm", &[("192.0.2.2", 1.0)]).unhealthy()],
    );
    // A priority target whose first level is AAAA only and second is A: present for A (its
    // second level answers), so it captures the group too.
    let levels = rule(
        "priority",
        "levels",
        "anhui.CN",
        vec![item("2001:db8::2", 0, 1, ""), item("192.0.2.2", 0, 2, "")],
    );
    expect_answers(
        &anhui_mobile_v6_and_a_default("levels", vec![levels]),
        &[Case::a(&[], "anhui.CN/cm", &[("192.0.2.2", 1.0)])],
    );
}

#[test]
fn disabled_and_unmapping_targets_are_absent_and_the_next_claim_answers() {
    let mut d = doc(
        "root",
        vec![
            rule(
                "usersetMapping",
                "root",
                "none.CN",
                vec![
                    item("off", 1, 0, "anhui.CN/cm"),
                    item("192.0.2.2", 1, 0, "anhui.CN/*"),
                    item("beijing only", 1, 0, "*/cm"),
                    item("192.0.2.3", 2, 0, "*/cm"),
                    item("192.0.2.1", 1, 0, ""),
                ],
            ),
            rule("wrr", "off", "none.CN", vec![item("192.0.2.9", 1, 0, "")]),
            rule(
                "usersetMapping",
                "beijing only",
                "none.CN",
                vec![item("192.0.2.4", 1, 0, "beijing.CN/*")],
            ),
        ],
        vec![
            ep("A", "192.0.2.1", "beijing.CN"),
            ep("A", "192.0.2.2", "anhui.CN"),
            ep("A", "192.0.2.3", "hubei.CN"),
            ep("A", "192.0.2.4", "beijing.CN"),
            ep("A", "192.0.2.9", "anhui.CN"),
        ],
    );
    d.strategy.rules[1].enable = false;
    expect_answers(
        &compile(&d),
        &[
            // A disabled rule is absent: Anhui Mobile falls to anhui.CN/*.
            Case::a(&[], "anhui.CN/cm", &[("192.0.2.2", 1.0)]),
            // Hubei Mobile: at */cm the nested mapping has nothing for Hubei (absent), so its
            // sibling at the same specificity takes the whole group; Beijing Mobile splits 1:2
            // between them.
            Case::a(&[], "hubei.CN/cm", &[("192.0.2.3", 1.0)]),
            Case::a(
                &[],
                "beijing.CN/cm",
                &[("192.0.2.3", 2.0 / 3.0), ("192.0.2.4", 1.0 / 3.0)],
            ),
        ],
    );
    // A disabled endpoint is absent too; with every claim absent the default answers.
    d.endpoints_conf[2].enable = false;
    expect_answers(
        &compile(&d),
        &[Case::a(&[], "hubei.CN/cm", &[("192.0.2.1", 1.0)])],
    );
}

#[test]
fn unknown_health_counts_as_up() {
    let d = doc(
        "root",
        vec![rule(
            "priority",
            "root",
            "none.CN",
            vec![item("1.1.1.1", 0, 1, ""), item("2.2.2.2", 0, 2, "")],
        )],
        vec![
            ep("A", "1.1.1.1", "beijing.CN"),
            ep("A", "2.2.2.2", "beijing.CN"),
        ],
    );
    let s = compile(&d);
    for h in [Health::Unknown, Health::Up] {
        let e = s.evaluate(&health_all(&s, h), group("beijing.CN/ct"), Family::A);
        assert_eq!(e.dist.len(), 1);
        assert!(e.healthy);
    }
}
