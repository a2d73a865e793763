//! Main accounts, their users (the main user and sub-users) and the users' policies.

use app::model::Policy;
use sqlx::any::AnyRow;

use super::{Coded, Conn, Flag, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub account_id: i64,
    pub username: String,
    #[sqlx(try_from = "Flag")]
    pub is_main: bool,
    /// Read by a second query (a user holds several).
    #[sqlx(skip)]
    pub policies: Vec<Policy>,
    pub created_at: i64,
    /// The user's account is an installation operator's.
    #[sqlx(try_from = "Flag")]
    pub operator: bool,
}

/// The column list every query of this file selects (a macro, so queries stay `&'static str`).
macro_rules! user_columns {
    () => {
        "id, account_id, username, is_main, created_at, \
         (SELECT a.operator FROM accounts a WHERE a.id = users.account_id) AS operator"
    };
}

/// Creates a main account; `operator`: it sees installation-wide state.
pub async fn create_account(conn: &mut Conn, name: &str, operator: bool) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO accounts (name, created_at, operator) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(now_ms())
    .bind(i64::from(operator))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn count_accounts(conn: &mut Conn) -> Result<i64> {
    let count = sqlx::query_scalar("SELECT COUNT(*) AS n FROM accounts")
        .fetch_one(&mut *conn)
        .await?;
    Ok(count)
}

pub async fn insert_user(
    conn: &mut Conn,
    account_id: i64,
    username: &str,
    password_hash: &str,
    is_main: bool,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO users (account_id, username, password_hash, is_main, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(account_id)
    .bind(username)
    .bind(password_hash)
    .bind(i64::from(is_main))
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The user a login names, with its password hash: a main account by name, or a sub-user by
/// account and name.
pub async fn find_for_login(
    conn: &mut Conn,
    account_id: Option<i64>,
    username: &str,
) -> Result<Option<(User, String)>> {
    let row = match account_id {
        None => {
            sqlx::query(concat!(
                "SELECT ",
                user_columns!(),
                ", password_hash FROM users WHERE username = $1 AND is_main = 1"
            ))
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?
        }
        Some(account) => {
            sqlx::query(concat!(
                "SELECT ",
                user_columns!(),
                ", password_hash FROM users \
                 WHERE account_id = $1 AND username = $2 AND is_main = 0"
            ))
            .bind(account)
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let Hashed {
        mut user,
        password_hash,
    } = decode(&row)?;
    user.policies = policies(conn, user.id).await?;
    Ok(Some((user, password_hash)))
}

pub async fn user_by_id(conn: &mut Conn, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    with_policies(conn, row).await
}

pub async fn sub_user(conn: &mut Conn, account_id: i64, username: &str) -> Result<Option<User>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE account_id = $1 AND username = $2 AND is_main = 0"
    ))
    .bind(account_id)
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    with_policies(conn, row).await
}

/// Every user of the account, the main user first.
pub async fn list_users(conn: &mut Conn, account_id: i64) -> Result<Vec<User>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE account_id = $1 ORDER BY is_main DESC, username"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut users = rows.iter().map(decode).collect::<Result<Vec<User>>>()?;
    for user in &mut users {
        user.policies = policies(conn, user.id).await?;
    }
    Ok(users)
}

pub async fn delete_user(conn: &mut Conn, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM user_policies WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM access_keys WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_password(conn: &mut Conn, user_id: i64, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Grants `policy`; granting one the user already holds changes nothing.
pub async fn grant(conn: &mut Conn, user_id: i64, policy: Policy) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_policies (user_id, policy) VALUES ($1, $2) ON CONFLICT (user_id, policy) DO NOTHING",
    )
    .bind(user_id)
    .bind(policy.name())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Revokes `policy`; returns whether the user held it.
pub async fn revoke(conn: &mut Conn, user_id: i64, policy: Policy) -> Result<bool> {
    let done = sqlx::query("DELETE FROM user_policies WHERE user_id = $1 AND policy = $2")
        .bind(user_id)
        .bind(policy.name())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

async fn policies(conn: &mut Conn, user_id: i64) -> Result<Vec<Policy>> {
    let rows = sqlx::query("SELECT policy FROM user_policies WHERE user_id = $1 ORDER BY policy")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| Ok(decode::<Held>(row)?.policy))
        .collect()
}

/// The user of `row` (if any) with its policies.
async fn with_policies(conn: &mut Conn, row: Option<AnyRow>) -> Result<Option<User>> {
    let Some(row) = row else { return Ok(None) };
    let mut user: User = decode(&row)?;
    user.policies = policies(conn, user.id).await?;
    Ok(Some(user))
}

/// A user with the password hash a login checks.
#[derive(sqlx::FromRow)]
struct Hashed {
    #[sqlx(flatten)]
    user: User,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct Held {
    #[sqlx(try_from = "Coded<Policy>")]
    policy: Policy,
}
