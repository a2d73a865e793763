//! A domain's endpoints: value (IP or host name), type, area, ISP and tag.

use app::strategy::EndpointConf;

use super::{Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Endpoint {
    pub id: i64,
    pub domain_id: i64,
    pub value: String,
    /// `A`, `AAAA` or `CNAME`.
    pub kind: String,
    pub area: String,
    pub isp: String,
    pub tag: String,
}

/// The column list every query of this file selects (a macro, so queries stay `&'static str`).
macro_rules! endpoint_columns {
    () => {
        "id, domain_id, value, kind, area, isp, tag"
    };
}

pub async fn list(conn: &mut Conn, domain_id: i64) -> Result<Vec<Endpoint>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        endpoint_columns!(),
        " FROM endpoints WHERE domain_id = $1 ORDER BY id"
    ))
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

pub async fn get(conn: &mut Conn, domain_id: i64, value: &str) -> Result<Option<Endpoint>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        endpoint_columns!(),
        " FROM endpoints WHERE domain_id = $1 AND value = $2"
    ))
    .bind(domain_id)
    .bind(value)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn insert(conn: &mut Conn, e: &Endpoint) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO endpoints (domain_id, value, kind, area, isp, tag, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.domain_id)
    .bind(&e.value)
    .bind(&e.kind)
    .bind(&e.area)
    .bind(&e.isp)
    .bind(&e.tag)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, e: &Endpoint) -> Result<()> {
    sqlx::query("UPDATE endpoints SET kind = $1, area = $2, isp = $3, tag = $4 WHERE id = $5")
        .bind(&e.kind)
        .bind(&e.area)
        .bind(&e.isp)
        .bind(&e.tag)
        .bind(e.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM endpoints WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every endpoint of every domain (`only` = None) or of one domain, by domain then id. Two query
/// texts, so the one-domain case uses the (domain_id, value) index.
pub async fn for_dns(conn: &mut Conn, only: Option<i64>) -> Result<Vec<Endpoint>> {
    let rows = match only {
        None => {
            sqlx::query(concat!(
                "SELECT ",
                endpoint_columns!(),
                " FROM endpoints ORDER BY domain_id, id"
            ))
            .fetch_all(&mut *conn)
            .await?
        }
        Some(id) => return list(conn, id).await,
    };
    rows.iter().map(decode).collect()
}

/// How many endpoints the domain has.
pub async fn count(conn: &mut Conn, domain_id: i64) -> Result<i64> {
    let count = sqlx::query_scalar("SELECT COUNT(*) AS n FROM endpoints WHERE domain_id = $1")
        .bind(domain_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count)
}

/// `endpointsConf` for the domain's endpoints: type, area and ISP from the table, the flags from
/// `flags` when it lists the endpoint (else evaluated and enabled). The DNS snapshot composes
/// the enabled document the same way, so what the API validated is what DNS answers.
pub fn compose(list: &[Endpoint], flags: &[EndpointConf]) -> Vec<EndpointConf> {
    list.iter()
        .map(|e| {
            let given = flags.iter().find(|f| f.value.trim() == e.value);
            EndpointConf {
                kind: e.kind.clone(),
                value: e.value.clone(),
                area: e.area.clone(),
                isp: e.isp.clone(),
                eval_health: given.is_none_or(|f| f.eval_health),
                enable: given.is_none_or(|f| f.enable),
            }
        })
        .collect()
}
