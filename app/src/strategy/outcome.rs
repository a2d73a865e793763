//! What evaluating a rule or endpoint yields: a probability distribution over endpoints and
//! whether it is healthy, plus the helpers that mix children's distributions by share.
//!
//! Distributions are sorted by endpoint id and mixed in a fixed order with plain f64
//! arithmetic, so the server and the wasm preview produce bit-identical probabilities.

use super::model::EndpointId;

/// Endpoint → probability, sorted by endpoint id, probabilities summing to 1 (or empty).
pub type Dist = Vec<(EndpointId, f64)>;

#[derive(Clone, PartialEq, Debug, Default)]
pub struct Outcome {
    pub dist: Dist,
    /// An empty outcome is never healthy: it has nothing to answer with.
    pub healthy: bool,
}

impl Outcome {
    pub fn empty() -> Outcome {
        Outcome {
            dist: Vec::new(),
            healthy: false,
        }
    }

    pub fn single(endpoint: EndpointId, healthy: bool) -> Outcome {
        Outcome {
            dist: vec![(endpoint, 1.0)],
            healthy,
        }
    }

    /// Healthy and non-empty: a parent may route to it.
    pub fn is_available(&self) -> bool {
        self.healthy && !self.dist.is_empty()
    }
}

/// Turns weights into shares summing to 1; all-zero (or no) weights share equally.
pub fn shares_by_weight(weights: impl IntoIterator<Item = (usize, u32)>) -> Vec<(usize, f64)> {
    let weights: Vec<(usize, u32)> = weights.into_iter().collect();
    let total: u64 = weights.iter().map(|&(_, w)| u64::from(w)).sum();
    if total == 0 {
        let n = weights.len() as f64;
        return weights.into_iter().map(|(i, _)| (i, 1.0 / n)).collect();
    }
    weights
        .into_iter()
        .filter(|&(_, w)| w > 0)
        .map(|(i, w)| (i, f64::from(w) / total as f64))
        .collect()
}

/// Σ share × dist over the parts, merged by endpoint id. Parts must have shares summing to 1.
pub fn mix<'a>(parts: impl IntoIterator<Item = (f64, &'a Dist)>) -> Dist {
    let mut all: Dist = Vec::new();
    for (share, dist) in parts {
        all.extend(dist.iter().map(|&(e, p)| (e, share * p)));
    }
    // Stable sort keeps each endpoint's terms in part order, so the sums are reproducible.
    all.sort_by_key(|&(e, _)| e);
    let mut merged: Dist = Vec::with_capacity(all.len());
    for (e, p) in all {
        match merged.last_mut() {
            Some((last, acc)) if *last == e => *acc += p,
            _ => merged.push((e, p)),
        }
    }
    merged.retain(|&(_, p)| p > 0.0);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_weights_or_split_equally() {
        assert_eq!(
            shares_by_weight([(0, 1), (1, 3)]),
            vec![(0, 0.25), (1, 0.75)]
        );
        assert_eq!(shares_by_weight([(0, 0), (1, 0)]), vec![(0, 0.5), (1, 0.5)]);
        assert_eq!(shares_by_weight([(0, 0), (1, 2)]), vec![(1, 1.0)]);
    }

    #[test]
    fn mix_merges_by_endpoint() {
        let a = vec![(EndpointId(0), 0.5), (EndpointId(2), 0.5)];
        let b = vec![(EndpointId(2), 1.0)];
        let m = mix([(0.5, &a), (0.5, &b)]);
        assert_eq!(m, vec![(EndpointId(0), 0.25), (EndpointId(2), 0.75)]);
    }
}
