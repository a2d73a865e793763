//! Domains: listing, creating (ITM and non-ITM naming), deleting, the scheduling status and the
//! monitor settings.

use app::model::{
    CreatedDomain, DOMAINS_PER_PAGE, DomainDetails, DomainPage, DomainRow, DomainStatus,
    DomainSummary, MonitorSettings, MonitorStatus, NameClaim, NewDomain, Permission, Quarantined,
    TTL_RANGE, normalize_domain_name,
};

use super::monitoring::{monitored, status_of};
use super::{Caller, Result, Service, ServiceError};
use crate::store::domains::{self, Domain, Listed};
use crate::store::{Conn, bump_config_version};

/// Domains one `POST /v1/domains` may create.
pub const MAX_DOMAINS_PER_REQUEST: usize = 1_000;
/// The longest DNS name (RFC 1035), as text without the trailing dot.
const MAX_SERVED_NAME: usize = 253;

/// A domain about to be created: its listed name and the name DNS answers for it.
struct Planned {
    name: String,
    served: String,
    is_itm: bool,
}

impl Planned {
    fn itm(name: String, served: String) -> Planned {
        Planned {
            name,
            served,
            is_itm: true,
        }
    }

    fn delegated(name: String) -> Planned {
        Planned {
            served: name.clone(),
            name,
            is_itm: false,
        }
    }
}

