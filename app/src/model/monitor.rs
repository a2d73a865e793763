//! A domain's monitor settings (`GET|PUT /v1/domains/{domain}/monitor`), their defaults (the
//! seed's recommended values) and their validation, field by field, per `docs/monitoring.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::strategy::is_host_name;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Protocol {
    #[default]
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTPS")]
    Https,
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "PING")]
    Ping,
}

impl Protocol {
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Https => 443,
            _ => 80,
        }
    }

    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }
}

/// HTTP status codes that count as healthy: a list of codes and ranges, e.g. `200-299,301,302`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedCodes(Vec<(u16, u16)>);

/// The seed's default: every success and redirect.
impl Default for ExpectedCodes {
    fn default() -> Self {
        ExpectedCodes(vec![(200, 399)])
    }
}

impl ExpectedCodes {
    pub fn parse(text: &str) -> Result<ExpectedCodes, String> {
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (low, high) = part.split_once('-').unwrap_or((part, part));
            let code = |s: &str| {
                s.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|c| (100..=599).contains(c))
                    .ok_or_else(|| format!("\"{part}\" is not an HTTP status code (100..=599) or a range like 200-299"))
            };
            let (low, high) = (code(low)?, code(high)?);
            if low > high {
                return Err(format!("range \"{part}\" runs backwards"));
            }
            ranges.push((low, high));
        }
        Ok(ExpectedCodes(ranges))
    }

    pub fn contains(&self, status: u16) -> bool {
        self.0
            .iter()
            .any(|&(low, high)| (low..=high).contains(&status))
    }
}

