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
use leptos::prelude::{ServerFnError, use_context};

/// The server's backend (provided to every rendering and server function by the server).
#[cfg(feature = "ssr")]
fn backend() -> Result<super::backend::Backend, ServerFnError> {
    use_context::<super::backend::Backend>()
        .ok_or_else(|| ServerFnError::new("the console backend is not configured"))
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
