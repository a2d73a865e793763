//! Alert contacts, contact groups, each domain's choice, and the delivery log.

use app::model::{
    ContactGroupRecord, ContactRecord, DeliveryRecord, DomainNotify, GroupMembers, Permission,
};

use super::monitoring::checked_limit;
use super::{Caller, Result, Service, ServiceError};
use crate::net::Reach;
use crate::notify::TEST_SUBJECT;
use crate::store::notify::{self, Contact};

/// The shortest time between two test messages to one contact (ms).
pub const TEST_SPACING_MS: i64 = 30_000;

impl Service {
    pub async fn contacts(&self, caller: &Caller) -> Result<Vec<ContactRecord>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        Ok(notify::contacts(&mut conn, caller.account_id())
            .await?
            .into_iter()
            .map(|c| ContactRecord {
                name: c.name,
                email: c.email,
                phone: c.phone,
                webhook: c.webhook,
            })
            .collect())
    }

    /// Creates the contact, or updates the one with that name.
    pub async fn put_contact(&self, caller: &Caller, c: &ContactRecord) -> Result<()> {
        caller.require(Permission::Write)?;
        let c = ContactRecord {
            name: c.name.trim().to_owned(),
            email: c.email.trim().to_owned(),
            phone: c.phone.trim().to_owned(),
            webhook: c.webhook.trim().to_owned(),
        };
        check_name("name", &c.name)?;
        check_contact(&c, &self.inner.config.webhook_reach)?;
        let mut tx = self.store().begin().await?;
        notify::upsert_contact(
            &mut tx,
            &Contact {
                id: 0,
                account_id: caller.account_id(),
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                webhook: c.webhook.clone(),
            },
        )
        .await?;
        self.audit(&mut tx, caller, "contact.put", &c.name, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_contact(&self, caller: &Caller, name: &str) -> Result<()> {
        caller.require(Permission::Write)?;
        let missing = || ServiceError::NotFound(format!("no contact \"{}\"", name.escape_debug()));
        check_name("name", name).map_err(|_| missing())?;
        let mut tx = self.store().begin().await?;
        if !notify::delete_contact(&mut tx, caller.account_id(), name).await? {
            return Err(missing());
        }
        self.audit(&mut tx, caller, "contact.delete", name, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a test message on each of the contact's channels and wakes the sender; returns
    /// how many were queued. The messages go where a real alert would (the same sender, the
    /// same `--webhook-networks` reach), and appear in the delivery log. One test per contact
    /// per [`TEST_SPACING_MS`]: a button is not a way to flood someone's phone.
    pub async fn send_test_notification(&self, caller: &Caller, name: &str) -> Result<usize> {
        caller.require(Permission::Write)?;
        let missing = || ServiceError::NotFound(format!("no contact \"{}\"", name.escape_debug()));
        check_name("name", name).map_err(|_| missing())?;
        let mut tx = self.store().begin().await?;
        let contact = notify::contact(&mut tx, caller.account_id(), name.trim())
            .await?
            .ok_or_else(missing)?;
        let last = notify::last_notified_on_any_channel(&mut tx, contact.id, TEST_SUBJECT).await?;
        let now = crate::clock::now_ms();
        if let Some(wait) = last
            .map(|at| at + TEST_SPACING_MS - now)
            .filter(|wait| *wait > 0)
        {
            return Err(ServiceError::Throttled(format!(
                "contact \"{}\" was sent a test less than {} s ago; try again in {} s",
                contact.name.escape_debug(),
                TEST_SPACING_MS / 1000,
                (wait + 999) / 1000
            )));
        }
        let queued = crate::notify::enqueue_test(&mut tx, &contact, &caller.user.username).await?;
        self.audit(
            &mut tx,
            caller,
            "contact.test",
            &contact.name,
            &queued.to_string(),
        )
        .await?;
        tx.commit().await?;
        self.node().notify_wake().notify_one();
        Ok(queued)
    }

    pub async fn contact_groups(&self, caller: &Caller) -> Result<Vec<ContactGroupRecord>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        Ok(notify::groups(&mut conn, caller.account_id())
            .await?
            .into_iter()
            .map(|g| ContactGroupRecord {
                name: g.name,
                contacts: g.members,
            })
            .collect())
    }

    /// Creates or replaces a group; every member must be an existing contact.
    pub async fn put_contact_group(
        &self,
        caller: &Caller,
        name: &str,
        members: &GroupMembers,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        check_name("name", name)?;
        let mut tx = self.store().begin().await?;
        let known = notify::contacts(&mut tx, caller.account_id()).await?;
        let ids = contact_ids(&known, &members.contacts, "contacts")?;
        notify::put_group(&mut tx, caller.account_id(), name, &ids).await?;
        self.audit(
            &mut tx,
            caller,
            "contactGroup.put",
            name,
            &members.contacts.join(","),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_contact_group(&self, caller: &Caller, name: &str) -> Result<()> {
        caller.require(Permission::Write)?;
        let missing =
            || ServiceError::NotFound(format!("no contact group \"{}\"", name.escape_debug()));
        check_name("name", name).map_err(|_| missing())?;
        let mut tx = self.store().begin().await?;
        if !notify::delete_group(&mut tx, caller.account_id(), name).await? {
            return Err(missing());
        }
        self.audit(&mut tx, caller, "contactGroup.delete", name, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn domain_notify(&self, caller: &Caller, domain: &str) -> Result<DomainNotify> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, domain).await?;
        let (contacts, groups) = notify::domain_choice(&mut conn, d.id).await?;
        Ok(DomainNotify { contacts, groups })
    }

    pub async fn set_domain_notify(
        &self,
        caller: &Caller,
        domain: &str,
        choice: &DomainNotify,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        let mut tx = self.store().begin().await?;
        let d = self.domain(&mut tx, caller, domain).await?;
        let contacts = notify::contacts(&mut tx, caller.account_id()).await?;
        let contact_ids = contact_ids(&contacts, &choice.contacts, "contacts")?;
        let groups = notify::groups(&mut tx, caller.account_id()).await?;
        let mut group_ids = Vec::new();
        for (i, name) in choice.groups.iter().enumerate() {
            let group = groups.iter().find(|g| &g.name == name).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "groups[{i}]: no contact group \"{}\"",
                    name.escape_debug()
                ))
            })?;
            group_ids.push(group.id);
        }
        group_ids.sort_unstable();
        group_ids.dedup();
        notify::set_domain_choice(&mut tx, d.id, &contact_ids, &group_ids).await?;
        let detail = serde_json::to_string(choice).unwrap_or_default();
        self.audit(&mut tx, caller, "domain.notify", domain, &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's deliveries since `since` (ms; default: all), newest first.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        since: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<DeliveryRecord>> {
        caller.require(Permission::Read)?;
        let limit = checked_limit(limit)?;
        let mut conn = self.store().conn().await?;
        let names: std::collections::HashMap<i64, String> =
            notify::contacts(&mut conn, caller.account_id())
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
        let rows =
            notify::deliveries(&mut conn, caller.account_id(), since.unwrap_or(0), limit).await?;
        Ok(rows
            .into_iter()
            .map(|d| DeliveryRecord {
                id: d.id,
                contact: names.get(&d.contact_id).cloned().unwrap_or_default(),
                channel: d.channel,
                address: d.address,
                subject: d.subject,
                status: d.status,
                attempts: d.attempts,
                last_error: d.last_error,
                time: d.created_at,
                sent_at: d.sent_at,
            })
            .collect())
    }
}

fn check_name(field: &str, name: &str) -> Result<()> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= 63
        && !name.chars().any(|c| c.is_control());
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "{field}: \"{}\" must be 1..=63 characters, no control characters",
            name.escape_debug()
        )))
    }
}

