//! What only the console asks for: a page of the domain list, an address's detected place and a
//! domain's schedule (its enabled strategy with the live health the preview evaluates).

use serde::{Deserialize, Serialize};

use super::{DomainSummary, EndpointStatus};
use crate::strategy::StrategyDocument;

/// Domains per page of the console's list.
pub const DOMAINS_PER_PAGE: u32 = 50;

/// One row of the console's domain list: the API's row plus what the console adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainRow {
    #[serde(flatten)]
    pub summary: DomainSummary,
    pub endpoint_count: u32,
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

/// The area and ISP detected for an address (`none.abroad`/`other` when unknown).
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
