//! Request extractors: the JSON body (errors name the field path, e.g. `[0].isItmDomain`) and the
//! authenticated caller (a `bce-auth-v1` signature or a console session cookie).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde::de::DeserializeOwned;

use super::bce;
use super::error::ApiError;
use crate::service::{Caller, Service};
use crate::store::now_ms;

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "itm_session";
/// Mutating requests authenticated by the cookie must echo the session's CSRF token here.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body; a bad one is a 400 naming the field and what was expected.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "RequestTooLarge",
                    "the request body is larger than 1 MiB",
                )
            } else {
                ApiError::invalid(format!("body: {e}"))
            }
        })?;
        parse_json(&bytes).map(Body)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::invalid(format!("body: {inner}"))
        } else {
            ApiError::invalid(format!("body {path}: {inner}"))
        }
    })
}

/// Query parameters; a bad one is a 400 naming it.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Params)
            .map_err(|e| {
                let parameter = e.path().to_string();
                ApiError::invalid(format!("query parameter {parameter}: {}", e.into_inner()))
            })
    }
}

impl FromRequestParts<Service> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, service: &Service) -> Result<Caller, ApiError> {
        let source = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let value = value
                .to_str()
                .map_err(|_| ApiError::unauthenticated("the Authorization header is not text"))?;
            let user = signed_user(parts, service, value).await?;
            return Ok(Caller { user, source });
        }
        if let Some(token) = cookie(parts, SESSION_COOKIE) {
            let (user, csrf) = service.session_user(&token).await?.ok_or_else(|| {
                ApiError::unauthenticated("the session has expired; log in again")
            })?;
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let echoed = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !safe && echoed != Some(csrf.as_str()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "missing or wrong X-CSRF-Token header",
                ));
            }
            return Ok(Caller { user, source });
        }
        Err(ApiError::unauthenticated(
            "missing Authorization header (bce-auth-v1) or session",
        ))
    }
}

async fn signed_user(
    parts: &Parts,
    service: &Service,
    value: &str,
) -> Result<crate::store::accounts::User, ApiError> {
    let reject = |e: bce::AuthError| ApiError::unauthenticated(e.to_string());
    let auth = bce::parse_authorization(value).map_err(reject)?;
    bce::check_validity(&auth, now_ms() / 1000).map_err(reject)?;
    let (user, secret) = service
        .access_key(&auth.access_key_id)
        .await?
        .ok_or_else(|| {
            ApiError::unauthenticated(format!("unknown access key \"{}\"", auth.access_key_id))
        })?;
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    bce::verify(
        &auth,
        &secret,
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        &headers,
    )
    .map_err(reject)?;
    Ok(user)
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| cookie_in(v, name))
}

/// The value of cookie `name` in one Cookie header.
pub fn cookie_in(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// The Set-Cookie value of a new console session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        crate::service::SESSION_TTL_SECS,
        if secure { "; Secure" } else { "" }
    )
}

/// The Set-Cookie value that ends the console session in the browser.
pub fn expired_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
