//! The evaluation cost of a strategy: a bound, from the rules' shape alone, on the work of
//! answering every user group for both families — what the DNS server does for each domain
//! when it loads a snapshot ([`SamplerSet::compile`](super::SamplerSet::compile)), and the
//! preview in the browser. Validation refuses a strategy whose cost is over
//! [`MAX_COST`](super::MAX_COST) (`limits`), so no document within the size limits can stall
//! them. It must not evaluate anything: one walk over the rules, a pass over each rule's items
//! per user group at most (what validation already does for a mapping rule).
//!
//! Where the evaluator's time goes (`evaluate`, `outcome::mix`): each evaluation of a rule
//! looks at every item once, then mixes the distributions of the children its type chose — a
//! copy, a stable sort and a merge of all their entries, about `entries × log2(children)`
//! comparisons. The memo keeps a rule's outcome while what it depends on ([`Dependence`]) is
//! unchanged, so a rule is evaluated once per family, once per area (a `geoProximity` below it)
//! or once per user group (a `usersetMapping` below it). The samplers then hash each group's
//! answer and build an alias table per distinct one. The cost adds up, per family:
//!
//! - per evaluation of a rule: [`ITEM_UNITS`] per item and [`SELECTOR_UNITS`] per selector of
//!   a mapping item (each is matched against the group);
//! - per evaluation of a rule: `entries × (1 + ⌈log2 children⌉)` (twice that past 2^18
//!   entries, which no longer fit the processor's caches) for the largest set of
//!   children it can mix under any health — `wrr`: its items with weight > 0; `priority`: one
//!   priority level; `geoProximity`: the children equally near the group's area; mapping: the
//!   group's claims of one specificity — a child holding at most the distinct endpoints of the
//!   family under it, and at most the largest set it can mix itself;
//! - per user group: [`ANSWER_UNITS`] per entry of the start rule's answer (hashed to find
//!   equal answers), and [`TABLE_UNITS`] per entry of each answer that can differ (an alias
//!   table each: one per family, per area or per group, by the start rule's dependence).
//!
//! A unit is about one comparison of the mix's sort (~4 ns on a 2020s x86-64 core).
//! Disabled rules and endpoints count as enabled: enabling one must not make a valid strategy
//! too costly. Rules the start rule cannot reach cost nothing: they are never evaluated.

use super::area::{Area, Isp, UserGroup};
use super::evaluate::{Dependence, dependence};
use super::model::{Family, Item, Rule, RuleId, RuleKind, Strategy, Target};
use super::walk::{Visitor, Walk};

/// Cost units per item looked at in one evaluation of its rule (an endpoint item allocates its
/// outcome, every item is weighed and dropped).
pub const ITEM_UNITS: u64 = 16;
/// Cost units per selector of a mapping item, per evaluation (matched against the group).
pub const SELECTOR_UNITS: u64 = 1;
/// Cost units per entry of the answer of one (group, family): the samplers copy and hash it.
pub const ANSWER_UNITS: u64 = 4;
/// Cost units per entry of an alias table the samplers build.
pub const TABLE_UNITS: u64 = 10;

/// What a strategy costs to evaluate in full, in units of about one comparison of the mix.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EvaluationCost {
    /// Every part below, weighed by its units.
    pub total: u64,
    /// Items looked at, over every evaluation of every rule (both families).
    pub item_visits: u64,
    /// Mapping items' selectors matched, over every evaluation.
    pub selector_visits: u64,
    /// Mixing: entries × (1 + ⌈log2 children⌉) (× 2 past 2^18 entries), over every evaluation.
    pub mix_units: u64,
    /// Entries of the answers of all 165 groups × 2 families.
    pub answer_entries: u64,
    /// Entries of the alias tables of the answers that can differ.
    pub table_entries: u64,
    /// The rule with the largest part of the total (the start rule's includes the answers).
    pub costliest: Option<(RuleId, u64)>,
}

