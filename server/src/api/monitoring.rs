//! What a domain's monitoring and DNS saw: probe results, health events and query volume.

use app::model::{HealthEventRecord, ProbeRecord, QueryVolume};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::Params;
use crate::service::{Caller, Service};

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize)]
pub(super) struct ProbeQuery {
    endpoint: Option<String>,
    /// Milliseconds since the Unix epoch; default: the last hour.
    since: Option<i64>,
    limit: Option<i64>,
}

pub(super) async fn probes(
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
pub(super) struct EventQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

pub(super) async fn health_events(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Params(q): Params<EventQuery>,
) -> Result<Json<Vec<HealthEventRecord>>> {
    Ok(Json(
        s.health_events(&caller, &domain, q.since, q.limit).await?,
    ))
}

#[derive(Deserialize)]
pub(super) struct VolumeQuery {
    hours: Option<u32>,
}

pub(super) async fn query_volume(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Params(q): Params<VolumeQuery>,
) -> Result<Json<QueryVolume>> {
    Ok(Json(s.query_volume(&caller, &domain, q.hours).await?))
}
