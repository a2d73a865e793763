//! Domains: name, ITM or not, scheduling status, TTL, the enabled strategy version and the
//! monitor settings (stored as JSON: one record, validated by the service before it is written).

use super::{Coded, Conn, Flag, JsonText, Result, decode, now_ms};
use app::model::{DomainStatus, MonitorSettings, NameClaim};

pub const DEFAULT_TTL: i64 = 60;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Domain {
    pub id: i64,
    pub account_id: i64,
    /// The name as `GET /v1/domains` lists it (`www.test.com.133` for ITM domains).
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub is_itm: bool,
    #[sqlx(try_from = "Coded<DomainStatus>")]
    pub status: DomainStatus,
    pub ttl: i64,
    pub strategy_version: Option<i64>,
    #[sqlx(try_from = "JsonText<MonitorSettings>")]
    pub monitor: MonitorSettings,
    /// Whether DNS answers it (delegated names wait for their proof of control).
    #[sqlx(try_from = "Coded<NameClaim>")]
    pub claim: NameClaim,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The column list every query of this file selects (a macro, so queries stay `&'static str`).
macro_rules! domain_columns {
    () => {
        "id, account_id, name, is_itm, status, ttl, strategy_version, monitor, claim, created_at, updated_at"
    };
}

/// A domain to insert: its name as listed, the fully qualified name DNS answers for it (unique
/// over the installation: a second one is a unique violation) and whether it is served yet.
#[derive(Clone, Copy, Debug)]
pub struct NewRow<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub served_name: &'a str,
    pub is_itm: bool,
    pub claim: NameClaim,
}