impl fmt::Display for ExpectedCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(l, h)| {
                if l == h {
                    l.to_string()
                } else {
                    format!("{l}-{h}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// The monitor settings of one domain. Every field is optional in a request: an omitted one takes
/// the seed's recommended value ([`Default`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MonitorSettings {
    pub protocol: Protocol,
    /// Service port; 0 in a request means "the protocol's default".
    pub port: u32,
    pub path: String,
    /// Host header / TLS SNI; empty means the domain's own name.
    pub host: String,
    pub expected_codes: String,
    pub timeout_sec: u32,
    pub interval_sec: u32,
    pub fault_threshold: u32,
    pub window: u32,
    pub min_errors: u32,
    /// Monitor point ids; empty means every point.
    pub points: Vec<String>,
}

impl Default for MonitorSettings {
    /// The seed's recommended values (FAQ: 健康检查的相关配置).
    fn default() -> Self {
        MonitorSettings {
            protocol: Protocol::Http,
            port: 80,
            path: "/".into(),
            host: String::new(),
            expected_codes: "200-399".into(),
            timeout_sec: 10,
            interval_sec: 60,
            fault_threshold: 80,
            window: 5,
            min_errors: 3,
            points: Vec::new(),
        }
    }
}

impl MonitorSettings {
    /// Every field out of range, each named; `known_points` are the registered point ids.
    pub fn validate(&self, known_points: &[String]) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, field: &str, message: String| {
            if !ok {
                errors.push(FieldError::new(field, message));
            }
        };
        check(
            (1..=65535).contains(&self.port),
            "port",
            format!("{} is out of range 1..=65535", self.port),
        );
        if self.protocol.is_http() {
            let len = self.path.chars().count();
            check(
                self.path.starts_with('/')
                    && (1..=255).contains(&len)
                    && !self.path.chars().any(char::is_whitespace),
                "path",
                format!(
                    "\"{}\" must start with '/', have 1..=255 characters and no spaces",
                    self.path
                ),
            );
            check(
                self.host.is_empty() || is_host_name(&self.host),
                "host",
                format!("\"{}\" is not a host name", self.host),
            );
            if let Err(e) = ExpectedCodes::parse(&self.expected_codes) {
                check(false, "expectedCodes", e);
            }
        }
        check(
            (1..=60).contains(&self.timeout_sec),
            "timeoutSec",
            format!("{} is out of range 1..=60", self.timeout_sec),
        );
        check(
            (1..=3600).contains(&self.interval_sec),
            "intervalSec",
            format!("{} is out of range 1..=3600", self.interval_sec),
        );
        check(
            (1..=100).contains(&self.fault_threshold),
            "faultThreshold",
            format!("{} is out of range 1..=100 (%)", self.fault_threshold),
        );
        check(
            (1..=20).contains(&self.window),
            "window",
            format!("{} is out of range 1..=20", self.window),
        );
        check(
            self.min_errors >= 1 && self.min_errors <= self.window,
            "minErrors",
            format!(
                "{} is out of range 1..=window ({})",
                self.min_errors, self.window
            ),
        );
        for (i, point) in self.points.iter().enumerate() {
            check(
                known_points.contains(point),
                &format!("points[{i}]"),
                format!("\"{point}\" is not a registered monitor point"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Fills "use the default" values: port 0 → the protocol's port.
    pub fn with_defaults(mut self) -> Self {
        if self.port == 0 {
            self.port = u32::from(self.protocol.default_port());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_issue_travels_as_a_kind_with_its_parameters_and_reads_in_english() {
        let blocked = PointIssue::Blocked {
            address: "192.0.2.1".into(),
            flag: "--probe-networks".into(),
            networks: "127.0.0.0/8".into(),
        };
        let wire = serde_json::to_value(&blocked).expect("json");
        assert_eq!(
            wire,
            serde_json::json!({"kind": "blocked", "address": "192.0.2.1",
                "flag": "--probe-networks", "networks": "127.0.0.0/8"})
        );
        assert_eq!(
            serde_json::from_value::<PointIssue>(wire).expect("reads back"),
            blocked
        );
        assert_eq!(
            blocked.to_string(),
            "blocked by policy: 192.0.2.1 is outside the networks probes may reach \
             (--probe-networks 127.0.0.0/8)"
        );
        let icmp = PointIssue::NoIcmp {
            icmp_error: "EACCES".into(),
            raw_error: "EPERM".into(),
        };
        assert_eq!(serde_json::to_value(&icmp).expect("json")["kind"], "noIcmp");
        assert!(icmp.to_string().contains("no ICMP socket (EACCES)"));
    }

    fn fields(settings: &MonitorSettings) -> Vec<String> {
        settings
            .validate(&["local".into()])
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn defaults_are_valid_and_the_seeds_recommendation() {
        let d = MonitorSettings::default();
        assert_eq!(fields(&d), Vec::<String>::new());
        assert_eq!(
            (
                d.timeout_sec,
                d.fault_threshold,
                d.window,
                d.min_errors,
                d.interval_sec
            ),
            (10, 80, 5, 3, 60)
        );
    }

    #[test]
    fn each_out_of_range_field_is_named() {
        type Change = Box<dyn Fn(&mut MonitorSettings)>;
        let cases: Vec<(&str, Change)> = vec![
            ("port", Box::new(|s| s.port = 70000)),
            ("path", Box::new(|s| s.path = "no-slash".into())),
            ("host", Box::new(|s| s.host = "bad host".into())),
            (
                "expectedCodes",
                Box::new(|s| s.expected_codes = "200-99".into()),
            ),
            ("timeoutSec", Box::new(|s| s.timeout_sec = 61)),
            ("intervalSec", Box::new(|s| s.interval_sec = 0)),
            ("faultThreshold", Box::new(|s| s.fault_threshold = 101)),
            ("window", Box::new(|s| s.window = 21)),
            ("minErrors", Box::new(|s| s.min_errors = 6)),
            ("points[0]", Box::new(|s| s.points = vec!["nowhere".into()])),
        ];
        for (field, change) in cases {
            let mut s = MonitorSettings::default();
            change(&mut s);
            assert_eq!(fields(&s), vec![field.to_owned()], "changing {field}");
        }
    }

    #[test]
    fn expected_codes_parse_lists_and_ranges() {
        let codes = ExpectedCodes::parse("200-299, 301,302").expect("parses");
        assert!(
            codes.contains(204)
                && codes.contains(302)
                && !codes.contains(303)
                && !codes.contains(500)
        );
        assert_eq!(codes.to_string(), "200-299,301,302");
        assert!(ExpectedCodes::parse("abc").is_err());
        assert!(ExpectedCodes::parse("600").is_err());
        assert!(ExpectedCodes::parse("").is_err());
    }
}

/// One probe, as `GET /v1/domains/{domain}/probes` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeRecord {
    pub endpoint: String,
    pub point: String,
    /// Milliseconds since the Unix epoch.
    pub time: i64,
    pub ok: bool,
    pub latency_ms: Option<i64>,
    pub http_status: Option<i64>,
    /// `timeout`, `refused`, `reset`, `tls`, `dns`, `unexpectedStatus` or `unreachable`.
    pub failure: Option<String>,
}

/// One state change, as `GET /v1/domains/{domain}/health-events` lists it: an endpoint's
/// (`up`/`down`), or the domain's monitorStatus (`endpoint` empty; `ok`/`fail`/empty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthEventRecord {
    pub id: i64,
    pub endpoint: String,
    pub time: i64,
    pub from: String,
    pub to: String,
    /// Per point: ok/failed, HTTP code, latency; the failing share versus the threshold; the
    /// window's verdicts.
    pub evidence: serde_json::Value,
}

/// `POST /v1/monitor-points`: register an agent point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMonitorPoint {
    pub name: String,
    /// Area code (e.g. `beijing.CN`); empty when unknown.
    #[serde(default)]
    pub area: String,
    /// ISP code (`ct`, `cu`, `cm`, `cernet`, `other`); empty when unknown.
    #[serde(default)]
    pub isp: String,
}

/// One row of `GET /v1/monitor-points`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorPointInfo {
    pub name: String,
    pub area: String,
    pub isp: String,
    /// The server's own point (`local`), not an agent.
    pub built_in: bool,
    /// When the agent last fetched tasks or posted results (ms); `None` for the built-in point
    /// and for agents never seen.
    pub last_seen: Option<i64>,
    /// Endpoints it has a current result for, and how many of those failed.
    pub reporting: u32,
    pub failing: u32,
    /// It fails against every endpoint it probes (at least two): the problem is likely on the
    /// point's side (its network), not the endpoints'.
    pub probe_side_problem: bool,
    /// Why it could not probe at all lately (e.g. no ICMP socket for PING), if so, in English:
    /// such probes are never counted against endpoints.
    pub issue: Option<String>,
    /// The same, as a kind and its parameters (the console says it in the user's language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_kind: Option<PointIssue>,
}

/// A health event's evidence as monitoring stores it (the server's `monitor::rounds::Evidence`),
/// read for display. Evidence of another shape (older, or written by hand) is shown as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub verdict: EvidenceVerdict,
    pub points: Vec<EvidencePoint>,
    /// The window's rounds, oldest first (`true` = failed).
    pub window: Vec<bool>,
    pub failures: usize,
    pub min_errors: u32,
    pub window_size: u32,
}

/// The round that changed the state: how many points failed, against the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceVerdict {
    pub failing: usize,
    pub reporting: usize,
    pub failing_percent: u32,
    pub fault_threshold: u32,
}

/// One point's result in that round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidencePoint {
    pub point: String,
    pub ok: bool,
    #[serde(default)]
    pub latency_ms: Option<u32>,
    #[serde(default)]
    pub http_status: Option<u16>,
    /// The failure's code (`timeout`, `refused`, …).
    #[serde(default)]
    pub failure: Option<String>,
}

impl Evidence {
    /// The evidence in `value`, if it has monitoring's shape.
    pub fn read(value: &serde_json::Value) -> Option<Evidence> {
        Evidence::deserialize(value).ok()
    }
}

/// Why a point could not make a probe at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PointIssue {
    /// The endpoint's address is outside the networks probes may reach (`flag` sets them).
    Blocked {
        address: String,
        flag: String,
        networks: String,
    },
    /// PING needs an ICMP or a raw socket, and this process may open neither.
    NoIcmp {
        icmp_error: String,
        raw_error: String,
    },
}

