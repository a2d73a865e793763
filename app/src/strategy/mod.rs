//! The strategy model and evaluator: the contract of `docs/strategy.md`, in one place.
//!
//! Pure Rust with no I/O and no UI types, because three callers must agree to the bit: the DNS
//! hot path (through [`SamplerSet`]), the `itm strategy` CLI and the browser preview (wasm).
//! Flow: wire JSON ([`StrategyDocument`]) → [`Strategy::compile`] (validation, lint) →
//! [`Strategy::evaluate`] per user group and family → [`Preview`] / [`SamplerSet`].

mod area;
mod evaluate;
mod model;
mod outcome;
mod preview;
mod recommend;
mod rules;
mod sampler;
mod synthetic;
mod usersets;
mod validate;
mod wire;

pub use area::{AREAS, Area, AreaInfo, Isp, UserGroup};
pub use evaluate::{Evaluation, Evaluator, TraceStep};
pub use model::{
    Endpoint, EndpointId, EndpointKind, Family, Health, Item, Rule, RuleId, RuleKind, Strategy,
    Target,
};
pub use outcome::Dist;
pub use preview::{GroupPreview, Preview};
pub use recommend::{ROOT_RULE, recommend};
pub use rules::Reason;
pub use sampler::{Sampler, SamplerSet};
pub use synthetic::synthetic;
pub use usersets::{Selector, Specificity, Usersets, UsersetsError};
pub use validate::{
    Compiled, Location, MAX_PRIORITY, MAX_WEIGHT, Problem, ProblemKind, Problems, is_host_name,
    value_error,
};
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
