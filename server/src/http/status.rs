//! `/metrics` (Prometheus text) and `/healthz` (JSON) of this node. Both answer from memory —
//! the last heartbeat's view and the counters — so they keep working while the database is away
//! (which `/healthz` then tells operators). `/metrics` answers scrapers on loopback and private
//! networks only (`--metrics-networks` widens or narrows that); `/healthz` tells anyone "up",
//! and installation operators the details.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use app::model::Permission;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::metrics;
use crate::net::Network;
use crate::service::Service;

static ALLOWED: OnceLock<Vec<Network>> = OnceLock::new();

/// Who may scrape `/metrics` (set once at start; default: loopback and private networks).
pub fn allow_metrics_from(networks: Vec<Network>) {
    let _ = ALLOWED.set(networks);
}

/// The networks that may scrape `/metrics`: those given, or loopback and private networks.
pub fn metrics_networks() -> Vec<Network> {
    ALLOWED.get().cloned().unwrap_or_else(|| {
        [
            "127.0.0.0/8",
            "::1/128",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "fc00::/7",
        ]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
    })
}

fn allowed(ip: IpAddr) -> bool {
    metrics_networks().iter().any(|n| n.contains(ip))
}

pub fn routes(service: Service) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(health))
        .with_state(service)
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

/// 200 while DNS answers (it does without the database). Anyone gets `{"status": "up"}`; the
/// node's details (whether the database is reachable, how old the snapshot is, the nodes live)
/// go to installation operators (signed or logged in) and to the networks that may scrape
/// `/metrics` (the same figures; and no database is needed to tell, which matters most while
/// it is away).
async fn health(State(service): State<Service>, parts: Parts) -> Response {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let operator = match peer {
        Some(ip) if allowed(ip) => true,
        _ => match crate::api::extract::caller(&service, &parts).await {
            Ok(caller) => caller.require(Permission::Operate).is_ok(),
            Err(_) => false,
        },
    };
    if operator {
        let details = serde_json::to_value(metrics::status()).unwrap_or_default();
        let mut body = serde_json::json!({"status": "up"});
        if let (Some(body), serde_json::Value::Object(details)) = (body.as_object_mut(), details) {
            body.extend(details);
        }
        Json(body).into_response()
    } else {
        Json(serde_json::json!({"status": "up"})).into_response()
    }
}