impl Strategy {
    /// The evaluation cost (`docs/strategy.md`, "Limits"): one walk over the rules reachable
    /// from the start rule, no evaluation. Memory: a set of endpoints (bits) and 330 counts per
    /// rule.
    pub fn evaluation_cost(&self) -> EvaluationCost {
        let order = post_order(self);
        let reach = reach(self, &order);
        let dependence = dependence(self);
        let classes = GeoClasses::new();
        let mut sizes: Vec<Sizes> = vec![[[0; G]; 2]; self.rules.len()];
        let mut cost = EvaluationCost::default();
        for &id in &order {
            let rule = self.rule(id);
            let best = match rule.kind {
                RuleKind::Wrr | RuleKind::Priority => by_level(self, rule, &sizes),
                RuleKind::GeoProximity => by_distance(self, rule, &sizes, &classes),
                RuleKind::UsersetMapping => by_claim(self, rule, &sizes),
            };
            let places = places(dependence[id.index()]);
            let evaluations = (places.len() * Family::ALL.len()) as u64;
            let mut part = Part {
                item_visits: rule.items.len() as u64 * evaluations,
                selector_visits: selectors(rule) * evaluations,
                ..Part::default()
            };
            for f in 0..2 {
                let limit = reach[id.index()][f];
                let own = sizes[id.index()][f].iter_mut().zip(best.size[f]);
                own.for_each(|(size, best)| *size = best.min(limit) as u32);
                part.mix_units += places.iter().map(|&g| best.units[f][g]).sum::<u64>();
                if id == self.root {
                    let answer = |g: usize| u64::from(sizes[id.index()][f][g]);
                    part.answer_entries += (0..G).map(answer).sum::<u64>();
                    part.table_entries += places.iter().map(|&g| answer(g)).sum::<u64>();
                }
            }
            cost.add(id, part);
        }
        cost
    }
}

/// One rule's share of the cost.
#[derive(Default)]
struct Part {
    item_visits: u64,
    selector_visits: u64,
    mix_units: u64,
    answer_entries: u64,
    table_entries: u64,
}

impl EvaluationCost {
    fn add(&mut self, id: RuleId, part: Part) {
        let total = ITEM_UNITS * part.item_visits
            + SELECTOR_UNITS * part.selector_visits
            + part.mix_units
            + ANSWER_UNITS * part.answer_entries
            + TABLE_UNITS * part.table_entries;
        self.item_visits += part.item_visits;
        self.selector_visits += part.selector_visits;
        self.mix_units += part.mix_units;
        self.answer_entries += part.answer_entries;
        self.table_entries += part.table_entries;
        self.total += total;
        if self.costliest.is_none_or(|(_, most)| total > most) {
            self.costliest = Some((id, total));
        }
    }
}

const G: usize = UserGroup::COUNT;

/// Per family and user group: the most entries a rule's distribution can hold.
type Sizes = [[u32; G]; 2];

/// The rules reachable from the start rule, each after every rule it references (but the
/// edge closing a cycle, in a hand-built strategy).
fn post_order(strategy: &Strategy) -> Vec<RuleId> {
    struct Order {
        seen: Vec<bool>,
        order: Vec<RuleId>,
    }
    impl Visitor for Order {
        fn enter(&mut self, child: RuleId) -> bool {
            !std::mem::replace(&mut self.seen[child.index()], true)
        }

        fn leave(&mut self, id: RuleId) {
            self.order.push(id);
        }
    }
    let n = strategy.rules.len();
    let mut visitor = Order {
        seen: vec![false; n],
        order: Vec::new(),
    };
    if let Some(seen) = visitor.seen.get_mut(strategy.root.index()) {
        *seen = true;
        let _ = Walk::new(n).run(strategy, strategy.root, &mut visitor);
    }
    visitor.order
}

/// Per rule (`[A, AAAA]`): the distinct endpoints of the family under its candidate items —
/// all a distribution of it can ever hold. One set of bits per rule, each the union of its
/// children's.
fn reach(strategy: &Strategy, order: &[RuleId]) -> Vec<[u64; 2]> {
    let words = strategy.endpoints.len().div_ceil(64);
    let masks = Family::ALL.map(|family| {
        let mut mask = vec![0u64; words];
        for (i, e) in strategy.endpoints.iter().enumerate() {
            if e.kind.fits(family) {
                mask[i / 64] |= 1 << (i % 64);
            }
        }
        mask
    });
    let mut slot = vec![usize::MAX; strategy.rules.len()];
    let mut sets = vec![0u64; order.len() * words];
    let mut counts = vec![[0; 2]; strategy.rules.len()];
    for (s, &id) in order.iter().enumerate() {
        slot[id.index()] = s;
        let (done, rest) = sets.split_at_mut(s * words);
        let set = &mut rest[..words];
        for item in candidates(strategy.rule(id)) {
            match item.target {
                Target::Endpoint(e) => set[e.index() / 64] |= 1 << (e.index() % 64),
                // A child not done yet closes a hand-built cycle: it adds nothing new.
                Target::Rule(child) => {
                    if let Some(&c) = slot.get(child.index()).filter(|&&c| c < s) {
                        let child = &done[c * words..][..words];
                        set.iter_mut().zip(child).for_each(|(w, c)| *w |= c);
                    }
                }
            }
        }
        counts[id.index()] = masks.each_ref().map(|mask| {
            let bits = set.iter().zip(mask).map(|(w, m)| (w & m).count_ones());
            bits.map(u64::from).sum()
        });
    }
    counts
}

