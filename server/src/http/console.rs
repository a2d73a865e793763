//! The console's backend: the service layer behind the console's server functions, with the
//! same sessions (cookie, expiry, login throttling) as the REST API's `/v1/session`.

use app::model::Me;
use app::ui::backend::{BoxFuture, ConsoleBackend};

use crate::api::extract::{SESSION_COOKIE, cookie_in, expired_session_cookie, session_cookie};
use crate::service::Service;

pub struct Console(pub Service);

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
}
