//! Domains, endpoints, strategies and monitor settings.

use std::collections::BTreeMap;

use app::model::{
    CreatedDomain, DomainDetails, DomainStatus, DomainSummary, EndpointInput, EndpointRecord,
    MonitorSettings, NewDomain, StrategyDraft, Verification,
};
use app::strategy::StrategyDocument;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Body, Params};
use super::null;
use crate::service::{
    Base, Caller, Enabling, EndpointRef, Service, ServiceError, StrategyInput, VersionInfo,
};

type Result<T> = std::result::Result<T, ApiError>;
type Null = Json<serde_json::Value>;

pub(super) async fn list_domains(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<DomainSummary>>> {
    Ok(Json(s.list_domains(&caller).await?))
}

pub(super) async fn create_domains(
    State(s): State<Service>,
    caller: Caller,
    Body(new): Body<Vec<NewDomain>>,
) -> Result<Json<Vec<CreatedDomain>>> {
    Ok(Json(s.create_domains(&caller, &new).await?))
}

/// Looks for the proof of control of a pending delegated name now.
pub(super) async fn verify(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<Verification>> {
    Ok(Json(s.verify_domain(&caller, &domain).await?))
}

pub(super) async fn delete_domains(
    State(s): State<Service>,
    caller: Caller,
    Body(names): Body<Vec<String>>,
) -> Result<Null> {
    s.delete_domains(&caller, &names).await?;
    Ok(null())
}

pub(super) async fn details(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<DomainDetails>> {
    Ok(Json(s.domain_details(&caller, &domain).await?))
}

#[derive(Deserialize)]
pub(super) struct TtlBody {
    ttl: i64,
}

pub(super) async fn set_ttl(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Body(body): Body<TtlBody>,
) -> Result<Null> {
    s.set_domain_ttl(&caller, &domain, body.ttl).await?;
    Ok(null())
}

#[derive(Deserialize)]
pub(super) struct StatusBody {
    status: String,
}

pub(super) async fn set_status(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Body(body): Body<StatusBody>,
) -> Result<Null> {
    let status = DomainStatus::parse(&body.status)
        .filter(|s| *s != DomainStatus::Unscheduled)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "status: \"{}\" is not start, stop or pause",
                body.status
            ))
        })?;
    s.set_domain_status(&caller, &domain, status).await?;
    Ok(null())
}

pub(super) async fn monitor(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<MonitorSettings>> {
    Ok(Json(s.monitor_settings(&caller, &domain).await?))
}

pub(super) async fn set_monitor(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Body(settings): Body<MonitorSettings>,
) -> Result<Null> {
    s.set_monitor_settings(&caller, &domain, settings).await?;
    Ok(null())
}

pub(super) async fn strategy(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<StrategyDocument>> {
    Ok(Json(s.strategy(&caller, &domain).await?))
}

pub(super) async fn recommend(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Params(q): Params<EnablingQuery>,
) -> Result<Null> {
    s.recommend_strategy(&caller, &domain, &q.enabling()?)
        .await?;
    Ok(null())
}

pub(super) async fn versions(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<Vec<VersionInfo>>> {
    Ok(Json(s.strategy_versions(&caller, &domain).await?))
}

pub(super) async fn version(
    State(s): State<Service>,
    caller: Caller,
    Path((domain, version)): Path<(String, String)>,
) -> Result<Json<StrategyDocument>> {
    let version = version_number(&version)?;
    Ok(Json(s.strategy_version(&caller, &domain, version).await?))
}

pub(super) async fn restore(
    State(s): State<Service>,
    caller: Caller,
    Path((domain, version)): Path<(String, String)>,
    Params(q): Params<EnablingQuery>,
) -> Result<Null> {
    let version = version_number(&version)?;
    s.restore_strategy_version(&caller, &domain, version, &q.enabling()?)
        .await?;
    Ok(null())
}

fn version_number(text: &str) -> Result<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::invalid(format!("version: \"{text}\" is not a version number")))
}

pub(super) async fn draft(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<StrategyDraft>> {
    s.strategy_draft(&caller, &domain)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ServiceError::NotFound(format!("domain \"{domain}\" has no strategy draft")).into()
        })
}

pub(super) async fn save_draft(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Body(doc): Body<StrategyDocument>,
) -> Result<Json<StrategyDraft>> {
    Ok(Json(s.save_strategy_draft(&caller, &domain, &doc).await?))
}

pub(super) async fn discard_draft(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Null> {
    s.discard_strategy_draft(&caller, &domain).await?;
    Ok(null())
}

pub(super) async fn update_or_create(
    State(s): State<Service>,
    caller: Caller,
    Params(q): Params<EnablingQuery>,
    Body(batch): Body<BTreeMap<String, StrategyInput>>,
) -> Result<Null> {
    s.update_or_create_strategies(&caller, &batch, &q.enabling()?)
        .await?;
    Ok(null())
}

/// `?force=true&note=…&base=N` on the routes that enable a version: `force` enables a strategy
/// that answers no user group, `note` is stored with the version, and `base` (0: none) is the
/// version the caller saw enabled; the change is refused (409) if another one is enabled now.
#[derive(Deserialize)]
pub(super) struct EnablingQuery {
    #[serde(default)]
    force: bool,
    #[serde(default)]
    note: String,
    base: Option<i64>,
}

impl EnablingQuery {
    fn enabling(self) -> Result<Enabling> {
        let base = match self.base {
            None => Base::Any,
            Some(0) => Base::Version(None),
            Some(n) if n > 0 => Base::Version(Some(n)),
            Some(n) => {
                return Err(ApiError::invalid(format!(
                    "base: {n} is not a version number (0 for none)"
                )));
            }
        };
        Ok(Enabling {
            base,
            note: self.note,
            force: self.force,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct DomainQuery {
    domain: Option<String>,
}

pub(super) async fn list_endpoints(
    State(s): State<Service>,
    caller: Caller,
    Params(q): Params<DomainQuery>,
) -> Result<Json<Vec<EndpointRecord>>> {
    let domain = q
        .domain
        .ok_or_else(|| ApiError::invalid("domain: the query parameter is required"))?;
    Ok(Json(s.list_endpoints(&caller, &domain).await?))
}

pub(super) async fn add_endpoints(
    State(s): State<Service>,
    caller: Caller,
    Body(list): Body<Vec<EndpointInput>>,
) -> Result<Null> {
    s.add_endpoints(&caller, &list).await?;
    Ok(null())
}

pub(super) async fn update_endpoints(
    State(s): State<Service>,
    caller: Caller,
    Body(list): Body<Vec<EndpointInput>>,
) -> Result<Null> {
    s.update_endpoints(&caller, &list).await?;
    Ok(null())
}

pub(super) async fn delete_endpoints(
    State(s): State<Service>,
    caller: Caller,
    Body(list): Body<Vec<EndpointRef>>,
) -> Result<Null> {
    s.delete_endpoints(&caller, &list).await?;
    Ok(null())
}

pub(super) async fn delete_regenerating(
    State(s): State<Service>,
    caller: Caller,
    Body(list): Body<Vec<EndpointRef>>,
) -> Result<Null> {
    s.delete_endpoints_regenerating(&caller, &list).await?;
    Ok(null())
}
