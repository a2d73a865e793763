//! The console's session, as server functions: log in (a main account, or a sub-user at its
//! account's link), log out, and who is logged in. The server sets and clears the HttpOnly
//! session cookie; the browser never sees the token. The server reads everything about the
//! session from the request itself, through the same door as the REST API.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::Me;

/// Whether a console page is for a session only: every page but the login form and the
/// strategy lab (it stores nothing), so a new page is closed until it is opened here. Asked for
/// without a session, such a page sends the browser to the login form (the server before
/// rendering, the page when a session ends). Files (`/pkg/…`, `/map/…`) are not pages; the
/// server asks only for paths its page routes answer.
pub fn page_needs_session(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    !matches!(first, "login" | "lab")
}

/// Where a login may send the browser afterwards: a path of this console (`/…`, not `//host`
/// or `/\\host`, which browsers read as another site), printable ASCII (browsers drop tabs and
/// line breaks from URLs, which could join `/` and `/` into `//`), at most 512 bytes.
pub fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let printable = next.bytes().all(|b| b.is_ascii_graphic());
    (local && printable && next.len() <= MAX_NEXT).then_some(next)
}

const MAX_NEXT: usize = 512;

/// The login form's address that comes back to `path` (`path` with its query) afterwards; a
/// path too long to come back to is left out.
pub fn login_returning_to(path: &str) -> String {
    match safe_next(path) {
        Some(path) => format!("/login?next={}", crate::ui::widgets::percent_encode(path)),
        None => "/login".to_owned(),
    }
}

/// The login form (at most 4 KB: the server refuses bigger bodies before reading them). `next`,
/// when it is a path of this console, is where the browser goes afterwards.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    account: Option<i64>,
    next: Option<String>,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let backend = backend()?;
    match backend
        .login(account, &username, &password, &request().await)
        .await
    {
        Ok(cookie) => {
            set_cookie(&cookie);
            leptos_axum::redirect(next.as_deref().and_then(safe_next).unwrap_or("/"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_but_the_login_form_and_the_lab_needs_a_session() {
        for path in [
            "/",
            "/domains/a.example.com",
            "/domains/a/strategy",
            "/iam",
            "/nodes",
            "/usage",
            "/notifications",
            "/nosuch",
        ] {
            assert!(page_needs_session(path), "{path}");
        }
        for path in ["/login", "/login/3", "/lab"] {
            assert!(!page_needs_session(path), "{path}");
        }
    }

    #[test]
    fn only_paths_of_this_console_are_followed_after_login() {
        for next in [
            "/domains/a.example.com?tab=1",
            "/%5Cevil.example",
            "/%2F%2Fevil.example",
        ] {
            // Encoded, they are one path segment: browsers do not decode them in Location.
            assert_eq!(safe_next(next), Some(next));
        }
        for next in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a b",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\u{7f}",
            "/é",
        ] {
            assert_eq!(safe_next(next), None, "{next:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT))), None);
    }

    #[test]
    fn the_login_address_carries_the_page_back() {
        assert_eq!(
            login_returning_to("/domains/a.b.1?x=1&y"),
            "/login?next=%2Fdomains%2Fa.b.1%3Fx%3D1%26y"
        );
        assert_eq!(
            login_returning_to(&format!("/{}", "a".repeat(MAX_NEXT))),
            "/login"
        );
    }
}
