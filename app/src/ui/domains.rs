//! The domains' server functions: a page of the list, one domain's details, create,
//! start/pause/stop, delete — each as the logged-in user, through the same service layer as the
//! REST API.

use leptos::prelude::*;

use crate::model::{DomainDetails, DomainPage, NewDomain};

#[server]
pub async fn list_domains(search: String, page: u32) -> Result<DomainPage, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .domain_page(&cookie_header().await, &search, page)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn domain_info(domain: String) -> Result<DomainDetails, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .domain(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

/// `itm` is the form's checkbox (present when ticked).
#[server]
pub async fn create_domain(
    domain: String,
    itm: Option<String>,
) -> Result<NewDomain, ServerFnError> {
    use super::session::{backend, cookie_header};
    let new = NewDomain {
        domain,
        is_itm_domain: itm.is_some(),
    };
    backend()?
        .create_domain(&cookie_header().await, new)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn set_domain_status(domain: String, status: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    use crate::model::DomainStatus;
    let status = DomainStatus::parse(&status)
        .filter(|s| *s != DomainStatus::Unscheduled)
        .ok_or_else(|| {
            ServerFnError::new(format!("status: \"{status}\" is not start, pause or stop"))
        })?;
    backend()?
        .set_domain_status(&cookie_header().await, &domain, status)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn delete_domain(domain: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .delete_domain(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}
