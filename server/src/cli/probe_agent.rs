//! `itm probe-agent`: a monitor point on another machine. It fetches its tasks from the server
//! (`GET /v1/agent/tasks`, every `--refresh-sec`), probes each endpoint every `intervalSec`
//! (jittered, never two probes of one task at once), and posts the results in batches
//! (`POST /v1/agent/results`), keeping them for a later post while the server is unreachable.

use std::collections::HashMap;
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use app::model::{AgentResult, AgentTask, ExpectedCodes};
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rand::Rng;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::api::points::{AREA_HEADER, ISP_HEADER, POINT_HEADER};
use crate::monitor::probe::{ProbeSpec, Prober};
use crate::net::{Reach, ReachEntry};
use crate::outbound::{HttpsClient, https_client};

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// The ITM server's base URL (http:// or https://host:port).
    #[arg(long, env = "ITM_AGENT_SERVER")]
    server: String,
    /// PEM file of the CA (or the certificate) the server's TLS certificate must chain to;
    /// default: the public web roots.
    #[arg(long = "server-ca", env = "ITM_AGENT_SERVER_CA")]
    server_ca: Option<std::path::PathBuf>,
    /// The point's token, from `POST /v1/monitor-points`.
    #[arg(long, env = "ITM_AGENT_TOKEN", hide_env_values = true)]
    token: String,
    /// The point's name (checked against the token's).
    #[arg(long)]
    point: String,
    /// The point's area code (e.g. beijing.CN).
    #[arg(long, default_value = "")]
    area: String,
    /// The point's ISP code (ct, cu, cm, cernet, other).
    #[arg(long, default_value = "")]
    isp: String,
    /// How often the task list is fetched again.
    #[arg(long = "refresh-sec", default_value_t = 10)]
    refresh_sec: u64,
    /// Probes in flight at once.
    #[arg(long = "probe-concurrency", default_value_t = 256)]
    probe_concurrency: usize,
    /// Where probes may go: `public` (every address outside the loopback, private, link-local,
    /// CGNAT, ULA, multicast and unspecified ranges) and/or networks (CIDRs), comma-separated;
    /// default: public.
    #[arg(long = "probe-networks", value_delimiter = ',')]
    probe_networks: Vec<ReachEntry>,
    /// The local address probes leave from; default: the system's choice.
    #[arg(long = "probe-source")]
    probe_source: Option<IpAddr>,
}

/// Results waiting for the server, at most: older ones are dropped first when it stays away.
const MAX_PENDING: usize = 50_000;

