//! The console's logged-in user.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub username: String,
    pub account_id: i64,
    /// The account's main user (else a sub-user).
    pub main: bool,
}
