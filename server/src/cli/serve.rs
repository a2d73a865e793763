//! `itm serve`: the store, the console and the REST API over HTTP, and the authoritative DNS
//! listener, until Ctrl-C / SIGTERM. On first start with an empty store it creates the admin
//! account and prints its credentials once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::options::{DatabaseArgs, DnsArgs, HttpArgs, MonitorArgs, NotifyArgs};
use crate::resolver::Resolver;
use crate::service::{Delegation, ServiceConfig};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub monitor: MonitorArgs,
    #[command(flatten)]
    pub notify: NotifyArgs,
    #[command(flatten)]
    pub web: HttpArgs,
    /// Address of the console and the REST API.
    #[arg(long, env = "ITM_HTTP", default_value = "127.0.0.1:3000")]
    pub http: SocketAddr,
    /// Networks allowed to scrape `/metrics` (default: loopback and private networks).
    #[arg(
        long = "metrics-networks",
        env = "ITM_METRICS_NETWORKS",
        value_delimiter = ','
    )]
    pub metrics_networks: Vec<crate::net::Network>,
    /// This node's name among the nodes sharing the database (`GET /v1/nodes`); defaults to
    /// the host name. Give each node on one machine its own.
    #[arg(long = "node-name", env = "ITM_NODE_NAME")]
    pub node_name: Option<String>,
    /// The recursive resolver (IP or IP:port) through which proofs of control of delegated
    /// names (TXT `_itm-challenge.<name>`) are looked up; default: the system's resolver.
    #[arg(long = "verify-resolver", env = "ITM_VERIFY_RESOLVER", value_parser = parse_resolver)]
    pub verify_resolver: Option<SocketAddr>,
    /// Serve new delegated (non-ITM) names at once, first come first served, without a proof of
    /// control. Only for installations with a single account.
    #[arg(long = "trust-delegated-names", env = "ITM_TRUST_DELEGATED_NAMES")]
    pub trust_delegated_names: bool,
    /// Seconds between looks for the proofs of pending delegated names.
    #[arg(
        long = "verify-interval-sec",
        env = "ITM_VERIFY_INTERVAL_SEC",
        default_value_t = 60
    )]
    pub verify_interval_sec: u64,
    /// Folder holding the built console assets (`pkg/itm.js`, `pkg/itm.wasm`, `pkg/itm.css`,
    /// named after their content in a release build, listed in `hash.txt`).
    #[arg(long, env = "ITM_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        // One IP database for DNS placement and for endpoint area/ISP detection in the API.
        let locator = Arc::new(args.dns.locator()?);
        let delegation = Delegation {
            resolver: args
                .verify_resolver
                .map_or_else(Resolver::system, Resolver::at),
            trusted: args.trust_delegated_names,
        };
        let config = ServiceConfig::new("")
            .with_locator(locator.clone())
            .with_local_point(args.monitor.point_area.clone(), args.monitor.point_isp.clone())
            .with_notify_quiet(args.notify.quiet())
            .with_delegation(delegation.clone())
            .with_reach(args.monitor.reach(), args.notify.webhook_reach())
            .with_http(args.web.trusted_proxies.clone(), args.web.max_signature_age);
        let sender = args.notify.sender()?;
        let service = args.db.service(config).await?;
        let node = service.node().clone();
        node.set_name(args.node_name.clone().unwrap_or_else(host_name));
        crate::cluster::claim_name(&node).await?;
        if let Some(account) = service.ensure_first_account().await? {
            println!("ITM first start: created the admin account");
            super::account::print_account(&account);
            println!("{}", delegation_mode(&delegation));
        }
        tracing::info!("{}", delegation_mode(&delegation));
        if delegation.trusted && service.account_count().await? > 1 {
            tracing::warn!(
                "--trust-delegated-names on an installation with several accounts: any of them \
                 can take a delegated name first; turn it off to require proofs of control"
            );
        }
        for name in service
            .check_served_names()
            .await
            .context("checking the served names")?
        {
            tracing::error!(
                "domain {name} overlaps a zone served for someone else (ITM's zone or another \
                 account's delegated domain): marked conflict, not answered"
            );
        }
        // One token stops everything (the node's, so its live views end too); the background
        // actors run in one set, so shutdown waits for each of them to end.
        let shutdown = node.stopping().clone();
        let mut actors = JoinSet::new();

        // Endpoint health as last decided, so DNS starts with it.
        let restored = crate::monitor::restore_health(&node)
            .await
            .context("reading the stored endpoint health")?;
        tracing::debug!("restored the health of {restored} endpoints");
        let answers = args.dns.answers(&node).await?;
        let handler = args.dns.handler(answers.clone(), locator, node.zone())?;
        node.set_name_servers(handler.name_server_names());
        let (udp, tcp) = crate::dns::bind(args.dns.dns)
            .await
            .with_context(|| format!("binding the DNS address {} (UDP and TCP)", args.dns.dns))?;
        let dns_addr = udp.local_addr()?;
        let dns = tokio::spawn(crate::dns::serve(
            udp,
            tcp,
            handler,
            args.dns.udp_threads(),
            shutdown.clone().cancelled_owned(),
        ));

        // Listened for before the address is announced: whoever starts the node and stops it
        // at once (a service manager, a test) gets a clean stop, not the default action.
        let stop_signal = shutdown_signal()?;
        let listener = tokio::net::TcpListener::bind(args.http)
            .await
            .with_context(|| format!("binding the console address {}", args.http))?;
        let local = listener.local_addr()?;
        tracing::info!("console and API on http://{local}, DNS on {dns_addr} (zone {}.)", node.zone());
        println!(
            "ITM console: http://{local}/   API: http://{local}/v1/   DNS: {dns_addr} udp+tcp (zone {}.)   store: {}",
            node.zone(),
            redact(&args.db.database)
        );

        if !args.metrics_networks.is_empty() {
            crate::http::status::allow_metrics_from(args.metrics_networks.clone());
        }
        let limits = args.web.limits(crate::http::status::metrics_networks());
        let until = |token: &CancellationToken, actor| {
            let token = token.clone();
            async move {
                tokio::select! {
                    () = actor => {},
                    () = token.cancelled() => {},
                }
            }
        };
        actors.spawn(until(
            &shutdown,
            Box::pin(crate::dns::follow(node.clone(), answers.clone())) as Actor,
        ));
        actors.spawn(until(&shutdown, Box::pin(purge_sessions(node.clone()))));
        // Not cut short by `until`: told to stop once the DNS listener has answered its last
        // query, it saves everything counted.
        let dns_stopped = CancellationToken::new();
        actors.spawn(crate::dns::volume::record(
            node.clone(),
            answers.clone(),
            std::time::Duration::from_secs(args.dns.volume_flush_sec),
            dns_stopped.clone(),
        ));
        actors.spawn(until(
            &shutdown,
            Box::pin(verify_pending_names(
                service.clone(),
                std::time::Duration::from_secs(args.verify_interval_sec.max(1)),
            )),
        ));
        actors.spawn(until(
            &shutdown,
            Box::pin(crate::cluster::run(
                node.clone(),
                answers.clone(),
                crate::cluster::NodeIdentity {
                    name: node.name().to_owned(),
                    http: local,
                    dns: dns_addr,
                    area: args.monitor.point_area.clone(),
                    isp: args.monitor.point_isp.clone(),
                    monitoring: !args.monitor.no_monitor,
                },
            )),
        ));
        actors.spawn(until(
            &shutdown,
            Box::pin(crate::notify::run(node.clone(), sender, args.notify.quiet())),
        ));
        if !args.monitor.no_monitor {
            actors.spawn(until(
                &shutdown,
                Box::pin(crate::monitor::run(
                    node.clone(),
                    service.reports().clone(),
                    args.monitor.config(args.notify.quiet()),
                )),
            ));
        }
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                stop_signal.await;
                shutdown.cancel();
            }
        });
        let served = crate::http::serve(
            listener,
            &args.site_root,
            service.clone(),
            limits,
            shutdown.clone().cancelled_owned(),
        )
        .await;
        // Requests in flight have finished (or the drain time ran out): stop the rest.
        shutdown.cancel();
        let stopped = tokio::time::timeout(STOP_WITHIN, async {
            let dns = dns.await.map_err(anyhow::Error::from).and_then(|r| r);
            dns_stopped.cancel();
            while actors.join_next().await.is_some() {}
            dns
        })
        .await;
        let handed_back = crate::cluster::leave(&node).await;
        tracing::info!("stopped; handed back the monitoring of {handed_back} domains");
        node.store().close().await;
        served?;
        match stopped {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!("some tasks did not stop within {} s", STOP_WITHIN.as_secs());
                Ok(())
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A background actor, as the join set holds it.
type Actor = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// How long the DNS listener and the background actors may take to stop once the HTTP listener
/// has drained.
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Expired console sessions are refused when used; this only keeps the table small.
async fn purge_sessions(node: crate::node::Node) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let purged = async {
            let mut conn = node.store().conn().await?;
            crate::store::sessions::purge_expired(&mut conn).await
        };
        match purged.await {
            Ok(0) => {}
            Ok(n) => tracing::info!("purged {n} expired sessions"),
            Err(e) => tracing::warn!("purging expired sessions: {e}"),
        }
    }
}

