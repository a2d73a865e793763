//! The audit log: who did what to which resource, when and from where.

use super::{Conn, Result, now_ms};

pub use app::model::AuditEntry;

/// Who acted and from where, as the service knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub account_id: i64,
    pub user_id: i64,
    pub username: &'a str,
    pub source: &'a str,
}

pub async fn record(
    conn: &mut Conn,
    actor: &Actor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (account_id, user_id, username, action, target, detail, source, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(actor.account_id)
    .bind(actor.user_id)
    .bind(actor.username)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(actor.source)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub since_ms: Option<i64>,
    /// Only entries with an id below this one (paging backwards).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The account's entries matching `filter`, newest first.
pub async fn list(
    conn: &mut Conn,
    account_id: i64,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, username, action, target, detail, source, at FROM audit_log \
         WHERE account_id = $1 AND ($2 = '' OR username = $2) AND ($3 = '' OR action = $3) \
         AND at >= $4 AND id < $5 ORDER BY id DESC LIMIT $6",
    )
    .bind(account_id)
    .bind(filter.username.clone().unwrap_or_default())
    .bind(filter.action.clone().unwrap_or_default())
    .bind(filter.since_ms.unwrap_or(0))
    .bind(filter.before_id.unwrap_or(i64::MAX))
    .bind(filter.limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(entry).collect())
}

/// id, username, action, target, detail, source, at (the entry is the model's type).
type EntryRow = (i64, String, String, String, String, String, i64);

fn entry((id, username, action, target, detail, source, at): EntryRow) -> AuditEntry {
    AuditEntry {
        id,
        username,
        action,
        target,
        detail,
        source,
        at,
    }
}
