//! Sub-users, policies, access keys and the audit log.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Body, Params, parse_json};
use super::null;
use crate::service::{AuditEntry, AuditFilter};
use crate::service::{Caller, CreatedKey, CreatedUser, KeyInfo, Service, UserInfo};

type Result<T> = std::result::Result<T, ApiError>;
type Null = Json<serde_json::Value>;

pub(super) async fn list_users(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<UserInfo>>> {
    Ok(Json(s.list_users(&caller).await?))
}

#[derive(Deserialize)]
pub(super) struct NewUser {
    username: String,
    #[serde(default)]
    password: Option<String>,
}

pub(super) async fn create_user(
    State(s): State<Service>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> Result<Json<CreatedUser>> {
    Ok(Json(
        s.create_user(&caller, &new.username, new.password.as_deref())
            .await?,
    ))
}

pub(super) async fn delete_user(
    State(s): State<Service>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Null> {
    s.delete_user(&caller, &username).await?;
    Ok(null())
}

#[derive(Deserialize)]
pub(super) struct NewPassword {
    #[serde(default)]
    password: Option<String>,
}

pub(super) async fn reset_password(
    State(s): State<Service>,
    caller: Caller,
    Path(username): Path<String>,
    Body(body): Body<NewPassword>,
) -> Result<Json<CreatedUser>> {
    Ok(Json(
        s.reset_password(&caller, &username, body.password.as_deref())
            .await?,
    ))
}

pub(super) async fn grant(
    State(s): State<Service>,
    caller: Caller,
    Path((username, policy)): Path<(String, String)>,
) -> Result<Null> {
    s.grant_policy(&caller, &username, &policy).await?;
    Ok(null())
}

pub(super) async fn revoke(
    State(s): State<Service>,
    caller: Caller,
    Path((username, policy)): Path<(String, String)>,
) -> Result<Null> {
    s.revoke_policy(&caller, &username, &policy).await?;
    Ok(null())
}

pub(super) async fn list_keys(
    State(s): State<Service>,
    caller: Caller,
) -> Result<Json<Vec<KeyInfo>>> {
    Ok(Json(s.list_access_keys(&caller).await?))
}

#[derive(Deserialize, Default)]
pub(super) struct NewKey {
    #[serde(default)]
    username: Option<String>,
}

pub(super) async fn create_key(
    State(s): State<Service>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<Json<CreatedKey>> {
    // The body is optional: no body creates a key for the caller.
    let new: NewKey = if body.iter().all(u8::is_ascii_whitespace) {
        NewKey::default()
    } else {
        parse_json(&body)?
    };
    Ok(Json(
        s.create_access_key(&caller, new.username.as_deref())
            .await?,
    ))
}

pub(super) async fn delete_key(
    State(s): State<Service>,
    caller: Caller,
    Path(access_key_id): Path<String>,
) -> Result<Null> {
    s.delete_access_key(&caller, &access_key_id).await?;
    Ok(null())
}

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    user: Option<String>,
    action: Option<String>,
    /// Milliseconds since the Unix epoch.
    since: Option<i64>,
    /// Entries with an id below this one (the next page).
    before: Option<i64>,
    limit: Option<i64>,
}

pub(super) async fn audit(
    State(s): State<Service>,
    caller: Caller,
    Params(q): Params<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>> {
    let filter = AuditFilter {
        username: q.user,
        action: q.action,
        since_ms: q.since,
        before_id: q.before,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(s.audit_log(&caller, filter).await?))
}
