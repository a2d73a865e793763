//! Notifications: when an endpoint's state or a domain's monitorStatus changes, every contact the
//! domain chose (directly or through a group) gets a message on each channel it has — e-mail
//! (SMTP), SMS (an HTTP gateway template) and a JSON webhook.
//!
//! Messages are queued as deliveries in the same transaction as the health event (`enqueue`),
//! then sent by [`run`], retried with backoff, and recorded. The flapping rule: at most one
//! message per contact, channel and subject (an endpoint, or the domain's status) per quiet
//! period; changes inside the period are kept as suppressed and folded into one summary when
//! the period is over.

mod sender;

use std::time::Duration;

use serde_json::json;

use crate::clock::now_ms;
use crate::node::Node;
use crate::store::notify::{self, Delivery};
use crate::store::{Conn, StoreError};

pub use sender::{Sender, SmsConfig, SmtpConfig, TlsMode};

/// Waits before the 2nd, 3rd, … attempt; after the last one the delivery has failed.
const BACKOFF: [Duration; 4] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
];

/// A change to tell the domain's contacts about.
#[derive(Clone, Debug)]
pub struct Change {
    pub account_id: i64,
    pub domain_id: i64,
    pub domain: String,
    /// Empty for the domain's monitorStatus.
    pub endpoint: String,
    pub from: String,
    pub to: String,
    pub time: i64,
    /// One line on why (e.g. "3 of 3 points failing (threshold 80 %): local 503, …").
    pub reason: String,
    pub evidence: serde_json::Value,
}

impl Change {
    fn subject_key(&self) -> String {
        format!("{}/{}", self.domain_id, self.endpoint)
    }

    fn subject(&self) -> String {
        if self.endpoint.is_empty() {
            format!(
                "[ITM] {}: monitor status {}",
                self.domain,
                display(&self.to)
            )
        } else {
            format!(
                "[ITM] {}: endpoint {} is {}",
                self.domain,
                self.endpoint,
                display(&self.to).to_uppercase()
            )
        }
    }

    fn text(&self) -> String {
        let what = if self.endpoint.is_empty() {
            "monitor status".to_owned()
        } else {
            format!("endpoint {}", self.endpoint)
        };
        format!(
            "{}: {what} changed from {} to {} at {} (UTC ms).\n{}",
            self.domain,
            display(&self.from),
            display(&self.to),
            self.time,
            self.reason
        )
    }

    fn webhook_body(&self) -> String {
        json!({
            "event": if self.endpoint.is_empty() { "monitorStatus" } else { "endpointState" },
            "domain": self.domain,
            "endpoint": self.endpoint,
            "from": self.from,
            "to": self.to,
            "time": self.time,
            "subject": self.subject(),
            "reason": self.reason,
            "evidence": self.evidence,
        })
        .to_string()
    }
}

fn display(state: &str) -> &str {
    if state.is_empty() { "unknown" } else { state }
}

/// Queues the messages for `changes` (inside the caller's transaction). Returns how many were
/// queued to send (suppressed ones not counted).
pub async fn enqueue(
    conn: &mut Conn,
    changes: &[Change],
    quiet: Duration,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    let now = now_ms();
    for change in changes {
        for contact in notify::recipients(conn, change.domain_id).await? {
            for (channel, address) in contact.channels() {
                let key = change.subject_key();
                let last = notify::last_notified(conn, contact.id, channel, &key).await?;
                let quiet_ms = quiet.as_millis() as i64;
                let suppressed = last.is_some_and(|at| now - at < quiet_ms);
                let body = if channel == "webhook" {
                    change.webhook_body()
                } else {
                    change.text()
                };
                notify::insert_delivery(
                    conn,
                    &Delivery {
                        id: 0,
                        account_id: change.account_id,
                        domain_id: change.domain_id,
                        contact_id: contact.id,
                        channel: channel.into(),
                        address: address.clone(),
                        subject_key: key,
                        subject: change.subject(),
                        body,
                        status: if suppressed { "suppressed" } else { "pending" }.into(),
                        attempts: 0,
                        last_error: String::new(),
                        next_attempt_at: now,
                        created_at: now,
                        sent_at: None,
                    },
                )
                .await?;
                queued += usize::from(!suppressed);
            }
        }
    }
    Ok(queued)
}

/// The subject key of test messages: kept apart from every domain's subjects, so a test never
/// counts against (or for) the flapping rule of a real change.
pub const TEST_SUBJECT: &str = "test";

