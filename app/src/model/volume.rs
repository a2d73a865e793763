//! DNS query volume of a domain (`GET /v1/domains/{domain}/query-volume`): how many queries its
//! name got over the last hours, per time slot and per user group, as every node counted them.

use serde::{Deserialize, Serialize};

/// The windows one may ask for, in hours (7 days are kept).
pub const VOLUME_HOURS: std::ops::RangeInclusive<u32> = 1..=168;
/// The default window.
pub const VOLUME_DEFAULT_HOURS: u32 = 24;
/// A chart has at most this many slots: the step grows with the window (1 h: 1 min, 24 h: 5 min).
const MAX_SLOTS: u32 = 288;
const MINUTE_MS: i64 = 60_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryVolume {
    pub domain: String,
    pub hours: u32,
    /// The start of the first slot (ms since the Unix epoch).
    pub from: i64,
    pub step_seconds: u32,
    pub total: u64,
    /// Queries per slot, oldest first: slot `i` starts at `from + i × stepSeconds`.
    pub series: Vec<u64>,
    /// Where `groups` begin: the start of the hour `from` falls in (groups are counted by whole
    /// hours, so they may cover up to an hour more than `series`).
    pub groups_from: i64,
    /// Queries per user group since `groupsFrom`, the busiest first (groups without any absent).
    pub groups: Vec<GroupVolume>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupVolume {
    pub area: String,
    pub isp: String,
    pub count: u64,
}

/// The slots of a window of `hours` ending with the minute `now` falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeWindow {
    pub from: i64,
    pub step_ms: i64,
    pub slots: usize,
}

impl VolumeWindow {
    pub fn ending_at(now: i64, hours: u32) -> VolumeWindow {
        let minutes = hours.max(1) * 60;
        let step_minutes = minutes.div_ceil(MAX_SLOTS);
        let slots = minutes.div_ceil(step_minutes);
        let step_ms = i64::from(step_minutes) * MINUTE_MS;
        let end = (now.div_euclid(MINUTE_MS) + 1) * MINUTE_MS;
        VolumeWindow {
            from: end - i64::from(slots) * step_ms,
            step_ms,
            slots: slots as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_ends_with_the_current_minute_and_has_at_most_288_slots() {
        let now = 1_700_000_123_456;
        let minute = now / MINUTE_MS * MINUTE_MS;
        let hour = VolumeWindow::ending_at(now, 1);
        assert_eq!((hour.step_ms, hour.slots), (MINUTE_MS, 60));
        assert_eq!(
            hour.from + 60 * MINUTE_MS,
            minute + MINUTE_MS,
            "the current minute is the last slot"
        );
        let day = VolumeWindow::ending_at(now, 24);
        assert_eq!((day.step_ms, day.slots), (5 * MINUTE_MS, 288));
        let week = VolumeWindow::ending_at(now, 168);
        assert_eq!((week.step_ms, week.slots), (35 * MINUTE_MS, 288));
        assert_eq!(
            week.from + 7 * 24 * 3_600_000,
            minute + MINUTE_MS,
            "seven whole days, the current minute last"
        );
    }
}