/// The items whose targets a rule's distribution can hold (a `wrr` item of weight 0 is never
/// chosen).
fn candidates(rule: &Rule) -> impl Iterator<Item = &Item> {
    let wrr = rule.kind == RuleKind::Wrr;
    rule.items
        .iter()
        .filter(move |item| !wrr || item.weight > 0)
}

/// The groups standing for each evaluation of a rule with this dependence: the first group
/// alone (once per family), each area's first group, or every group.
fn places(dependence: Dependence) -> Vec<usize> {
    match dependence {
        Dependence::Nothing => vec![0],
        Dependence::Area => (0..Area::COUNT).map(|a| a * Isp::COUNT).collect(),
        Dependence::Group => (0..G).collect(),
    }
}

fn selectors(rule: &Rule) -> u64 {
    match rule.kind {
        RuleKind::UsersetMapping => rule
            .items
            .iter()
            .map(|i| i.usersets.selectors().len() as u64)
            .sum(),
        _ => 0,
    }
}

/// What one item's target can hold, per family and group.
enum Size<'a> {
    Endpoint([u64; 2]),
    Rule(&'a Sizes),
}

impl Size<'_> {
    fn of<'a>(strategy: &Strategy, sizes: &'a [Sizes], target: Target) -> Size<'a> {
        match target {
            Target::Endpoint(e) => {
                let kind = strategy.endpoint(e).kind;
                Size::Endpoint(Family::ALL.map(|f| u64::from(kind.fits(f))))
            }
            Target::Rule(r) => Size::Rule(&sizes[r.index()]),
        }
    }

    #[inline]
    fn get(&self, f: usize, g: usize) -> u64 {
        match self {
            Size::Endpoint(fits) => fits[f],
            Size::Rule(sizes) => u64::from(sizes[f][g]),
        }
    }
}

/// Per family and group, over the sets of children a rule can mix: the most entries in one
/// set, and the most mixing units.
struct Best {
    size: [[u64; G]; 2],
    units: [[u64; G]; 2],
}

impl Best {
    fn new() -> Best {
        Best {
            size: [[0; G]; 2],
            units: [[0; G]; 2],
        }
    }

    /// A set of `children` non-empty children holding `entries` entries in all.
    #[inline]
    fn offer(&mut self, f: usize, g: usize, entries: u64, children: u64) {
        self.size[f][g] = self.size[f][g].max(entries);
        self.units[f][g] = self.units[f][g].max(mix_units(entries, children));
    }
}

/// Entries past which a mix no longer fits a processor's caches (4 MiB of entries) and runs
/// at memory speed: each comparison costs twice as much (measured: 2–3 ns a unit below, 5 above).
const CACHED_ENTRIES: u64 = 1 << 18;

/// The units of mixing `entries` entries from `children` sorted distributions: a stable sort
/// of that many runs, 1 + ⌈log2 children⌉ comparisons per entry, twice that past the caches.
fn mix_units(entries: u64, children: u64) -> u64 {
    let comparisons = 1 + u64::from(64 - children.saturating_sub(1).leading_zeros());
    let memory = if entries > CACHED_ENTRIES { 2 } else { 1 };
    entries * comparisons * memory
}

/// `wrr` (one set: the items of weight > 0) and `priority` (one set per priority level).
fn by_level(strategy: &Strategy, rule: &Rule, sizes: &[Sizes]) -> Best {
    let mut items: Vec<&Item> = candidates(rule).collect();
    if rule.kind == RuleKind::Priority {
        items.sort_by_key(|item| item.priority);
    }
    let mut best = Best::new();
    for level in items.chunk_by(|a, b| rule.kind == RuleKind::Wrr || a.priority == b.priority) {
        // Endpoints add the same to every group; rules, per group.
        let (mut flat, mut flat_children) = ([0u64; 2], [0u64; 2]);
        let mut entries = [[0u64; G]; 2];
        let mut children = [[0u64; G]; 2];
        for item in level {
            match Size::of(strategy, sizes, item.target) {
                Size::Endpoint(fits) => {
                    for f in 0..2 {
                        flat[f] += fits[f];
                        flat_children[f] += fits[f];
                    }
                }
                Size::Rule(child) => {
                    for f in 0..2 {
                        for g in 0..G {
                            let n = u64::from(child[f][g]);
                            entries[f][g] += n;
                            children[f][g] += u64::from(n > 0);
                        }
                    }
                }
            }
        }
        for f in 0..2 {
            for g in 0..G {
                let n = entries[f][g] + flat[f];
                best.offer(f, g, n, children[f][g] + flat_children[f]);
            }
        }
    }
    best
}