impl Service {
    pub async fn list_domains(&self, caller: &Caller) -> Result<Vec<DomainSummary>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let list = domains::list_brief(&mut conn, caller.account_id()).await?;
        let statuses = self
            .monitor_statuses(&mut conn, caller.account_id())
            .await?;
        Ok(list
            .iter()
            .map(|d| self.summary(d, statuses.get(&d.id).copied()))
            .collect())
    }

    /// One page of the domains whose name contains `search` (case-insensitive), with their
    /// endpoint counts: the console's list.
    pub async fn domain_page(
        &self,
        caller: &Caller,
        search: &str,
        page: u32,
    ) -> Result<DomainPage> {
        caller.require(Permission::Read)?;
        let search = search.trim().to_ascii_lowercase();
        if search.chars().any(char::is_control) || search.len() > 255 {
            return Err(ServiceError::Invalid(
                "search: control characters or more than 255 characters".into(),
            ));
        }
        let per_page = i64::from(DOMAINS_PER_PAGE);
        let mut conn = self.store().conn().await?;
        let mut page = i64::from(page.max(1));
        let (total, mut rows) = domains::page(
            &mut conn,
            caller.account_id(),
            &search,
            per_page,
            (page - 1) * per_page,
        )
        .await?;
        let pages = (total + per_page - 1).max(per_page) / per_page;
        if page > pages {
            // Past the end (the list shrank, or a hand-made link): the last page.
            page = pages;
            rows = domains::page(
                &mut conn,
                caller.account_id(),
                &search,
                per_page,
                (page - 1) * per_page,
            )
            .await?
            .1;
        }
        Ok(DomainPage {
            total: u32::try_from(total).unwrap_or(u32::MAX),
            page: u32::try_from(page).unwrap_or(1),
            pages: u32::try_from(pages).unwrap_or(1),
            rows: rows
                .into_iter()
                .map(|r| DomainRow {
                    summary: self.summary(&r.domain, Some(status_of(r.endpoints, r.up, r.down))),
                    endpoint_count: u32::try_from(r.endpoints).unwrap_or(0),
                    down_count: u32::try_from(r.down).unwrap_or(0),
                    updated_at: r.domain.updated_at,
                })
                .collect(),
        })
    }

    fn summary(&self, d: &Listed, monitor_status: Option<MonitorStatus>) -> DomainSummary {
        // Shown while the name is not served (the seed's shape otherwise).
        let verification = (!d.is_itm && d.claim != NameClaim::Active)
            .then(|| self.verification(d.account_id, &d.name, d.claim));
        DomainSummary {
            verification,
            domain: d.name.clone(),
            cname: if d.is_itm {
                format!("{}.{}", d.name, self.zone())
            } else {
                String::new()
            },
            status: d.status,
            monitor_status: monitor_status
                .filter(|_| monitored(d.status))
                .unwrap_or_default(),
            resource_status: "STARTED".into(),
            has_distribution: d.strategy_version.is_some()
                && d.claim == NameClaim::Active
                && matches!(d.status, DomainStatus::Start | DomainStatus::Pause),
        }
    }

    /// Creates every domain or none. ITM domains are renamed `<name>.<accountId>` and served
    /// under ITM's zone; a delegated (non-ITM) name is served under itself once the account has
    /// proved it controls it (`claims`), unless the installation trusts delegated names.
    pub async fn create_domains(
        &self,
        caller: &Caller,
        new: &[NewDomain],
    ) -> Result<Vec<CreatedDomain>> {
        caller.require(Permission::Write)?;
        if new.is_empty() {
            return Err(ServiceError::Invalid("the list of domains is empty".into()));
        }
        if new.len() > MAX_DOMAINS_PER_REQUEST {
            return Err(ServiceError::Invalid(format!(
                "at most {MAX_DOMAINS_PER_REQUEST} domains per request"
            )));
        }
        let mut planned = Vec::with_capacity(new.len());
        for (i, d) in new.iter().enumerate() {
            let field = |e: String| ServiceError::Invalid(format!("[{i}].domain: {e}"));
            let base = normalize_domain_name(&d.domain).map_err(field)?;
            let plan = if d.is_itm_domain {
                let name = format!("{base}.{}", caller.account_id());
                let served = format!("{name}.{}", self.zone());
                if served.len() > MAX_SERVED_NAME {
                    return Err(field(format!(
                        "\"{served}\" (the name answered under ITM's zone) is longer than \
                         {MAX_SERVED_NAME} characters"
                    )));
                }
                Planned::itm(name, served)
            } else {
                if self.under_own_zone(&base) {
                    return Err(field(format!(
                        "\"{base}\" is at or under ITM's own zone \"{}\"; create it as an ITM \
                         domain (isItmDomain: true) instead",
                        self.zone()
                    )));
                }
                Planned::delegated(base)
            };
            if planned.iter().any(|p: &Planned| p.name == plan.name) {
                return Err(ServiceError::Invalid(format!(
                    "[{i}].domain: \"{}\" appears twice",
                    d.domain
                )));
            }
            planned.push(plan);
        }
        // Delegated names another account holds unproved can be taken over with the proof. The
        // TXT lookups happen before the transaction (never hold the database across the
        // network); the transaction then checks everything again.
        let contested: Vec<String> = {
            let mut conn = self.store().conn().await?;
            let mut contested = Vec::new();
            for plan in planned.iter().filter(|p| !p.is_itm) {
                if let Some((_, owner, claim)) =
                    domains::by_served_name(&mut conn, &plan.served).await?
                    && owner != caller.account_id()
                    && claim != NameClaim::Active
                {
                    contested.push(plan.name.clone());
                }
            }
            contested
        };
        let mut proved = Vec::new();
        for name in contested {
            if self.proof_published(caller.account_id(), &name).await? {
                proved.push(name);
            }
        }
        let claim = self.new_delegated_claim();
        let mut tx = self.store().begin().await?;
        let mut ids = Vec::with_capacity(planned.len());
        for plan in &planned {
            if !plan.is_itm {
                self.check_delegated_name(&mut tx, caller, &plan.name, proved.contains(&plan.name))
                    .await?;
            }
            let row = domains::NewRow {
                account_id: caller.account_id(),
                name: &plan.name,
                served_name: &plan.served,
                is_itm: plan.is_itm,
                claim: if plan.is_itm || proved.contains(&plan.name) {
                    NameClaim::Active
                } else {
                    claim
                },
            };
            let id = domains::insert(&mut tx, row, &MonitorSettings::default())
                .await
                .map_err(|e| {
                    if e.is_unique_violation() {
                        ServiceError::Conflict(format!("domain \"{}\" already exists", plan.name))
                    } else {
                        e.into()
                    }
                })?;
            ids.push(id);
            self.audit(&mut tx, caller, "domain.create", &plan.name, "")
                .await?;
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish(ids);
        Ok(planned
            .into_iter()
            .map(|plan| {
                // A name waiting for its proof comes with the TXT record to publish.
                let pending =
                    !plan.is_itm && !proved.contains(&plan.name) && claim == NameClaim::Pending;
                let verification = pending.then(|| {
                    self.verification(caller.account_id(), &plan.name, NameClaim::Pending)
                });
                CreatedDomain {
                    domain: plan.name,
                    is_itm_domain: plan.is_itm,
                    verification,
                }
            })
            .collect())
    }

    /// Deletes every named domain (with its endpoints and strategies) or none.
    pub async fn delete_domains(&self, caller: &Caller, names: &[String]) -> Result<()> {
        caller.require(Permission::Write)?;
        if names.is_empty() {
            return Err(ServiceError::Invalid("the list of domains is empty".into()));
        }
        let mut tx = self.store().begin().await?;
        let mut deleted = Vec::with_capacity(names.len());
        for name in names {
            let domain = self.domain(&mut tx, caller, name).await?;
            deleted.push(domain.id);
            domains::delete(&mut tx, domain.id).await?;
            self.audit(&mut tx, caller, "domain.delete", name, "")
                .await?;
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish(deleted);
        Ok(())
    }

    pub async fn set_domain_status(
        &self,
        caller: &Caller,
        name: &str,
        status: DomainStatus,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        if status == DomainStatus::Unscheduled {
            return Err(ServiceError::Invalid(
                "status: must be \"start\", \"stop\" or \"pause\"".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        domains::set_status(&mut tx, domain.id, status).await?;
        self.audit(&mut tx, caller, "domain.status", name, status.code())
            .await?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(())
    }

    pub async fn domain_details(&self, caller: &Caller, name: &str) -> Result<DomainDetails> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, name).await?;
        let endpoint_count = crate::store::endpoints::list(&mut conn, d.id).await?.len() as u32;
        let states = self.endpoint_states(&mut conn, d.id).await?;
        let up = states.values().filter(|s| *s == "up").count() as i64;
        let down = states.values().filter(|s| *s == "down").count() as i64;
        let status = status_of(i64::from(endpoint_count), up, down);
        Ok(DomainDetails {
            summary: self.summary(&Listed::from(&d), Some(status)),
            is_itm_domain: d.is_itm,
            ttl: u32::try_from(d.ttl).unwrap_or(domains::DEFAULT_TTL as u32),
            endpoint_count,
            down_count: u32::try_from(down).unwrap_or(0),
            strategy_version: d.strategy_version,
            created_at: d.created_at,
            updated_at: d.updated_at,
            quarantine: self.quarantine().get(d.id).map(|held| Quarantined {
                reason: held.reason,
                since: held.since,
            }),
            name_servers: if d.is_itm {
                Vec::new()
            } else {
                self.node().name_servers().to_vec()
            },
        })
    }

    /// Whether the caller may see a domain named `name` (one indexed lookup): pages about a
    /// domain answer 404 before rendering when not.
    pub async fn sees_domain(&self, caller: &Caller, name: &str) -> Result<bool> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        match self.domain(&mut conn, caller, name).await {
            Ok(_) => Ok(true),
            Err(ServiceError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Sets the TTL of the domain's answers.
    pub async fn set_domain_ttl(&self, caller: &Caller, name: &str, ttl: i64) -> Result<()> {
        caller.require(Permission::Write)?;
        let in_range = u32::try_from(ttl).is_ok_and(|t| TTL_RANGE.contains(&t));
        if !in_range {
            return Err(ServiceError::Invalid(format!(
                "ttl: {ttl} is out of range 1..=86400 (seconds)"
            )));
        }
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        domains::set_ttl(&mut tx, domain.id, ttl).await?;
        self.audit(&mut tx, caller, "domain.ttl", name, &ttl.to_string())
            .await?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(())
    }

    pub async fn monitor_settings(&self, caller: &Caller, name: &str) -> Result<MonitorSettings> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        Ok(self.domain(&mut conn, caller, name).await?.monitor)
    }

    pub async fn set_monitor_settings(
        &self,
        caller: &Caller,
        name: &str,
        settings: MonitorSettings,
    ) -> Result<MonitorSettings> {
        caller.require(Permission::Write)?;
        let settings = settings.with_defaults();
        let mut tx = self.store().begin().await?;
        let points = self.point_names(&mut tx, caller.account_id()).await?;
        settings
            .validate(&points)
            .map_err(|e| ServiceError::fields(&e))?;
        let domain = self.domain(&mut tx, caller, name).await?;
        domains::set_monitor(&mut tx, domain.id, &settings).await?;
        let detail = serde_json::to_string(&settings).unwrap_or_default();
        self.audit(&mut tx, caller, "domain.monitor", name, &detail)
            .await?;
        tx.commit().await?;
        // Monitoring follows the feed: the next round uses the new settings, at once.
        self.changes().publish([domain.id]);
        Ok(settings)
    }

    /// The caller's domain named `name`; another account's domain is "not found" too.
    pub(super) async fn domain(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        name: &str,
    ) -> Result<Domain> {
        let not_found =
            || ServiceError::NotFound(format!("user has no domain: {}", name.escape_debug()));
        let key = name.trim().trim_end_matches('.').to_ascii_lowercase();
        // Only characters a listed name can have are looked up (PostgreSQL refuses NUL in text).
        let plausible = !key.is_empty()
            && key.len() <= 253
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !plausible {
            return Err(not_found());
        }
        domains::get(conn, caller.account_id(), &key)
            .await?
            .ok_or_else(not_found)
    }
}
