//! The validated, typed strategy the evaluator runs on. Rules and endpoints are addressed by
//! index, references are resolved, codes are enums: evaluation never looks anything up by name.
//! Built only by `validate` (see [`Strategy::compile`]), so every value here is known to be good.

use std::fmt;

use super::area::{Area, Isp};
use super::usersets::Usersets;

/// Index of an endpoint in [`Strategy::endpoints`] (the order of `endpointsConf`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EndpointId(pub u32);

/// Index of a rule in [`Strategy::rules`] (the order of `strategy.rules`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RuleId(pub u32);

impl EndpointId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl RuleId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The record family a DNS query asks for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Family {
    A,
    Aaaa,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::A, Family::Aaaa];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(text: &str) -> Option<Family> {
        match text.to_ascii_uppercase().as_str() {
            "A" => Some(Family::A),
            "AAAA" => Some(Family::Aaaa),
            _ => None,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::A => "A",
            Family::Aaaa => "AAAA",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EndpointKind {
    A,
    Aaaa,
    Cname,
}

impl EndpointKind {
    pub fn parse(text: &str) -> Option<EndpointKind> {
        match text {
            "A" => Some(EndpointKind::A),
            "AAAA" => Some(EndpointKind::Aaaa),
            "CNAME" => Some(EndpointKind::Cname),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            EndpointKind::A => "A",
            EndpointKind::Aaaa => "AAAA",
            EndpointKind::Cname => "CNAME",
        }
    }

    /// CNAME endpoints answer queries of both families.
    pub fn fits(self, family: Family) -> bool {
        matches!(
            (self, family),
            (EndpointKind::Cname, _)
                | (EndpointKind::A, Family::A)
                | (EndpointKind::Aaaa, Family::Aaaa)
        )
    }
}

/// What the monitor currently believes about an endpoint. `Unknown` counts as up.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Health {
    #[default]
    Unknown,
    Up,
    Down,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Endpoint {
    pub kind: EndpointKind,
    pub value: String,
    pub area: Area,
    pub isp: Isp,
    pub eval_health: bool,
    pub enabled: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RuleKind {
    Wrr,
    Priority,
    GeoProximity,
    UsersetMapping,
}

impl RuleKind {
    pub const ALL: [RuleKind; 4] = [
        RuleKind::Wrr,
        RuleKind::Priority,
        RuleKind::GeoProximity,
        RuleKind::UsersetMapping,
    ];

    pub fn parse(text: &str) -> Option<RuleKind> {
        Self::ALL.into_iter().find(|k| k.code() == text)
    }

    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Wrr => "wrr",
            RuleKind::Priority => "priority",
            RuleKind::GeoProximity => "geoProximity",
            RuleKind::UsersetMapping => "usersetMapping",
        }
    }
}

#[derive(Clone, PartialEq, Debug)]
pub struct Rule {
    pub name: String,
    pub kind: RuleKind,
    pub area: Area,
    pub isp: Isp,
    pub enabled: bool,
    pub items: Vec<Item>,
}

/// What an item points at.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Target {
    Rule(RuleId),
    Endpoint(EndpointId),
}

/// The largest item weight validation accepts (`0..=MAX_WEIGHT`).
pub const MAX_WEIGHT: i64 = 100_000;
/// The largest item priority validation accepts (`0..=MAX_PRIORITY`).
pub const MAX_PRIORITY: i64 = 1_000;

#[derive(Clone, PartialEq, Debug)]
pub struct Item {
    pub target: Target,
    pub weight: u32,
    pub priority: u32,
    pub usersets: Usersets,
}

/// A validated strategy: the DAG of rules rooted at `root`, and the endpoints its leaves name.
#[derive(Clone, PartialEq, Debug)]
pub struct Strategy {
    pub endpoints: Vec<Endpoint>,
    pub rules: Vec<Rule>,
    pub root: RuleId,
}

impl Strategy {
    pub fn endpoint(&self, id: EndpointId) -> &Endpoint {
        &self.endpoints[id.index()]
    }

    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }

    pub fn endpoint_id(&self, value: &str) -> Option<EndpointId> {
        self.endpoints
            .iter()
            .position(|e| e.value == value)
            .map(|i| EndpointId(i as u32))
    }

    /// Health for every endpoint: all `Unknown` (which counts as up).
    pub fn health_unknown(&self) -> Vec<Health> {
        vec![Health::Unknown; self.endpoints.len()]
    }

    /// The name an item's target is known by (a rule's name or an endpoint's value).
    pub fn target_name(&self, target: Target) -> &str {
        match target {
            Target::Rule(r) => &self.rule(r).name,
            Target::Endpoint(e) => &self.endpoint(e).value,
        }
    }
}
