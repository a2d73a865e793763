//! The domains' server functions: a page of the list, one domain's details, create, verify a
//! delegated name, start/pause/stop, delete — each as the logged-in user, through the same service layer as the
//! REST API.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{CreatedDomain, DomainDetails, DomainPage, Verification};

#[server]
pub async fn list_domains(search: String, page: u32) -> Result<DomainPage, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .domain_page(&request().await, &search, page)
        .await
        .map_err(failed)
}

#[server]
pub async fn domain_info(domain: String) -> Result<DomainDetails, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .domain(&request().await, &domain)
        .await
        .map_err(failed)
}

/// `itm` is the form's checkbox (present when ticked).
#[server(endpoint = "create_domain")]
pub async fn create_domain(
    domain: String,
    itm: Option<String>,
) -> Result<CreatedDomain, ConsoleError> {
    use super::{backend, failed, request};
    let new = crate::model::NewDomain {
        domain,
        is_itm_domain: itm.is_some(),
    };
    backend()?
        .create_domain(&request().await, new)
        .await
        .map_err(failed)
}

/// Looks for the TXT proof of control of a pending delegated domain now.
#[server]
pub async fn verify_domain(domain: String) -> Result<Verification, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .verify_domain(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server]
pub async fn set_domain_status(domain: String, status: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    use crate::model::DomainStatus;
    let status = DomainStatus::parse(&status)
        .filter(|s| *s != DomainStatus::Unscheduled)
        .ok_or_else(|| failed(format!("status: \"{status}\" is not start, pause or stop")))?;
    backend()?
        .set_domain_status(&request().await, &domain, status)
        .await
        .map_err(failed)
}

/// `ttl` as typed: a number of seconds, 1..=86400 (the service says why otherwise).
#[server]
pub async fn set_domain_ttl(domain: String, ttl: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let seconds = ttl.trim().parse::<i64>().map_err(|_| {
        failed(ConsoleError::Invalid(format!(
            "ttl: \"{}\" is not a whole number of seconds",
            // Only the start of what was typed: the message is shown beside the field.
            ttl.chars().take(32).collect::<String>().escape_debug()
        )))
    })?;
    backend()?
        .set_domain_ttl(&request().await, &domain, seconds)
        .await
        .map_err(failed)
}

#[server(endpoint = "delete_domain")]
pub async fn delete_domain(domain: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_domain(&request().await, &domain)
        .await
        .map_err(failed)
}
