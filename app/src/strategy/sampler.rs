//! Answer picking for DNS: each distribution becomes an alias table (Vose), so drawing one
//! endpoint is one multiply, one compare and two loads, whatever the number of endpoints.
//! A [`SamplerSet`] holds the tables of all 165 groups × 2 families of one strategy; groups
//! with the same distribution share one table (most strategies have only a few distinct ones).

use std::collections::HashMap;

use super::area::UserGroup;
use super::evaluate::Evaluator;
use super::model::{EndpointId, Family, Health, Strategy};
use super::outcome::Dist;

/// An alias table over a non-empty distribution. A single endpoint (the usual answer of
/// priority, geo and mapping rules) needs no table and no allocation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Sampler {
    One(EndpointId),
    Table(Box<[Column]>),
}

/// One column of an alias table: its endpoint, the probability (scaled to 2^32) of keeping it
/// rather than taking its alias, and the alias column. One allocation per table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Column {
    endpoint: EndpointId,
    keep: u32,
    alias: u32,
}

impl Sampler {
    /// `None` for an empty distribution (the caller answers NODATA).
    pub fn new(dist: &Dist) -> Option<Sampler> {
        let n = dist.len();
        match dist.as_slice() {
            [] => return None,
            [(only, _)] => return Some(Sampler::One(*only)),
            _ if n > u32::MAX as usize => return None,
            _ => {}
        }
        let total: f64 = dist.iter().map(|&(_, p)| p).sum();
        let mut scaled: Vec<f64> = dist.iter().map(|&(_, p)| p * n as f64 / total).collect();
        let mut columns: Vec<Column> = dist
            .iter()
            .enumerate()
            .map(|(i, &(endpoint, _))| Column {
                endpoint,
                keep: u32::MAX,
                alias: i as u32,
            })
            .collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            columns[s].keep = to_fraction(scaled[s]);
            columns[s].alias = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers are 1 up to rounding: they keep themselves (alias = self), so no bias.
        Some(Sampler::Table(columns.into_boxed_slice()))
    }

