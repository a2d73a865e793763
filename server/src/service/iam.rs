//! IAM: sub-users and their policies (the main account's alone), access keys (account-level),
//! and the audit log.

pub use app::model::{CreatedKey, CreatedUser, KeyInfo, UserInfo};
use app::model::{Permission, Policy};

use super::auth::validate_username;
use super::secrets::{hash_password_async, random_token};
use super::{Caller, Result, Service, ServiceError};
use crate::store::accounts::{self, User};
use crate::store::audit::{self, AuditEntry, AuditFilter};
use crate::store::{Conn, keys, sessions};

const MIN_PASSWORD: usize = 8;

impl Service {
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<UserInfo>> {
        caller.require(Permission::Account)?;
        let mut conn = self.store().conn().await?;
        let users = accounts::list_users(&mut conn, caller.account_id()).await?;
        Ok(users
            .into_iter()
            .map(|u| UserInfo {
                username: u.username,
                main: u.is_main,
                policies: u.policies,
                created_at: u.created_at,
            })
            .collect())
    }

    /// Creates a sub-user; without a password one is generated.
    pub async fn create_user(
        &self,
        caller: &Caller,
        username: &str,
        password: Option<&str>,
    ) -> Result<CreatedUser> {
        caller.require(Permission::ManageUsers)?;
        validate_username(username).map_err(|e| ServiceError::Invalid(format!("username: {e}")))?;
        let password = self.password_or_generated(password)?;
        let hash = hash_password_async(&password)
            .await
            .map_err(ServiceError::Internal)?;
        let mut tx = self.store().begin().await?;
        if accounts::sub_user(&mut tx, caller.account_id(), username)
            .await?
            .is_some()
            || username == caller.user.username
        {
            return Err(ServiceError::Conflict(format!(
                "user \"{username}\" already exists"
            )));
        }
        accounts::insert_user(&mut tx, caller.account_id(), username, &hash, false).await?;
        self.audit(&mut tx, caller, "user.create", username, "")
            .await?;
        tx.commit().await?;
        Ok(CreatedUser {
            username: username.to_owned(),
            password,
            login_link: self.login_link(caller.account_id()),
        })
    }