fn check_contact(c: &ContactRecord, reach: &Reach) -> Result<()> {
    let invalid = |field: &str, value: &str, why: &str| {
        Err(ServiceError::Invalid(format!(
            "{field}: \"{}\" {why}",
            value.escape_debug()
        )))
    };
    if c.email.is_empty() && c.phone.is_empty() && c.webhook.is_empty() {
        return invalid(
            "email",
            "",
            "— a contact needs an e-mail, a phone or a webhook",
        );
    }
    if !c.email.is_empty() && c.email.parse::<lettre::Address>().is_err() {
        return invalid("email", &c.email, "is not an e-mail address");
    }
    let phone_ok = (5..=20).contains(&c.phone.len())
        && c.phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+- ".contains(ch));
    if !c.phone.is_empty() && !phone_ok {
        return invalid(
            "phone",
            &c.phone,
            "is not a phone number (5..=20 digits, +, -)",
        );
    }
    let url_ok = c.webhook.len() <= 2000
        && (c.webhook.starts_with("http://") || c.webhook.starts_with("https://"))
        && c.webhook
            .parse::<hyper::Uri>()
            .is_ok_and(|u| u.host().is_some());
    if !c.webhook.is_empty() && !url_ok {
        return invalid("webhook", &c.webhook, "is not an http(s) URL");
    }
    // Names are checked again on the address they resolve to, when the message is sent.
    let host = c.webhook.parse::<hyper::Uri>().ok();
    if let Some(why) = host
        .as_ref()
        .and_then(hyper::Uri::host)
        .and_then(|h| reach.refusal_of_name(h))
    {
        return invalid("webhook", &c.webhook, &format!("is refused: {why}"));
    }
    Ok(())
}

fn contact_ids(known: &[Contact], names: &[String], field: &str) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let contact = known.iter().find(|c| &c.name == name).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "{field}[{i}]: no contact \"{}\"",
                name.escape_debug()
            ))
        })?;
        ids.push(contact.id);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
