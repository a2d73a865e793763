//! Answer picking for DNS: each distribution becomes an alias table (Vose), so drawing one
//! endpoint is one multiply, one compare and two loads, whatever the number of endpoints.
//! A [`SamplerSet`] holds the tables of all 165 groups × 2 families of one strategy; groups
//! with the same distribution share one table (most strategies have only a few distinct ones).

use std::collections::HashMap;

use super::area::UserGroup;
use super::evaluate::Evaluator;
use super::model::{EndpointId, Family, Health, Strategy};
use super::outcome::Dist;

/// An alias table over a non-empty distribution.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Sampler {
    endpoints: Box<[EndpointId]>,
    /// Probability (scaled to 2^32) of keeping column `i` rather than taking its alias.
    keep: Box<[u32]>,
    alias: Box<[u32]>,
}

impl Sampler {
    /// `None` for an empty distribution (the caller answers NODATA).
    pub fn new(dist: &Dist) -> Option<Sampler> {
        let n = dist.len();
        if n == 0 || n > u32::MAX as usize {
            return None;
        }
        let total: f64 = dist.iter().map(|&(_, p)| p).sum();
        let mut scaled: Vec<f64> = dist.iter().map(|&(_, p)| p * n as f64 / total).collect();
        let mut keep = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            keep[s] = to_fraction(scaled[s]);
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers are 1 up to rounding: they keep themselves (alias = self), so no bias.
        Some(Sampler {
            endpoints: dist.iter().map(|&(e, _)| e).collect(),
            keep: keep.into_boxed_slice(),
            alias: alias.into_boxed_slice(),
        })
    }

    /// Draws an endpoint from 64 uniformly random bits.
    #[inline]
    pub fn pick(&self, random: u64) -> EndpointId {
        let column = ((random & 0xffff_ffff) * self.endpoints.len() as u64) >> 32;
        let column = column as usize;
        let coin = (random >> 32) as u32;
        // A full column (keep = 2^32 - 1) has itself as alias, so the rare miss is harmless.
        let chosen = if coin < self.keep[column] {
            column
        } else {
            self.alias[column] as usize
        };
        self.endpoints[chosen]
    }

    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }
}

fn to_fraction(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).min(u32::MAX as f64) as u32
}

/// Every (group, family) sampler of one strategy under one health view. Kept small, since the
/// DNS snapshot holds one per domain: 2-byte slots and a bitset of healthy answers.
#[derive(Clone, Debug)]
pub struct SamplerSet {
    samplers: Box<[Sampler]>,
    /// Per (group, family): index into `samplers`, or `NONE` for an empty answer.
    slots: Box<[u16; SLOTS]>,
    healthy: [u64; SLOTS.div_ceil(64)],
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
            samplers: samplers.into_boxed_slice(),
            slots,
            healthy,
        }
    }

    /// The sampler answering `group` for `family`; `None` means NODATA.
    #[inline]
    pub fn sampler(&self, group: UserGroup, family: Family) -> Option<&Sampler> {
        self.samplers.get(self.slots[slot(group, family)] as usize)
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
