//! The console's session, as server functions: log in (a main account, or a sub-user at its
//! account's link), log out, and who is logged in. The server sets and clears the HttpOnly
//! session cookie; the browser never sees the token.

use leptos::prelude::*;

use crate::model::Me;

#[server]
pub async fn login(
    username: String,
    password: String,
    account: Option<i64>,
) -> Result<(), ServerFnError> {
    let backend = backend()?;
    let (source, secure) = client().await;
    match backend
        .login(account, &username, &password, &source, secure)
        .await
    {
        Ok(cookie) => {
            set_cookie(&cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        Err(message) => Err(ServerFnError::new(message)),
    }
}

#[server]
pub async fn logout() -> Result<(), ServerFnError> {
    let backend = backend()?;
    let cleared = backend.logout(&cookie_header().await).await;
    set_cookie(&cleared);
    leptos_axum::redirect("/login");
    Ok(())
}

#[server]
pub async fn whoami() -> Result<Option<Me>, ServerFnError> {
    let backend = backend()?;
    Ok(backend.whoami(&cookie_header().await).await)
}

/// The server's backend (provided to every rendering and server function by the server).
#[cfg(feature = "ssr")]
pub(crate) fn backend() -> Result<super::backend::Backend, ServerFnError> {
    use_context::<super::backend::Backend>()
        .ok_or_else(|| ServerFnError::new("the console backend is not configured"))
}

/// The request's Cookie header (empty when none).
#[cfg(feature = "ssr")]
pub(crate) async fn cookie_header() -> String {
    let headers: Result<http::HeaderMap, _> = leptos_axum::extract().await;
    headers
        .ok()
        .and_then(|h| {
            h.get(http::header::COOKIE)?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The client's address (as the REST API logs it) and whether it came over HTTPS (a proxy's
/// `X-Forwarded-Proto`).
#[cfg(feature = "ssr")]
async fn client() -> (String, bool) {
    let parts: Option<http::request::Parts> = leptos_axum::extract().await.ok();
    let peer = parts
        .as_ref()
        .and_then(|p| {
            p.extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        })
        .map_or_else(|| "console".to_owned(), |c| c.0.ip().to_string());
    let secure = parts.is_some_and(|p| {
        p.headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v == "https")
    });
    (peer, secure)
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
