//! Domains: the seed's list item, creation request, status values and name rules.

use serde::{Deserialize, Serialize};

use crate::strategy::is_host_name;

/// The domain's scheduling status (seed: "" 未调度, start 调度中, stop 停止调度, pause 暂停调度).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DomainStatus {
    #[default]
    #[serde(rename = "")]
    Unscheduled,
    #[serde(rename = "start")]
    Start,
    #[serde(rename = "stop")]
    Stop,
    #[serde(rename = "pause")]
    Pause,
}

impl DomainStatus {
    pub fn code(self) -> &'static str {
        match self {
            DomainStatus::Unscheduled => "",
            DomainStatus::Start => "start",
            DomainStatus::Stop => "stop",
            DomainStatus::Pause => "pause",
        }
    }

    pub fn parse(code: &str) -> Option<DomainStatus> {
        [
            DomainStatus::Unscheduled,
            DomainStatus::Start,
            DomainStatus::Stop,
            DomainStatus::Pause,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// seed: "ok" 健康, "fail" 存在异常端点, "" 未知.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum MonitorStatus {
    #[default]
    #[serde(rename = "")]
    Unknown,
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "fail")]
    Fail,
}

/// One row of `GET /v1/domains`, exactly as the seed shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSummary {
    pub domain: String,
    /// `<domain>.<zone>` for ITM domains, empty for non-ITM domains.
    #[serde(rename = "CNAME")]
    pub cname: String,
    pub status: DomainStatus,
    pub monitor_status: MonitorStatus,
    /// STARTED / STOPPED / DELETED.
    pub resource_status: String,
    pub has_distribution: bool,
    /// Delegated (non-ITM) domains not served yet: why (pending its proof of control, or in
    /// conflict) and the TXT record that proves control. Absent once the name is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// Who may answer a delegated name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum NameClaim {
    /// Served: proved (or the installation trusts delegated names).
    #[default]
    Active,
    /// Not served until the TXT record below is published and checked.
    Pending,
    /// Not served: the name lies at or under a zone this server answers for someone else.
    Conflict,
}

impl NameClaim {
    pub fn code(self) -> &'static str {
        match self {
            NameClaim::Active => "active",
            NameClaim::Pending => "pending",
            NameClaim::Conflict => "conflict",
        }
    }

    pub fn parse(code: &str) -> Option<NameClaim> {
        [NameClaim::Active, NameClaim::Pending, NameClaim::Conflict]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// The proof of control of a delegated name: publish `TXT <txt_name> "<txt_value>"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub status: NameClaim,
    pub txt_name: String,
    pub txt_value: String,
}

/// The label under a delegated name that carries its proof of control.
pub const CHALLENGE_LABEL: &str = "_itm-challenge";

/// `GET /v1/domains/{domain}`: the list row plus what the console shows about one domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainDetails {
    #[serde(flatten)]
    pub summary: DomainSummary,
    pub is_itm_domain: bool,
    /// Seconds; the TTL of every answer for this domain (1..=86400, default 60).
    pub ttl: u32,
    pub endpoint_count: u32,
    /// How many of them monitoring has decided down (some but not all: degraded).
    #[serde(default)]
    pub down_count: u32,
    /// The enabled strategy version, if any.
    pub strategy_version: Option<i64>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// Set while this node cannot load the domain's stored strategy: DNS answers from the last
    /// good build, or SERVFAIL without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Quarantined>,
    /// For a delegated (non-ITM) domain: the name servers its NS records should name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_servers: Vec<String>,
}

/// Why a domain's stored strategy is not loaded, and since when (ms since the Unix epoch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantined {
    pub reason: String,
    pub since: i64,
}

/// The answer TTL range accepted for a domain, in seconds.
pub const TTL_RANGE: std::ops::RangeInclusive<u32> = 1..=86_400;

/// One element of `POST /v1/domains` (request and answer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDomain {
    pub domain: String,
    pub is_itm_domain: bool,
}

/// One element of the answer to `POST /v1/domains`: the name as created and, for a delegated
/// name that must be proved first, the TXT record to publish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedDomain {
    pub domain: String,
    pub is_itm_domain: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// Lower-cases and checks a domain name; the error says what is wrong with it.
pub fn normalize_domain_name(name: &str) -> Result<String, String> {
    let lower = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if lower.is_empty() {
        return Err("the domain name is empty".into());
    }
    if !is_host_name(&lower) || !lower.contains('.') {
        return Err(format!(
            "\"{name}\" is not a domain name (letters, digits and hyphens in dot-separated labels, e.g. www.example.com)"
        ));
    }
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_normalised_or_refused() {
        assert_eq!(
            normalize_domain_name(" WWW.Example.com. "),
            Ok("www.example.com".into())
        );
        assert!(normalize_domain_name("localhost").is_err());
        assert!(normalize_domain_name("bad_name!.com").is_err());
        assert!(normalize_domain_name("-x.example.com").is_err());
        assert!(normalize_domain_name("").is_err());
        assert!(normalize_domain_name("1.2.3.4").is_err());
    }

    #[test]
    fn status_codes_round_trip() {
        for s in ["", "start", "stop", "pause"] {
            assert_eq!(DomainStatus::parse(s).map(DomainStatus::code), Some(s));
        }
        assert_eq!(
            serde_json::to_string(&DomainStatus::Unscheduled)
                .ok()
                .as_deref(),
            Some("\"\"")
        );
    }
}
