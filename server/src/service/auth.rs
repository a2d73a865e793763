//! Accounts and authentication: creating a main account (CLI, first start), console login with
//! throttling and server-side sessions, and resolving an access key for request signing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::secrets::{
    check_password, constant_time_eq, hash_password, hash_password_async, random_token, sha256_hex,
};
use super::{Caller, Result, Service, ServiceError};
use crate::clock::now_ms;
use crate::store::accounts::{self, User};
use crate::store::{keys, sessions};

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
    /// Creates a tenant's main account with its main user (password generated) and one access
    /// key. The installation's first account is its operator.
    pub async fn create_account(&self, name: &str) -> Result<NewAccount> {
        self.new_account(name, false).await
    }

    /// Creates an installation operator's account (it sees the nodes and `/healthz` details).
    pub async fn create_operator_account(&self, name: &str) -> Result<NewAccount> {
        self.new_account(name, true).await
    }

    async fn new_account(&self, name: &str, operator: bool) -> Result<NewAccount> {
        validate_username(name).map_err(ServiceError::Invalid)?;
        let password = random_token(20);
        let hash = hash_password_async(&password)
            .await
            .map_err(ServiceError::Internal)?;
        let mut tx = self.store().begin().await?;
        let first = accounts::count_accounts(&mut tx).await? == 0;
        let account_id = accounts::create_account(&mut tx, name, operator || first)
            .await
            .map_err(|e| {
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

    /// How many main accounts the installation has.
    pub async fn account_count(&self) -> Result<i64> {
        let mut conn = self.store().conn().await?;
        Ok(accounts::count_accounts(&mut conn).await?)
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
    /// link. The error never says which part was wrong, and takes as long for a user that does
    /// not exist as for a wrong password. Failures are throttled per (user, address), per
    /// address and per user, and recorded in the user's account's audit log.
    pub async fn login(
        &self,
        account_id: Option<i64>,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<Session> {
        let refused = || ServiceError::Unauthenticated("wrong user name or password".into());
        // Bounded before anything else: nothing of an oversized name is kept or hashed.
        if username.len() > MAX_USERNAME || password.len() > MAX_PASSWORD {
            check_password("", dummy_hash()).await;
            return Err(refused());
        }
        let keys = LoginKeys::new(account_id, username, source);
        self.inner.throttle.check(&keys)?;
        let mut conn = self.store().conn().await?;
        // A name no user can have is a failed login, without a query.
        let found = match validate_username(username) {
            Ok(()) => accounts::find_for_login(&mut conn, account_id, username).await?,
            Err(_) => None,
        };
        // Unknown users are checked against a dummy hash: the answer takes as long either way.
        let (hash, user) = match &found {
            Some((user, hash)) => (hash.as_str(), Some(user)),
            None => (dummy_hash(), None),
        };
        let verified = check_password(password, hash).await;
        let user = match (user, verified) {
            (Some(user), true) => user.clone(),
            (user, _) => {
                self.inner.throttle.failed(&keys);
                if let Some(user) = user {
                    let caller = Caller {
                        user: user.clone(),
                        source: source.to_owned(),
                    };
                    self.audit(&mut conn, &caller, "login.failed", &user.username, "")
                        .await?;
                } else {
                    tracing::info!("failed login for an unknown user from {source}");
                }
                return Err(refused());
            }
        };
        self.inner.throttle.succeeded(&keys);
        let token = random_token(43);
        let session = sessions::Session {
            user_id: user.id,
            csrf_hash: sha256_hex(&self.csrf_token(&token)),
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
            csrf_token: self.csrf_token(&token),
            token,
            user,
        })
    }

    /// The CSRF token of the session with cookie `token`: derived from it (the store keeps only
    /// its hash), so it can be shown again without being stored.
    pub fn csrf_token(&self, token: &str) -> String {
        self.inner.sealer.token("csrf", token)
    }

    /// The user of a live session, and whether `echoed` is its CSRF token (compared in constant
    /// time with the stored hash; `None` echoed: false).
    pub async fn session_user(
        &self,
        token: &str,
        echoed: Option<&str>,
    ) -> Result<Option<(User, bool)>> {
        if token.len() > 128 {
            return Ok(None);
        }
        let mut conn = self.store().conn().await?;
        let Some(session) = sessions::find(&mut conn, &sha256_hex(token)).await? else {
            return Ok(None);
        };
        let csrf = echoed.is_some_and(|e| {
            e.len() <= 128
                && constant_time_eq(sha256_hex(e).as_bytes(), session.csrf_hash.as_bytes())
        });
        let user = accounts::user_by_id(&mut conn, session.user_id).await?;
        Ok(user.map(|u| (u, csrf)))
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

/// User names and passwords longer than these are refused before anything else happens.
const MAX_USERNAME: usize = 64;
const MAX_PASSWORD: usize = 1024;

/// An argon2id hash of a random password, verified against when the user does not exist, so
/// that the answer takes as long as for a real user.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token(20)).unwrap_or_default())
}

/// The three things one login attempt counts against, hashed (fixed size, whatever was sent).
#[derive(Debug, Clone, Copy)]
struct LoginKeys {
    /// This user from this address: the tightest limit.
    user_at_address: Key,
    /// This address, whatever user it tries (IPv6: its /64).
    address: Key,
    /// This user, from wherever (an attacker spreading over many addresses).
    user: Key,
}

type Key = [u8; 32];

impl LoginKeys {
    fn new(account_id: Option<i64>, username: &str, source: &str) -> LoginKeys {
        let key = |parts: &[&str]| -> Key {
            use sha2::{Digest, Sha256};
            let mut hash = Sha256::new();
            for part in parts {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            hash.finalize().into()
        };
        let account = account_id.unwrap_or(0).to_string();
        let address = address_block(source);
        LoginKeys {
            user_at_address: key(&["u@a", &account, username, &address]),
            address: key(&["a", &address]),
            user: key(&["u", &account, username]),
        }
    }
}

/// An IPv6 client is throttled by its /64 (one host typically owns the whole block).
fn address_block(source: &str) -> String {
    match source.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => source.to_owned(),
    }
}

/// Failed-login throttling: after `free` failures within 15 minutes a key is refused for a
/// minute, doubling with each further failure (at most 64 minutes). Three limits: 5 per user
/// and address, 20 per address, 50 per user. Each map keeps at most [`MAX_KEYS`] keys,
/// forgetting the least recently failed first, so no flood of failed logins grows memory.
#[derive(Debug)]
pub struct LoginThrottle {
    user_at_address: Limiter,
    address: Limiter,
    user: Limiter,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            user_at_address: Limiter::new(5),
            address: Limiter::new(20),
            user: Limiter::new(50),
        }
    }
}

/// Keys remembered per limit.
const MAX_KEYS: usize = 10_000;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginThrottle {
    fn limiters<'a>(&'a self, keys: &'a LoginKeys) -> [(&'a Limiter, &'a Key); 3] {
        [
            (&self.user_at_address, &keys.user_at_address),
            (&self.address, &keys.address),
            (&self.user, &keys.user),
        ]
    }

    fn check(&self, keys: &LoginKeys) -> Result<()> {
        let now = Instant::now();
        let wait = self
            .limiters(keys)
            .iter()
            .filter_map(|(limiter, key)| limiter.locked_until(key))
            .filter(|until| *until > now)
            .max();
        match wait {
            Some(until) => Err(ServiceError::Throttled(format!(
                "too many failed logins; try again in {} s",
                until.saturating_duration_since(now).as_secs() + 1
            ))),
            None => Ok(()),
        }
    }

    fn failed(&self, keys: &LoginKeys) {
        for (limiter, key) in self.limiters(keys) {
            limiter.failed(key);
        }
    }

    /// A success clears the user's own keys, never the address's (an attacker with one good
    /// account must not reset the count of its guesses at others).
    fn succeeded(&self, keys: &LoginKeys) {
        self.user_at_address.clear(&keys.user_at_address);
        self.user.clear(&keys.user);
    }

    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.limiters(&LoginKeys::new(None, "", ""))
            .iter()
            .map(|(l, _)| l.len())
            .sum()
    }
}

