//! The four rule types. Each file holds one type's validation and its decision: given the
//! outcomes of the rule's children for one user group, which children get what share, whether
//! the result is healthy, and why. The evaluator does the recursion and the mixing; a new rule
//! type is one file here plus one arm in each `match` below.

mod geo_proximity;
mod priority;
mod userset_mapping;
mod wrr;

use super::area::{Area, UserGroup};
use super::model::{Item, Rule, RuleKind};
use super::outcome::Outcome;
use super::problem::{ProblemKind, Problems};
use super::usersets::Specificity;

/// One child of a rule, as the decision sees it.
pub struct Child<'a> {
    pub item: &'a Item,
    pub outcome: &'a Outcome,
    /// Where the child is (an endpoint's area or a rule's `area`), for geo-proximity.
    pub area: Area,
    /// False for a disabled rule or endpoint: it is treated as absent.
    pub present: bool,
}

/// Why a rule answered as it did; the evaluator's trace is a list of these.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Reason {
    /// wrr: the available candidates, by weight.
    Weighted,
    /// priority: the best level with an available child.
    Level(u32),
    /// geoProximity: the nearest available children, at this distance.
    Nearest { km: f64 },
    /// geoProximity: no child has a distance to this group (or the group has no capital).
    NoDistance,
    /// usersetMapping: the items claiming the group most specifically among those that answer
    /// for the family, at this specificity.
    Mapped(Specificity),
    /// usersetMapping: no item claims the group and there is no default item.
    Unmapped,
    /// Nothing available: answer with every candidate anyway (fail-open), unhealthy.
    FailOpen,
    /// No child has an answer of the asked family.
    NoAnswer,
}

/// A rule's verdict for one group: item index → share (summing to 1), and health.
#[derive(Clone, PartialEq, Debug)]
pub struct Decision {
    pub shares: Vec<(usize, f64)>,
    pub healthy: bool,
    pub reason: Reason,
}

impl Decision {
    pub(crate) fn no_answer() -> Decision {
        Decision {
            shares: Vec::new(),
            healthy: false,
            reason: Reason::NoAnswer,
        }
    }
}

pub fn decide(rule: &Rule, group: UserGroup, children: &[Child<'_>]) -> Decision {
    match rule.kind {
        RuleKind::Wrr => wrr::decide(children),
        RuleKind::Priority => priority::decide(children),
        RuleKind::GeoProximity => geo_proximity::decide(group, children),
        RuleKind::UsersetMapping => userset_mapping::decide(group, children),
    }
}

/// Type-specific checks; the shared ones (names, references, ranges, cycles) are in `validate`.
pub fn validate(rule: &Rule, problems: &mut Problems) {
    match rule.kind {
        RuleKind::Wrr => wrr::validate(rule, problems),
        RuleKind::Priority => {}
        RuleKind::GeoProximity => {}
        RuleKind::UsersetMapping => userset_mapping::validate(rule, problems),
    }
    if rule.kind != RuleKind::UsersetMapping {
        for (index, item) in rule.items.iter().enumerate() {
            if !item.usersets.is_default() {
                // The reference text is filled in by `compile`, which still has the wire names.
                problems.item(
                    &rule.name,
                    index,
                    "",
                    "usersets",
                    ProblemKind::UsersetsIgnored,
                );
            }
        }
    }
}

/// A child a parent may route to: present, with a healthy non-empty outcome.
fn available(child: &Child<'_>) -> bool {
    child.present && child.outcome.is_available()
}

/// A child present for the asked family: enabled, with something to answer, healthy or not.
/// What fail-open falls back to; a child that is not is absent, as if it were not there. Health
/// never makes a child absent (every rule answers fail-open), only the family and `enable` do.
fn answering(child: &Child<'_>) -> bool {
    child.present && !child.outcome.dist.is_empty()
}
