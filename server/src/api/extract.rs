//! Request extractors: the JSON body (errors name the field path, e.g. `[0].isItmDomain`) and the
//! authenticated caller (a `bce-auth-v1` signature or a console session cookie).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde::de::DeserializeOwned;

use super::bce;
use super::error::ApiError;
use crate::clock::now_ms;
use crate::service::{Caller, Service};

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
                too_large()
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
        caller(service, parts).await
    }
}

/// Where a request came from, as far as this server can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    /// The peer, or — when the peer is a trusted proxy — the client it names.
    pub address: IpAddr,
    /// Over HTTPS: TLS to this server, or a trusted proxy's `X-Forwarded-Proto: https`.
    pub secure: bool,
}

/// Marks a request that arrived over TLS on this server's own listener.
#[derive(Clone, Copy, Debug)]
pub struct OverTls;

/// The request's client. `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a
/// peer in `--trusted-proxies` (any client can send them): the client is then the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client(service: &Service, parts: &Parts) -> Client {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let tls = parts.extensions.get::<OverTls>().is_some();
    let trusted = service.trusted_proxies();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return Client {
            address: peer,
            secure: tls,
        };
    }
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut address = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        address = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    let forwarded_https = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Client {
        address,
        secure: tls || forwarded_https,
    }
}

/// The one door from a request to its caller, for the REST API and the console's server
/// functions alike: a `bce-auth-v1` signature, or a session cookie. A cookie-authenticated
/// request that changes something (any method but GET/HEAD/OPTIONS) must also show it is no
/// cross-site forgery: the session's CSRF token in `X-CSRF-Token`, or a browser's word that it
/// comes from one of our own pages ([`same_origin`]).
pub async fn caller(service: &Service, parts: &Parts) -> Result<Caller, ApiError> {
    let source = client(service, parts).address.to_string();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ApiError::unauthenticated("the Authorization header is not text"))?;
        let user = signed_user(parts, service, value).await?;
        return Ok(Caller { user, source });
    }
    if let Some(token) = cookie(parts, SESSION_COOKIE) {
        let echoed = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        let (user, token_matches) = service
            .session_user(&token, echoed)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the session has expired; log in again"))?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !token_matches && !same_origin(service, parts) {
            return Err(cross_site());
        }
        return Ok(Caller { user, source });
    }
    Err(ApiError::unauthenticated(
        "missing Authorization header (bce-auth-v1) or session",
    ))
}

pub fn cross_site() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "cross-site request refused: send the session's X-CSRF-Token header, or call from the \
         console's own pages",
    )
}

/// Whether a browser says the request comes from one of this server's own pages: `Sec-Fetch-Site:
/// same-origin` (every current browser sends it), or, from browsers without Fetch Metadata, an
/// `Origin` equal to this server's. Strict: a sibling site (`same-site`), another origin, or no
/// evidence at all is refused.
pub fn same_origin(service: &Service, parts: &Parts) -> bool {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site.trim().eq_ignore_ascii_case("same-origin");
    }
    let (Some(origin), Some(host)) = (header("origin"), header("host")) else {
        return false;
    };
    let scheme = if client(service, parts).secure {
        "https"
    } else {
        "http"
    };
    origin
        .trim()
        .eq_ignore_ascii_case(&format!("{scheme}://{}", host.trim()))
}

async fn signed_user(
    parts: &Parts,
    service: &Service,
    value: &str,
) -> Result<crate::service::User, ApiError> {
    let reject = |e: bce::AuthError| ApiError::unauthenticated(e.to_string());
    let auth = bce::parse_authorization(value).map_err(reject)?;
    let now = now_ms() / 1000;
    bce::check_validity(&auth, now, service.max_signature_age()).map_err(reject)?;
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
    let signed = bce::verify(
        &auth,
        &secret,
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        &headers,
    )
    .map_err(reject)?;
    // The signature covers the body only through a digest header the client signed: check the
    // received body against it (a swapped body fails here).
    let received = parts.extensions.get::<ReceivedBody>();
    let digest = |name: &str| {
        signed
            .iter()
            .any(|h| h == name)
            .then(|| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
            .flatten()
            .map(|(_, v)| v.trim())
    };
    if let Some(expected) = digest("x-bce-content-sha256") {
        let matches = received.is_some_and(|b| b.sha256.eq_ignore_ascii_case(expected));
        if !matches {
            return Err(reject(bce::AuthError::BodyMismatch("x-bce-content-sha256")));
        }
    }
    if let Some(expected) = digest("content-md5") {
        let matches = received.is_some_and(|b| b.md5_base64 == expected);
        if !matches {
            return Err(reject(bce::AuthError::BodyMismatch("content-md5")));
        }
    }
    let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        let body = received.map_or("", |b| b.sha256.as_str());
        let expires = bce::parse_timestamp(&auth.timestamp).unwrap_or(now)
            + auth.expiration_secs.min(service.max_signature_age())
            + bce::ALLOWED_SKEW_SECS;
        if !service
            .signatures_seen()
            .first_use(&auth.signature, body, expires, now)
        {
            return Err(reject(bce::AuthError::Replayed));
        }
    }
    Ok(user)
}

/// The digests of a signed request's body, taken by [`hash_signed_body`] before any handler
/// reads it.
#[derive(Clone, Debug)]
pub struct ReceivedBody {
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Base64 MD5 (the `Content-MD5` form).
    pub md5_base64: String,
}

/// Middleware: reads a signed request's body (within the body limit), records its digests for
/// the signature check, and hands the same bytes on.
pub async fn hash_signed_body(
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, super::MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large().into_response(),
    };
    parts.extensions.insert(digests(&bytes));
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn digests(bytes: &[u8]) -> ReceivedBody {
    use base64::Engine;
    use md5::Digest as _;
    ReceivedBody {
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        md5_base64: base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(bytes)),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestTooLarge",
        "the request body is larger than 1 MiB",
    )
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
