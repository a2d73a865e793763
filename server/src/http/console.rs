//! The console's backend: the service layer behind the console's server functions, with the
//! same sessions (cookie, expiry, login throttling) as the REST API's `/v1/session`.

use app::model::{DomainStatus, DomainSummary, Me, NewDomain};
use app::ui::backend::{BoxFuture, ConsoleBackend};

use crate::api::extract::{SESSION_COOKIE, cookie_in, expired_session_cookie, session_cookie};
use crate::service::{Caller, Service};

pub struct Console(pub Service);

impl Console {
    /// The session's user as a caller, or the message asking to log in again.
    async fn caller(&self, cookie_header: &str) -> Result<Caller, String> {
        let again = || "not logged in, or the session has expired: log in again".to_owned();
        let token = cookie_in(cookie_header, SESSION_COOKIE).ok_or_else(again)?;
        let (user, _) = self
            .0
            .session_user(&token)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(again)?;
        Ok(Caller {
            user,
            source: "console".into(),
        })
    }
}

impl ConsoleBackend for Console {
    fn login<'a>(
        &'a self,
        account_id: Option<i64>,
        username: &'a str,
        password: &'a str,
        source: &'a str,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            match self.0.login(account_id, username, password, source).await {
                Ok(session) => Ok(session_cookie(&session.token, false)),
                Err(e) => {
                    tracing::debug!("console login refused: {e}");
                    Err("wrong user name or password".to_owned())
                }
            }
        })
    }

    fn logout<'a>(&'a self, cookie_header: &'a str) -> BoxFuture<'a, String> {
        Box::pin(async move {
            if let Some(token) = cookie_in(cookie_header, SESSION_COOKIE)
                && let Err(e) = self.0.logout(&token).await
            {
                tracing::warn!("console logout: {e}");
            }
            expired_session_cookie()
        })
    }

    fn whoami<'a>(&'a self, cookie_header: &'a str) -> BoxFuture<'a, Option<Me>> {
        Box::pin(async move {
            let token = cookie_in(cookie_header, SESSION_COOKIE)?;
            let (user, _) = self.0.session_user(&token).await.ok()??;
            Some(Me {
                username: user.username,
                account_id: user.account_id,
                main: user.is_main,
            })
        })
    }

    fn domains<'a>(
        &'a self,
        cookie_header: &'a str,
    ) -> BoxFuture<'a, Result<Vec<DomainSummary>, String>> {
        Box::pin(async move {
            let caller = self.caller(cookie_header).await?;
            self.0
                .list_domains(&caller)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn create_domain<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: NewDomain,
    ) -> BoxFuture<'a, Result<NewDomain, String>> {
        Box::pin(async move {
            let caller = self.caller(cookie_header).await?;
            let created = self
                .0
                .create_domains(&caller, std::slice::from_ref(&domain))
                .await
                .map_err(|e| e.to_string())?;
            created
                .into_iter()
                .next()
                .ok_or_else(|| "the domain was not created".to_owned())
        })
    }

    fn set_domain_status<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: &'a str,
        status: DomainStatus,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let caller = self.caller(cookie_header).await?;
            self.0
                .set_domain_status(&caller, domain, status)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn delete_domain<'a>(
        &'a self,
        cookie_header: &'a str,
        domain: &'a str,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let caller = self.caller(cookie_header).await?;
            self.0
                .delete_domains(&caller, &[domain.to_owned()])
                .await
                .map_err(|e| e.to_string())
        })
    }
}
