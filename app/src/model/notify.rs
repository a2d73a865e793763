//! Alert contacts, contact groups, a domain's choice of whom to notify, and the delivery log
//! (`/v1/contacts`, `/v1/contact-groups`, `/v1/domains/{domain}/notify`, `/v1/deliveries`).

use serde::{Deserialize, Serialize};

/// A contact; each non-empty channel is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRecord {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// An http(s) URL receiving a JSON POST per change.
    #[serde(default)]
    pub webhook: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactGroupRecord {
    pub name: String,
    /// Contact names.
    #[serde(default)]
    pub contacts: Vec<String>,
}

/// The members of a group, as `PUT /v1/contact-groups/{name}` takes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMembers {
    #[serde(default)]
    pub contacts: Vec<String>,
}

/// Whom a domain notifies: contacts and groups by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainNotify {
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// One message of the delivery log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub id: i64,
    pub contact: String,
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    pub address: String,
    pub subject: String,
    /// `pending`, `sent`, `failed`, `suppressed` (flapping, folded into a later summary) or
    /// `summarized`.
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    /// When it was queued (ms since the Unix epoch).
    pub time: i64,
    pub sent_at: Option<i64>,
}
