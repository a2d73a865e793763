//! The scheduling results' preview ([`DomainSchedule::preview`]) natively: the server's first
//! render and the browser both compute it, so its mapping of the monitor's statuses onto the
//! evaluator's health is checked here where a wrong mapping shows as a wrong answer.

mod common;

use app::model::{DomainSchedule, EndpointStatus};
use app::strategy::{Family, Preview, UserGroup};
use common::*;

fn schedule(
    document: app::strategy::StrategyDocument,
    health: &[(&str, EndpointStatus)],
) -> DomainSchedule {
    DomainSchedule {
        document,
        enabled_version: Some(3),
        health: health.iter().map(|(v, s)| ((*v).to_owned(), *s)).collect(),
    }
}

/// Every group of `preview` gets `dist`, healthy or not as said (the rule under test has no
/// area or ISP of its own, so all 165 groups must agree).
#[track_caller]
fn every_group_gets(preview: &Preview, dist: &[(&str, f64)], healthy: bool) {
    assert_eq!(preview.groups.len(), UserGroup::all().count());
    for g in &preview.groups {
        assert!(
            approx(&g.dist, dist) && g.healthy == healthy,
            "{}: got {:?} healthy {}, expected {dist:?} healthy {healthy}",
            g.group,
            g.dist,
            g.healthy
        );
    }
}

#[test]
fn no_strategy_is_no_preview() {
    // Endpoints added but no rule yet: what a domain looks like before its first strategy.
    let document = doc("root", vec![], vec![ep("A", "10.0.0.1", "beijing.CN")]);
    let s = schedule(document, &[("10.0.0.1", EndpointStatus::Ok)]);
    assert_eq!(s.preview(Family::A), Err("no strategy".to_owned()));
    assert_eq!(s.preview(Family::Aaaa), Err("no strategy".to_owned()));
}

#[test]
fn an_invalid_stored_strategy_is_its_validation_messages() {
    let document = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![
                item("10.0.0.1", 1, 0, ""),
                item("9.9.9.9", 1, 0, ""),
                item("8.8.8.8", 1, 0, ""),
            ],
        )],
        vec![ep("A", "10.0.0.1", "beijing.CN")],
    );
    let expected: Vec<String> = match app::strategy::Strategy::compile(&document) {
        Ok(_) => panic!("the document has two dangling references"),
        Err(p) => p.errors.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(expected.len(), 2, "{expected:?}");
    let message = schedule(document, &[])
        .preview(Family::A)
        .expect_err("an invalid strategy has no preview");
    assert_eq!(message, expected.join("; "));
    // Each reference is named, in the order of the items.
    let (first, second) = message.split_once("; ").expect("two messages");
    assert!(
        first.contains("\"9.9.9.9\"") && first.contains("item 2"),
        "{first}"
    );
    assert!(
        second.contains("\"8.8.8.8\"") && second.contains("item 3"),
        "{second}"
    );
}

/// One wrr over an endpoint of each status: failed, ok, explicitly unknown and never probed
/// (no status at all), plus two AAAA ones (failed, never probed).
fn each_status() -> DomainSchedule {
    let document = doc(
        "root",
        vec![rule(
            "wrr",
            "root",
            "none.CN",
            vec![
                item("10.0.0.1", 1, 0, ""),
                item("10.0.0.2", 1, 0, ""),
                item("10.0.0.3", 1, 0, ""),
                item("10.0.0.4", 1, 0, ""),
                item("2001:db8::1", 1, 0, ""),
                item("2001:db8::2", 1, 0, ""),
            ],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "beijing.CN"),
            ep("A", "10.0.0.3", "beijing.CN"),
            ep("A", "10.0.0.4", "beijing.CN"),
            ep("AAAA", "2001:db8::1", "beijing.CN"),
            ep("AAAA", "2001:db8::2", "beijing.CN"),
        ],
    );
    // Listed in another order than the document's, and with a status for an endpoint the
    // strategy does not have: health is matched by value, not by position.
    schedule(
        document,
        &[
            ("10.9.9.9", EndpointStatus::Fail),
            ("2001:db8::1", EndpointStatus::Fail),
            ("10.0.0.4", EndpointStatus::Unknown),
            ("10.0.0.2", EndpointStatus::Ok),
            ("10.0.0.1", EndpointStatus::Fail),
        ],
    )
}

