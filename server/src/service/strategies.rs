//! Strategies: the enabled document of a domain, the recommendation, the all-or-nothing batch
//! update, and the versions every enable stores.
//!
//! The endpoints table is the truth about each endpoint's type, area and ISP; a strategy carries
//! only its tree and, per endpoint, the `evalHealth`/`enable` flags. `GET …/strategy` therefore
//! composes `endpointsConf` from the table and the enabled version's flags.

use std::collections::BTreeMap;

pub use app::model::{Base, Enabling, VersionInfo, VersionSource};
use app::model::{DomainSchedule, DomainStatus, EndpointStatus, Permission, StrategyDraft};
use app::strategy::{
    Area, Compiled, Isp, Strategy, StrategyDocument, StrategyTree, answers_nobody, recommend,
};

use super::monitoring::endpoint_status;
use super::{Caller, Result, Service, ServiceError};
use crate::store::domains::{self, Domain};
use crate::store::endpoints::{self, Endpoint, compose};
use crate::store::strategies::Made;
use crate::store::{Conn, StoreError, bump_config_version, drafts, strategies};

/// One domain's part of `POST /v1/strategys/update-or-create`: `{strategy, endpointsConf}`, and
/// which endpoint places (`type`, `area`, `isp`) the request actually stated — those are applied
/// to the endpoints (never dropped silently), the others keep the stored values.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyInput {
    pub document: StrategyDocument,
    pub stated: Vec<StatedEndpoint>,
}

/// What one `endpointsConf` entry said about its endpoint's type and place (`None`: omitted).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct StatedEndpoint {
    #[serde(default)]
    pub value: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub isp: Option<String>,
}

impl From<StrategyDocument> for StrategyInput {
    /// A document whose endpoint places are not to be applied (nothing stated).
    fn from(document: StrategyDocument) -> StrategyInput {
        StrategyInput {
            document,
            stated: Vec::new(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for StrategyInput {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Stated {
            #[serde(rename = "endpointsConf", default)]
            confs: Vec<StatedEndpoint>,
        }
        let value = serde_json::Value::deserialize(deserializer)?;
        // The inner paths stay in the message (`strategy.rules[0].items[0].weight: …`).
        let inner = |e: serde_path_to_error::Error<serde_json::Error>| {
            let path = e.path().to_string();
            serde::de::Error::custom(format!("{path}: {}", e.into_inner()))
        };
        let document: StrategyDocument = serde_path_to_error::deserialize(&value).map_err(inner)?;
        let stated: Stated = serde_path_to_error::deserialize(&value).map_err(inner)?;
        Ok(StrategyInput {
            document,
            stated: stated.confs,
        })
    }
}

impl Service {
    pub async fn strategy(&self, caller: &Caller, name: &str) -> Result<StrategyDocument> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let list = endpoints::list(&mut conn, domain.id).await?;
        let stored = self.enabled_document(&mut conn, &domain).await?;
        Ok(document_of(&domain, &list, stored))
    }

    /// The enabled strategy with each endpoint's live health: the console's scheduling results.
    pub async fn schedule(&self, caller: &Caller, name: &str) -> Result<DomainSchedule> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let list = endpoints::list(&mut conn, domain.id).await?;
        let stored = self.enabled_document(&mut conn, &domain).await?;
        let states = self.endpoint_states(&mut conn, domain.id).await?;
        Ok(DomainSchedule {
            document: document_of(&domain, &list, stored),
            enabled_version: domain.strategy_version,
            health: health_of(&list, &states),
        })
    }

    /// The schedule as it stood at `at` (ms): the version enabled then (the latest stored at or
    /// before it: every enable stores one) over today's endpoints, with each endpoint's health
    /// from the last health event by then. For the console's history comparison.
    pub async fn schedule_at(
        &self,
        caller: &Caller,
        name: &str,
        at: i64,
    ) -> Result<DomainSchedule> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let list = endpoints::list(&mut conn, domain.id).await?;
        let version = strategies::list(&mut conn, domain.id)
            .await?
            .into_iter()
            .find(|v| v.created_at <= at);
        let stored = version
            .as_ref()
            .map(|v| parse_stored(&v.document))
            .transpose()?;
        let states = crate::store::monitor::states_at(&mut conn, domain.id, at).await?;
        Ok(DomainSchedule {
            document: document_of(&domain, &list, stored),
            enabled_version: version.map(|v| v.version),
            health: health_of(&list, &states),
        })
    }

