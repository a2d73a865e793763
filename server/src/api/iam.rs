//! Sub-users, policies, access keys and the audit log.

use axum::extract::{Path, State};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{Body, Params, parse_json};
use super::null;
use crate::service::{Caller, CreatedKey, CreatedUser, KeyInfo, Service, UserInfo};
use crate::store::audit::{AuditEntry, AuditFilter};

type Result<T> = std::result::Result<T, ApiError>;
type Null = Json<serde_json::Value>;

pub fn routes() -> Router<Service> {
    Router::new()
        .route("/v1/users", get(list_users).post(create_user))
        .route("/v1/users/{username}", delete(delete_user))
        .route("/v1/users/{username}/password", put(reset_password))
        .route(
            "/v1/users/{username}/policies/{policy}",
            post(grant).delete(revoke),
        )
        .route("/v1/accesskeys", get(list_keys).post(create_key))
        .route("/v1/accesskeys/{access_key_id}", delete(delete_key))
        .route("/v1/audit", get(audit))
}

async fn list_users(State(s): State<Service>, caller: Caller) -> Result<Json<Vec<UserInfo>>> {
    Ok(Json(s.list_users(&caller).await?))
}

#[derive(Deserialize)]
struct NewUser {
    username: String,
    #[serde(default)]
    password: Option<String>,
}

async fn create_user(
    State(s): State<Service>,
    caller: Caller,
    Body(new): Body<NewUser>,
) -> Result<Json<CreatedUser>> {
    Ok(Json(
        s.create_user(&caller, &new.username, new.password.as_deref())
            .await?,
    ))
}

async fn delete_user(
    State(s): State<Service>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Null> {
    s.delete_user(&caller, &username).await?;
    Ok(null())
}

#[derive(Deserialize)]
struct NewPassword {
    #[serde(default)]
    password: Option<String>,
}

async fn reset_password(
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

async fn grant(
    State(s): State<Service>,
    caller: Caller,
    Path((username, policy)): Path<(String, String)>,
) -> Result<Null> {
    s.grant_policy(&caller, &username, &policy).await?;
    Ok(null())
}

async fn revoke(
    State(s): State<Service>,
    caller: Caller,
    Path((username, policy)): Path<(String, String)>,
) -> Result<Null> {
    s.revoke_policy(&caller, &username, &policy).await?;
    Ok(null())
}

async fn list_keys(State(s): State<Service>, caller: Caller) -> Result<Json<Vec<KeyInfo>>> {
    Ok(Json(s.list_access_keys(&caller).await?))
}

#[derive(Deserialize, Default)]
struct NewKey {
    #[serde(default)]
    username: Option<String>,
}

async fn create_key(
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

async fn delete_key(
    State(s): State<Service>,
    caller: Caller,
    Path(access_key_id): Path<String>,
) -> Result<Null> {
    s.delete_access_key(&caller, &access_key_id).await?;
    Ok(null())
}

#[derive(Deserialize)]
struct AuditQuery {
    user: Option<String>,
    action: Option<String>,
    /// Milliseconds since the Unix epoch.
    since: Option<i64>,
    /// Entries with an id below this one (the next page).
    before: Option<i64>,
    limit: Option<i64>,
}

async fn audit(
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
