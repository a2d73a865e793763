//! The recommended strategy (seed: 自动推荐策略), from the domain's endpoints alone, in the seed's
//! shape whatever the number of areas: a root `geoProximity` rule `根规则` over one `wrr` rule
//! per area (named after the area, `北京`, weight 1 per endpoint), so users go to the nearest
//! area and fail over to the next nearest. Tools that edit the `北京` rule rely on the shape, so
//! a single area gets it too.

use super::area::Area;
use super::wire::{EndpointConf, ItemConf, RuleConf, StrategyDocument, StrategyTree};

pub const ROOT_RULE: &str = "根规则";

pub fn recommend(endpoints: &[EndpointConf]) -> StrategyDocument {
    let enabled: Vec<&EndpointConf> = endpoints.iter().filter(|e| e.enable).collect();
    let mut areas: Vec<&str> = Vec::new();
    for e in &enabled {
        if !areas.contains(&e.area.as_str()) {
            areas.push(&e.area);
        }
    }
    // Areas in the product's display order, unknown codes last (validation will name them).
    areas.sort_by_key(|code| Area::from_code(code).map_or(usize::MAX, Area::index));

    let mut rules = vec![RuleConf {
        kind: "geoProximity".into(),
        area: "none.CN".into(),
        isp: "other".into(),
        name: ROOT_RULE.into(),
        enable: true,
        items: areas.iter().map(|&a| item(area_rule_name(a), 0)).collect(),
    }];
    for &area in &areas {
        let members: Vec<&EndpointConf> =
            enabled.iter().copied().filter(|e| e.area == area).collect();
        rules.push(wrr_rule(&area_rule_name(area), area, &members));
    }
    StrategyDocument {
        status: String::new(),
        strategy: StrategyTree {
            start: ROOT_RULE.into(),
            rules,
        },
        endpoints_conf: endpoints.to_vec(),
    }
}

/// The area's Chinese name (`北京`), or its code when it is not a known area.
fn area_rule_name(code: &str) -> String {
    Area::from_code(code).map_or_else(|| code.to_owned(), |a| a.info().name_zh.to_owned())
}

fn wrr_rule(name: &str, area: &str, endpoints: &[&EndpointConf]) -> RuleConf {
    RuleConf {
        kind: "wrr".into(),
        area: area.into(),
        isp: "other".into(),
        name: name.into(),
        enable: true,
        items: endpoints.iter().map(|e| item(e.value.clone(), 1)).collect(),
    }
}

fn item(reference: String, weight: i64) -> ItemConf {
    ItemConf {
        reference,
        weight,
        priority: 0,
        usersets: String::new(),
    }
}
