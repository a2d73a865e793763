//! What the console's server functions need from the server, as a trait the server implements
//! over its service layer (so the console and the REST API share permissions and validation).
//! Provided to server functions as context; server-side only.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::Me;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait ConsoleBackend: Send + Sync {
    /// Logs in (a sub-user with its account id); returns the `Set-Cookie` value of the session.
    /// The error says only that the credentials were refused, never which part.
    fn login<'a>(
        &'a self,
        account_id: Option<i64>,
        username: &'a str,
        password: &'a str,
        source: &'a str,
    ) -> BoxFuture<'a, Result<String, String>>;

    /// Ends the session of `cookie_header` (if any); returns the `Set-Cookie` value clearing it.
    fn logout<'a>(&'a self, cookie_header: &'a str) -> BoxFuture<'a, String>;

    /// Who the session of `cookie_header` belongs to; `None` when not logged in or expired.
    fn whoami<'a>(&'a self, cookie_header: &'a str) -> BoxFuture<'a, Option<Me>>;
}

pub type Backend = Arc<dyn ConsoleBackend>;
