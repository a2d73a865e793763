//! Access control's server functions: sub-users (create, reset password, delete), their
//! policies, access keys and the audit log.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{AuditEntry, CreatedKey, CreatedUser, KeyInfo, UserInfo};

#[server]
pub async fn list_users() -> Result<Vec<UserInfo>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?.users(&request().await).await.map_err(failed)
}

#[server]
pub async fn create_user(username: String) -> Result<CreatedUser, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .create_user(&request().await, &username)
        .await
        .map_err(failed)
}

#[server]
pub async fn reset_password(username: String) -> Result<CreatedUser, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .reset_password(&request().await, &username)
        .await
        .map_err(failed)
}

#[server]
pub async fn delete_user(username: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_user(&request().await, &username)
        .await
        .map_err(failed)
}

/// `grant` is "true" to grant, anything else to revoke.
#[server]
pub async fn set_policy(
    username: String,
    policy: String,
    grant: String,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .set_policy(&request().await, &username, &policy, grant == "true")
        .await
        .map_err(failed)
}

#[server]
pub async fn list_access_keys() -> Result<Vec<KeyInfo>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .access_keys(&request().await)
        .await
        .map_err(failed)
}

#[server]
pub async fn create_access_key(username: String) -> Result<CreatedKey, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .create_access_key(&request().await, &username)
        .await
        .map_err(failed)
}

#[server]
pub async fn delete_access_key(access_key_id: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_access_key(&request().await, &access_key_id)
        .await
        .map_err(failed)
}

/// The audit log of the last `days` days, filtered by user and action (empty: any).
#[server]
pub async fn audit_log(
    username: String,
    action: String,
    days: i64,
) -> Result<Vec<AuditEntry>, ConsoleError> {
    use super::{backend, failed, request};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let since = now - days.clamp(1, 3660) * 86_400_000;
    backend()?
        .audit(&request().await, &username, &action, since)
        .await
        .map_err(failed)
}
