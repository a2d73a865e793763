//! Geo-proximity: the available children nearest to the group (distance between the capitals of
//! the group's area and the child's area) split equally (seed: several IPs in one province → one
//! at random). Areas without a capital are infinitely far; when every child is, all available
//! children split equally. None available: the same over every answering child, unhealthy.

use super::{Child, Decision, Reason, answering, available};
use crate::strategy::area::UserGroup;

pub fn decide(group: UserGroup, children: &[Child<'_>]) -> Decision {
    if let Some((shares, reason)) = nearest(group, children, available) {
        return Decision {
            shares,
            healthy: true,
            reason,
        };
    }
    match nearest(group, children, answering) {
        Some((shares, _)) => Decision {
            shares,
            healthy: false,
            reason: Reason::FailOpen,
        },
        None => Decision::no_answer(),
    }
}

fn nearest(
    group: UserGroup,
    children: &[Child<'_>],
    keep: fn(&Child<'_>) -> bool,
) -> Option<(Vec<(usize, f64)>, Reason)> {
    let distances: Vec<(usize, f64)> = children
        .iter()
        .enumerate()
        .filter(|(_, c)| keep(c))
        .map(|(i, c)| (i, group.area.distance_km(c.area)))
        .collect();
    let min = distances.iter().map(|&(_, d)| d).reduce(f64::min)?;
    let chosen: Vec<usize> = distances
        .iter()
        .filter(|&&(_, d)| d == min)
        .map(|&(i, _)| i)
        .collect();
    let share = 1.0 / chosen.len() as f64;
    let reason = if min.is_finite() {
        Reason::Nearest { km: min }
    } else {
        Reason::NoDistance
    };
    Some((chosen.into_iter().map(|i| (i, share)).collect(), reason))
}