pub fn run(args: AgentArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(agent(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn agent(args: AgentArgs) -> anyhow::Result<()> {
    let server = Server::new(&args)?;
    let prober = Arc::new(
        Prober::new(Reach::new("--probe-networks", &args.probe_networks))?
            .with_source(args.probe_source),
    );
    let permits = Arc::new(tokio::sync::Semaphore::new(args.probe_concurrency.max(1)));
    let (results_tx, mut results_rx) = mpsc::unbounded_channel::<AgentResult>();
    let mut schedule: HashMap<(i64, String), Scheduled> = HashMap::new();
    let mut refresh = tokio::time::interval(Duration::from_secs(args.refresh_sec.max(1)));
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut flush = tokio::time::interval(Duration::from_millis(500));
    let mut pending: Vec<AgentResult> = Vec::new();
    println!(
        "ITM probe agent {} reporting to {}",
        args.point, args.server
    );
    loop {
        tokio::select! {
            _ = refresh.tick() => match server.tasks().await {
                Ok(tasks) => reschedule(&mut schedule, tasks),
                Err(e) => tracing::warn!("fetching tasks: {e:#}"),
            },
            _ = tick.tick() => {
                let now = Instant::now();
                for scheduled in schedule.values_mut() {
                    if scheduled.due > now || scheduled.in_flight.load(std::sync::atomic::Ordering::Relaxed) {
                        continue;
                    }
                    scheduled.due = now + Duration::from_secs(u64::from(scheduled.task.interval_sec.max(1)));
                    spawn_probe(scheduled, &prober, &permits, &results_tx);
                }
            }
            Some(result) = results_rx.recv() => {
                pending.push(result);
                if pending.len() > MAX_PENDING {
                    let excess = pending.len() - MAX_PENDING;
                    pending.drain(..excess);
                }
            }
            _ = flush.tick() => {
                if pending.is_empty() {
                    continue;
                }
                match server.post_results(&pending).await {
                    Ok(()) => pending.clear(),
                    Err(e) => tracing::warn!("posting {} results: {e:#}", pending.len()),
                }
            }
        }
    }
}

struct Scheduled {
    task: AgentTask,
    spec: ProbeSpec,
    due: Instant,
    in_flight: Arc<std::sync::atomic::AtomicBool>,
}

/// Keeps the schedule of tasks that stay (a changed task restarts), adds new ones with a
/// jittered first probe, drops the rest.
fn reschedule(schedule: &mut HashMap<(i64, String), Scheduled>, tasks: Vec<AgentTask>) {
    let mut next = HashMap::with_capacity(tasks.len());
    for task in tasks {
        let key = (task.domain_id, task.endpoint.clone());
        match schedule.remove(&key) {
            Some(kept) if kept.task == task => {
                next.insert(key, kept);
            }
            _ => {
                let interval = Duration::from_secs(u64::from(task.interval_sec.max(1)));
                let jitter = interval.mul_f64(rand::rng().random_range(0.0..1.0));
                let spec = ProbeSpec {
                    protocol: task.protocol,
                    port: task.port,
                    path: task.path.clone(),
                    host: task.host.clone(),
                    expected: ExpectedCodes::parse(&task.expected_codes).unwrap_or_default(),
                    timeout: Duration::from_secs(u64::from(task.timeout_sec.max(1))),
                };
                next.insert(
                    key,
                    Scheduled {
                        task,
                        spec,
                        due: Instant::now() + jitter,
                        in_flight: Arc::default(),
                    },
                );
            }
        }
    }
    *schedule = next;
}

fn spawn_probe(
    scheduled: &Scheduled,
    prober: &Arc<Prober>,
    permits: &Arc<tokio::sync::Semaphore>,
    results: &mpsc::UnboundedSender<AgentResult>,
) {
    use std::sync::atomic::Ordering;
    scheduled.in_flight.store(true, Ordering::Relaxed);
    let (prober, permits, results) = (prober.clone(), permits.clone(), results.clone());
    let (spec, in_flight) = (scheduled.spec.clone(), scheduled.in_flight.clone());
    let (domain_id, endpoint) = (scheduled.task.domain_id, scheduled.task.endpoint.clone());
    tokio::spawn(async move {
        let _permit = permits.acquire().await;
        let time = crate::clock::now_ms();
        match prober.probe(&spec, &endpoint).await {
            Ok(outcome) => {
                let _ = results.send(AgentResult {
                    domain_id,
                    endpoint,
                    time,
                    ok: outcome.ok,
                    latency_ms: outcome.latency_ms.map(i64::from),
                    http_status: outcome.http_status.map(i64::from),
                    failure: outcome.failure.map(|f| f.as_str().to_owned()),
                });
            }
            Err(unavailable) => tracing::warn!("{endpoint}: {unavailable}"),
        }
        in_flight.store(false, Ordering::Relaxed);
    });
}

/// The server's agent routes over HTTP/1.1.
struct Server {
    base: String,
    token: String,
    point: String,
    area: String,
    isp: String,
    client: HttpsClient,
}

impl Server {
    fn new(args: &AgentArgs) -> anyhow::Result<Server> {
        let base = args.server.trim_end_matches('/').to_owned();
        if !base.starts_with("http://") && !base.starts_with("https://") {
            anyhow::bail!("--server {base}: an http:// or https:// URL");
        }
        let client =
            https_client(args.server_ca.as_deref()).with_context(|| "--server-ca".to_owned())?;
        Ok(Server {
            base,
            token: args.token.clone(),
            point: args.point.clone(),
            area: args.area.clone(),
            isp: args.isp.clone(),
            client,
        })
    }

    async fn call(
        &self,
        method: hyper::Method,
        path: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Bytes> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(POINT_HEADER, &self.point)
            .header(AREA_HEADER, &self.area)
            .header(ISP_HEADER, &self.isp)
            .body(Full::new(Bytes::from(body)))?;
        let response = tokio::time::timeout(Duration::from_secs(30), self.client.request(request))
            .await
            .context("the server did not answer within 30 s")??;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            anyhow::bail!("{status}: {}", String::from_utf8_lossy(&bytes));
        }
        Ok(bytes)
    }

    async fn tasks(&self) -> anyhow::Result<Vec<AgentTask>> {
        let bytes = self
            .call(hyper::Method::GET, "/v1/agent/tasks", Vec::new())
            .await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn post_results(&self, results: &[AgentResult]) -> anyhow::Result<()> {
        self.call(
            hyper::Method::POST,
            "/v1/agent/results",
            serde_json::to_vec(results)?,
        )
        .await?;
        Ok(())
    }
}