    /// Generates the recommended strategy from the domain's endpoints and enables it (against
    /// `enabling.base`, when the caller showed its diff against one).
    pub async fn recommend_strategy(
        &self,
        caller: &Caller,
        name: &str,
        enabling: &Enabling,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        let note = checked_note(enabling)?;
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        check_base(&domain, enabling.base)?;
        let list = endpoints::list(&mut tx, domain.id).await?;
        if list.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "domain \"{}\" has no endpoints to recommend a strategy from",
                domain.name
            )));
        }
        self.enable_recommended(
            &mut tx,
            caller,
            &domain,
            &list,
            VersionSource::Recommend,
            note,
        )
        .await?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(())
    }

    /// Validates every domain's strategy first; then enables them all in one transaction.
    pub async fn update_or_create_strategies(
        &self,
        caller: &Caller,
        batch: &BTreeMap<String, StrategyInput>,
        enabling: &Enabling,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        let note = checked_note(enabling)?;
        if batch.is_empty() {
            return Err(ServiceError::Invalid("the batch names no domain".into()));
        }
        let mut tx = self.store().begin().await?;
        let mut valid = Vec::with_capacity(batch.len());
        for (name, input) in batch {
            let domain = self.domain(&mut tx, caller, name).await?;
            let list = endpoints::list(&mut tx, domain.id).await?;
            check_endpoints_known(name, &input.document, &list)?;
            let list = self
                .apply_stated_places(&mut tx, caller, &domain, list, &input.stated)
                .await?;
            let doc = StrategyDocument {
                status: String::new(),
                ..input.document.clone()
            };
            let compiled = self
                .compile_for(&domain, &doc, &list)
                .map_err(|e| prefix(name, e))?;
            check_answers_somebody(&domain, &compiled, enabling.force)?;
            valid.push((domain, doc));
        }
        let made = self.made(caller, VersionSource::Api, note);
        for (domain, doc) in &valid {
            self.enable(&mut tx, caller, domain, doc, made).await?;
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish(valid.iter().map(|(d, _)| d.id));
        Ok(())
    }

    pub async fn strategy_versions(&self, caller: &Caller, name: &str) -> Result<Vec<VersionInfo>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let list = strategies::list(&mut conn, domain.id).await?;
        Ok(list
            .into_iter()
            .map(|v| VersionInfo {
                version: v.version,
                created_at: v.created_at,
                created_by: v.created_by,
                source: v.source,
                note: v.note,
                enabled: Some(v.version) == domain.strategy_version,
            })
            .collect())
    }

    /// Enables version `n` again (as a new version), if it is valid with today's endpoints.
    pub async fn restore_strategy_version(
        &self,
        caller: &Caller,
        name: &str,
        n: i64,
        enabling: &Enabling,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        let note = checked_note(enabling)?;
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        let stored = strategies::get(&mut tx, domain.id, n)
            .await?
            .ok_or_else(|| no_version(&domain, n))?;
        let doc = parse_stored(&stored.document)?;
        check_base(&domain, enabling.base)?;
        let list = endpoints::list(&mut tx, domain.id).await?;
        let compiled = self
            .compile_for(&domain, &doc, &list)
            .map_err(|e| match e {
                ServiceError::Invalid(m) => {
                    ServiceError::Conflict(format!("version {n} no longer fits the endpoints: {m}"))
                }
                other => other,
            })?;
        check_answers_somebody(&domain, &compiled, enabling.force)?;
        let made = self.made(caller, VersionSource::Restore, note);
        self.enable(&mut tx, caller, &domain, &doc, made).await?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(())
    }

    /// Version `n`'s document as `GET …/strategy` would show it had `n` been enabled: its tree
    /// and flags over today's endpoints (the editor loads it as a draft).
    pub async fn strategy_version(
        &self,
        caller: &Caller,
        name: &str,
        n: i64,
    ) -> Result<StrategyDocument> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let stored = strategies::get(&mut conn, domain.id, n)
            .await?
            .ok_or_else(|| no_version(&domain, n))?;
        let list = endpoints::list(&mut conn, domain.id).await?;
        Ok(document_of(
            &domain,
            &list,
            Some(parse_stored(&stored.document)?),
        ))
    }

    /// The domain's saved draft, if any. Its `endpointsConf` is recomposed from today's
    /// endpoints, like `GET …/strategy`, so a draft never shows an endpoint deleted since.
    pub async fn strategy_draft(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Option<StrategyDraft>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let domain = self.domain(&mut conn, caller, name).await?;
        let Some(draft) = drafts::get(&mut conn, domain.id).await? else {
            return Ok(None);
        };
        let list = endpoints::list(&mut conn, domain.id).await?;
        Ok(Some(StrategyDraft {
            document: document_of(&domain, &list, Some(parse_stored(&draft.document)?)),
            updated_at: draft.updated_at,
            updated_by: draft.updated_by,
        }))
    }

    /// Saves `doc` as the domain's draft (replacing the previous one). A draft may be invalid —
    /// it is work in progress — but must fit the size limits; enabling validates it.
    pub async fn save_strategy_draft(
        &self,
        caller: &Caller,
        name: &str,
        doc: &StrategyDocument,
    ) -> Result<StrategyDraft> {
        caller.require(Permission::Write)?;
        check_draft_size(doc)?;
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        let stored = StrategyDocument {
            status: String::new(),
            ..doc.clone()
        };
        let json =
            serde_json::to_string(&stored).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let updated_at = drafts::put(&mut tx, domain.id, &json, &caller.user.username).await?;
        self.audit(&mut tx, caller, "strategy.draft.save", &domain.name, "")
            .await?;
        tx.commit().await?;
        Ok(StrategyDraft {
            document: stored,
            updated_at,
            updated_by: caller.user.username.clone(),
        })
    }

    pub async fn discard_strategy_draft(&self, caller: &Caller, name: &str) -> Result<()> {
        caller.require(Permission::Write)?;
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        if !drafts::delete(&mut tx, domain.id).await? {
            return Err(ServiceError::NotFound(format!(
                "domain \"{}\" has no strategy draft",
                domain.name
            )));
        }
        self.audit(&mut tx, caller, "strategy.draft.discard", &domain.name, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Validates and enables `doc` for one domain and removes its draft, in one transaction:
    /// the editor's "Enable". The editor names as `enabling.base` the version it showed as
    /// enabled.
    pub async fn enable_strategy(
        &self,
        caller: &Caller,
        name: &str,
        doc: &StrategyDocument,
        enabling: &Enabling,
    ) -> Result<i64> {
        caller.require(Permission::Write)?;
        let note = checked_note(enabling)?;
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, name).await?;
        check_base(&domain, enabling.base)?;
        let list = endpoints::list(&mut tx, domain.id).await?;
        check_endpoints_known(name, doc, &list)?;
        let compiled = self.compile_for(&domain, doc, &list)?;
        check_answers_somebody(&domain, &compiled, enabling.force)?;
        let made = self.made(caller, VersionSource::Editor, note);
        let version = self.enable(&mut tx, caller, &domain, doc, made).await?;
        drafts::delete(&mut tx, domain.id).await?;
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(version)
    }

    /// Applies the area and ISP an update stated for its endpoints (in the caller's
    /// transaction, audited), so a sent value is never dropped; a stated type must be the
    /// stored one (types change with `PUT /v1/endpoints`). Returns the endpoints as they are now.
    async fn apply_stated_places(
        &self,
        tx: &mut Conn,
        caller: &Caller,
        domain: &Domain,
        mut list: Vec<Endpoint>,
        stated: &[StatedEndpoint],
    ) -> Result<Vec<Endpoint>> {
        let invalid = |i: usize, field: &str, message: String| {
            ServiceError::Invalid(format!(
                "{}: endpointsConf[{i}].{field}: {message}",
                domain.name
            ))
        };
        for (i, conf) in stated.iter().enumerate() {
            let Some(endpoint) = list.iter_mut().find(|e| e.value == conf.value.trim()) else {
                continue;
            };
            if let Some(kind) = &conf.kind
                && !kind.eq_ignore_ascii_case(&endpoint.kind)
            {
                return Err(invalid(
                    i,
                    "type",
                    format!(
                        "endpoint \"{}\" is {}, not {kind} (change endpoints with PUT /v1/endpoints)",
                        endpoint.value, endpoint.kind
                    ),
                ));
            }
            let area = match &conf.area {
                Some(code) => Area::from_code(code)
                    .ok_or_else(|| invalid(i, "area", format!("unknown area \"{code}\"")))?
                    .code(),
                None => endpoint.area.as_str(),
            }
            .to_owned();
            let isp = match &conf.isp {
                Some(code) => Isp::from_code(code)
                    .ok_or_else(|| {
                        invalid(
                            i,
                            "isp",
                            format!("unknown ISP \"{code}\" (ct, cu, cm, cernet, other)"),
                        )
                    })?
                    .code(),
                None => endpoint.isp.as_str(),
            }
            .to_owned();
            if area != endpoint.area || isp != endpoint.isp {
                endpoint.area = area;
                endpoint.isp = isp;
                endpoints::update(tx, endpoint).await?;
                let target = format!("{}/{}", domain.name, endpoint.value);
                let detail = format!(
                    "{} {} (from the strategy update)",
                    endpoint.area, endpoint.isp
                );
                self.audit(tx, caller, "endpoint.update", &target, &detail)
                    .await?;
            }
        }
        Ok(list)
    }

    /// The enabled strategy document of `domain`, as stored.
    pub(super) async fn enabled_document(
        &self,
        conn: &mut Conn,
        domain: &Domain,
    ) -> Result<Option<StrategyDocument>> {
        let Some(version) = domain.strategy_version else {
            return Ok(None);
        };
        let stored = strategies::get(conn, domain.id, version).await?;
        stored.map(|v| parse_stored(&v.document)).transpose()
    }

    /// Validates `doc` against the domain's endpoints; `Invalid` lists every problem.
    pub(super) fn compile_for(
        &self,
        domain: &Domain,
        doc: &StrategyDocument,
        list: &[Endpoint],
    ) -> Result<Compiled> {
        let composed = StrategyDocument {
            status: String::new(),
            strategy: doc.strategy.clone(),
            endpoints_conf: compose(list, &doc.endpoints_conf),
        };
        Strategy::compile(&composed).map_err(|problems| {
            let lines: Vec<String> = problems.errors.iter().map(ToString::to_string).collect();
            ServiceError::Invalid(format!(
                "invalid strategy for \"{}\": {}",
                domain.name,
                lines.join("; ")
            ))
        })
    }

    pub(super) async fn enable_recommended(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        domain: &Domain,
        list: &[Endpoint],
        source: VersionSource,
        note: &str,
    ) -> Result<()> {
        if list.is_empty() {
            domains::clear_strategy(conn, domain.id).await?;
            self.audit(
                conn,
                caller,
                "strategy.clear",
                &domain.name,
                "no endpoints left",
            )
            .await?;
            return Ok(());
        }
        let doc = recommend(&compose(list, &[]));
        self.compile_for(domain, &doc, list)?;
        let made = self.made(caller, source, note);
        self.enable(conn, caller, domain, &doc, made).await?;
        Ok(())
    }

    fn made<'a>(&self, caller: &'a Caller, source: VersionSource, note: &'a str) -> Made<'a> {
        Made {
            by: &caller.user.username,
            source,
            note,
        }
    }

    /// Stores `doc` as the domain's next version and enables it; an unscheduled domain starts.
    /// Returns the version.
    async fn enable(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        domain: &Domain,
        doc: &StrategyDocument,
        made: Made<'_>,
    ) -> Result<i64> {
        let stored = StrategyDocument {
            status: String::new(),
            ..doc.clone()
        };
        let json =
            serde_json::to_string(&stored).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let version = strategies::insert(conn, domain.id, &json, made).await?;
        domains::set_strategy_version(conn, domain.id, version).await?;
        if domain.status == DomainStatus::Unscheduled {
            domains::set_status(conn, domain.id, DomainStatus::Start).await?;
        }
        self.audit(
            conn,
            caller,
            "strategy.enable",
            &domain.name,
            &format!("version {version} ({})", made.source.code()),
        )
        .await?;
        Ok(version)
    }
}

