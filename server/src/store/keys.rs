//! Access keys (AK/SK) for `bce-auth-v1` request signing. The secret is stored sealed (the
//! signature scheme needs it back, so it cannot be hashed).

use super::{Conn, Flag, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessKey {
    pub access_key_id: String,
    pub user_id: i64,
    pub username: String,
    pub created_at: i64,
}

pub async fn insert(
    conn: &mut Conn,
    access_key_id: &str,
    user_id: i64,
    secret_sealed: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO access_keys (access_key_id, user_id, secret_sealed, created_at) VALUES ($1, $2, $3, $4)")
        .bind(access_key_id)
        .bind(user_id)
        .bind(secret_sealed)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The owner and sealed secret of an access key.
pub async fn find(conn: &mut Conn, access_key_id: &str) -> Result<Option<(i64, String)>> {
    let found =
        sqlx::query_as("SELECT user_id, secret_sealed FROM access_keys WHERE access_key_id = $1")
            .bind(access_key_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found)
}

pub async fn list(conn: &mut Conn, account_id: i64) -> Result<Vec<AccessKey>> {
    let rows = sqlx::query(
        "SELECT k.access_key_id, k.user_id, u.username, k.created_at FROM access_keys k \
         JOIN users u ON u.id = k.user_id WHERE u.account_id = $1 ORDER BY k.created_at, k.access_key_id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// Deletes a key of the account; returns whether there was one.
/// Who owns an access key of the account: (user id, whether it is the main user).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Owner {
    pub user_id: i64,
    #[sqlx(try_from = "Flag")]
    pub is_main: bool,
}

pub async fn owner(conn: &mut Conn, account_id: i64, access_key_id: &str) -> Result<Option<Owner>> {
    let row = sqlx::query(
        "SELECT u.id AS user_id, u.is_main AS is_main FROM access_keys k \
         JOIN users u ON u.id = k.user_id WHERE k.access_key_id = $1 AND u.account_id = $2",
    )
    .bind(access_key_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn delete(conn: &mut Conn, account_id: i64, access_key_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM access_keys WHERE access_key_id = $1 \
         AND user_id IN (SELECT id FROM users WHERE account_id = $2)",
    )
    .bind(access_key_id)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