    pub async fn delete_user(&self, caller: &Caller, username: &str) -> Result<()> {
        caller.require(Permission::ManageUsers)?;
        let mut tx = self.store().begin().await?;
        let user = self.sub_user(&mut tx, caller, username).await?;
        sessions::delete_for_user(&mut tx, user.id).await?;
        accounts::delete_user(&mut tx, user.id).await?;
        self.audit(&mut tx, caller, "user.delete", username, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn reset_password(
        &self,
        caller: &Caller,
        username: &str,
        password: Option<&str>,
    ) -> Result<CreatedUser> {
        caller.require(Permission::ManageUsers)?;
        let password = self.password_or_generated(password)?;
        let hash = hash_password_async(&password)
            .await
            .map_err(ServiceError::Internal)?;
        let mut tx = self.store().begin().await?;
        let user = self.sub_user(&mut tx, caller, username).await?;
        accounts::set_password(&mut tx, user.id, &hash).await?;
        // A new password ends the sessions the old one opened.
        let ended = sessions::delete_for_user(&mut tx, user.id).await?;
        self.audit(
            &mut tx,
            caller,
            "user.password",
            username,
            &format!("{ended} sessions ended"),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedUser {
            username: username.to_owned(),
            password,
            login_link: self.login_link(caller.account_id()),
        })
    }

    pub async fn grant_policy(&self, caller: &Caller, username: &str, policy: &str) -> Result<()> {
        caller.require(Permission::ManageUsers)?;
        let policy = parse_policy(policy)?;
        let mut tx = self.store().begin().await?;
        let user = self.sub_user(&mut tx, caller, username).await?;
        accounts::grant(&mut tx, user.id, policy).await?;
        self.audit(&mut tx, caller, "policy.grant", username, policy.name())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_policy(&self, caller: &Caller, username: &str, policy: &str) -> Result<()> {
        caller.require(Permission::ManageUsers)?;
        let policy = parse_policy(policy)?;
        let mut tx = self.store().begin().await?;
        let user = self.sub_user(&mut tx, caller, username).await?;
        if !accounts::revoke(&mut tx, user.id, policy).await? {
            return Err(ServiceError::NotFound(format!(
                "user \"{username}\" does not hold {}",
                policy.name()
            )));
        }
        self.audit(&mut tx, caller, "policy.revoke", username, policy.name())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_access_keys(&self, caller: &Caller) -> Result<Vec<KeyInfo>> {
        caller.require(Permission::Account)?;
        let mut conn = self.store().conn().await?;
        let list = keys::list(&mut conn, caller.account_id()).await?;
        Ok(list
            .into_iter()
            .map(|k| KeyInfo {
                access_key_id: k.access_key_id,
                username: k.username,
                created_at: k.created_at,
            })
            .collect())
    }

    /// Creates an access key for the caller, or — the main account only — for `username`, one
    /// of its sub-users.
    pub async fn create_access_key(
        &self,
        caller: &Caller,
        username: Option<&str>,
    ) -> Result<CreatedKey> {
        caller.require(Permission::Account)?;
        let for_someone_else = username.is_some_and(|name| name != caller.user.username);
        if for_someone_else && !caller.user.is_main {
            return Err(ServiceError::Forbidden(
                "only the main account creates access keys for other users; a sub-user creates \
                 its own"
                    .into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let owner = match username {
            None => caller.user.clone(),
            Some(name) if name == caller.user.username => caller.user.clone(),
            Some(name) => self.sub_user(&mut tx, caller, name).await?,
        };
        let (access_key_id, secret_access_key) = self.new_key_pair();
        keys::insert(
            &mut tx,
            &access_key_id,
            owner.id,
            &self.inner.sealer.seal(&secret_access_key),
        )
        .await?;
        self.audit(
            &mut tx,
            caller,
            "accesskey.create",
            &access_key_id,
            &owner.username,
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedKey {
            access_key_id,
            secret_access_key,
            username: owner.username,
        })
    }

    pub async fn delete_access_key(&self, caller: &Caller, access_key_id: &str) -> Result<()> {
        caller.require(Permission::Account)?;
        let plausible =
            !access_key_id.is_empty() && access_key_id.bytes().all(|b| b.is_ascii_alphanumeric());
        let not_found = || ServiceError::NotFound(format!("no access key \"{access_key_id}\""));
        let mut tx = self.store().begin().await?;
        if !plausible {
            return Err(not_found());
        }
        let owner = keys::owner(&mut tx, caller.account_id(), access_key_id)
            .await?
            .ok_or_else(not_found)?;
        if owner.is_main && !caller.user.is_main {
            return Err(ServiceError::Forbidden(
                "only the main account deletes the main account's access keys".into(),
            ));
        }
        if !keys::delete(&mut tx, caller.account_id(), access_key_id).await? {
            return Err(not_found());
        }
        self.audit(&mut tx, caller, "accesskey.delete", access_key_id, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_log(
        &self,
        caller: &Caller,
        mut filter: AuditFilter,
    ) -> Result<Vec<AuditEntry>> {
        caller.require(Permission::Account)?;
        for (field, value) in [("user", &filter.username), ("action", &filter.action)] {
            if value
                .as_deref()
                .is_some_and(|v| v.chars().any(char::is_control) || v.len() > 256)
            {
                return Err(ServiceError::Invalid(format!(
                    "{field}: the filter has control characters or is too long"
                )));
            }
        }
        filter.limit = filter.limit.clamp(1, 1000);
        let mut conn = self.store().conn().await?;
        Ok(audit::list(&mut conn, caller.account_id(), &filter).await?)
    }

    pub fn login_link(&self, account_id: i64) -> String {
        format!("/login/{account_id}")
    }

    async fn sub_user(&self, conn: &mut Conn, caller: &Caller, username: &str) -> Result<User> {
        let not_found =
            || ServiceError::NotFound(format!("no sub-user \"{}\"", username.escape_debug()));
        // A name no user can have is not looked up.
        if validate_username(username).is_err() {
            return Err(not_found());
        }
        accounts::sub_user(conn, caller.account_id(), username)
            .await?
            .ok_or_else(not_found)
    }

    fn password_or_generated(&self, password: Option<&str>) -> Result<String> {
        match password {
            None => Ok(random_token(16)),
            Some(p) if p.chars().count() >= MIN_PASSWORD && p.len() <= 256 => Ok(p.to_owned()),
            Some(_) => Err(ServiceError::Invalid(format!(
                "password: must have {MIN_PASSWORD}..=256 characters"
            ))),
        }
    }
}

fn parse_policy(name: &str) -> Result<Policy> {
    Policy::parse(name).ok_or_else(|| {
        ServiceError::Invalid(format!(
            "policy: \"{name}\" is not one of ITMFullControlPolicy, ITMWritePolicy, ITMReadAccessPolicy"
        ))
    })
}
