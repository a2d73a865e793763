//! What the editor warns about beyond validation's own warnings: groups that get no answer,
//! rules answering with one endpoint whose failure nothing covers, and A endpoints with no AAAA (or CNAME) for
//! IPv6 clients. Warnings never block enabling.

use super::stress::impact;
use crate::strategy::{
    EndpointKind, Family, Preview, Strategy, StrategyDocument, Target, UserGroup,
};

#[derive(Clone, PartialEq, Debug)]
pub enum Lint {
    /// Groups whose `family` query gets no answer with every endpoint up.
    NoAnswer {
        family: Family,
        groups: Vec<UserGroup>,
    },
    /// `rule` routes to a single endpoint, and its failure leaves some groups unserved.
    NoBackup { rule: String, endpoint: String },
    /// No enabled AAAA or CNAME endpoint: AAAA queries get no address.
    NoAaaa,
}

impl Lint {
    /// The rule the warning belongs to, if one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            Lint::NoBackup { rule, .. } => Some(rule),
            _ => None,
        }
    }
}

/// `previews`: the strategy's A and AAAA previews with every endpoint up.
pub fn lint(doc: &StrategyDocument, strategy: &Strategy, previews: &[Preview]) -> Vec<Lint> {
    let mut found = Vec::new();
    let has_v6 = strategy
        .endpoints
        .iter()
        .any(|e| e.enabled && matches!(e.kind, EndpointKind::Aaaa | EndpointKind::Cname));
    for preview in previews {
        if preview.family == Family::Aaaa && !has_v6 {
            continue;
        }
        let groups: Vec<UserGroup> = preview
            .groups
            .iter()
            .filter(|g| g.dist.is_empty())
            .map(|g| g.group)
            .collect();
        if !groups.is_empty() {
            found.push(Lint::NoAnswer {
                family: preview.family,
                groups,
            });
        }
    }
    // A rule with one endpoint is only a risk when nothing above it fails over: warn when that
    // endpoint's failure leaves some group without a healthy answer.
    for rule in &strategy.rules {
        if let [item] = rule.items.as_slice()
            && let Target::Endpoint(e) = item.target
            && rule.enabled
        {
            let endpoint = &strategy.endpoint(e).value;
            if !impact(strategy, previews, &[], endpoint).lost.is_empty() {
                found.push(Lint::NoBackup {
                    rule: rule.name.clone(),
                    endpoint: endpoint.clone(),
                });
            }
        }
    }
    if !has_v6 && !doc.endpoints_conf.is_empty() {
        found.push(Lint::NoAaaa);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::stress::previews;

    #[test]
    fn warns_of_unanswered_groups_lone_endpoints_and_missing_ipv6() {
        let doc = StrategyDocument::from_json(
            r#"{"strategy":{"start":"map","rules":[
            {"type":"usersetMapping","name":"map","items":[{"reference":"solo","usersets":"beijing.CN/*"}]},
            {"type":"wrr","name":"solo","items":[{"reference":"10.0.0.1","weight":1}]}]},
            "endpointsConf":[{"type":"A","value":"10.0.0.1"}]}"#,
        )
        .expect("parses");
        let s = Strategy::compile(&doc).expect("valid").strategy;
        let found = lint(&doc, &s, &previews(&s, &s.health_unknown()));
        let Some(Lint::NoAnswer { family, groups }) = found.first() else {
            panic!("no NoAnswer first: {found:?}");
        };
        assert_eq!(
            (*family, groups.len()),
            (Family::A, 160),
            "all but Beijing's 5 groups"
        );
        assert!(found.contains(&Lint::NoBackup {
            rule: "solo".into(),
            endpoint: "10.0.0.1".into()
        }));
        assert!(found.contains(&Lint::NoAaaa));
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn a_mapping_item_absent_for_a_family_leaves_no_group_unanswered_for_it() {
        // Anhui Mobile maps to an AAAA-only rule; for A it falls through to */* (issue 15), so
        // only AAAA has unanswered groups (every other group's */* item is A only). The v6 rule
        // still captures Anhui Mobile's AAAA queries when its endpoint is down: no backup.
        let doc = StrategyDocument::from_json(
            r#"{"strategy":{"start":"map","rules":[
            {"type":"usersetMapping","name":"map","items":[
              {"reference":"v6","usersets":"anhui.CN/cm"},{"reference":"192.0.2.1","usersets":"*/*"}]},
            {"type":"wrr","name":"v6","items":[{"reference":"2001:db8::2","weight":1}]}]},
            "endpointsConf":[{"type":"A","value":"192.0.2.1"},{"type":"AAAA","value":"2001:db8::2"}]}"#,
        )
        .expect("parses");
        let s = Strategy::compile(&doc).expect("valid").strategy;
        let found = lint(&doc, &s, &previews(&s, &s.health_unknown()));
        let anhui_mobile = UserGroup::parse("anhui.CN/cm").expect("group");
        let unanswered = |family: Family| {
            found.iter().find_map(|l| match l {
                Lint::NoAnswer { family: f, groups } if *f == family => Some(groups.clone()),
                _ => None,
            })
        };
        assert_eq!(unanswered(Family::A), None, "{found:?}");
        let v6 = unanswered(Family::Aaaa).expect("AAAA gaps");
        assert_eq!(v6.len(), UserGroup::COUNT - 1);
        assert!(!v6.contains(&anhui_mobile));
        assert!(found.contains(&Lint::NoBackup {
            rule: "v6".into(),
            endpoint: "2001:db8::2".into()
        }));
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_lone_endpoint_covered_by_a_failover_is_no_warning() {
        let doc = StrategyDocument::from_json(
            r#"{"strategy":{"start":"root","rules":[
            {"type":"geoProximity","name":"root","items":[{"reference":"bj"},{"reference":"sh"}]},
            {"type":"wrr","name":"bj","area":"beijing.CN","items":[{"reference":"10.0.0.1","weight":1}]},
            {"type":"wrr","name":"sh","area":"shanghai.CN","items":[{"reference":"10.0.0.2","weight":1}]}]},
            "endpointsConf":[{"type":"A","value":"10.0.0.1","area":"beijing.CN"},
                             {"type":"A","value":"10.0.0.2","area":"shanghai.CN"}]}"#,
        )
        .expect("parses");
        let s = Strategy::compile(&doc).expect("valid").strategy;
        let found = lint(&doc, &s, &previews(&s, &s.health_unknown()));
        // Each area rule holds one endpoint, but the geo-proximity parent fails over to the
        // other: no NoBackup. Only the missing IPv6 is worth a warning.
        assert_eq!(found, [Lint::NoAaaa]);
    }
}