pub async fn insert(conn: &mut Conn, new: NewRow<'_>, monitor: &MonitorSettings) -> Result<i64> {
    let now = now_ms();
    let id = sqlx::query_scalar(
        "INSERT INTO domains (account_id, name, is_itm, status, ttl, strategy_version, monitor, served_name, claim, created_at, updated_at) \
         VALUES ($1, $2, $3, '', $4, NULL, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(new.account_id)
    .bind(new.name)
    .bind(i64::from(new.is_itm))
    .bind(DEFAULT_TTL)
    .bind(monitor_json(monitor))
    .bind(new.served_name)
    .bind(new.claim.code())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The domain holding a served name, whoever's it is: (id, account, claim).
pub async fn by_served_name(
    conn: &mut Conn,
    served_name: &str,
) -> Result<Option<(i64, i64, NameClaim)>> {
    let row = sqlx::query("SELECT id, account_id, claim FROM domains WHERE served_name = $1")
        .bind(served_name)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let owner: Owner = decode(&row)?;
    Ok(Some((owner.id, owner.account_id, owner.claim)))
}

#[derive(sqlx::FromRow)]
struct Owner {
    id: i64,
    account_id: i64,
    #[sqlx(try_from = "Coded<NameClaim>")]
    claim: NameClaim,
}

/// Of `names`, the ones that are active delegated domains of accounts other than `account_id`
/// (a delegated domain is the apex of a zone: names under it are its owner's).
pub async fn delegated_of_others(
    conn: &mut Conn,
    account_id: i64,
    names: &[String],
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    // One query per name: at most 127 parents, and only when a delegated name is created.
    for name in names {
        let owned: Option<String> = sqlx::query_scalar(
            "SELECT name FROM domains WHERE served_name = $1 AND is_itm = 0 \
             AND claim = 'active' AND account_id <> $2",
        )
        .bind(name)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
        found.extend(owned);
    }
    Ok(found)
}

pub async fn set_claim(conn: &mut Conn, id: i64, claim: NameClaim) -> Result<()> {
    sqlx::query("UPDATE domains SET claim = $1, updated_at = $2 WHERE id = $3")
        .bind(claim.code())
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Delegated domains waiting for their proof of control, oldest first: (id, account, name).
pub async fn pending(conn: &mut Conn, limit: i64) -> Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query_as(
        "SELECT id, account_id, name FROM domains WHERE claim = 'pending' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// Every delegated domain: (id, account, name, claim), for the start-up check of served names.
pub async fn delegated(conn: &mut Conn) -> Result<Vec<(i64, i64, String, NameClaim)>> {
    let rows =
        sqlx::query("SELECT id, account_id, name, claim FROM domains WHERE is_itm = 0 ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|row| {
            let named: Named = decode(row)?;
            Ok((named.id, named.account_id, named.name, named.claim))
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct Named {
    id: i64,
    account_id: i64,
    name: String,
    #[sqlx(try_from = "Coded<NameClaim>")]
    claim: NameClaim,
}

/// Marks a delegated domain as overlapping another's zone: not served, its served name freed.
pub async fn mark_conflict(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE domains SET claim = 'conflict', served_name = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives every ITM domain its served name under `zone` (they depend on --zone); returns how
/// many changed.
pub async fn set_itm_served_names(conn: &mut Conn, zone: &str) -> Result<u64> {
    let suffix = format!(".{zone}");
    let done = sqlx::query(
        "UPDATE domains SET served_name = name || $1 \
         WHERE is_itm = 1 AND (served_name IS NULL OR served_name <> name || $1)",
    )
    .bind(&suffix)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn list(conn: &mut Conn, account_id: i64) -> Result<Vec<Domain>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains WHERE account_id = $1 ORDER BY name"
    ))
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// What a list of domains shows: no monitor settings (parsing 5,000 of them would cost more
/// than the query).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub is_itm: bool,
    #[sqlx(try_from = "Coded<DomainStatus>")]
    pub status: DomainStatus,
    pub strategy_version: Option<i64>,
    #[sqlx(try_from = "Coded<NameClaim>")]
    pub claim: NameClaim,
    pub updated_at: i64,
}

pub async fn list_brief(conn: &mut Conn, account_id: i64) -> Result<Vec<Listed>> {
    let rows = sqlx::query(
        "SELECT id, account_id, name, is_itm, status, strategy_version, claim, updated_at \
         FROM domains WHERE account_id = $1 ORDER BY name",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// One row of a page of the list, with the domain's endpoint count and how many are decided up
/// and down.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PageRow {
    #[sqlx(flatten)]
    pub domain: Listed,
    pub endpoints: i64,
    pub up: i64,
    pub down: i64,
}

/// The account's domains whose name contains `search` (matched literally), in name order:
/// how many there are, and the `limit` rows from `offset`. The database pages, so the cost
/// follows the page, not the account.
pub async fn page(
    conn: &mut Conn,
    account_id: i64,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<PageRow>)> {
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM domains WHERE account_id = $1 AND name LIKE $2 ESCAPE '\\'",
    )
    .bind(account_id)
    .bind(&pattern)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "SELECT d.id AS id, d.account_id AS account_id, d.name AS name, d.is_itm AS is_itm, \
         d.status AS status, d.strategy_version AS strategy_version, d.claim AS claim, \
         d.updated_at AS updated_at, \
         (SELECT COUNT(*) FROM endpoints e WHERE e.domain_id = d.id) AS endpoints, \
         (SELECT COUNT(*) FROM endpoints e JOIN endpoint_health h \
            ON h.domain_id = e.domain_id AND h.endpoint = e.value \
            WHERE e.domain_id = d.id AND h.state = 'up') AS up, \
         (SELECT COUNT(*) FROM endpoints e JOIN endpoint_health h \
            ON h.domain_id = e.domain_id AND h.endpoint = e.value \
            WHERE e.domain_id = d.id AND h.state = 'down') AS down \
         FROM domains d WHERE d.account_id = $1 AND d.name LIKE $2 ESCAPE '\\' \
         ORDER BY d.name LIMIT $3 OFFSET $4",
    )
    .bind(account_id)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let rows = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    Ok((total, rows))
}

impl From<&Domain> for Listed {
    fn from(d: &Domain) -> Listed {
        Listed {
            id: d.id,
            account_id: d.account_id,
            name: d.name.clone(),
            is_itm: d.is_itm,
            status: d.status,
            strategy_version: d.strategy_version,
            claim: d.claim,
            updated_at: d.updated_at,
        }
    }
}

pub async fn get(conn: &mut Conn, account_id: i64, name: &str) -> Result<Option<Domain>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains WHERE account_id = $1 AND name = $2"
    ))
    .bind(account_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Domain>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// The (id, name) of those of `ids` that are `account_id`'s domains.
pub async fn names_in_account(
    conn: &mut Conn,
    account_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        // Only numbered placeholders are added to the text; the ids are bound.
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, name FROM domains WHERE account_id = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let mut query =
            sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)).bind(account_id);
        for id in chunk {
            query = query.bind(*id);
        }
        found.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Every domain's id (monitoring decides per domain whether it runs).
pub async fn all_ids(conn: &mut Conn) -> Result<Vec<i64>> {
    let ids = sqlx::query_scalar("SELECT id FROM domains ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    Ok(ids)
}

/// Domains being monitored (started or paused).
pub async fn monitored_count(conn: &mut Conn) -> Result<i64> {
    let count =
        sqlx::query_scalar("SELECT COUNT(*) AS n FROM domains WHERE status IN ('start', 'pause')")
            .fetch_one(&mut *conn)
            .await?;
    Ok(count)
}

pub async fn name_taken(conn: &mut Conn, name: &str) -> Result<bool> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) AS n FROM domains WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count > 0)
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<()> {
    // Children first: SQLite enforces foreign keys per connection setting, so do not rely on it.
    for statement in [
        "DELETE FROM strategy_versions WHERE domain_id = $1",
        "DELETE FROM strategy_drafts WHERE domain_id = $1",
        "DELETE FROM endpoints WHERE domain_id = $1",
    ] {
        sqlx::query(statement).bind(id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM domains WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_status(conn: &mut Conn, id: i64, status: DomainStatus) -> Result<()> {
    sqlx::query("UPDATE domains SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.code())
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_monitor(conn: &mut Conn, id: i64, monitor: &MonitorSettings) -> Result<()> {
    sqlx::query("UPDATE domains SET monitor = $1, updated_at = $2 WHERE id = $3")
        .bind(monitor_json(monitor))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_strategy_version(conn: &mut Conn, id: i64, version: i64) -> Result<()> {
    sqlx::query("UPDATE domains SET strategy_version = $1, updated_at = $2 WHERE id = $3")
        .bind(version)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn monitor_json(monitor: &MonitorSettings) -> String {
    serde_json::to_string(monitor).unwrap_or_default()
}

pub async fn clear_strategy(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query("UPDATE domains SET strategy_version = NULL, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_ttl(conn: &mut Conn, id: i64, ttl: i64) -> Result<()> {
    sqlx::query("UPDATE domains SET ttl = $1, updated_at = $2 WHERE id = $3")
        .bind(ttl)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A domain as the DNS snapshot needs it: naming, status, TTL and the enabled strategy.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct DnsDomain {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub is_itm: bool,
    #[sqlx(try_from = "Coded<DomainStatus>")]
    pub status: DomainStatus,
    pub ttl: i64,
    /// The enabled strategy document (JSON), if any.
    pub document: Option<String>,
}

/// Every served domain (`only` = None) or one, with its enabled strategy, in one query, oldest
/// first (when two ever claim one name, the older keeps it). Two query texts, so the one-domain
/// case uses the primary key instead of scanning every domain. Delegated names still waiting
/// for their proof of control, or in conflict, are not served.
pub async fn for_dns(conn: &mut Conn, only: Option<i64>) -> Result<Vec<DnsDomain>> {
    macro_rules! select {
        () => {
            "SELECT d.id, d.name, d.is_itm, d.status, d.ttl, v.document FROM domains d \
             LEFT JOIN strategy_versions v ON v.domain_id = d.id AND v.version = d.strategy_version \
             WHERE d.claim = 'active'"
        };
    }
    let rows = match only {
        None => {
            sqlx::query(concat!(select!(), " ORDER BY d.id"))
                .fetch_all(&mut *conn)
                .await?
        }
        Some(id) => {
            sqlx::query(concat!(select!(), " AND d.id = $1"))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter().map(decode).collect()
}
