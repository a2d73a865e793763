//! The console's server functions, one file per subject, named apart from the pages under
//! `pages/` that call them (several pages share a call, and a page's file is about what it
//! shows). Each acts as the logged-in user through the server's `ConsoleBackend`
//! (`backend.rs`), the service layer the REST API uses too; this file holds the two things every
//! one of them asks for.
//!
//! A function without `endpoint = …` is served at a URL hashed from its module path, so moving
//! it moves its URL (harmless: the browser and the server are built together); the ones with
//! `endpoint = …` keep a fixed URL for what names them from outside (the end-to-end and API
//! tests, the server's login guard).

pub mod access_admin;
pub mod account_overview;
pub mod alert_contacts;
pub mod domain_admin;
pub mod endpoint_admin;
pub mod monitor_admin;
pub mod scheduling;
pub mod session;

#[cfg(feature = "ssr")]
use leptos::prelude::use_context;

#[cfg(feature = "ssr")]
use super::error::ConsoleError;

/// The server's backend (provided to every rendering and server function by the server).
#[cfg(feature = "ssr")]
fn backend() -> Result<super::backend::Backend, ConsoleError> {
    use_context::<super::backend::Backend>().ok_or_else(|| {
        failed(ConsoleError::Internal(
            "the console backend is not configured".into(),
        ))
    })
}

/// `error`, with the HTTP status it calls for set on the response (a typo is a 400, a stale
/// session a 401, not a 500 for every proxy and alert to count). A plain form post (no script
/// yet) keeps the redirect back to its page.
#[cfg(feature = "ssr")]
fn failed(error: impl Into<ConsoleError>) -> ConsoleError {
    let error = error.into();
    let plain_post = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if let (false, Some(response), Ok(status)) = (
        plain_post,
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    error
}

/// The request being served (its head: method, headers, the client's address), which the
/// server reads the session, the CSRF rule and the client's address from. An empty head when
/// there is none (then no session is found).
#[cfg(feature = "ssr")]
async fn request() -> http::request::Parts {
    match leptos_axum::extract::<http::request::Parts>().await {
        Ok(parts) => parts,
        Err(_) => http::Request::new(()).into_parts().0,
    }
}
