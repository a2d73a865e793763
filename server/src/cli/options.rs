//! Option groups shared by several subcommands, each with its `ITM_*` environment variable.

use std::path::PathBuf;

use clap::Args;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use hickory_proto::rr::Name;

use crate::dns::{Answers, Handler, ZoneConfig};
use crate::ipdb::Locator;
use crate::monitor::MonitorConfig;
use crate::net::{Reach, ReachEntry};
use crate::node::Node;
use crate::notify::{Sender, SmsConfig, SmtpConfig, TlsMode};
use crate::service::{Sealer, Service, ServiceConfig};
use crate::store::{DEFAULT_DATABASE, Store};

/// The ip2region database `make run` fetches; used when `--ip-db` is not given and it exists.
pub const DEFAULT_IP_DB: &str = "data/ip2region/ip2region_v4_20240228.xdb";

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The store: `sqlite://PATH[?mode=rwc]` (embedded, the default) or `postgres://USER:PASS@HOST/DB`.
    #[arg(long, env = "ITM_DATABASE", default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// The installation's master key (seals access-key secrets); created when missing. Every node
    /// sharing one database must use the same key.
    #[arg(long, env = "ITM_MASTER_KEY_FILE", default_value = "data/master.key")]
    pub master_key_file: PathBuf,
    /// ITM's own DNS zone; ITM domains get CNAMEs under it.
    #[arg(long, env = "ITM_ZONE", default_value = "itm.localhost.")]
    pub zone: String,
}

impl DatabaseArgs {
    /// Connects the store (running migrations) and builds the service on it; `locator` detects
    /// endpoints' area and ISP.
    pub async fn service(&self, config: ServiceConfig) -> anyhow::Result<Service> {
        let store = Store::connect(&self.database).await?;
        let sealer = Sealer::from_key_file(&self.master_key_file)?;
        let zone = self.zone.trim().trim_end_matches('.').to_ascii_lowercase();
        if zone.is_empty() || !app::strategy::is_host_name(&zone) {
            anyhow::bail!("--zone \"{}\" is not a DNS name", self.zone);
        }
        Ok(Service::new(
            store,
            ServiceConfig { zone, ..config },
            sealer,
        ))
    }
}

#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Address of the authoritative DNS listener (UDP and TCP).
    #[arg(long, env = "ITM_DNS", default_value = "127.0.0.1:5353")]
    pub dns: SocketAddr,
    /// ip2region xdb files placing clients in user groups (an IPv4 and/or an IPv6 file); default:
    /// data/ip2region/ip2region_v4_20240228.xdb when present.
    #[arg(long = "ip-db", env = "ITM_IP_DB", value_delimiter = ',')]
    pub ip_db: Vec<PathBuf>,
    /// The zone's name servers (NS records, SOA MNAME); default: ns1.<zone>.
    #[arg(long = "ns", env = "ITM_NS", value_delimiter = ',')]
    pub name_servers: Vec<String>,
    /// The SOA RNAME (contact mailbox as a name); default: hostmaster.<zone>.
    #[arg(long, env = "ITM_SOA_RNAME")]
    pub soa_rname: Option<String>,
    /// SOA refresh, retry and expire (seconds) and the negative-caching TTL (SOA MINIMUM).
    #[arg(long, env = "ITM_SOA_REFRESH", default_value_t = 3600)]
    pub soa_refresh: u32,
    #[arg(long, env = "ITM_SOA_RETRY", default_value_t = 600)]
    pub soa_retry: u32,
    #[arg(long, env = "ITM_SOA_EXPIRE", default_value_t = 604_800)]
    pub soa_expire: u32,
    #[arg(long, env = "ITM_SOA_MINIMUM", default_value_t = 60)]
    pub soa_minimum: u32,
    /// Threads answering DNS over UDP; default: the CPUs this process may use, at most 4.
    #[arg(long = "dns-threads", env = "ITM_DNS_THREADS")]
    pub dns_threads: Option<usize>,
    /// Seconds between two additions of the queries this node counted to the store's query
    /// volume (per domain, minute and user group).
    #[arg(
        long = "volume-flush-sec",
        env = "ITM_VOLUME_FLUSH_SEC",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub volume_flush_sec: u64,
}

impl DnsArgs {
    pub fn udp_threads(&self) -> usize {
        self.dns_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
    }

    /// Loads the IP databases (none given and no default file: every client is unplaced).
    pub fn locator(&self) -> anyhow::Result<Locator> {
        let paths: Vec<PathBuf> = if self.ip_db.is_empty() {
            let default = PathBuf::from(DEFAULT_IP_DB);
            if default.exists() {
                vec![default]
            } else {
                Vec::new()
            }
        } else {
            self.ip_db.clone()
        };
        if paths.is_empty() {
            tracing::warn!("no IP database (--ip-db): every client is placed in none.abroad/other");
        }
        let locator =
            Locator::open(&paths).with_context(|| format!("loading the IP database {paths:?}"))?;
        Ok(locator)
    }

