//! Notifications' server functions: contacts, contact groups, a domain's choice of whom to
//! notify, and the delivery log.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;
use leptos::server_fn::codec::Json;

use crate::model::{ContactGroupRecord, ContactRecord, DeliveryRecord, DomainNotify};

#[server]
pub async fn list_contacts() -> Result<Vec<ContactRecord>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?.contacts(&request().await).await.map_err(failed)
}

#[server]
pub async fn put_contact(
    name: String,
    email: String,
    phone: String,
    webhook: String,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let contact = ContactRecord {
        name: name.trim().to_owned(),
        email: email.trim().to_owned(),
        phone: phone.trim().to_owned(),
        webhook: webhook.trim().to_owned(),
    };
    backend()?
        .put_contact(&request().await, contact)
        .await
        .map_err(failed)
}

#[server]
pub async fn delete_contact(name: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_contact(&request().await, &name)
        .await
        .map_err(failed)
}

/// Queues a test message on each of the contact's channels; returns how many.
#[server]
pub async fn test_contact(name: String) -> Result<usize, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .test_contact(&request().await, &name)
        .await
        .map_err(failed)
}

#[server]
pub async fn list_contact_groups() -> Result<Vec<ContactGroupRecord>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .contact_groups(&request().await)
        .await
        .map_err(failed)
}

#[server(input = Json)]
pub async fn put_contact_group(group: ContactGroupRecord) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .put_contact_group(&request().await, group)
        .await
        .map_err(failed)
}

#[server]
pub async fn delete_contact_group(name: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_contact_group(&request().await, &name)
        .await
        .map_err(failed)
}

#[server]
pub async fn load_domain_notify(domain: String) -> Result<DomainNotify, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .domain_notify(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server(input = Json)]
pub async fn save_domain_notify(domain: String, choice: DomainNotify) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .set_domain_notify(&request().await, &domain, choice)
        .await
        .map_err(failed)
}

#[server]
pub async fn list_deliveries() -> Result<Vec<DeliveryRecord>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .deliveries(&request().await)
        .await
        .map_err(failed)
}