/// For each pair of areas (from, to), the first area at the same distance from `from` as
/// `to`: the children of a `geoProximity` rule at one distance from a group's area share.
struct GeoClasses([[u8; Area::COUNT]; Area::COUNT]);

impl GeoClasses {
    fn new() -> GeoClasses {
        let mut classes = [[0; Area::COUNT]; Area::COUNT];
        for from in Area::all() {
            for to in Area::all() {
                let d = from.distance_km(to);
                let first = Area::all().find(|&a| from.distance_km(a) == d);
                classes[from.index()][to.index()] = first.map_or(0, |a| a.index() as u8);
            }
        }
        GeoClasses(classes)
    }
}

/// `geoProximity`: per group, one set per distance from its area (the available children at
/// the smallest distance share; which distance that is depends on health).
fn by_distance(strategy: &Strategy, rule: &Rule, sizes: &[Sizes], classes: &GeoClasses) -> Best {
    const A: usize = Area::COUNT;
    // [group][class]: entries and non-empty children, per family.
    let mut entries = vec![[0u64; 2]; G * A];
    let mut children = vec![[0u64; 2]; G * A];
    let mut endpoints = [[0u64; 2]; A];
    for item in &rule.items {
        let size = Size::of(strategy, sizes, item.target);
        let to = match item.target {
            Target::Endpoint(e) => strategy.endpoint(e).area,
            Target::Rule(r) => strategy.rule(r).area,
        };
        if let Size::Endpoint(fits) = size {
            // Endpoints add the same to every group: counted by area, spread below.
            for f in 0..2 {
                endpoints[to.index()][f] += fits[f];
            }
            continue;
        }
        for g in 0..G {
            let class = usize::from(classes.0[g / Isp::COUNT][to.index()]);
            for f in 0..2 {
                let n = size.get(f, g);
                entries[g * A + class][f] += n;
                children[g * A + class][f] += u64::from(n > 0);
            }
        }
    }
    for (to, counts) in endpoints.iter().enumerate() {
        for g in 0..G {
            let class = usize::from(classes.0[g / Isp::COUNT][to]);
            for f in 0..2 {
                entries[g * A + class][f] += counts[f];
                children[g * A + class][f] += counts[f];
            }
        }
    }
    let mut best = Best::new();
    for g in 0..G {
        for class in 0..A {
            for f in 0..2 {
                best.offer(f, g, entries[g * A + class][f], children[g * A + class][f]);
            }
        }
    }
    best
}

