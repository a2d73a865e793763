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
            Permission::Account => self == Policy::FullControl,
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
}
