//! Monitoring's results: probe results and health events per domain.

use app::model::{HealthEventRecord, ProbeRecord};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::Params;
use crate::service::{Caller, Service};

type Result<T> = std::result::Result<T, ApiError>;

pub fn routes() -> Router<Service> {
    Router::new()
        .route("/v1/domains/{domain}/probes", get(probes))
        .route("/v1/domains/{domain}/health-events", get(health_events))
}

#[derive(Deserialize)]
struct ProbeQuery {
    endpoint: Option<String>,
    /// Milliseconds since the Unix epoch; default: the last hour.
    since: Option<i64>,
    limit: Option<i64>,
}

async fn probes(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Params(q): Params<ProbeQuery>,
) -> Result<Json<Vec<ProbeRecord>>> {
    let list = s
        .probes(&caller, &domain, q.endpoint.as_deref(), q.since, q.limit)
        .await?;
    Ok(Json(list))
}

#[derive(Deserialize)]
struct EventQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

async fn health_events(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Params(q): Params<EventQuery>,
) -> Result<Json<Vec<HealthEventRecord>>> {
    Ok(Json(
        s.health_events(&caller, &domain, q.since, q.limit).await?,
    ))
}
