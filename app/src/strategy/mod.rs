//! The strategy model and evaluator: the contract of `docs/strategy.md`, in one place.
//!
//! Pure Rust with no I/O and no UI types, because three callers must agree to the bit: the DNS
//! hot path (through [`SamplerSet`]), the `itm strategy` CLI and the browser preview (wasm).
//! Flow: wire JSON ([`StrategyDocument`]) → [`Strategy::compile`] (size and cost limits,
//! validation, lint) → [`Strategy::evaluate`] per user group and family → [`Preview`] /
//! [`SamplerSet`].
//! No walk over the rules recurses without bound (validation and the editor keep explicit
//! stacks, the evaluator recurses at most [`MAX_DEPTH`] levels), so no input, validated or
//! hand-built, reaches the end of the thread's stack.

mod area;
mod cost;
mod evaluate;
mod limits;
mod model;
mod outcome;
mod preview;
mod problem;
mod recommend;
mod rules;
mod sampler;
mod synthetic;
mod usersets;
mod validate;
mod walk;
mod wire;

pub use area::{AREAS, Area, AreaInfo, Isp, UserGroup, province_by_chinese_name};
pub use cost::{ANSWER_UNITS, EvaluationCost, ITEM_UNITS, SELECTOR_UNITS, TABLE_UNITS};
pub use evaluate::{Evaluation, Evaluator, TraceStep};
pub use limits::{
    Limit, MAX_COST, MAX_DEPTH, MAX_ENDPOINTS, MAX_ITEMS, MAX_ITEMS_PER_RULE, MAX_RULES,
};
pub use model::{
    Endpoint, EndpointId, EndpointKind, Family, Health, Item, MAX_PRIORITY, MAX_WEIGHT, Rule,
    RuleId, RuleKind, Strategy, Target,
};
pub use outcome::Dist;
pub use preview::{GroupPreview, Preview, answers_nobody};
pub use problem::{Location, Problem, ProblemKind, Problems};
pub use recommend::{ROOT_RULE, recommend};
pub use rules::Reason;
pub use sampler::{Sampler, SamplerSet};
pub use synthetic::synthetic;
pub use usersets::{Selector, Specificity, Usersets, UsersetsError};
pub use validate::{Compiled, is_host_name, value_error};
pub use wire::{EndpointConf, ItemConf, RuleConf, StrategyDocument, StrategyTree};

/// Marks the endpoints named in `down` as Down, everything else Unknown. Returns the names that
/// match no endpoint, so callers can refuse them.
pub fn health_with_down<'a>(
    strategy: &Strategy,
    down: impl IntoIterator<Item = &'a str>,
) -> (Vec<Health>, Vec<&'a str>) {
    let mut health = strategy.health_unknown();
    let mut unknown = Vec::new();
    for value in down {
        match strategy.endpoint_id(value.trim()) {
            Some(id) => health[id.index()] = Health::Down,
            None => unknown.push(value),
        }
    }
    (health, unknown)
}
