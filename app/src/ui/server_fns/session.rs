//! The console's session, as server functions: log in (a main account, or a sub-user at its
//! account's link), log out, and who is logged in. The server sets and clears the HttpOnly
//! session cookie; the browser never sees the token. The server reads everything about the
//! session from the request itself, through the same door as the REST API.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::Me;

/// The console's pages that show an account's data: asked for without a session, they send the
/// browser to the login form (the server before rendering, the page when a session ends). The
/// login form and the strategy lab (it stores nothing) are open to anyone.
pub fn page_needs_session(path: &str) -> bool {
    const PAGES: [&str; 5] = ["domains", "notifications", "usage", "iam", "nodes"];
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    path == "/" || PAGES.contains(&first)
}

/// Where a login may send the browser afterwards: a path of this console (`/…`, not `//host`
/// or `/\host`, which browsers read as another site), printable, at most 512 bytes.
pub fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let printable = next.bytes().all(|b| b.is_ascii_graphic());
    (local && printable && next.len() <= 512).then_some(next)
}

/// The login form's address that comes back to `path` (`path` with its query) afterwards.
pub fn login_returning_to(path: &str) -> String {
    let encoded: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/login?next={encoded}")
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
    fn pages_with_account_data_need_a_session() {
        for path in [
            "/",
            "/domains/a.example.com",
            "/domains/a/strategy",
            "/iam",
            "/nodes",
            "/usage",
            "/notifications",
        ] {
            assert!(page_needs_session(path), "{path}");
        }
        for path in [
            "/login",
            "/login/3",
            "/lab",
            "/pkg/itm.js",
            "/nosuch",
            "/domainsx",
        ] {
            assert!(!page_needs_session(path), "{path}");
        }
    }

    #[test]
    fn only_paths_of_this_console_are_followed_after_login() {
        assert_eq!(
            safe_next("/domains/a.example.com?tab=1"),
            Some("/domains/a.example.com?tab=1")
        );
        for next in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a b",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(next), None, "{next:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(600))), None);
    }

    #[test]
    fn the_login_address_carries_the_page_back() {
        assert_eq!(
            login_returning_to("/domains/a.b.1?x=1&y"),
            "/login?next=/domains/a.b.1%3Fx%3D1%26y"
        );
        let back = login_returning_to("/domains/a.b.1?x=1&y");
        assert!(!back["/login?next=".len()..].contains(['?', '&', '=']));
    }
}
