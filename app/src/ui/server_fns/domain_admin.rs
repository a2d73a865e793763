//! The domains' server functions: a page of the list, one domain's details, create, verify a
//! delegated name, start/pause/stop, delete — each as the logged-in user, through the same service layer as the
//! REST API.

use leptos::prelude::*;

use crate::model::{CreatedDomain, DomainDetails, DomainPage, Verification};

#[server]
pub async fn list_domains(search: String, page: u32) -> Result<DomainPage, ServerFnError> {
    use super::{backend, request};
    backend()?
        .domain_page(&request().await, &search, page)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn domain_info(domain: String) -> Result<DomainDetails, ServerFnError> {
    use super::{backend, request};
    backend()?
        .domain(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

/// `itm` is the form's checkbox (present when ticked).
#[server(endpoint = "create_domain")]
pub async fn create_domain(
    domain: String,
    itm: Option<String>,
) -> Result<CreatedDomain, ServerFnError> {
    use super::{backend, request};
    let new = crate::model::NewDomain {
        domain,
        is_itm_domain: itm.is_some(),
    };
    backend()?
        .create_domain(&request().await, new)
        .await
        .map_err(ServerFnError::new)
}

/// Looks for the TXT proof of control of a pending delegated domain now.
#[server]
pub async fn verify_domain(domain: String) -> Result<Verification, ServerFnError> {
    use super::{backend, request};
    backend()?
        .verify_domain(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn set_domain_status(domain: String, status: String) -> Result<(), ServerFnError> {
    use super::{backend, request};
    use crate::model::DomainStatus;
    let status = DomainStatus::parse(&status)
        .filter(|s| *s != DomainStatus::Unscheduled)
        .ok_or_else(|| {
            ServerFnError::new(format!("status: \"{status}\" is not start, pause or stop"))
        })?;
    backend()?
        .set_domain_status(&request().await, &domain, status)
        .await
        .map_err(ServerFnError::new)
}

#[server(endpoint = "delete_domain")]
pub async fn delete_domain(domain: String) -> Result<(), ServerFnError> {
    use super::{backend, request};
    backend()?
        .delete_domain(&request().await, &domain)
        .await
        .map_err(ServerFnError::new)
}
