//! The problem vocabulary: where a problem is ([`Location`]), what it is ([`ProblemKind`], errors
//! and warnings alike) and the list validation hands back ([`Problems`]). Every check — the
//! shared ones in `validate`, the size limits in `limits`, each rule type's own in `rules/` —
//! reports through these types and nothing else; this file decides no check itself.

use std::fmt;

use super::area::UserGroup;
use super::limits::Limit;
use super::model::{MAX_PRIORITY, MAX_WEIGHT};
use super::usersets::{Specificity, UsersetsError};

/// Where a problem is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Location {
    Start,
    Rule {
        rule: String,
        field: &'static str,
    },
    Item {
        rule: String,
        item: usize,
        reference: String,
        field: &'static str,
    },
    Endpoint {
        value: String,
        field: &'static str,
    },
    Strategy,
}

impl Location {
    pub(crate) fn rule(rule: &str, field: &'static str) -> Location {
        Location::Rule {
            rule: rule.to_owned(),
            field,
        }
    }

    pub(crate) fn endpoint(value: &str, field: &'static str) -> Location {
        Location::Endpoint {
            value: value.to_owned(),
            field,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Start => write!(f, "strategy.start"),
            Location::Rule { rule, field } => write!(f, "rule \"{rule}\" field \"{field}\""),
            Location::Item {
                rule,
                item,
                reference,
                field,
            } => {
                write!(
                    f,
                    "rule \"{rule}\" item {item} (reference \"{reference}\") field \"{field}\""
                )
            }
            Location::Endpoint { value, field } => {
                write!(f, "endpoint \"{value}\" field \"{field}\"")
            }
            Location::Strategy => write!(f, "strategy"),
        }
    }
}

/// What is wrong (errors) or worth a look (warnings).
#[derive(Clone, PartialEq, Debug, thiserror::Error)]
pub enum ProblemKind {
    #[error("\"{0}\" names no rule")]
    UnknownStart(String),
    #[error("the start rule \"{0}\" is disabled")]
    StartDisabled(String),
    #[error("the name is empty")]
    EmptyName,
    #[error("the name has control characters or more than 128 characters")]
    BadName,
    #[error("another rule has the same name")]
    DuplicateRuleName,
    #[error("unknown rule type \"{0}\" (wrr, priority, geoProximity, usersetMapping)")]
    UnknownRuleType(String),
    #[error("unknown area \"{0}\" (see the area codes, e.g. beijing.CN, none.CN, none.abroad)")]
    UnknownArea(String),
    #[error("unknown ISP \"{0}\" (ct, cu, cm, cernet, other)")]
    UnknownIsp(String),
    #[error("no rule or endpoint is named \"{0}\"")]
    DanglingReference(String),
    #[error("weight {0} is out of range 0..={MAX_WEIGHT}")]
    WeightOutOfRange(i64),
    #[error("priority {0} is out of range 0..={MAX_PRIORITY}")]
    PriorityOutOfRange(i64),
    #[error("a wrr rule needs at least one item with weight > 0")]
    NoPositiveWeight,
    #[error("{0}")]
    BadUsersets(UsersetsError),
    #[error(
        "user group {group} is claimed at the same specificity ({specificity}) by items {items}; \
         give all of them weights to split it, or make one more specific"
    )]
    MappingConflict {
        group: UserGroup,
        specificity: Specificity,
        items: String,
    },
    #[error("rules form a cycle: {0}")]
    Cycle(String),
    #[error("unknown endpoint type \"{0}\" (A, AAAA, CNAME)")]
    UnknownEndpointType(String),
    #[error("\"{value}\" is not {expected}")]
    BadEndpointValue {
        value: String,
        expected: &'static str,
    },
    #[error("another endpoint has the same value")]
    DuplicateEndpoint,
    #[error("at least one enabled A (IPv4) endpoint is required")]
    NoEnabledAEndpoint,
    /// A limit ([`Limit`]) is crossed; `found` is the document's count (for the depth, its
    /// depth; for the cost, its cost) and `chain`, for the depth, the head and end of the chain
    /// that is too deep, for the cost, the located rule's part of it.
    #[error("{}", over_limit_text(*.limit, *.found, .chain))]
    OverLimit {
        limit: Limit,
        found: usize,
        chain: String,
    },
    // Warnings from here on.
    #[error("the rule is not reachable from the start rule")]
    Unreachable,
    #[error("no default item (empty usersets): groups no item selects get no answer")]
    NoDefaultItem,
    #[error("no rule references this endpoint")]
    UnreferencedEndpoint,
    #[error("\"{0}\" is both a rule name and an endpoint value; the rule wins")]
    NameClash(String),
    #[error("usersets only matter under a usersetMapping rule; ignored here")]
    UsersetsIgnored,
    #[error("the rule has no items: it answers nothing")]
    NoItems,
}

fn over_limit_text(limit: Limit, found: usize, chain: &str) -> String {
    let max = limit.max();
    let chain = if chain.is_empty() {
        String::new()
    } else {
        format!(" ({chain})")
    };
    match limit {
        Limit::Cost => format!(
            "{limit} too high: {found}, at most {max}{chain}. Each rule's part is the endpoints \
             it mixes each time it is evaluated, and a rule is evaluated once per user group \
             (165) with a usersetMapping below it, once per area (33) with a geoProximity \
             below it: put fewer endpoints under rules that many others share, fan out less \
             (fewer sub-rules per rule, fewer layers), or move usersetMapping rules up"
        ),
        _ => format!("too many {limit}: {found}, at most {max}{chain}"),
    }
}

impl ProblemKind {
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            ProblemKind::Unreachable
                | ProblemKind::NoDefaultItem
                | ProblemKind::UnreferencedEndpoint
                | ProblemKind::NameClash(_)
                | ProblemKind::UsersetsIgnored
                | ProblemKind::NoItems
        )
    }
}

#[derive(Clone, PartialEq, Debug, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct Problem {
    pub location: Location,
    pub kind: ProblemKind,
}

/// Everything validation found, errors and warnings apart.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Problems {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Problems {
    pub(crate) fn add(&mut self, location: Location, kind: ProblemKind) {
        let problem = Problem { location, kind };
        if problem.kind.is_warning() {
            self.warnings.push(problem);
        } else {
            self.errors.push(problem);
        }
    }

    pub(crate) fn rule(&mut self, rule: &str, field: &'static str, kind: ProblemKind) {
        self.add(Location::rule(rule, field), kind);
    }

    /// `index` is 0-based; the location shows it 1-based, as the operator counts.
    pub(crate) fn item(
        &mut self,
        rule: &str,
        index: usize,
        reference: &str,
        field: &'static str,
        kind: ProblemKind,
    ) {
        let location = Location::Item {
            rule: rule.to_owned(),
            item: index + 1,
            reference: reference.to_owned(),
            field,
        };
        self.add(location, kind);
    }

    pub(crate) fn endpoint(&mut self, value: &str, field: &'static str, kind: ProblemKind) {
        self.add(Location::endpoint(value, field), kind);
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}
