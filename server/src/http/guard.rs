//! What every response and every console server-function call must satisfy, whatever page or
//! function it is: security headers on every response (no MIME sniffing, no framing, no
//! referrer outside the origin, and on pages a Content-Security-Policy), and for the console's
//! server functions (`POST /api/…`) only form or JSON bodies, only from the console's own pages
//! (the REST API's CSRF rule: [`crate::api::extract::same_origin`]), and login forms within
//! 4 KB. Pages that show an account's data are for a session only: without one the browser is
//! sent to the login form before anything renders, and a page about a domain the user cannot
//! see is a 404.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::prelude::use_context;

use crate::api::ApiError;
use app::ui::server_fns::session::{login_returning_to, page_needs_session};

use crate::api::extract::{SESSION_COOKIE, cookie, cross_site, same_origin};
use crate::service::{Caller, Service};

/// Headers every response carries.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Older browsers' form of `frame-ancestors 'none'`.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// A page that needs a session ([`page_needs_session`]), asked for without a live one, is
/// answered `303 See Other` to the login form, which comes back to it afterwards; a page about
/// a domain the session's user cannot see is the not-found page (404), like an unknown path. A
/// store that cannot be asked lets the page render (it says the database is unavailable).
pub async fn pages_need_a_session(
    State(service): State<Service>,
    request: Request,
    next: Next,
) -> Response {
    let page = matches!(*request.method(), Method::GET | Method::HEAD)
        && page_needs_session(request.uri().path());
    if !page {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // Taken before anything of the page is read, so nothing that changes after is missed.
    parts.extensions.insert(LiveStart(service.live_position()));
    let session = match cookie(&parts, SESSION_COOKIE) {
        Some(token) => service.session_user(&token, None).await,
        None => Ok(None),
    };
    match session {
        Ok(None) => {
            let back = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            if let Ok(location) = HeaderValue::from_str(&login_returning_to(&back)) {
                return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            }
        }
        Ok(Some((user, _))) => {
            if let Some(domain) = domain_of_page(parts.uri.path()) {
                let caller = Caller {
                    user,
                    source: crate::api::extract::client(&service, &parts)
                        .address
                        .to_string(),
                };
                // The page is rendered as the not-found page (status 404) before anything
                // streams; a store that cannot be asked lets the page say so itself.
                if let Ok(false) = service.sees_domain(&caller, &domain).await {
                    parts.uri = Uri::from_static(NOT_FOUND_PAGE);
                }
            }
        }
        Err(_) => {}
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Where the live view stood when a page's request arrived (the page's first stream resumes
/// from it: `Me::live_from`).
#[derive(Clone, Debug)]
pub struct LiveStart(pub String);

/// A path no page has: rendering it draws the not-found page with status 404.
pub const NOT_FOUND_PAGE: &str = "/.not-a-file";

/// The domain a console page is about (`/domains/<name>` and its tabs), percent-decoded.
fn domain_of_page(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/domains/")?;
    let name = rest.split('/').next().filter(|n| !n.is_empty())?;
    Some(
        percent_encoding::percent_decode_str(name)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// Sets the page's Content-Security-Policy on the response being rendered: scripts from this
/// origin, or inline with this response's nonce (Leptos puts it on its hydration scripts);
/// WebAssembly compiled; nothing framed, embedded or posted elsewhere.
pub fn content_security_policy() {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let scripts = match leptos::nonce::use_nonce() {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    let policy = format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The login form's server function (its body is bounded like `POST /v1/session`'s).
const LOGIN_FUNCTION: &str = "/api/login";

/// Console server functions: form or JSON bodies only (a `text/plain` body is what a cross-site
/// form can send without asking), from the console's own pages only, and the login within
/// [`crate::api::MAX_LOGIN_BYTES`].
pub async fn console_functions(
    State(service): State<Service>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(
        content_type.as_str(),
        "application/x-www-form-urlencoded" | "application/json"
    ) {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "console functions take application/x-www-form-urlencoded or application/json bodies",
        )
        .into_response();
    }
    let (parts, body) = request.into_parts();
    if !same_origin(&service, &parts) {
        return cross_site().into_response();
    }
    let body = if parts.uri.path() == LOGIN_FUNCTION {
        let limit = crate::api::MAX_LOGIN_BYTES;
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return login_too_large().into_response();
        }
        match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => axum::body::Body::from(bytes),
            Err(_) => return login_too_large().into_response(),
        }
    } else {
        body
    };
    next.run(Request::from_parts(parts, body)).await
}

fn login_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestTooLarge",
        "a login is at most 4 KB",
    )
}

#[cfg(test)]
mod tests {
    use super::domain_of_page;

    #[test]
    fn pages_about_a_domain_name_it_decoded() {
        assert_eq!(
            domain_of_page("/domains/a.example.com.7").as_deref(),
            Some("a.example.com.7")
        );
        assert_eq!(
            domain_of_page("/domains/a.example.com.7/monitor").as_deref(),
            Some("a.example.com.7")
        );
        assert_eq!(
            domain_of_page("/domains/a%2Eb.7/strategy").as_deref(),
            Some("a.b.7")
        );
        assert_eq!(domain_of_page("/domains/"), None);
        assert_eq!(domain_of_page("/domains"), None);
        assert_eq!(domain_of_page("/notifications"), None);
    }
}
