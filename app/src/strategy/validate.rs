//! Validation: turns the wire [`StrategyDocument`] into a typed [`Strategy`], or into the list
//! of problems that name the rule, item (1-based, with its reference) or endpoint and the field
//! at fault. Warnings (lint) are reported beside a valid strategy; they never block it. The
//! checks shared by every rule type (names, references, ranges, cycles, lint) are here; each
//! type's own are in its file under `rules/`, and the words problems are told in, in `problem`.
//!
//! Order matters for cost: the size limits (`limits`) come first, so nothing below ever sees
//! an unbounded document, and every later check is one pass (or 165, one per user group) over
//! the rules, never a recursion, so no input can exhaust the stack.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::ControlFlow;

use super::area::{Area, Isp};
use super::limits;
use super::model::{
    Endpoint, EndpointId, EndpointKind, Item, MAX_PRIORITY, MAX_WEIGHT, Rule, RuleId, RuleKind,
    Strategy, Target,
};
use super::problem::{Location, Problem, ProblemKind, Problems};
use super::rules;
use super::usersets::Usersets;
use super::walk::{Visitor, Walk};
use super::wire::{EndpointConf, ItemConf, RuleConf, StrategyDocument};

/// A valid strategy and the warnings that came with it.
#[derive(Clone, PartialEq, Debug)]
pub struct Compiled {
    pub strategy: Strategy,
    pub warnings: Vec<Problem>,
}

impl Strategy {
    /// Validates `doc` and builds the typed strategy; on failure every error found is returned,
    /// except past a size limit ([`StrategyDocument::check_limits`]): then that one alone, and
    /// nothing else is looked at.
    pub fn compile(doc: &StrategyDocument) -> Result<Compiled, Problems> {
        let mut problems = Problems::default();
        if let Err(problem) = doc.check_limits() {
            problems.add(problem.location, problem.kind);
            return Err(problems);
        }
        let endpoints: Vec<Endpoint> = doc
            .endpoints_conf
            .iter()
            .filter_map(|e| compile_endpoint(e, &mut problems))
            .collect();
        check_endpoints(&doc.endpoints_conf, &endpoints, &mut problems);

        let names = rule_names(&doc.strategy.rules, &mut problems);
        let endpoint_ids: HashMap<&str, EndpointId> = endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| (e.value.as_str(), EndpointId(i as u32)))
            .collect();
        let rules: Vec<Rule> = doc
            .strategy
            .rules
            .iter()
            .filter_map(|r| compile_rule(r, &names, &endpoint_ids, &mut problems))
            .collect();

        let root = match names.get(doc.strategy.start.as_str()) {
            None => {
                problems.add(
                    Location::Start,
                    ProblemKind::UnknownStart(doc.strategy.start.clone()),
                );
                None
            }
            Some(&id) if !doc.strategy.rules[id.index()].enable => {
                problems.add(
                    Location::Start,
                    ProblemKind::StartDisabled(doc.strategy.start.clone()),
                );
                None
            }
            Some(&id) => Some(id),
        };
        let (Some(root), true) = (
            root,
            problems.is_ok() && rules.len() == doc.strategy.rules.len(),
        ) else {
            return Err(problems);
        };
        let strategy = Strategy {
            endpoints,
            rules,
            root,
        };
        // A cycle has no depth; without one, the longest chain from the start is measured.
        match heights(&strategy) {
            Err(cycle) => problems.add(Location::Strategy, ProblemKind::Cycle(cycle)),
            Ok(heights) => {
                // The cost is bounded for a chain within the depth only.
                let over = limits::check_depth(&strategy, &heights)
                    .and_then(|()| limits::check_cost(&strategy));
                if let Err(problem) = over {
                    problems.add(problem.location, problem.kind);
                }
            }
        }
        for rule in &strategy.rules {
            rules::validate(rule, &mut problems);
        }
        lint(&strategy, &names, &mut problems);
        // Messages about items carry the reference the operator wrote.
        for p in problems
            .errors
            .iter_mut()
            .chain(problems.warnings.iter_mut())
        {
            if let Location::Item {
                rule,
                item,
                reference,
                ..
            } = &mut p.location
                && let Some(&id) = names.get(rule.as_str())
                && let Some(i) = doc.strategy.rules[id.index()].items.get(*item - 1)
            {
                *reference = i.reference.clone();
            }
        }
        if problems.is_ok() {
            Ok(Compiled {
                strategy,
                warnings: problems.warnings,
            })
        } else {
            Err(problems)
        }
    }
}

