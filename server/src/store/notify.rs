//! Notifications' records: contacts, contact groups, each domain's choice, and deliveries.

use super::{Conn, Result, decode, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub webhook: String,
}

impl Contact {
    /// The channels this contact has an address for, as (channel, address).
    pub fn channels(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("email", &self.email),
            ("sms", &self.phone),
            ("webhook", &self.webhook),
        ]
        .into_iter()
        .filter(|(_, address)| !address.is_empty())
    }
}

pub async fn contacts(conn: &mut Conn, account_id: i64) -> Result<Vec<Contact>> {
    let rows = sqlx::query(
        "SELECT id, account_id, name, email, phone, webhook FROM contacts \
         WHERE account_id = $1 ORDER BY name",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// Inserts or, when the name exists, updates; returns the id.
pub async fn upsert_contact(conn: &mut Conn, c: &Contact) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO contacts (account_id, name, email, phone, webhook, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id, name) DO UPDATE SET email = excluded.email, \
         phone = excluded.phone, webhook = excluded.webhook RETURNING id",
    )
    .bind(c.account_id)
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(&c.webhook)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The account's contact named `name`.
pub async fn contact(conn: &mut Conn, account_id: i64, name: &str) -> Result<Option<Contact>> {
    let row = sqlx::query(
        "SELECT id, account_id, name, email, phone, webhook FROM contacts \
         WHERE account_id = $1 AND name = $2",
    )
    .bind(account_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn delete_contact(conn: &mut Conn, account_id: i64, name: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM contacts WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A group and its members' names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<String>,
}

pub async fn groups(conn: &mut Conn, account_id: i64) -> Result<Vec<Group>> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT g.id AS id, g.name AS name, c.name AS member FROM contact_groups g \
         LEFT JOIN contact_group_members m ON m.group_id = g.id \
         LEFT JOIN contacts c ON c.id = m.contact_id \
         WHERE g.account_id = $1 ORDER BY g.name, c.name",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut groups: Vec<Group> = Vec::new();
    for (id, name, member) in rows {
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(Group {
                id,
                name,
                members: Vec::new(),
            });
        }
        if let (Some(member), Some(group)) = (member, groups.last_mut()) {
            group.members.push(member);
        }
    }
    Ok(groups)
}

/// Creates or replaces a group with exactly `member_ids`.
pub async fn put_group(
    conn: &mut Conn,
    account_id: i64,
    name: &str,
    member_ids: &[i64],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_groups (account_id, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .bind(account_id)
    .bind(name)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM contact_group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for member in member_ids {
        sqlx::query("INSERT INTO contact_group_members (group_id, contact_id) VALUES ($1, $2)")
            .bind(id)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn delete_group(conn: &mut Conn, account_id: i64, name: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM contact_groups WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The contact and group names a domain notifies.
pub async fn domain_choice(conn: &mut Conn, domain_id: i64) -> Result<(Vec<String>, Vec<String>)> {
    let contacts = sqlx::query_scalar(
        "SELECT c.name AS name FROM domain_contacts d JOIN contacts c ON c.id = d.contact_id \
         WHERE d.domain_id = $1 ORDER BY c.name",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    let groups = sqlx::query_scalar(
        "SELECT g.name AS name FROM domain_contact_groups d JOIN contact_groups g ON g.id = d.group_id \
         WHERE d.domain_id = $1 ORDER BY g.name",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((contacts, groups))
}

pub async fn set_domain_choice(
    conn: &mut Conn,
    domain_id: i64,
    contact_ids: &[i64],
    group_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM domain_contacts WHERE domain_id = $1")
        .bind(domain_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM domain_contact_groups WHERE domain_id = $1")
        .bind(domain_id)
        .execute(&mut *conn)
        .await?;
    for id in contact_ids {
        sqlx::query("INSERT INTO domain_contacts (domain_id, contact_id) VALUES ($1, $2)")
            .bind(domain_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for id in group_ids {
        sqlx::query("INSERT INTO domain_contact_groups (domain_id, group_id) VALUES ($1, $2)")
            .bind(domain_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every contact a domain notifies, directly or through a group, once each.
pub async fn recipients(conn: &mut Conn, domain_id: i64) -> Result<Vec<Contact>> {
    let rows = sqlx::query(
        "SELECT id, account_id, name, email, phone, webhook FROM contacts WHERE id IN ( \
         SELECT contact_id FROM domain_contacts WHERE domain_id = $1 \
         UNION SELECT m.contact_id FROM domain_contact_groups d \
         JOIN contact_group_members m ON m.group_id = d.group_id WHERE d.domain_id = $1) \
         ORDER BY name",
    )
    .bind(domain_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub account_id: i64,
    pub domain_id: i64,
    pub contact_id: i64,
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    pub address: String,
    /// What the message is about (`<domain id>/<endpoint>`; the flapping rule counts per key).
    pub subject_key: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent`, `failed`, `suppressed` or `summarized`.
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

macro_rules! delivery_columns {
    () => {
        "id, account_id, domain_id, contact_id, channel, address, subject_key, subject, body, \
         status, attempts, last_error, next_attempt_at, created_at, sent_at"
    };
}

pub async fn insert_delivery(conn: &mut Conn, d: &Delivery) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO deliveries (account_id, domain_id, contact_id, channel, address, subject_key, \
         subject, body, status, attempts, last_error, next_attempt_at, created_at, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(d.account_id)
    .bind(d.domain_id)
    .bind(d.contact_id)
    .bind(&d.channel)
    .bind(&d.address)
    .bind(&d.subject_key)
    .bind(&d.subject)
    .bind(&d.body)
    .bind(&d.status)
    .bind(d.attempts)
    .bind(&d.last_error)
    .bind(d.next_attempt_at)
    .bind(d.created_at)
    .bind(d.sent_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// When the last message about `subject_key` went (or was queued) to this contact on this
/// channel, not counting suppressed ones.
pub async fn last_notified(
    conn: &mut Conn,
    contact_id: i64,
    channel: &str,
    subject_key: &str,
) -> Result<Option<i64>> {
    let at = sqlx::query_scalar(
        "SELECT MAX(created_at) AS at FROM deliveries WHERE contact_id = $1 AND channel = $2 \
         AND subject_key = $3 AND status IN ('pending', 'sent', 'failed')",
    )
    .bind(contact_id)
    .bind(channel)
    .bind(subject_key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(at)
}

/// When `subject_key` was last queued for the contact on any of its channels.
pub async fn last_notified_on_any_channel(
    conn: &mut Conn,
    contact_id: i64,
    subject_key: &str,
) -> Result<Option<i64>> {
    let at = sqlx::query_scalar(
        "SELECT MAX(created_at) AS at FROM deliveries WHERE contact_id = $1 \
         AND subject_key = $2 AND status IN ('pending', 'sent', 'failed')",
    )
    .bind(contact_id)
    .bind(subject_key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(at)
}

/// Pending deliveries whose attempt is due, oldest first.
pub async fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// When the next pending delivery is due (ms), if any.
pub async fn next_attempt(conn: &mut Conn) -> Result<Option<i64>> {
    let at = sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(at)
}

/// Every suppressed delivery (waiting to be folded into a summary), oldest first.
pub async fn suppressed(conn: &mut Conn) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM deliveries WHERE status = 'suppressed' ORDER BY id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}

pub async fn set_delivery_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    attempts: i64,
    last_error: &str,
    next_attempt_at: i64,
    sent_at: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, \
         sent_at = $5 WHERE id = $6",
    )
    .bind(status)
    .bind(attempts)
    .bind(last_error)
    .bind(next_attempt_at)
    .bind(sent_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An account's deliveries since `since`, newest first.
pub async fn deliveries(
    conn: &mut Conn,
    account_id: i64,
    since: i64,
    limit: i64,
) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM deliveries WHERE account_id = $1 AND created_at >= $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(account_id)
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(decode).collect()
}
