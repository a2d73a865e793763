//! Scheduling's server functions: a domain's enabled strategy with live health, and enabling
//! the recommended strategy.

use leptos::prelude::*;

use crate::model::{DomainSchedule, StrategyDraft, VersionInfo};
use crate::strategy::StrategyDocument;

#[server]
pub async fn schedule(domain: String) -> Result<DomainSchedule, ServerFnError> {
    use super::{backend, request};
    backend()?
        .schedule(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn recommend_strategy(domain: String) -> Result<(), ServerFnError> {
    use super::{backend, request};
    backend()?
        .recommend_strategy(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn schedule_at(domain: String, at: i64) -> Result<DomainSchedule, ServerFnError> {
    use super::{backend, request};
    backend()?
        .schedule_at(&request().await, &domain, at)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn strategy_versions(domain: String) -> Result<Vec<VersionInfo>, ServerFnError> {
    use super::{backend, request};
    backend()?
        .strategy_versions(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn strategy_version(
    domain: String,
    version: i64,
) -> Result<StrategyDocument, ServerFnError> {
    use super::{backend, request};
    backend()?
        .strategy_version(&request().await, &domain, version)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn load_strategy_draft(domain: String) -> Result<Option<StrategyDraft>, ServerFnError> {
    use super::{backend, request};
    backend()?
        .strategy_draft(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

/// The document travels as JSON text: a strategy tree nests deeper than form encoding allows.
#[server]
pub async fn save_strategy_draft(
    domain: String,
    document: String,
) -> Result<StrategyDraft, ServerFnError> {
    use super::{backend, request};
    let document = StrategyDocument::from_json(&document).map_err(ServerFnError::new)?;
    backend()?
        .save_strategy_draft(&request().await, &domain, document)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn discard_strategy_draft(domain: String) -> Result<(), ServerFnError> {
    use super::{backend, request};
    backend()?
        .discard_strategy_draft(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

/// `base`: the version the editor showed as enabled, 0 when none was.
#[server]
pub async fn enable_strategy(
    domain: String,
    document: String,
    base: i64,
) -> Result<i64, ServerFnError> {
    use super::{backend, request};
    let document = StrategyDocument::from_json(&document).map_err(ServerFnError::new)?;
    let base = (base > 0).then_some(base);
    backend()?
        .enable_strategy(&request().await, &domain, document, base)
        .await
        .map_err(ServerFnError::new)
}