    /// Draws an endpoint from 64 uniformly random bits.
    #[inline]
    pub fn pick(&self, random: u64) -> EndpointId {
        let columns = match self {
            Sampler::One(endpoint) => return *endpoint,
            Sampler::Table(columns) => columns,
        };
        let column = ((random & 0xffff_ffff) * columns.len() as u64) >> 32;
        let column = &columns[column as usize];
        let coin = (random >> 32) as u32;
        // A full column (keep = 2^32 - 1) has itself as alias, so the rare miss is harmless.
        if coin < column.keep {
            column.endpoint
        } else {
            columns[column.alias as usize].endpoint
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Sampler::One(_) => 1,
            Sampler::Table(columns) => columns.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn to_fraction(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).min(u32::MAX as f64) as u32
}

/// Every (group, family) sampler of one strategy under one health view. Kept small, since the
/// DNS snapshot holds one per domain: 1-byte slots (2 bytes past 254 distinct answers) and a
/// bitset of healthy answers.
#[derive(Clone, Debug)]
pub struct SamplerSet {
    samplers: Box<[Sampler]>,
    slots: Slots,
    healthy: [u64; SLOTS.div_ceil(64)],
}

/// Per (group, family): an index into `samplers`, or the type's MAX for an empty answer.
#[derive(Clone, Debug)]
enum Slots {
    Narrow(Box<[u8; SLOTS]>),
    Wide(Box<[u16; SLOTS]>),
}

impl Slots {
    fn narrowed(wide: Box<[u16; SLOTS]>, distinct: usize) -> Slots {
        if distinct >= usize::from(u8::MAX) {
            return Slots::Wide(wide);
        }
        let narrow = wide.map(|i| if i == NONE { u8::MAX } else { i as u8 });
        Slots::Narrow(Box::new(narrow))
    }

    #[inline]
    fn get(&self, slot: usize) -> usize {
        match self {
            Slots::Narrow(s) => usize::from(s[slot]),
            Slots::Wide(s) => usize::from(s[slot]),
        }
    }
}

const SLOTS: usize = UserGroup::COUNT * 2;
const NONE: u16 = u16::MAX;

impl SamplerSet {
    pub fn compile(strategy: &Strategy, health: &[Health]) -> SamplerSet {
        let mut evaluator = Evaluator::new(strategy, health);
        let mut samplers = Vec::new();
        let mut known: HashMap<Vec<(EndpointId, u64)>, u16> = HashMap::new();
        let mut slots = Box::new([NONE; SLOTS]);
        let mut healthy = [0u64; SLOTS.div_ceil(64)];
        // Family-major, so the evaluator's per-family memo is reused across groups.
        for family in Family::ALL {
            for group in UserGroup::all() {
                let evaluation = evaluator.outcome(group, family);
                let slot = slot(group, family);
                if evaluation.healthy {
                    healthy[slot / 64] |= 1 << (slot % 64);
                }
                let key: Vec<(EndpointId, u64)> = evaluation
                    .dist
                    .iter()
                    .map(|&(e, p)| (e, p.to_bits()))
                    .collect();
                if let Some(&index) = known.get(&key) {
                    slots[slot] = index;
                } else if let Some(sampler) = Sampler::new(&evaluation.dist) {
                    // At most 330 distinct answers exist, so an index always fits below NONE.
                    let index = samplers.len() as u16;
                    samplers.push(sampler);
                    known.insert(key, index);
                    slots[slot] = index;
                }
            }
        }
        SamplerSet {
            slots: Slots::narrowed(slots, samplers.len()),
            samplers: samplers.into_boxed_slice(),
            healthy,
        }
    }

    /// The sampler answering `group` for `family`; `None` means NODATA.
    #[inline]
    pub fn sampler(&self, group: UserGroup, family: Family) -> Option<&Sampler> {
        // An empty answer's MAX index is past the end: `None`.
        self.samplers.get(self.slots.get(slot(group, family)))
    }

    pub fn is_healthy(&self, group: UserGroup, family: Family) -> bool {
        let slot = slot(group, family);
        self.healthy[slot / 64] & (1 << (slot % 64)) != 0
    }

    /// How many distinct tables the 330 slots share.
    pub fn distinct(&self) -> usize {
        self.samplers.len()
    }
}

fn slot(group: UserGroup, family: Family) -> usize {
    group.index() * 2 + family.index()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a fixed-seed generator so the test is reproducible.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn slots_narrow_only_when_every_index_fits_a_byte() {
        let mut wide = Box::new([NONE; SLOTS]);
        for (i, slot) in wide.iter_mut().enumerate().step_by(2) {
            *slot = (i / 2) as u16;
        }
        let narrow = Slots::narrowed(wide.clone(), 200);
        assert!(matches!(narrow, Slots::Narrow(_)));
        let kept = Slots::narrowed(wide.clone(), 300);
        assert!(matches!(kept, Slots::Wide(_)));
        for slot in 0..SLOTS {
            let expected = if slot % 2 == 0 { slot / 2 } else { usize::MAX };
            assert_eq!(kept.get(slot), expected.min(usize::from(NONE)));
            if slot % 2 == 0 && slot / 2 < 200 {
                assert_eq!(narrow.get(slot), slot / 2);
            }
            if slot % 2 == 1 {
                assert_eq!(narrow.get(slot), usize::from(u8::MAX), "an empty answer");
            }
        }
    }

    #[test]
    fn a_single_endpoint_needs_no_table() {
        let sampler = Sampler::new(&vec![(EndpointId(7), 1.0)]).expect("non-empty");
        assert_eq!(sampler, Sampler::One(EndpointId(7)));
        assert!(
            (0..100u64)
                .all(|r| sampler.pick(r.wrapping_mul(0x9E37_79B9_7F4A_7C15)) == EndpointId(7))
        );
        assert_eq!(Sampler::new(&Vec::new()), None);
    }

    #[test]
    fn draws_match_the_distribution_chi_square() {
        let probabilities = [0.5, 0.2, 0.15, 0.1, 0.04, 0.01];
        let dist: Dist = probabilities
            .iter()
            .enumerate()
            .map(|(i, &p)| (EndpointId(i as u32 * 3), p))
            .collect();
        let sampler = Sampler::new(&dist).expect("non-empty");
        let draws = 100_000;
        let mut counts = [0u64; 6];
        let mut state = 42;
        for _ in 0..draws {
            let e = sampler.pick(splitmix(&mut state));
            counts[(e.0 / 3) as usize] += 1;
        }
        let chi2: f64 = counts
            .iter()
            .zip(probabilities)
            .map(|(&c, p)| {
                let expected = p * draws as f64;
                (c as f64 - expected).powi(2) / expected
            })
            .sum();
        // 5 degrees of freedom: the 99.9th percentile is 20.52.
        assert!(chi2 < 20.52, "chi-square {chi2}, counts {counts:?}");
    }

    #[test]
    fn a_set_shares_equal_answers_and_records_health() {
        use crate::strategy::{StrategyDocument, health_with_down};
        let doc = StrategyDocument::from_json(
            r#"{"strategy":{"start":"p","rules":[{"type":"priority","name":"p","items":[
              {"reference":"10.0.0.1","priority":1},{"reference":"10.0.0.2","priority":2}]}]},
              "endpointsConf":[{"type":"A","value":"10.0.0.1"},{"type":"A","value":"10.0.0.2"}]}"#,
        )
        .expect("json");
        let strategy = Strategy::compile(&doc).expect("valid").strategy;
        let group = UserGroup::parse("hubei.CN/cm").expect("group");
        let set = SamplerSet::compile(&strategy, &strategy.health_unknown());
        assert_eq!(
            set.distinct(),
            1,
            "165 groups share one A answer; AAAA has none"
        );
        assert!(set.is_healthy(group, Family::A) && !set.is_healthy(group, Family::Aaaa));
        assert!(set.sampler(group, Family::Aaaa).is_none());
        let (all_down, _) = health_with_down(&strategy, ["10.0.0.1", "10.0.0.2"]);
        let failed = SamplerSet::compile(&strategy, &all_down);
        assert!(
            !failed.is_healthy(group, Family::A),
            "fail-open answers are marked unhealthy"
        );
        assert_eq!(
            failed.sampler(group, Family::A).map(|s| s.pick(7)),
            Some(EndpointId(0))
        );
    }

    #[test]
    fn a_certain_endpoint_is_always_drawn_and_zero_never() {
        let sampler = Sampler::new(&vec![(EndpointId(7), 1.0)]).expect("non-empty");
        let mut state = 1;
        assert!((0..1000).all(|_| sampler.pick(splitmix(&mut state)) == EndpointId(7)));
        assert!(Sampler::new(&Vec::new()).is_none());
    }
}
