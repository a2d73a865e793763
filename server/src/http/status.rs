//! `/metrics` (Prometheus text) and `/healthz` (JSON) of this node. Both answer from memory —
//! the last heartbeat's view and the counters — so they keep working while the database is away
//! (which `/healthz` then says). `/metrics` answers scrapers on loopback and private networks
//! only (`--metrics-networks` widens or narrows that).

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::metrics;
use crate::monitor::probe::Network;

static ALLOWED: OnceLock<Vec<Network>> = OnceLock::new();

/// Who may scrape `/metrics` (set once at start; default: loopback and private networks).
pub fn allow_metrics_from(networks: Vec<Network>) {
    let _ = ALLOWED.set(networks);
}

fn allowed(ip: IpAddr) -> bool {
    match ALLOWED.get() {
        Some(list) => list.iter().any(|n| n.contains(ip)),
        None => {
            ip.is_loopback()
                || match ip {
                    IpAddr::V4(v4) => v4.is_private(),
                    IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
                }
        }
    }
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(health))
}

async fn scrape(ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if !allowed(peer.ip()) {
        return (
            StatusCode::FORBIDDEN,
            "metrics are not served to this address\n",
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(&metrics::status()),
    )
        .into_response()
}

/// 200 while DNS answers (it does without the database); the body says whether the database
/// is reachable and how old the snapshot is.
async fn health() -> Json<metrics::Gauges> {
    Json(metrics::status())
}