impl fmt::Display for PointIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PointIssue::Blocked {
                address,
                flag,
                networks,
            } => write!(
                f,
                "blocked by policy: {address} is outside the networks probes may reach \
                 ({flag} {networks})"
            ),
            PointIssue::NoIcmp {
                icmp_error,
                raw_error,
            } => write!(
                f,
                "PING probes are not possible from this process: no ICMP socket ({icmp_error}) \
                 and no raw socket ({raw_error}); allow them with \
                 `sysctl net.ipv4.ping_group_range=\"0 2147483647\"` or CAP_NET_RAW"
            ),
        }
    }
}

/// The answer to a registration: the point and its token, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedMonitorPoint {
    pub point: MonitorPointInfo,
    pub token: String,
}

/// One probe an agent runs every `intervalSec` (`GET /v1/agent/tasks`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentTask {
    pub domain_id: i64,
    pub endpoint: String,
    pub protocol: Protocol,
    pub port: u16,
    pub path: String,
    pub host: String,
    pub expected_codes: String,
    pub timeout_sec: u32,
    pub interval_sec: u32,
}

/// One result an agent posts (`POST /v1/agent/results`, a list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentResult {
    pub domain_id: i64,
    pub endpoint: String,
    /// When the probe was made (ms since the Unix epoch).
    pub time: i64,
    pub ok: bool,
    #[serde(default)]
    pub latency_ms: Option<i64>,
    #[serde(default)]
    pub http_status: Option<i64>,
    #[serde(default)]
    pub failure: Option<String>,
}

/// Monitor tasks (points × endpoints), the seed's billing unit: per domain and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorTaskCount {
    pub total: u64,
    pub domains: Vec<DomainTaskCount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainTaskCount {
    pub domain: String,
    pub endpoints: u32,
    pub points: u32,
    pub tasks: u64,
}