/// Looks for the proofs of control of pending delegated names, every `interval`.
async fn verify_pending_names(service: crate::service::Service, interval: std::time::Duration) {
    let mut every = tokio::time::interval(interval);
    loop {
        every.tick().await;
        if let Err(e) = service.verify_pending().await {
            tracing::warn!("looking for proofs of control of pending names: {e}");
        }
    }
}

fn delegation_mode(delegation: &Delegation) -> String {
    if delegation.trusted {
        "Delegated (non-ITM) names: trusted (--trust-delegated-names): served at once, first come \
         first served"
            .to_owned()
    } else {
        format!(
            "Delegated (non-ITM) names: served once the account proves control (TXT \
             _itm-challenge.<name>, looked up through {})",
            delegation.resolver.server()
        )
    }
}

/// `--verify-resolver`: an address, port 53 unless given.
fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| {
            text.parse::<std::net::IpAddr>()
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .map_err(|_| format!("\"{text}\" is not an address like 192.0.2.53 or 127.0.0.1:5300"))
}

/// The machine's host name (Linux), or "itm".
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "itm".to_owned())
}

/// The database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. Both are registered when this is called, so a signal
/// that arrives before the future is first polled still stops the node cleanly.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!("cannot listen for Ctrl-C: {e}");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down");
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_passwords_are_not_logged() {
        assert_eq!(
            super::redact("postgres://itm:secret@db:5432/itm"),
            "postgres://itm:***@db:5432/itm"
        );
        assert_eq!(
            super::redact("sqlite://data/itm.db?mode=rwc"),
            "sqlite://data/itm.db?mode=rwc"
        );
    }
}
