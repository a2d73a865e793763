//! Console sessions over HTTP: log in (sets the HttpOnly, SameSite=Lax session cookie and
//! returns the CSRF token), show the current session, log out.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::{
    Body, SESSION_COOKIE, client, cookie, expired_session_cookie, session_cookie,
};
use crate::service::{Caller, Service};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Login {
    username: String,
    password: String,
    /// Sub-users log in at their account's link; main accounts leave it out.
    #[serde(default)]
    account_id: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SessionInfo {
    username: String,
    account_id: i64,
    main: bool,
    policies: Vec<app::model::Policy>,
    csrf_token: String,
}

pub(super) async fn login(
    State(s): State<Service>,
    parts: Parts,
    Body(body): Body<Login>,
) -> Result<Response, ApiError> {
    let client = client(&s, &parts);
    let session = s
        .login(
            body.account_id,
            &body.username,
            &body.password,
            &client.address.to_string(),
        )
        .await?;
    let cookie = session_cookie(&session.token, client.secure);
    let info = SessionInfo {
        username: session.user.username.clone(),
        account_id: session.user.account_id,
        main: session.user.is_main,
        policies: session.user.policies.clone(),
        csrf_token: session.csrf_token,
    };
    let mut response = Json(info).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}

pub(super) async fn current(
    State(s): State<Service>,
    parts: Parts,
) -> Result<Json<SessionInfo>, ApiError> {
    let token =
        cookie(&parts, SESSION_COOKIE).ok_or_else(|| ApiError::unauthenticated("not logged in"))?;
    let (user, _) = s
        .session_user(&token, None)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the session has expired; log in again"))?;
    Ok(Json(SessionInfo {
        username: user.username,
        account_id: user.account_id,
        main: user.is_main,
        policies: user.policies,
        csrf_token: s.csrf_token(&token),
    }))
}

pub(super) async fn logout(
    State(s): State<Service>,
    _caller: Caller,
    parts: Parts,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&parts, SESSION_COOKIE) {
        s.logout(&token).await?;
    }
    let mut response = Json(serde_json::Value::Null).into_response();
    let expired = expired_session_cookie();
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}
