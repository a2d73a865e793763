//! Alert contacts, contact groups, each domain's choice of whom to notify, the delivery log.

use app::model::{ContactGroupRecord, ContactRecord, DeliveryRecord, DomainNotify, GroupMembers};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Body, Params};
use super::null;
use crate::service::{Caller, Service};

type Result<T> = std::result::Result<T, ApiError>;
type Null = Json<serde_json::Value>;

pub(super) async fn contacts(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<ContactRecord>>> {
    Ok(Json(s.contacts(&caller).await?))
}

pub(super) async fn put_contact(
    State(s): State<Service>,
    caller: Caller,
    Body(contact): Body<ContactRecord>,
) -> Result<Null> {
    s.put_contact(&caller, &contact).await?;
    Ok(null())
}

pub(super) async fn delete_contact(
    State(s): State<Service>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Null> {
    s.delete_contact(&caller, &name).await?;
    Ok(null())
}

/// `{"queued": n}`: the messages queued, one per channel of the contact.
pub(super) async fn test_contact(
    State(s): State<Service>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>> {
    let queued = s.send_test_notification(&caller, &name).await?;
    Ok(Json(serde_json::json!({ "queued": queued })))
}

pub(super) async fn groups(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<ContactGroupRecord>>> {
    Ok(Json(s.contact_groups(&caller).await?))
}

pub(super) async fn put_group(
    State(s): State<Service>,
    caller: Caller,
    Path(name): Path<String>,
    Body(members): Body<GroupMembers>,
) -> Result<Null> {
    s.put_contact_group(&caller, &name, &members).await?;
    Ok(null())
}

pub(super) async fn delete_group(
    State(s): State<Service>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Null> {
    s.delete_contact_group(&caller, &name).await?;
    Ok(null())
}

pub(super) async fn domain_notify(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
) -> Result<Json<DomainNotify>> {
    Ok(Json(s.domain_notify(&caller, &domain).await?))
}

pub(super) async fn set_domain_notify(
    State(s): State<Service>,
    caller: Caller,
    Path(domain): Path<String>,
    Body(choice): Body<DomainNotify>,
) -> Result<Null> {
    s.set_domain_notify(&caller, &domain, &choice).await?;
    Ok(null())
}

#[derive(Deserialize)]
pub(super) struct DeliveryQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

pub(super) async fn deliveries(
    State(s): State<Service>,
    caller: Caller,
    Params(q): Params<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryRecord>>> {
    Ok(Json(s.deliveries(&caller, q.since, q.limit).await?))
}
