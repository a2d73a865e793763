//! Scheduling's server functions: a domain's enabled strategy with live health, enabling the
//! recommended strategy, and the queries its name got.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{DomainSchedule, QueryVolume, StrategyDraft, VersionInfo};
use crate::strategy::StrategyDocument;

#[server]
pub async fn schedule(domain: String) -> Result<DomainSchedule, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .schedule(&request().await, &domain)
        .await
        .map_err(failed)
}

/// `base`: the version whose diff against the recommendation the user confirmed (0: none).
#[server]
pub async fn recommend_strategy(
    domain: String,
    base: i64,
    note: String,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .recommend_strategy(&request().await, &domain, enabling(base, note))
        .await
        .map_err(failed)
}

#[server]
pub async fn domain_query_volume(domain: String, hours: u32) -> Result<QueryVolume, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .query_volume(&request().await, &domain, hours)
        .await
        .map_err(failed)
}

#[server]
pub async fn schedule_at(domain: String, at: i64) -> Result<DomainSchedule, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .schedule_at(&request().await, &domain, at)
        .await
        .map_err(failed)
}

#[server]
pub async fn strategy_versions(domain: String) -> Result<Vec<VersionInfo>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .strategy_versions(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server]
pub async fn strategy_version(
    domain: String,
    version: i64,
) -> Result<StrategyDocument, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .strategy_version(&request().await, &domain, version)
        .await
        .map_err(failed)
}

#[server]
pub async fn load_strategy_draft(domain: String) -> Result<Option<StrategyDraft>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .strategy_draft(&request().await, &domain)
        .await
        .map_err(failed)
}

/// The document travels as JSON text: a strategy tree nests deeper than form encoding allows.
#[server]
pub async fn save_strategy_draft(
    domain: String,
    document: String,
) -> Result<StrategyDraft, ConsoleError> {
    use super::{backend, failed, request};
    let document =
        StrategyDocument::from_json(&document).map_err(|e| failed(format!("document: {e}")))?;
    backend()?
        .save_strategy_draft(&request().await, &domain, document)
        .await
        .map_err(failed)
}

#[server]
pub async fn discard_strategy_draft(domain: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .discard_strategy_draft(&request().await, &domain)
        .await
        .map_err(failed)
}

/// `base`: the version the editor showed as enabled, 0 when none was.
#[server]
pub async fn enable_strategy(
    domain: String,
    document: String,
    base: i64,
    note: String,
) -> Result<i64, ConsoleError> {
    use super::{backend, failed, request};
    let document =
        StrategyDocument::from_json(&document).map_err(|e| failed(format!("document: {e}")))?;
    backend()?
        .enable_strategy(&request().await, &domain, document, enabling(base, note))
        .await
        .map_err(failed)
}

/// What the console enables against: the version the user saw (0: none), with their note.
#[cfg(feature = "ssr")]
fn enabling(base: i64, note: String) -> crate::model::Enabling {
    crate::model::Enabling {
        base: crate::model::Base::Version((base > 0).then_some(base)),
        note,
        force: false,
    }
}
