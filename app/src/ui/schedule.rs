//! Scheduling's server functions: a domain's enabled strategy with live health, and enabling
//! the recommended strategy.

use leptos::prelude::*;

use crate::model::{DomainSchedule, VersionInfo};

#[server]
pub async fn schedule(domain: String) -> Result<DomainSchedule, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .schedule(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn recommend_strategy(domain: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .recommend_strategy(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn schedule_at(domain: String, at: i64) -> Result<DomainSchedule, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .schedule_at(&cookie_header().await, &domain, at)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn strategy_versions(domain: String) -> Result<Vec<VersionInfo>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .strategy_versions(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}