    /// The snapshot of every domain's answers, loaded from the store.
    pub async fn answers(&self, node: &Node) -> anyhow::Result<Arc<Answers>> {
        let answers = Arc::new(
            Answers::new(node.zone(), node.health().clone())
                .with_quarantine(node.quarantine().clone()),
        );
        answers
            .load_all(node.store())
            .await
            .context("loading the DNS snapshot")?;
        Ok(answers)
    }

    pub fn handler(
        &self,
        answers: Arc<Answers>,
        locator: Arc<Locator>,
        zone: &str,
    ) -> anyhow::Result<Handler> {
        let name = |text: &str| {
            Name::from_ascii(format!("{}.", text.trim_end_matches('.')))
                .with_context(|| format!("\"{text}\" is not a DNS name"))
        };
        let apex = name(zone)?;
        let name_servers = if self.name_servers.is_empty() {
            vec![name(&format!("ns1.{zone}"))?]
        } else {
            self.name_servers
                .iter()
                .map(|n| name(n))
                .collect::<anyhow::Result<_>>()?
        };
        let rname = name(
            self.soa_rname
                .as_deref()
                .unwrap_or(&format!("hostmaster.{zone}")),
        )?;
        let zone = ZoneConfig {
            apex,
            name_servers,
            rname,
            refresh: self.soa_refresh,
            retry: self.soa_retry,
            expire: self.soa_expire,
            minimum: self.soa_minimum,
        };
        Ok(Handler::new(answers, locator, zone))
    }
}

/// Health monitoring from this server's built-in point.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Turns monitoring off on this server (DNS then answers as if every endpoint were up).
    #[arg(long = "no-monitor", env = "ITM_NO_MONITOR")]
    pub no_monitor: bool,
    /// The built-in monitor point's area code (e.g. beijing.CN), shown with its results.
    #[arg(long = "point-area", env = "ITM_POINT_AREA", default_value = "")]
    pub point_area: String,
    /// The built-in monitor point's ISP code (e.g. ct).
    #[arg(long = "point-isp", env = "ITM_POINT_ISP", default_value = "")]
    pub point_isp: String,
    /// Probes in flight at once, over all domains.
    #[arg(
        long = "probe-concurrency",
        env = "ITM_PROBE_CONCURRENCY",
        default_value_t = 256
    )]
    pub probe_concurrency: usize,
    /// Hours of probe results kept.
    #[arg(
        long = "probe-retention-hours",
        env = "ITM_PROBE_RETENTION_HOURS",
        default_value_t = 24
    )]
    pub probe_retention_hours: u64,
    /// Where probes may go: `public` (every address outside the loopback, private, link-local,
    /// CGNAT, ULA, multicast and unspecified ranges) and/or networks (CIDRs), comma-separated.
    /// Default: public. Endpoints in special-use ranges not opened here are refused.
    #[arg(
        long = "probe-networks",
        env = "ITM_PROBE_NETWORKS",
        value_delimiter = ','
    )]
    pub probe_networks: Vec<ReachEntry>,
}

impl MonitorArgs {
    pub fn config(&self, notify_quiet: std::time::Duration) -> MonitorConfig {
        MonitorConfig {
            notify_quiet,
            area: self.point_area.clone(),
            isp: self.point_isp.clone(),
            concurrency: self.probe_concurrency.max(1),
            retention: std::time::Duration::from_secs(self.probe_retention_hours.max(1) * 3600),
            reach: self.reach(),
        }
    }

    pub fn reach(&self) -> Reach {
        Reach::new("--probe-networks", &self.probe_networks)
    }
}

/// Where notifications go out: SMTP for e-mail, an HTTP gateway for SMS (webhooks need nothing).
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// SMTP server for e-mail notifications; none: e-mails fail with a clear reason.
    #[arg(long = "smtp-host", env = "ITM_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long = "smtp-port", env = "ITM_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(
        long = "smtp-tls",
        env = "ITM_SMTP_TLS",
        value_enum,
        default_value = "starttls"
    )]
    pub smtp_tls: TlsMode,
    #[arg(long = "smtp-user", env = "ITM_SMTP_USER", default_value = "")]
    pub smtp_user: String,
    #[arg(
        long = "smtp-password",
        env = "ITM_SMTP_PASSWORD",
        default_value = "",
        hide_env_values = true
    )]
    pub smtp_password: String,
    /// The From of notification e-mails.
    #[arg(
        long = "smtp-from",
        env = "ITM_SMTP_FROM",
        default_value = "ITM <itm@localhost>"
    )]
    pub smtp_from: String,
    /// SMS gateway URL with {phone} and {text} (GET; POST when --sms-body is given).
    #[arg(long = "sms-url", env = "ITM_SMS_URL")]
    pub sms_url: Option<String>,
    /// SMS gateway POST body with {phone} and {text}.
    #[arg(long = "sms-body", env = "ITM_SMS_BODY")]
    pub sms_body: Option<String>,
    /// Flapping rule: at most one message per contact, channel and endpoint in this many
    /// seconds; the changes held back meanwhile are summarized after it.
    #[arg(
        long = "notify-quiet-sec",
        env = "ITM_NOTIFY_QUIET_SEC",
        default_value_t = 600
    )]
    pub notify_quiet_sec: u64,
    /// Where webhooks and the SMS gateway may go: `public` and/or networks (CIDRs),
    /// comma-separated; default: public. Webhooks at special-use addresses not opened here
    /// are refused.
    #[arg(
        long = "webhook-networks",
        env = "ITM_WEBHOOK_NETWORKS",
        value_delimiter = ','
    )]
    pub webhook_networks: Vec<ReachEntry>,
}

