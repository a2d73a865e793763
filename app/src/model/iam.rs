//! IAM: the three system policies of the seed (多用户访问控制) and what they allow.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Policy {
    #[serde(rename = "ITMReadAccessPolicy")]
    ReadAccess,
    #[serde(rename = "ITMWritePolicy")]
    Write,
    #[serde(rename = "ITMFullControlPolicy")]
    FullControl,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::FullControl, Policy::Write, Policy::ReadAccess];

    pub fn name(self) -> &'static str {
        match self {
            Policy::FullControl => "ITMFullControlPolicy",
            Policy::Write => "ITMWritePolicy",
            Policy::ReadAccess => "ITMReadAccessPolicy",
        }
    }

    pub fn parse(name: &str) -> Option<Policy> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Does holding this policy allow an action needing `permission`?
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Write => self >= Policy::Write,
            Permission::Account | Permission::Operate => self == Policy::FullControl,
            Permission::ManageUsers => false,
        }
    }
}

/// What an action needs. Main accounts have every permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See domains, endpoints, strategies, results.
    Read,
    /// Change domains, endpoints, monitors, strategies, notifications.
    Write,
    /// Account-level settings: usage, access keys, the audit log.
    Account,
    /// Create and delete sub-users, grant and revoke their policies: the main account's alone.
    ManageUsers,
    /// Installation-wide state (the nodes, `/healthz` details): operators' accounts only (the
    /// first account, or one made with `itm account create --operator`), their main user or a
    /// full-control sub-user.
    Operate,
}

/// A sub-user just created or given a new password: the password is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    pub username: String,
    pub password: String,
    /// The console link sub-users log in at.
    pub login_link: String,
}

/// A new access key: the secret is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub username: String,
}

/// A user as `GET /v1/users` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub username: String,
    pub main: bool,
    pub policies: Vec<Policy>,
    pub created_at: i64,
}

/// An access key as `GET /v1/accesskeys` lists it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub access_key_id: String,
    pub username: String,
    pub created_at: i64,
}

/// One entry of the audit log (`GET /v1/audit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub username: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub source: String,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}
