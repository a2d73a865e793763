//! What only the console asks for: a page of the domain list, an address's detected place and a
//! domain's schedule (its enabled strategy with the live health, and the preview of the two,
//! [`DomainSchedule::preview`], which the server's rendering and the browser both compute).

use serde::{Deserialize, Serialize};

use super::{DomainSummary, EndpointStatus};
use crate::editor::stress::{Change, diff, previews};
use crate::strategy::{Family, Health, Preview, Strategy, StrategyDocument, recommend};

/// Domains per page of the console's list.
pub const DOMAINS_PER_PAGE: u32 = 50;

/// One row of the console's domain list: the API's row plus what the console adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainRow {
    #[serde(flatten)]
    pub summary: DomainSummary,
    pub endpoint_count: u32,
    /// How many of them monitoring has decided down (some but not all: degraded).
    pub down_count: u32,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

/// One page of the domains whose name contains the search text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainPage {
    /// Matching domains in all pages.
    pub total: u32,
    /// 1-based, clamped to the last page.
    pub page: u32,
    pub pages: u32,
    pub rows: Vec<DomainRow>,
}

/// A domain's saved working draft of its strategy (`GET /v1/domains/{domain}/strategy/draft`):
/// what the console's editor saved last, not yet enabled. The document may be invalid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyDraft {
    pub document: StrategyDocument,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
    pub updated_by: String,
}

/// The area and ISP detected for an address: what adding it without them stores
/// (`none.CN`/`other` when no database places it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpPlace {
    pub area: String,
    pub isp: String,
    /// Whether an IP database covered the address.
    pub known: bool,
}

/// A domain's enabled strategy and each endpoint's live health: everything the scheduling
/// results need, evaluated by the same code in the server's rendering and in the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSchedule {
    pub document: StrategyDocument,
    pub enabled_version: Option<i64>,
    pub health: Vec<(String, EndpointStatus)>,
}

impl DomainSchedule {
    /// Every user group's answer for one family, under the live health (ok → up, fail → down,
    /// anything else or no status → unknown); `Err`: why there is none — no strategy, or the
    /// stored one's validation errors joined with `; `.
    pub fn preview(&self, family: Family) -> Result<Preview, String> {
        if self.document.strategy.rules.is_empty() {
            return Err("no strategy".into());
        }
        let compiled = Strategy::compile(&self.document).map_err(|p| {
            p.errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        Ok(Preview::compute(
            &compiled.strategy,
            &self.live_health(&compiled.strategy),
            family,
        ))
    }

    /// What enabling the recommended strategy (generated from the endpoints) would change,
    /// under the live health: the recommendation's document, and every (family, group) whose
    /// answer moves — `None` when no valid strategy is enabled (every group gets its first
    /// answer). The results tab shows this before it asks.
    pub fn recommendation_changes(&self) -> (StrategyDocument, Option<Vec<Change>>) {
        let mut recommended = self.document.clone();
        recommended.strategy = recommend(&self.document.endpoints_conf).strategy;
        let previews_of = |doc: &StrategyDocument| {
            let strategy = Strategy::compile(doc).ok()?.strategy;
            Some(previews(&strategy, &self.live_health(&strategy)))
        };
        let before = (!self.document.strategy.rules.is_empty())
            .then(|| previews_of(&self.document))
            .flatten();
        let changes = match (before, previews_of(&recommended)) {
            (Some(before), Some(after)) => Some(diff(&before, &after)),
            _ => None,
        };
        (recommended, changes)
    }

    /// Each endpoint of `strategy` as the monitor sees it now (ok → up, fail → down, anything
    /// else or no status → unknown).
    fn live_health(&self, strategy: &Strategy) -> Vec<Health> {
        strategy
            .endpoints
            .iter()
            .map(|e| {
                match self
                    .health
                    .iter()
                    .find(|(v, _)| *v == e.value)
                    .map(|(_, h)| *h)
                {
                    Some(EndpointStatus::Ok) => Health::Up,
                    Some(EndpointStatus::Fail) => Health::Down,
                    _ => Health::Unknown,
                }
            })
            .collect()
    }
}

/// The account's usage in the seed's billing units (计费项): domains, endpoints and monitor
/// tasks, with the average number of monitor points per endpoint (rounded up, as the seed's
/// 平均监控点个数 rule says).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub domains: u64,
    pub endpoints: u64,
    pub monitor_points: u64,
    pub monitor_tasks: u64,
    pub average_points: u64,
}

impl Usage {
    /// Σ points per endpoint / endpoints, rounded up; 0 without endpoints.
    pub fn average_points(tasks: u64, endpoints: u64) -> u64 {
        if endpoints == 0 {
            0
        } else {
            tasks.div_ceil(endpoints)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Usage;

    #[test]
    fn the_average_number_of_points_is_rounded_up() {
        // The seed's example: one IP with 50 points and one with 10 → 30.
        assert_eq!(Usage::average_points(60, 2), 30);
        assert_eq!(Usage::average_points(61, 2), 31);
        assert_eq!(Usage::average_points(0, 0), 0);
    }
}
