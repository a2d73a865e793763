//! Notifications' server functions: contacts, contact groups, a domain's choice of whom to
//! notify, and the delivery log.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::model::{ContactGroupRecord, ContactRecord, DeliveryRecord, DomainNotify};

#[server]
pub async fn list_contacts() -> Result<Vec<ContactRecord>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .contacts(&cookie_header().await)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn put_contact(
    name: String,
    email: String,
    phone: String,
    webhook: String,
) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    let contact = ContactRecord {
        name: name.trim().to_owned(),
        email: email.trim().to_owned(),
        phone: phone.trim().to_owned(),
        webhook: webhook.trim().to_owned(),
    };
    backend()?
        .put_contact(&cookie_header().await, contact)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn delete_contact(name: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .delete_contact(&cookie_header().await, &name)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn list_contact_groups() -> Result<Vec<ContactGroupRecord>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .contact_groups(&cookie_header().await)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn put_contact_group(group: ContactGroupRecord) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .put_contact_group(&cookie_header().await, group)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn delete_contact_group(name: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .delete_contact_group(&cookie_header().await, &name)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn load_domain_notify(domain: String) -> Result<DomainNotify, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .domain_notify(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn save_domain_notify(domain: String, choice: DomainNotify) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .set_domain_notify(&cookie_header().await, &domain, choice)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn list_deliveries() -> Result<Vec<DeliveryRecord>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .deliveries(&cookie_header().await)
        .await
        .map_err(ServerFnError::new)
}
