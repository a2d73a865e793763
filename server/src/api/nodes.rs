//! `GET /v1/nodes`: the nodes serving from this store.

use app::model::NodeStatus;
use axum::Json;
use axum::extract::State;

use super::error::ApiError;
use crate::service::{Caller, Service};

pub(super) async fn list(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<NodeStatus>>, ApiError> {
    Ok(Json(s.nodes(&caller).await?))
}