/// Queues one test message on each of the contact's channels (inside the caller's
/// transaction), sent like any other delivery; returns how many were queued.
pub async fn enqueue_test(
    conn: &mut Conn,
    contact: &notify::Contact,
    requested_by: &str,
) -> Result<usize, StoreError> {
    let now = now_ms();
    let subject = "[ITM] test notification".to_owned();
    let text = format!(
        "A test message to contact \"{}\", sent at {now} (UTC ms) because {requested_by} asked \
         for one in ITM. Nothing has changed on any domain.",
        contact.name
    );
    let mut queued = 0;
    for (channel, address) in contact.channels() {
        let body = if channel == "webhook" {
            json!({
                "event": "test",
                "contact": contact.name,
                "time": now,
                "subject": subject,
                "reason": text,
            })
            .to_string()
        } else {
            text.clone()
        };
        notify::insert_delivery(
            conn,
            &Delivery {
                id: 0,
                account_id: contact.account_id,
                // No domain: deliveries are listed per account.
                domain_id: 0,
                contact_id: contact.id,
                channel: channel.into(),
                address: address.clone(),
                subject_key: TEST_SUBJECT.into(),
                subject: subject.clone(),
                body,
                status: "pending".into(),
                attempts: 0,
                last_error: String::new(),
                next_attempt_at: now,
                created_at: now,
                sent_at: None,
            },
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// The longest the sender sleeps without being woken (a safety net: deliveries queued by
/// another process, a clock step).
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// Sends due deliveries and summaries of held-back ones, until the task is dropped. It sleeps
/// until the next one is due or until monitoring queues messages (no polling while idle).
pub async fn run(node: Node, sender: Sender, quiet: Duration) {
    loop {
        let summary_due = match summarize(&node, quiet).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!("notifications: summarizing suppressed messages: {e}");
                None
            }
        };
        let attempt_due = match send_due(&node, &sender).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!("notifications: {e}");
                Some(now_ms() + 5_000)
            }
        };
        let next = [summary_due, attempt_due].into_iter().flatten().min();
        let wait = next.map_or(IDLE_CHECK, |at| {
            Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0)).min(IDLE_CHECK)
        });
        tokio::select! {
            () = node.notify_wake().notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Sends what is due; returns when the next pending delivery is due.
async fn send_due(node: &Node, sender: &Sender) -> Result<Option<i64>, StoreError> {
    let due = {
        let mut conn = node.store().conn().await?;
        notify::due(&mut conn, now_ms(), 100).await?
    };
    for d in due {
        let result = sender.send(&d).await;
        let attempts = d.attempts + 1;
        let (status, error, next, sent_at) = match result {
            Ok(()) => ("sent", String::new(), d.next_attempt_at, Some(now_ms())),
            Err(e) => match BACKOFF.get(attempts as usize - 1) {
                Some(wait) => ("pending", e, now_ms() + wait.as_millis() as i64, None),
                None => ("failed", e, d.next_attempt_at, None),
            },
        };
        if !error.is_empty() {
            tracing::warn!(
                "notification {} to {} ({}), attempt {attempts}: {error}",
                d.id,
                d.address,
                d.channel
            );
        }
        let mut conn = node.store().conn().await?;
        notify::set_delivery_status(&mut conn, d.id, status, attempts, &error, next, sent_at)
            .await?;
    }
    let mut conn = node.store().conn().await?;
    notify::next_attempt(&mut conn).await
}

/// Folds suppressed messages into one summary per contact, channel and subject, carrying the
/// latest state, once the quiet period since the last message on that subject is over. Returns
/// when the next summary is due.
async fn summarize(node: &Node, quiet: Duration) -> Result<Option<i64>, StoreError> {
    // Look first without the write lock (almost always nothing is held back).
    let held = {
        let mut conn = node.store().conn().await?;
        notify::suppressed(&mut conn).await?
    };
    if held.is_empty() {
        return Ok(None);
    }
    let now = now_ms();
    let mut tx = node.store().begin().await?;
    let suppressed = notify::suppressed(&mut tx).await?;
    let mut next_due: Option<i64> = None;
    let mut groups: Vec<Vec<Delivery>> = Vec::new();
    for d in suppressed {
        match groups.iter_mut().find(|g| {
            let first = &g[0];
            (first.contact_id, &first.channel, &first.subject_key)
                == (d.contact_id, &d.channel, &d.subject_key)
        }) {
            Some(group) => group.push(d),
            None => groups.push(vec![d]),
        }
    }
    for group in groups {
        let Some(latest) = group.last() else { continue };
        let last = notify::last_notified(
            &mut tx,
            latest.contact_id,
            &latest.channel,
            &latest.subject_key,
        )
        .await?;
        // Still inside the quiet period: the summary is due when it ends.
        if let Some(due) = last
            .map(|at| at + quiet.as_millis() as i64)
            .filter(|due| *due > now)
        {
            next_due = Some(next_due.map_or(due, |d| d.min(due)));
            continue;
        }
        let count = group.len();
        let body = if latest.channel == "webhook" {
            let mut value: serde_json::Value =
                serde_json::from_str(&latest.body).unwrap_or(serde_json::Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.insert("suppressedChanges".into(), json!(count));
            }
            value.to_string()
        } else {
            format!(
                "{count} change(s) were held back to avoid flooding (flapping). The latest:\n{}",
                latest.body
            )
        };
        notify::insert_delivery(
            &mut tx,
            &Delivery {
                id: 0,
                subject: format!("{} (summary of {count} changes)", latest.subject),
                body,
                status: "pending".into(),
                attempts: 0,
                last_error: String::new(),
                next_attempt_at: now,
                created_at: now,
                sent_at: None,
                ..latest.clone()
            },
        )
        .await?;
        for d in &group {
            notify::set_delivery_status(
                &mut tx,
                d.id,
                "summarized",
                0,
                "",
                d.next_attempt_at,
                None,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(next_due)
}