impl NotifyArgs {
    pub fn sender(&self) -> anyhow::Result<Sender> {
        let smtp = self.smtp_host.as_ref().map(|host| SmtpConfig {
            host: host.clone(),
            port: self.smtp_port,
            tls: self.smtp_tls,
            username: self.smtp_user.clone(),
            password: self.smtp_password.clone(),
            from: self.smtp_from.clone(),
        });
        let sms = self.sms_url.as_ref().map(|url| SmsConfig {
            url: url.clone(),
            body: self.sms_body.clone(),
        });
        let gateway_host = self
            .sms_url
            .as_deref()
            .and_then(|url| url.parse::<hyper::Uri>().ok())
            .and_then(|uri| uri.host().map(str::to_owned));
        if let Some(why) = gateway_host.and_then(|h| self.webhook_reach().refusal_of_name(&h)) {
            tracing::warn!("the SMS gateway (--sms-url) will be refused: {why}");
        }
        Sender::new(smtp, sms, self.webhook_reach()).context("configuring notifications")
    }

    pub fn webhook_reach(&self) -> Reach {
        Reach::new("--webhook-networks", &self.webhook_networks)
    }

    pub fn quiet(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.notify_quiet_sec)
    }
}

/// The HTTP listener's rules and whom it believes about clients.
#[derive(Debug, Args)]
pub struct HttpArgs {
    /// Proxies (CIDRs, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are
    /// believed: the client's address (audit log, login throttling) and whether it used HTTPS
    /// (the Secure cookie, the CSRF origin check). Default: none; the headers are ignored.
    #[arg(
        long = "trusted-proxies",
        env = "ITM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<crate::net::Network>,
    /// The oldest bce-auth-v1 signature accepted (seconds), whatever validity it states; signed
    /// writes are also remembered this long, so a captured one cannot be replayed.
    #[arg(
        long = "max-signature-age",
        env = "ITM_MAX_SIGNATURE_AGE",
        default_value_t = crate::service::DEFAULT_MAX_SIGNATURE_AGE,
        value_parser = clap::value_parser!(i64).range(1..=604_800)
    )]
    pub max_signature_age: i64,
    /// Seconds a client has to send a request's head once it has begun it.
    #[arg(
        long = "http-header-timeout",
        env = "ITM_HTTP_HEADER_TIMEOUT",
        default_value_t = 10
    )]
    pub header_timeout: u64,
    /// Seconds a connection may stay open with no request in flight.
    #[arg(
        long = "http-idle-timeout",
        env = "ITM_HTTP_IDLE_TIMEOUT",
        default_value_t = 60
    )]
    pub idle_timeout: u64,
    /// Seconds one request (reading its body, answering it) may take.
    #[arg(
        long = "http-request-timeout",
        env = "ITM_HTTP_REQUEST_TIMEOUT",
        default_value_t = 60
    )]
    pub request_timeout: u64,
    /// Connections open at once (the networks of --metrics-networks keep 32 more).
    #[arg(
        long = "http-max-connections",
        env = "ITM_HTTP_MAX_CONNECTIONS",
        default_value_t = 4096
    )]
    pub max_connections: usize,
    /// Connections open at once from one address.
    #[arg(
        long = "http-max-connections-per-address",
        env = "ITM_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_per_address: usize,
}

impl HttpArgs {
    /// The listener's rules; `health_checkers` may use the reserve above the global cap.
    pub fn limits(
        &self,
        health_checkers: Vec<crate::net::Network>,
    ) -> crate::http::listener::Limits {
        let seconds = |s: u64| std::time::Duration::from_secs(s.max(1));
        crate::http::listener::Limits {
            header_timeout: seconds(self.header_timeout),
            idle_timeout: seconds(self.idle_timeout),
            request_timeout: seconds(self.request_timeout),
            max_connections: self.max_connections.max(1),
            max_per_address: self.max_per_address.max(1),
            reserved_for: health_checkers,
        }
    }
}
