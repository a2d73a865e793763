//! The preview: every user group's answer for one family, as the CLI prints it and the browser
//! lab shows it — `{"groups": {"<area>/<isp>": {"healthy": bool, "dist": {"<value>": p}}}}`,
//! groups in display order, endpoints in `endpointsConf` order. Both sides serialise this one
//! type with serde_json, so equal probabilities print as equal text.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::area::UserGroup;
use super::evaluate::Evaluator;
use super::model::{Family, Health, Strategy};

#[derive(Clone, PartialEq, Debug)]
pub struct Preview {
    pub family: Family,
    /// All 165 groups, in [`UserGroup::all`] order.
    pub groups: Vec<GroupPreview>,
}

#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct GroupPreview {
    #[serde(skip)]
    pub group: UserGroup,
    pub healthy: bool,
    #[serde(serialize_with = "ordered_map")]
    pub dist: Vec<(String, f64)>,
}

impl Preview {
    pub fn compute(strategy: &Strategy, health: &[Health], family: Family) -> Preview {
        let mut evaluator = Evaluator::new(strategy, health);
        let groups = UserGroup::all()
            .map(|group| {
                let outcome = evaluator.outcome(group, family);
                let dist = outcome
                    .dist
                    .iter()
                    .map(|&(e, p)| (strategy.endpoint(e).value.clone(), p))
                    .collect();
                GroupPreview {
                    group,
                    healthy: outcome.healthy,
                    dist,
                }
            })
            .collect();
        Preview { family, groups }
    }

    pub fn group(&self, group: UserGroup) -> &GroupPreview {
        &self.groups[group.index()]
    }

    pub fn to_json(&self) -> String {
        // Strings, bools and finite floats always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether `strategy` answers no user group in either family with every endpoint up: enabled,
/// DNS would answer nothing at all (the service refuses that unless forced).
pub fn answers_nobody(strategy: &Strategy) -> bool {
    let health = strategy.health_unknown();
    Family::ALL.into_iter().all(|family| {
        let mut evaluator = Evaluator::new(strategy, &health);
        UserGroup::all().all(|group| evaluator.outcome(group, family).dist.is_empty())
    })
}

impl GroupPreview {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Preview {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Groups<'a>(&'a [GroupPreview]);
        impl Serialize for Groups<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for g in self.0 {
                    map.serialize_entry(&g.group.to_string(), g)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("groups", &Groups(&self.groups))?;
        map.end()
    }
}

fn ordered_map<S: Serializer>(entries: &[(String, f64)], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(entries.len()))?;
    for (k, v) in entries {
        map.serialize_entry(k, v)?;
    }
    map.end()
}
