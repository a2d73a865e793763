//! What the console's server functions need from the server, as a trait the server implements
//! over its service layer (so the console and the REST API share permissions and validation).
//! Provided to server functions as context; server-side only.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::{DomainStatus, DomainSummary, Me, NewDomain};

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

    // The caller's domains. Each call acts as the session's user (its policies apply); the
    // error is the message to show (the field named, or "log in again").

    fn domains<'a>(
        &'a self,
        cookie_header: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DomainSummary>, String>>;

    fn create_domain<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: NewDomain,
    ) -> BoxFuture<'a, Result<NewDomain, String>>;

    fn set_domain_status<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: &'a str,
        status: DomainStatus,
    ) -> BoxFuture<'a, Result<(), String>>;

    fn delete_domain<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: &'a str,
    ) -> BoxFuture<'a, Result<(), String>>;
}

pub type Backend = Arc<dyn ConsoleBackend>;
