//! Monitor points (register an agent, list, delete), the monitor-task count, and the agents'
//! own routes: fetch tasks and post results, authenticated by the point's bearer token.

use app::model::{
    AgentResult, AgentTask, CreatedMonitorPoint, MonitorPointInfo, MonitorTaskCount,
    NewMonitorPoint,
};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use super::extract::Body;
use super::null;
use crate::service::MonitorPoint;
use crate::service::{Caller, Service};

type Result<T> = std::result::Result<T, ApiError>;

/// The headers an agent states its point and location in.
pub const POINT_HEADER: &str = "x-itm-point";
pub const AREA_HEADER: &str = "x-itm-point-area";
pub const ISP_HEADER: &str = "x-itm-point-isp";

pub(super) async fn list(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<MonitorPointInfo>>> {
    Ok(Json(s.list_points(&caller).await?))
}

pub(super) async fn create(
    State(s): State<Service>,
    caller: Caller,
    Body(new): Body<NewMonitorPoint>,
) -> Result<Json<CreatedMonitorPoint>> {
    Ok(Json(s.create_point(&caller, &new).await?))
}

pub(super) async fn remove(
    State(s): State<Service>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>> {
    s.delete_point(&caller, &name).await?;
    Ok(null())
}

pub(super) async fn tasks_count(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<MonitorTaskCount>> {
    Ok(Json(s.monitor_tasks(&caller).await?))
}

/// An agent: `Authorization: Bearer <token>`, its point name in `X-ITM-Point` (must match the
/// token's), and optionally its area and ISP.
pub struct Agent(MonitorPoint);

impl FromRequestParts<Service> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, service: &Service) -> Result<Agent> {
        let text = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let authorization = text(header::AUTHORIZATION.as_str());
        let token = authorization.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthenticated(
                "agents authenticate with Authorization: Bearer <point token>",
            )
        })?;
        let point = service
            .agent(token.trim(), &text(AREA_HEADER), &text(ISP_HEADER))
            .await?;
        let stated = text(POINT_HEADER);
        if !stated.is_empty() && stated != point.name {
            return Err(ApiError::unauthenticated(format!(
                "this token belongs to point \"{}\", not \"{}\"",
                point.name,
                stated.escape_debug()
            )));
        }
        Ok(Agent(point))
    }
}

pub(super) async fn agent_tasks(
    State(s): State<Service>,
    Agent(point): Agent,
) -> Result<Json<Vec<AgentTask>>> {
    Ok(Json(s.agent_tasks(&point).await?))
}

pub(super) async fn agent_results(
    State(s): State<Service>,
    Agent(point): Agent,
    Body(results): Body<Vec<AgentResult>>,
) -> Result<Json<serde_json::Value>> {
    s.agent_results(&point, &results).await?;
    Ok(null())
}
