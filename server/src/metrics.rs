//! Counters for `/metrics` (Prometheus text format): DNS responses by response code and user
//! group, probes by result, the change notifications received from other nodes. Process-wide
//! statics with relaxed atomics, so the DNS hot path pays one uncontended-ish increment and no
//! allocation; the gauges (snapshot age, lag, database reachability) are read when scraped.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use app::strategy::UserGroup;

/// Response codes counted apart; everything else is "other".
const RCODES: [&str; 7] = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "other",
];
/// The 165 user groups, then "unplaced" (answers given without placing the client).
const GROUP_SLOTS: usize = UserGroup::COUNT + 1;

static DNS: [[AtomicU64; GROUP_SLOTS]; RCODES.len()] =
    [const { [const { AtomicU64::new(0) }; GROUP_SLOTS] }; RCODES.len()];
static PROBES_OK: AtomicU64 = AtomicU64::new(0);
static PROBES_FAILED: AtomicU64 = AtomicU64::new(0);
static NOTIFICATIONS: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];
static NAME_COLLISIONS: AtomicU64 = AtomicU64::new(0);

/// Counts one DNS response with code `rcode` (the header's 4-bit code) for `group`.
#[inline]
pub fn dns_response(rcode: u8, group: Option<UserGroup>) {
    let code = match rcode {
        0..=5 => usize::from(rcode),
        _ => RCODES.len() - 1,
    };
    let slot = group.map_or(UserGroup::COUNT, UserGroup::index);
    if let Some(counter) = DNS.get(code).and_then(|row| row.get(slot)) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub fn probe(ok: bool) {
    let counter = if ok { &PROBES_OK } else { &PROBES_FAILED };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// A change notification from another node, configuration (`false`) or health (`true`).
pub fn notification(health: bool) {
    NOTIFICATIONS[usize::from(health)].fetch_add(1, Ordering::Relaxed);
}

/// Two domains met under one name in the DNS snapshot (the older kept it).
pub fn name_collision() {
    NAME_COLLISIONS.fetch_add(1, Ordering::Relaxed);
}

/// What the scrape reads besides the counters (the cluster's heartbeat keeps it).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gauges {
    pub node: String,
    pub snapshot_serial: u32,
    pub snapshot_age_seconds: f64,
    /// The store's configuration version; None when the database cannot be read.
    pub store_version: Option<i64>,
    pub database_up: bool,
    pub live_nodes: usize,
    pub domains_answered: usize,
    /// Domains whose stored strategy could not be loaded (served from their last good build,
    /// or SERVFAIL).
    pub domains_quarantined: usize,
}

static STATUS: std::sync::Mutex<Option<(Gauges, i64)>> = std::sync::Mutex::new(None);

/// Records the node's status (with the snapshot's build time, ms) at a heartbeat.
pub fn set_status(gauges: Gauges, snapshot_built_at: i64) {
    *STATUS.lock().unwrap_or_else(|e| e.into_inner()) = Some((gauges, snapshot_built_at));
}

/// The node's last recorded status, the snapshot's age computed now.
pub fn status() -> Gauges {
    let held = STATUS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match held {
        Some((mut g, built_at)) => {
            g.snapshot_age_seconds = ((crate::clock::now_ms() - built_at).max(0) as f64) / 1000.0;
            g
        }
        None => Gauges::default(),
    }
}

/// The whole exposition.
pub fn render(g: &Gauges) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let node = escape(&g.node);
    let _ = writeln!(
        out,
        "# HELP itm_dns_responses_total DNS responses sent, by response code and the client's user group."
    );
    let _ = writeln!(out, "# TYPE itm_dns_responses_total counter");
    for (code, row) in RCODES.iter().zip(DNS.iter()) {
        for (slot, counter) in row.iter().enumerate() {
            let n = counter.load(Ordering::Relaxed);
            if n == 0 {
                continue;
            }
            let group = UserGroup::from_index(slot)
                .map_or_else(|| "unplaced".to_owned(), |g| g.to_string());
            let _ = writeln!(
                out,
                "itm_dns_responses_total{{node=\"{node}\",rcode=\"{code}\",group=\"{group}\"}} {n}"
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP itm_probes_total Health probes run by this node's built-in point."
    );
    let _ = writeln!(out, "# TYPE itm_probes_total counter");
    for (result, counter) in [("ok", &PROBES_OK), ("failed", &PROBES_FAILED)] {
        let _ = writeln!(
            out,
            "itm_probes_total{{node=\"{node}\",result=\"{result}\"}} {}",
            counter.load(Ordering::Relaxed)
        );
    }
    let _ = writeln!(
        out,
        "# HELP itm_change_notifications_total Change notifications received from other nodes."
    );
    let _ = writeln!(out, "# TYPE itm_change_notifications_total counter");
    for (kind, counter) in ["config", "health"].iter().zip(NOTIFICATIONS.iter()) {
        let _ = writeln!(
            out,
            "itm_change_notifications_total{{node=\"{node}\",kind=\"{kind}\"}} {}",
            counter.load(Ordering::Relaxed)
        );
    }
    let _ = writeln!(
        out,
        "# HELP itm_dns_name_collisions_total Domains refused a name another domain already held in the DNS snapshot."
    );
    let _ = writeln!(out, "# TYPE itm_dns_name_collisions_total counter");
    let _ = writeln!(
        out,
        "itm_dns_name_collisions_total{{node=\"{node}\"}} {}",
        NAME_COLLISIONS.load(Ordering::Relaxed)
    );
    let gauges: [(&str, &str, Option<f64>); 7] = [
        (
            "itm_snapshot_config_version",
            "The configuration version DNS answers from.",
            Some(f64::from(g.snapshot_serial)),
        ),
        (
            "itm_snapshot_age_seconds",
            "Time since the DNS snapshot was last rebuilt.",
            Some(g.snapshot_age_seconds),
        ),
        (
            "itm_propagation_lag_versions",
            "Configuration versions committed to the store but not yet answered by this node's DNS.",
            g.store_version
                .map(|v| (v - i64::from(g.snapshot_serial)).max(0) as f64),
        ),
        (
            "itm_database_up",
            "Whether the database answered this node's last heartbeat.",
            Some(f64::from(u8::from(g.database_up))),
        ),
        (
            "itm_nodes_live",
            "Nodes heard from recently, this one included.",
            Some(g.live_nodes as f64),
        ),
        (
            "itm_domains_answered",
            "Domains in the DNS snapshot.",
            Some(g.domains_answered as f64),
        ),
        (
            "itm_domains_quarantined",
            "Domains whose stored strategy could not be loaded (last good build or SERVFAIL).",
            Some(g.domains_quarantined as f64),
        ),
    ];
    for (name, help, value) in gauges {
        let Some(value) = value else { continue };
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        let _ = writeln!(out, "{name}{{node=\"{node}\"}} {value}");
    }
    out
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_up_by_code_and_group() {
        let group = UserGroup::parse("beijing.CN/ct").expect("group");
        dns_response(0, Some(group));
        dns_response(0, Some(group));
        dns_response(3, None);
        dns_response(9, None);
        let text = render(&Gauges {
            node: "a\"b".into(),
            snapshot_serial: 7,
            snapshot_age_seconds: 1.5,
            store_version: Some(9),
            database_up: true,
            live_nodes: 3,
            domains_answered: 2,
            domains_quarantined: 1,
        });
        // Other tests in this process may count too: at least ours are there.
        let count = |needle: &str| -> u64 {
            text.lines()
                .find(|l| l.starts_with(needle))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        assert!(
            count(
                "itm_dns_responses_total{node=\"a\\\"b\",rcode=\"NOERROR\",group=\"beijing.CN/ct\"}"
            ) >= 2,
            "{text}"
        );
        assert!(
            count("itm_dns_responses_total{node=\"a\\\"b\",rcode=\"NXDOMAIN\",group=\"unplaced\"}")
                >= 1
        );
        assert!(
            count("itm_dns_responses_total{node=\"a\\\"b\",rcode=\"other\",group=\"unplaced\"}")
                >= 1
        );
        assert!(text.contains("itm_propagation_lag_versions{node=\"a\\\"b\"} 2"));
        assert!(text.contains("# TYPE itm_probes_total counter"));
        assert!(
            text.contains("itm_domains_quarantined{node=\"a\\\"b\"} 1"),
            "{text}"
        );
    }
}
