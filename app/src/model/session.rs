//! The console's logged-in user.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub username: String,
    pub account_id: i64,
    /// The account's main user (else a sub-user).
    pub main: bool,
    /// Policies allow changes (domains, endpoints, monitors, strategies, notifications).
    #[serde(default)]
    pub can_write: bool,
    /// Policies allow account settings (usage, access keys, the audit log).
    #[serde(default)]
    pub can_manage_account: bool,
    /// May see installation-wide state (the nodes): an operator's account.
    #[serde(default)]
    pub operator: bool,
    /// Where the live view stood when the server began rendering the page this answer came
    /// with: the page's first stream resumes from there, so a change made while the page was
    /// rendered or loading still reaches it. None: the answer came after the page loaded.
    #[serde(default)]
    pub live_from: Option<String>,
}