fn compile_endpoint(conf: &EndpointConf, problems: &mut Problems) -> Option<Endpoint> {
    let value = conf.value.trim();
    let kind = EndpointKind::parse(&conf.kind);
    if kind.is_none() {
        problems.endpoint(
            value,
            "type",
            ProblemKind::UnknownEndpointType(conf.kind.clone()),
        );
    }
    let (area, isp) = location(&conf.area, &conf.isp, |field, kind| {
        problems.endpoint(value, field, kind)
    });
    let kind = kind?;
    if let Some(expected) = value_error(kind, value) {
        problems.endpoint(
            value,
            "value",
            ProblemKind::BadEndpointValue {
                value: value.to_owned(),
                expected,
            },
        );
        return None;
    }
    Some(Endpoint {
        kind,
        value: value.to_owned(),
        area: area?,
        isp: isp?,
        eval_health: conf.eval_health,
        enabled: conf.enable,
    })
}

/// What `value` should have been, when it is not a valid value for `kind`.
pub fn value_error(kind: EndpointKind, value: &str) -> Option<&'static str> {
    match kind {
        EndpointKind::A => value
            .parse::<Ipv4Addr>()
            .is_err()
            .then_some("an IPv4 address"),
        EndpointKind::Aaaa => value
            .parse::<Ipv6Addr>()
            .is_err()
            .then_some("an IPv6 address"),
        EndpointKind::Cname => (!is_host_name(value)).then_some("a host name"),
    }
}

/// A DNS host name: 1..=253 characters, labels of 1..=63 letters, digits and inner hyphens,
/// the last label not all digits (RFC 1123: `1.1.1.300` is a bad address, not a name).
pub fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let last_label_numeric = name
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    !name.is_empty()
        && name.len() <= 253
        && !last_label_numeric
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Parses an area and ISP code pair, reporting each unknown one against its field.
fn location(
    area: &str,
    isp: &str,
    mut report: impl FnMut(&'static str, ProblemKind),
) -> (Option<Area>, Option<Isp>) {
    let parsed_area = Area::from_code(area);
    if parsed_area.is_none() {
        report("area", ProblemKind::UnknownArea(area.to_owned()));
    }
    let parsed_isp = Isp::from_code(isp);
    if parsed_isp.is_none() {
        report("isp", ProblemKind::UnknownIsp(isp.to_owned()));
    }
    (parsed_area, parsed_isp)
}

fn check_endpoints(confs: &[EndpointConf], endpoints: &[Endpoint], problems: &mut Problems) {
    let mut seen = HashSet::new();
    for conf in confs {
        if !seen.insert(conf.value.trim()) {
            problems.endpoint(conf.value.trim(), "value", ProblemKind::DuplicateEndpoint);
        }
    }
    let has_a = endpoints
        .iter()
        .any(|e| e.enabled && e.kind == EndpointKind::A);
    let all_parsed = endpoints.len() == confs.len();
    if all_parsed && !has_a {
        problems.add(Location::Strategy, ProblemKind::NoEnabledAEndpoint);
    }
}

fn rule_names<'a>(rules: &'a [RuleConf], problems: &mut Problems) -> HashMap<&'a str, RuleId> {
    let mut names = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.name.trim().is_empty() {
            problems.rule(&rule.name, "name", ProblemKind::EmptyName);
        } else if rule.name.chars().any(char::is_control) || rule.name.chars().count() > 128 {
            problems.rule(
                &rule.name.escape_debug().to_string(),
                "name",
                ProblemKind::BadName,
            );
        } else if names.insert(rule.name.as_str(), RuleId(i as u32)).is_some() {
            problems.rule(&rule.name, "name", ProblemKind::DuplicateRuleName);
        }
    }
    names
}

fn compile_rule(
    conf: &RuleConf,
    names: &HashMap<&str, RuleId>,
    endpoint_ids: &HashMap<&str, EndpointId>,
    problems: &mut Problems,
) -> Option<Rule> {
    let name = conf.name.as_str();
    let kind = RuleKind::parse(&conf.kind);
    if kind.is_none() {
        problems.rule(
            name,
            "type",
            ProblemKind::UnknownRuleType(conf.kind.clone()),
        );
    }
    let (area, isp) = location(&conf.area, &conf.isp, |field, kind| {
        problems.rule(name, field, kind)
    });
    let items: Vec<Option<Item>> = conf
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| compile_item(name, i, item, names, endpoint_ids, problems))
        .collect();
    let items = items.into_iter().collect::<Option<Vec<Item>>>()?;
    Some(Rule {
        name: name.to_owned(),
        kind: kind?,
        area: area?,
        isp: isp?,
        enabled: conf.enable,
        items,
    })
}

