//! `GET /v1/nodes`: the nodes serving from this store.

use app::model::NodeStatus;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::error::ApiError;
use crate::service::{Caller, Service};

pub fn routes() -> Router<Service> {
    Router::new().route("/v1/nodes", get(list))
}

async fn list(State(s): State<Service>, caller: Caller) -> Result<Json<Vec<NodeStatus>>, ApiError> {
    Ok(Json(s.nodes(&caller).await?))
}