/// One limit's failures per key.
#[derive(Debug)]
struct Limiter {
    free: u32,
    // A plain mutex: the critical sections are a map lookup, never held across an await.
    failures: Mutex<HashMap<Key, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    last: Instant,
    locked_until: Option<Instant>,
}

impl Limiter {
    fn new(free: u32) -> Limiter {
        Limiter {
            free,
            failures: Mutex::default(),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Failures>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn locked_until(&self, key: &Key) -> Option<Instant> {
        self.map().get(key).and_then(|f| f.locked_until)
    }

    fn failed(&self, key: &Key) {
        let mut map = self.map();
        let now = Instant::now();
        if !map.contains_key(key) && map.len() >= MAX_KEYS {
            map.retain(|_, f| now.duration_since(f.first) <= FAILURE_WINDOW);
            // Still full: forget the least recently failed key (a scan is cheap beside the
            // password hash every failed login has just cost).
            if map.len() >= MAX_KEYS
                && let Some(oldest) = map.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| *k)
            {
                map.remove(&oldest);
            }
        }
        let entry = map.entry(*key).or_insert(Failures {
            count: 0,
            first: now,
            last: now,
            locked_until: None,
        });
        if now.duration_since(entry.first) > FAILURE_WINDOW {
            *entry = Failures {
                count: 0,
                first: now,
                last: now,
                locked_until: None,
            };
        }
        entry.count += 1;
        entry.last = now;
        if entry.count >= self.free {
            let doubling = (entry.count - self.free).min(6);
            entry.locked_until = Some(now + Duration::from_secs(60 << doubling));
        }
    }

    fn clear(&self, key: &Key) {
        self.map().remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_key_and_success_clears_it() {
        let t = LoginThrottle::default();
        let k = LoginKeys::new(Some(1), "ops", "192.0.2.1");
        for _ in 0..4 {
            t.failed(&k);
            assert!(t.check(&k).is_ok());
        }
        t.failed(&k);
        assert!(matches!(t.check(&k), Err(ServiceError::Throttled(_))));
        assert!(
            t.check(&LoginKeys::new(Some(1), "dev", "192.0.2.9"))
                .is_ok()
        );
        t.succeeded(&k);
        assert!(t.check(&k).is_ok());
    }

    #[test]
    fn one_address_guessing_many_users_is_throttled() {
        let t = LoginThrottle::default();
        for i in 0..20 {
            let k = LoginKeys::new(None, &format!("user{i}"), "198.51.100.7");
            assert!(t.check(&k).is_ok(), "attempt {i}");
            t.failed(&k);
        }
        let next = LoginKeys::new(None, "someone-else", "198.51.100.7");
        assert!(matches!(t.check(&next), Err(ServiceError::Throttled(_))));
        // The same /64 counts as one address.
        let a = LoginKeys::new(None, "x", "2001:db8:1:2::1");
        let b = LoginKeys::new(None, "x", "2001:db8:1:2:ffff::9");
        assert_eq!(a.address, b.address);
    }

    #[test]
    fn one_user_guessed_from_many_addresses_is_throttled() {
        let t = LoginThrottle::default();
        for i in 0..50 {
            let k = LoginKeys::new(Some(3), "admin", &format!("203.0.113.{i}"));
            assert!(t.check(&k).is_ok(), "attempt {i}");
            t.failed(&k);
        }
        let next = LoginKeys::new(Some(3), "admin", "192.0.2.200");
        assert!(matches!(t.check(&next), Err(ServiceError::Throttled(_))));
    }

    #[test]
    fn the_throttle_forgets_the_oldest_keys_past_its_cap() {
        let t = LoginThrottle::default();
        for i in 0..(MAX_KEYS + 500) {
            t.failed(&LoginKeys::new(
                None,
                &format!("u{i}"),
                &format!("10.{}.{}.1", i / 256, i % 256),
            ));
        }
        // Three maps, each capped.
        assert!(t.remembered() <= 3 * MAX_KEYS, "{}", t.remembered());
    }

    #[test]
    fn user_names_are_checked() {
        assert!(validate_username("ops.team-1@corp").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("has space").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
    }
}
