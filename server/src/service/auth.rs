//! Accounts and authentication: creating a main account (CLI, first start), console login with
//! throttling and server-side sessions, and resolving an access key for request signing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::secrets::{hash_password, random_token, sha256_hex, verify_password};
use super::{Caller, Result, Service, ServiceError};
use crate::store::accounts::{self, User};
use crate::store::{keys, now_ms, sessions};

/// How long a console session lives.
pub const SESSION_TTL_SECS: u64 = 12 * 3600;

/// What `itm account create` prints, once.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    pub account_id: i64,
    pub username: String,
    pub password: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// A logged-in console session: the cookie token (shown once) and the CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

impl Service {
    /// Creates a main account with its main user (password generated) and one access key.
    pub async fn create_account(&self, name: &str) -> Result<NewAccount> {
        validate_username(name).map_err(ServiceError::Invalid)?;
        let password = random_token(20);
        let hash = hash_password(&password).map_err(ServiceError::Internal)?;
        let mut tx = self.store().begin().await?;
        let account_id = accounts::create_account(&mut tx, name).await.map_err(|e| {
            if e.is_unique_violation() {
                ServiceError::Conflict(format!("an account named \"{name}\" already exists"))
            } else {
                e.into()
            }
        })?;
        let user_id = accounts::insert_user(&mut tx, account_id, name, &hash, true)
            .await
            .map_err(|e| {
                if e.is_unique_violation() {
                    ServiceError::Conflict(format!("a main user named \"{name}\" already exists"))
                } else {
                    e.into()
                }
            })?;
        let (access_key_id, secret_access_key) = self.new_key_pair();
        keys::insert(
            &mut tx,
            &access_key_id,
            user_id,
            &self.inner.sealer.seal(&secret_access_key),
        )
        .await?;
        tx.commit().await?;
        Ok(NewAccount {
            account_id,
            username: name.to_owned(),
            password,
            access_key_id,
            secret_access_key,
        })
    }

    /// Creates the first admin account when the store has none; returns it (to print once).
    pub async fn ensure_first_account(&self) -> Result<Option<NewAccount>> {
        let mut conn = self.store().conn().await?;
        if accounts::count_accounts(&mut conn).await? > 0 {
            return Ok(None);
        }
        drop(conn);
        self.create_account("admin").await.map(Some)
    }

    /// Console login: a main account by name (`account_id` None) or a sub-user at its account's
    /// link. The error never says which part was wrong.
    pub async fn login(
        &self,
        account_id: Option<i64>,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<Session> {
        let key = format!("{}|{username}|{source}", account_id.unwrap_or(0));
        self.inner.throttle.check(&key)?;
        let mut conn = self.store().conn().await?;
        // A name no user can have is a failed login, without a query.
        let found = match validate_username(username) {
            Ok(()) => accounts::find_for_login(&mut conn, account_id, username).await?,
            Err(_) => None,
        };
        let user = match found {
            Some((user, hash)) if verify_password(password, &hash) => user,
            _ => {
                self.inner.throttle.failed(&key);
                return Err(ServiceError::Unauthenticated(
                    "wrong user name or password".into(),
                ));
            }
        };
        self.inner.throttle.succeeded(&key);
        let token = random_token(43);
        let session = sessions::Session {
            user_id: user.id,
            csrf_token: random_token(32),
            expires_at: now_ms() + (SESSION_TTL_SECS * 1000) as i64,
        };
        sessions::insert(&mut conn, &sha256_hex(&token), &session).await?;
        let caller = Caller {
            user: user.clone(),
            source: source.to_owned(),
        };
        self.audit(&mut conn, &caller, "login", &user.username, "")
            .await?;
        Ok(Session {
            token,
            csrf_token: session.csrf_token,
            user,
        })
    }

    /// The user of a live session and its CSRF token.
    pub async fn session_user(&self, token: &str) -> Result<Option<(User, String)>> {
        let mut conn = self.store().conn().await?;
        let Some(session) = sessions::find(&mut conn, &sha256_hex(token)).await? else {
            return Ok(None);
        };
        let user = accounts::user_by_id(&mut conn, session.user_id).await?;
        Ok(user.map(|u| (u, session.csrf_token)))
    }

    /// Deletes expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let mut conn = self.store().conn().await?;
        Ok(sessions::purge_expired(&mut conn).await?)
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        let mut conn = self.store().conn().await?;
        sessions::delete(&mut conn, &sha256_hex(token)).await?;
        Ok(())
    }

    /// The user owning access key `access_key_id` and the key's secret, for signature checks.
    pub async fn access_key(&self, access_key_id: &str) -> Result<Option<(User, String)>> {
        let mut conn = self.store().conn().await?;
        let Some((user_id, sealed)) = keys::find(&mut conn, access_key_id).await? else {
            return Ok(None);
        };
        let secret = self.inner.sealer.open(&sealed).ok_or_else(|| {
            ServiceError::Internal(format!(
                "access key {access_key_id} cannot be opened with this master key"
            ))
        })?;
        Ok(accounts::user_by_id(&mut conn, user_id)
            .await?
            .map(|u| (u, secret)))
    }

    pub(super) fn new_key_pair(&self) -> (String, String) {
        (
            random_token(32).to_ascii_lowercase(),
            random_token(32).to_ascii_lowercase(),
        )
    }
}

/// User names: 1..=64 characters of letters, digits and `_ . @ -`.
pub(super) fn validate_username(name: &str) -> std::result::Result<(), String> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "user name \"{name}\" must be 1..=64 letters, digits or _ . @ -"
        ))
    }
}

/// Failed-login throttling per (account, user name, source): after 5 failures within 15
/// minutes, further attempts are refused for a minute, doubling with each further failure.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    // A plain mutex: the critical sections are a map lookup, never held across an await.
    failures: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

const FREE_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginThrottle {
    fn check(&self, key: &str) -> Result<()> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = map.get(key).and_then(|f| f.locked_until)
            && until > Instant::now()
        {
            let wait = until.saturating_duration_since(Instant::now()).as_secs() + 1;
            return Err(ServiceError::Throttled(format!(
                "too many failed logins; try again in {wait} s"
            )));
        }
        Ok(())
    }

    fn failed(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let entry = map.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            first: now,
            locked_until: None,
        });
        if now.duration_since(entry.first) > FAILURE_WINDOW {
            *entry = Failures {
                count: 0,
                first: now,
                locked_until: None,
            };
        }
        entry.count += 1;
        if entry.count >= FREE_FAILURES {
            let doubling = (entry.count - FREE_FAILURES).min(6);
            entry.locked_until = Some(now + Duration::from_secs(60 << doubling));
        }
        // Bound the map: forget stale keys when it grows.
        if map.len() > 10_000 {
            map.retain(|_, f| now.duration_since(f.first) <= FAILURE_WINDOW);
        }
    }

    fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_key_and_success_clears_it() {
        let t = LoginThrottle::default();
        for _ in 0..4 {
            t.failed("k");
            assert!(t.check("k").is_ok());
        }
        t.failed("k");
        assert!(matches!(t.check("k"), Err(ServiceError::Throttled(_))));
        assert!(t.check("other").is_ok());
        t.succeeded("k");
        assert!(t.check("k").is_ok());
    }

    #[test]
    fn user_names_are_checked() {
        assert!(validate_username("ops.team-1@corp").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("has space").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
    }
}
