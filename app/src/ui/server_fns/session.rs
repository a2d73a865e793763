//! The console's session, as server functions: log in (a main account, or a sub-user at its
//! account's link), log out, and who is logged in. The server sets and clears the HttpOnly
//! session cookie; the browser never sees the token. The server reads everything about the
//! session from the request itself, through the same door as the REST API.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::Me;

/// The login form (at most 4 KB: the server refuses bigger bodies before reading them).
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    account: Option<i64>,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let backend = backend()?;
    match backend
        .login(account, &username, &password, &request().await)
        .await
    {
        Ok(cookie) => {
            set_cookie(&cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        Err(e) => Err(failed(e)),
    }
}

#[server]
pub async fn logout() -> Result<(), ConsoleError> {
    use super::{backend, request};
    let backend = backend()?;
    let cleared = backend.logout(&request().await).await;
    set_cookie(&cleared);
    leptos_axum::redirect("/login");
    Ok(())
}

#[server]
pub async fn whoami() -> Result<Option<Me>, ConsoleError> {
    use super::{backend, request};
    let backend = backend()?;
    Ok(backend.whoami(&request().await).await)
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
