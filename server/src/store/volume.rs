//! DNS query volume, summed over the nodes that answered: per domain and minute
//! (`query_volume`), and per domain, hour and user group (`query_volume_groups`) — so a domain's
//! rows are bounded by time alone (migration 0013 says why).

use std::collections::BTreeMap;

use app::strategy::{Area, Isp, UserGroup};

use super::{Conn, Result};

/// Queries one node counted for one domain and user group since its last flush.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub domain_id: i64,
    pub group: UserGroup,
    pub count: u64,
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// The start of the minute `at` (ms) falls in.
pub fn minute_of(at: i64) -> i64 {
    at.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The start of the hour `at` (ms) falls in.
pub fn hour_of(at: i64) -> i64 {
    at.div_euclid(HOUR_MS) * HOUR_MS
}

/// Rows per statement (5 parameters each: well under SQLite's 999).
const ROWS_PER_STATEMENT: usize = 150;

/// Adds `counts` to the minute and the hour `at` falls in, in a few multi-row statements, rows in
/// one order on every node (two nodes' flushes lock the rows they share in the same order, so
/// they never deadlock each other on PostgreSQL). Counts of a domain deleted meanwhile are
/// dropped, not an error (its rows went with it).
pub async fn add(conn: &mut Conn, at: i64, counts: &[Count]) -> Result<()> {
    let (minute, hour) = (minute_of(at), hour_of(at));
    let mut groups: BTreeMap<(i64, &str, &str), u64> = BTreeMap::new();
    let mut totals: BTreeMap<i64, u64> = BTreeMap::new();
    for c in counts {
        let key = (c.domain_id, c.group.area.code(), c.group.isp.code());
        let n = groups.entry(key).or_default();
        *n = n.saturating_add(c.count);
        let total = totals.entry(c.domain_id).or_default();
        *total = total.saturating_add(c.count);
    }
    let groups: Vec<_> = groups.into_iter().collect();
    for chunk in groups.chunks(ROWS_PER_STATEMENT) {
        let sql = upsert(
            "query_volume_groups (domain_id, hour, area, isp, count)",
            5,
            chunk.len(),
            "(domain_id, hour, area, isp) DO UPDATE SET count = query_volume_groups.count + excluded.count",
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((domain_id, area, isp), count) in chunk {
            query = query
                .bind(*domain_id)
                .bind(hour)
                .bind(*area)
                .bind(*isp)
                .bind(stored(*count));
        }
        query.execute(&mut *conn).await?;
    }
    let totals: Vec<_> = totals.into_iter().collect();
    for chunk in totals.chunks(ROWS_PER_STATEMENT) {
        let sql = upsert(
            "query_volume (domain_id, minute, count)",
            3,
            chunk.len(),
            "(domain_id, minute) DO UPDATE SET count = query_volume.count + excluded.count",
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (domain_id, count) in chunk {
            query = query.bind(*domain_id).bind(minute).bind(stored(*count));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `INSERT INTO <into> SELECT … FROM (VALUES ($1, …), …) WHERE the domain exists ON CONFLICT
/// <conflict>`: `rows` rows of `columns` parameters, the domain id first. Only numbers and the
/// constants above go into the text; every value is a parameter.
fn upsert(into: &str, columns: usize, rows: usize, conflict: &str) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let row: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    let selected: Vec<String> = (1..=columns).map(|c| format!("v.column{c}")).collect();
    // VALUES names its columns column1, column2, … on both SQLite and PostgreSQL.
    format!(
        "INSERT INTO {into} SELECT {} FROM (VALUES {}) AS v \
         WHERE EXISTS (SELECT 1 FROM domains WHERE id = v.column1) ON CONFLICT {conflict}",
        selected.join(", "),
        values.join(", ")
    )
}

fn stored(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Queries per slot of `step` ms from `from` (slot 0 starts at `from`): (slot, count), slots
/// without queries absent.
pub async fn per_slot(
    conn: &mut Conn,
    domain_id: i64,
    from: i64,
    step: i64,
) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT (minute - $2) / $3 AS slot, CAST(SUM(count) AS BIGINT) AS n FROM query_volume \
         WHERE domain_id = $1 AND minute >= $2 GROUP BY slot ORDER BY slot",
    )
    .bind(domain_id)
    .bind(from)
    .bind(step.max(1))
    .fetch_all(&mut *conn)
    .await?)
}

/// Queries per user group in the hours from the one `from` falls in, the busiest first; groups
/// whose codes this build no longer knows are left out.
pub async fn per_group(
    conn: &mut Conn,
    domain_id: i64,
    from: i64,
) -> Result<Vec<(UserGroup, i64)>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT area, isp, CAST(SUM(count) AS BIGINT) AS n FROM query_volume_groups \
         WHERE domain_id = $1 AND hour >= $2 GROUP BY area, isp ORDER BY n DESC, area, isp",
    )
    .bind(domain_id)
    .bind(hour_of(from))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(area, isp, n)| {
            Some((
                UserGroup::new(Area::from_code(&area)?, Isp::from_code(&isp)?),
                n,
            ))
        })
        .collect())
}

/// Deletes what is older than `before`: the minutes before it and the hours that ended by then;
/// returns how many rows went.
pub async fn prune(conn: &mut Conn, before: i64) -> Result<u64> {
    let minutes = sqlx::query("DELETE FROM query_volume WHERE minute < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    let hours = sqlx::query("DELETE FROM query_volume_groups WHERE hour < $1")
        .bind(before - HOUR_MS + 1)
        .execute(&mut *conn)
        .await?;
    Ok(minutes.rows_affected() + hours.rows_affected())
}