/// A change prepared against `base` is refused when another version is enabled now, rather
/// than silently undoing someone else's change.
fn check_base(domain: &Domain, base: Base) -> Result<()> {
    let Base::Version(shown) = base else {
        return Ok(());
    };
    if domain.strategy_version == shown {
        return Ok(());
    }
    let name = |v: Option<i64>| v.map_or_else(|| "none".to_owned(), |v| format!("version {v}"));
    Err(ServiceError::Conflict(format!(
        "the enabled strategy of \"{}\" changed since it was shown (shown {}, now {}); load it from the versions list and apply your change again",
        domain.name,
        name(shown),
        name(domain.strategy_version)
    )))
}

/// A strategy that answers no user group in either family would make DNS answer nothing for
/// the domain: refused unless the caller forces it.
fn check_answers_somebody(domain: &Domain, compiled: &Compiled, force: bool) -> Result<()> {
    if force || !answers_nobody(&compiled.strategy) {
        return Ok(());
    }
    Err(ServiceError::Conflict(format!(
        "the strategy of \"{}\" answers no user group (every group's A and AAAA answers would be empty, with every endpoint up): DNS would answer nothing for it; fix the strategy, or enable it anyway with force",
        domain.name
    )))
}

fn checked_note(enabling: &Enabling) -> Result<&str> {
    enabling.checked_note().map_err(ServiceError::Invalid)
}