/// `usersetMapping`: per group, one set per specificity of its claims (the most specific
/// claims with something of the family answer; which depends on the family and `enable`).
fn by_claim(strategy: &Strategy, rule: &Rule, sizes: &[Sizes]) -> Best {
    const S: usize = 5;
    let mut entries = vec![[0u64; 2]; G * S];
    let mut children = vec![[0u64; 2]; G * S];
    for item in &rule.items {
        let size = Size::of(strategy, sizes, item.target);
        for group in UserGroup::all() {
            let Some(specificity) = item.usersets.claim(group) else {
                continue;
            };
            let (g, s) = (group.index(), specificity as usize);
            for f in 0..2 {
                let n = size.get(f, g);
                entries[g * S + s][f] += n;
                children[g * S + s][f] += u64::from(n > 0);
            }
        }
    }
    let mut best = Best::new();
    for g in 0..G {
        for s in 0..S {
            for f in 0..2 {
                best.offer(f, g, entries[g * S + s][f], children[g * S + s][f]);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::StrategyDocument;

    fn strategy(json: &str) -> Strategy {
        let doc = StrategyDocument::from_json(json).expect("json");
        Strategy::compile(&doc).expect("valid").strategy
    }

    #[test]
    fn mixing_costs_a_sort_of_the_children_and_twice_past_the_caches() {
        assert_eq!(mix_units(0, 0), 0);
        assert_eq!(mix_units(10, 1), 10, "one child: a copy");
        assert_eq!(mix_units(10, 2), 20);
        assert_eq!(mix_units(100, 10), 500, "1 + ⌈log2 10⌉ = 5");
        assert_eq!(mix_units(CACHED_ENTRIES + 1, 1), 2 * (CACHED_ENTRIES + 1));
    }

    #[test]
    fn one_wrr_rule_costs_its_items_its_mix_and_its_answers() {
        let s = strategy(
            r#"{"strategy":{"start":"r","rules":[{"type":"wrr","name":"r","items":[
              {"reference":"10.0.0.1","weight":1},{"reference":"10.0.0.2","weight":1}]}]},
              "endpointsConf":[{"type":"A","value":"10.0.0.1"},{"type":"A","value":"10.0.0.2"}]}"#,
        );
        let cost = s.evaluation_cost();
        // Evaluated once per family: 2 items each; A mixes 2 entries of 2 children (2 units
        // each), AAAA nothing; 165 answers of 2 entries for A, and one table of 2.
        assert_eq!(
            (
                cost.item_visits,
                cost.mix_units,
                cost.answer_entries,
                cost.table_entries
            ),
            (4, 4, 330, 2)
        );
        assert_eq!(cost.total, 16 * 4 + 4 + 4 * 330 + 10 * 2);
        assert_eq!(cost.costliest, Some((RuleId(0), cost.total)));
    }

    #[test]
    fn a_geo_rule_mixes_only_the_children_at_one_distance() {
        // Beijing's and Shanghai's groups get their own area's rule (one entry); the groups
        // of none.CN and none.abroad, with no distance to either, get both (two entries).
        let s = strategy(
            r#"{"strategy":{"start":"g","rules":[
              {"type":"geoProximity","name":"g","items":[{"reference":"b"},{"reference":"s"}]},
              {"type":"wrr","name":"b","area":"beijing.CN","items":[{"reference":"10.0.0.1","weight":1}]},
              {"type":"wrr","name":"s","area":"shanghai.CN","items":[{"reference":"10.0.0.2","weight":1}]}]},
              "endpointsConf":[{"type":"A","value":"10.0.0.1","area":"beijing.CN"},
                               {"type":"A","value":"10.0.0.2","area":"shanghai.CN"}]}"#,
        );
        let cost = s.evaluation_cost();
        assert_eq!(cost.answer_entries, 31 * 5 + 2 * 5 * 2);
        assert_eq!(cost.table_entries, 31 + 2 * 2, "one table per area");
    }

    #[test]
    fn a_mapping_mixes_the_groups_most_specific_claims_or_its_default() {
        // Anhui Mobile is claimed by one endpoint; every other group falls to the default
        // rule over three endpoints; the answer holds the larger of the two for each group.
        let s = strategy(
            r#"{"strategy":{"start":"m","rules":[
              {"type":"usersetMapping","name":"m","items":[
                {"reference":"10.0.0.1","usersets":"anhui.CN/cm"},{"reference":"all"}]},
              {"type":"wrr","name":"all","items":[{"reference":"10.0.0.2","weight":1},
                {"reference":"10.0.0.3","weight":1},{"reference":"10.0.0.4","weight":1}]}]},
              "endpointsConf":[{"type":"A","value":"10.0.0.1"},{"type":"A","value":"10.0.0.2"},
                               {"type":"A","value":"10.0.0.3"},{"type":"A","value":"10.0.0.4"}]}"#,
        );
        let cost = s.evaluation_cost();
        assert_eq!(
            cost.answer_entries,
            165 * 3,
            "the default's three bound every group"
        );
        assert_eq!(cost.table_entries, 165 * 3, "one table per group");
        assert_eq!(
            cost.selector_visits,
            165 * 2,
            "one selector, per group and family"
        );
    }

    #[test]
    fn shared_rules_count_their_endpoints_once() {
        // Both halves of the start rule lead to the same leaf: the start mixes two children
        // of two entries each, but its answer holds the two endpoints once.
        let s = strategy(
            r#"{"strategy":{"start":"r","rules":[
              {"type":"wrr","name":"r","items":[{"reference":"x","weight":1},{"reference":"y","weight":1}]},
              {"type":"wrr","name":"x","items":[{"reference":"leaf","weight":1}]},
              {"type":"wrr","name":"y","items":[{"reference":"leaf","weight":1}]},
              {"type":"wrr","name":"leaf","items":[{"reference":"10.0.0.1","weight":1},{"reference":"10.0.0.2","weight":1}]}]},
              "endpointsConf":[{"type":"A","value":"10.0.0.1"},{"type":"A","value":"10.0.0.2"}]}"#,
        );
        let cost = s.evaluation_cost();
        assert_eq!(cost.answer_entries, 165 * 2);
        // leaf 2×2, x and y 2×1 each, r 4 entries of 2 children: 4×2.
        assert_eq!(cost.mix_units, 4 + 2 + 2 + 8);
    }
}