#[test]
fn a_failed_endpoint_is_avoided_and_ok_or_unknown_ones_answer() {
    let s = each_status();
    let third = 1.0 / 3.0;
    every_group_gets(
        &s.preview(Family::A).expect("valid strategy"),
        &[
            ("10.0.0.2", third),
            ("10.0.0.3", third),
            ("10.0.0.4", third),
        ],
        true,
    );
    every_group_gets(
        &s.preview(Family::Aaaa).expect("valid strategy"),
        &[("2001:db8::2", 1.0)],
        true,
    );
}

#[test]
fn with_every_endpoint_failed_the_answer_fails_open_unhealthy() {
    let mut s = each_status();
    s.health = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
        .into_iter()
        .map(|v| (v.to_owned(), EndpointStatus::Fail))
        .collect();
    let quarter = 0.25;
    every_group_gets(
        &s.preview(Family::A).expect("valid strategy"),
        &[
            ("10.0.0.1", quarter),
            ("10.0.0.2", quarter),
            ("10.0.0.3", quarter),
            ("10.0.0.4", quarter),
        ],
        false,
    );
    // AAAA is untouched: neither of its endpoints has a status now.
    every_group_gets(
        &s.preview(Family::Aaaa).expect("valid strategy"),
        &[("2001:db8::1", 0.5), ("2001:db8::2", 0.5)],
        true,
    );
}

/// A primary/backup strategy over Beijing and Sichuan endpoints: the recommendation (geo
/// proximity) moves the groups nearer Sichuan, under the live health; with Beijing down, the
/// primary answers nobody healthily, and the diff says so too.
#[test]
fn the_recommendations_diff_is_the_groups_whose_answer_moves() {
    let document = doc(
        "pb",
        vec![rule(
            "priority",
            "pb",
            "none.CN",
            vec![item("10.0.0.1", 0, 1, ""), item("10.0.0.2", 0, 2, "")],
        )],
        vec![
            ep("A", "10.0.0.1", "beijing.CN"),
            ep("A", "10.0.0.2", "sichuan.CN"),
        ],
    );
    let up = schedule(document.clone(), &[]);
    let (recommended, changes) = up.recommendation_changes();
    assert_eq!(recommended.strategy.start, app::strategy::ROOT_RULE);
    let changes = changes.expect("a strategy is enabled");
    let sichuan = UserGroup::new(
        app::strategy::Area::from_code("sichuan.CN").expect("area"),
        app::strategy::Isp::Ct,
    );
    let moved = changes
        .iter()
        .find(|c| c.family == Family::A && c.group == sichuan)
        .expect("Sichuan's answer moves to its own endpoint");
    assert_eq!(moved.before.dist, vec![("10.0.0.1".to_owned(), 1.0)]);
    assert_eq!(moved.after.dist, vec![("10.0.0.2".to_owned(), 1.0)]);
    let beijing = UserGroup::new(
        app::strategy::Area::from_code("beijing.CN").expect("area"),
        app::strategy::Isp::Ct,
    );
    assert!(
        changes.iter().all(|c| c.group != beijing),
        "Beijing keeps its answer"
    );

    // Nothing enabled: no diff to show (every group gets its first answer).
    let mut none = up.clone();
    none.document.strategy.rules.clear();
    assert_eq!(none.recommendation_changes().1, None);

    // The recommendation of a recommended strategy changes nothing.
    let same = schedule(recommended, &[("10.0.0.1", EndpointStatus::Fail)]);
    assert_eq!(same.recommendation_changes().1, Some(Vec::new()));
}