fn compile_item(
    rule: &str,
    index: usize,
    conf: &ItemConf,
    names: &HashMap<&str, RuleId>,
    endpoint_ids: &HashMap<&str, EndpointId>,
    problems: &mut Problems,
) -> Option<Item> {
    let reference = conf.reference.as_str();
    let target = match (names.get(reference), endpoint_ids.get(reference.trim())) {
        (Some(&r), _) => Some(Target::Rule(r)),
        (None, Some(&e)) => Some(Target::Endpoint(e)),
        (None, None) => {
            let kind = ProblemKind::DanglingReference(reference.to_owned());
            problems.item(rule, index, reference, "reference", kind);
            None
        }
    };
    let weight = u32::try_from(conf.weight)
        .ok()
        .filter(|&w| i64::from(w) <= MAX_WEIGHT);
    if weight.is_none() {
        problems.item(
            rule,
            index,
            reference,
            "weight",
            ProblemKind::WeightOutOfRange(conf.weight),
        );
    }
    let priority = u32::try_from(conf.priority)
        .ok()
        .filter(|&p| i64::from(p) <= MAX_PRIORITY);
    if priority.is_none() {
        problems.item(
            rule,
            index,
            reference,
            "priority",
            ProblemKind::PriorityOutOfRange(conf.priority),
        );
    }
    let usersets = Usersets::parse(&conf.usersets)
        .map_err(|e| {
            problems.item(
                rule,
                index,
                reference,
                "usersets",
                ProblemKind::BadUsersets(e),
            )
        })
        .ok();
    Some(Item {
        target: target?,
        weight: weight?,
        priority: priority?,
        usersets: usersets?,
    })
}

/// Every rule's height — the rules in the longest chain of references starting at it, itself
/// included — or, when the rules form a cycle (disabled rules included: enabling one later must
/// not create a loop), that cycle as `a → b → a`. One walk for both, since each is a pass over
/// every item.
fn heights(strategy: &Strategy) -> Result<Vec<usize>, String> {
    struct Heights<'s> {
        strategy: &'s Strategy,
        /// 0 until the rule is left.
        height: Vec<usize>,
        cycle: Option<String>,
    }
    impl Visitor for Heights<'_> {
        fn enter(&mut self, child: RuleId) -> bool {
            self.height[child.index()] == 0
        }

        fn cycle(&mut self, path: &[RuleId], child: RuleId) -> ControlFlow<()> {
            let start = path.iter().position(|&p| p == child).unwrap_or(0);
            let names: Vec<&str> = path[start..]
                .iter()
                .chain([&child])
                .map(|&p| self.strategy.rule(p).name.as_str())
                .collect();
            self.cycle = Some(names.join(" → "));
            ControlFlow::Break(())
        }

        fn leave(&mut self, id: RuleId) {
            let below = self
                .strategy
                .rule(id)
                .items
                .iter()
                .filter_map(|item| match item.target {
                    Target::Rule(child) => Some(self.height[child.index()]),
                    Target::Endpoint(_) => None,
                });
            self.height[id.index()] = 1 + below.max().unwrap_or(0);
        }
    }
    let n = strategy.rules.len();
    let mut visitor = Heights {
        strategy,
        height: vec![0; n],
        cycle: None,
    };
    let mut walk = Walk::new(n);
    for i in 0..n as u32 {
        if visitor.height[i as usize] == 0 && walk.run(strategy, RuleId(i), &mut visitor).is_break()
        {
            break;
        }
    }
    match visitor.cycle {
        Some(cycle) => Err(cycle),
        None => Ok(visitor.height),
    }
}

fn lint(strategy: &Strategy, rule_names: &HashMap<&str, RuleId>, problems: &mut Problems) {
    let mut reachable = vec![false; strategy.rules.len()];
    let mut referenced = vec![false; strategy.endpoints.len()];
    let mut stack = vec![strategy.root];
    while let Some(r) = stack.pop() {
        if std::mem::replace(&mut reachable[r.index()], true) || !strategy.rule(r).enabled {
            continue;
        }
        for item in &strategy.rule(r).items {
            match item.target {
                Target::Rule(child) => stack.push(child),
                Target::Endpoint(e) => referenced[e.index()] = true,
            }
        }
    }
    for (rule, reached) in strategy.rules.iter().zip(&reachable) {
        if !reached {
            problems.rule(&rule.name, "name", ProblemKind::Unreachable);
        }
        if rule.items.is_empty() {
            problems.rule(&rule.name, "items", ProblemKind::NoItems);
        }
    }
    for (endpoint, used) in strategy.endpoints.iter().zip(&referenced) {
        if !used {
            problems.endpoint(&endpoint.value, "value", ProblemKind::UnreferencedEndpoint);
        }
        if rule_names.contains_key(endpoint.value.as_str()) {
            problems.endpoint(
                &endpoint.value,
                "value",
                ProblemKind::NameClash(endpoint.value.clone()),
            );
        }
    }
}