fn no_version(domain: &Domain, n: i64) -> ServiceError {
    ServiceError::NotFound(format!(
        "domain \"{}\" has no strategy version {n}",
        domain.name
    ))
}

/// Every `endpointsConf` entry must name an endpoint of the domain.
fn check_endpoints_known(name: &str, doc: &StrategyDocument, list: &[Endpoint]) -> Result<()> {
    for (i, conf) in doc.endpoints_conf.iter().enumerate() {
        if !list.iter().any(|e| e.value == conf.value.trim()) {
            return Err(ServiceError::Invalid(format!(
                "{name}: endpointsConf[{i}].value: \"{}\" is not an endpoint of the domain (add it with POST /v1/endpoints)",
                conf.value
            )));
        }
    }
    Ok(())
}

/// A draft may be invalid, never oversized: the strategy's own size limits (rules, items,
/// endpoints; docs/strategy.md), checked before anything is stored.
fn check_draft_size(doc: &StrategyDocument) -> Result<()> {
    doc.check_limits()
        .map_err(|problem| ServiceError::Invalid(problem.to_string()))
}

/// The document `GET …/strategy` shows: the stored tree (none: empty) with `endpointsConf`
/// composed from today's endpoints.
fn document_of(
    domain: &Domain,
    list: &[Endpoint],
    stored: Option<StrategyDocument>,
) -> StrategyDocument {
    let (tree, flags) = match stored {
        Some(doc) => (doc.strategy, doc.endpoints_conf),
        None => (
            StrategyTree {
                start: String::new(),
                rules: Vec::new(),
            },
            Vec::new(),
        ),
    };
    StrategyDocument {
        status: domain.status.code().to_owned(),
        strategy: tree,
        endpoints_conf: compose(list, &flags),
    }
}

/// Each endpoint's status from the decided states (`up`/`down`; absent: unknown).
fn health_of(
    list: &[Endpoint],
    states: &std::collections::HashMap<String, String>,
) -> Vec<(String, EndpointStatus)> {
    list.iter()
        .map(|e| (e.value.clone(), endpoint_status(states, &e.value)))
        .collect()
}

fn parse_stored(json: &str) -> Result<StrategyDocument> {
    StrategyDocument::from_json(json)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("strategy version: {e}"))))
}

fn prefix(name: &str, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid(m) if !m.contains(name) => {
            ServiceError::Invalid(format!("{name}: {m}"))
        }
        other => other,
    }
}
