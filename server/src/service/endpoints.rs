//! Endpoints: listing, adding (area/ISP detected from the IP when omitted), modifying, deleting
//! (refused while the enabled strategy uses the endpoint) and deleting with a regenerated
//! strategy. Each call is all-or-nothing, whatever the number of endpoints in it.

use std::collections::HashMap;

use app::model::{EndpointInput, EndpointRecord, Permission, implied_kind, validate_tag};
use app::strategy::MAX_ENDPOINTS;
use app::strategy::{Area, EndpointKind, Isp, value_error};
use serde::Deserialize;

use super::{Caller, Result, Service, ServiceError};
use crate::store::domains::Domain;
use crate::store::endpoints::{self, Endpoint};
use crate::store::{Conn, bump_config_version};

/// One element of `DELETE /v1/endpoints`.
#[derive(Clone, Debug, Deserialize)]
pub struct EndpointRef {
    pub domain: String,
    pub endpoint: String,
}

impl Service {
    pub async fn list_endpoints(
        &self,
        caller: &Caller,
        domain: &str,
    ) -> Result<Vec<EndpointRecord>> {
        caller.require(Permission::Read)?;
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, domain).await?;
        let list = endpoints::list(&mut conn, d.id).await?;
        let states = self.endpoint_states(&mut conn, d.id).await?;
        Ok(list
            .into_iter()
            .map(|e| EndpointRecord {
                status: super::monitoring::endpoint_status(&states, &e.value),
                domain: d.name.clone(),
                endpoint: e.value,
                kind: e.kind,
                area: e.area,
                isp: e.isp,
                tag: e.tag,
            })
            .collect())
    }

    pub async fn add_endpoints(&self, caller: &Caller, inputs: &[EndpointInput]) -> Result<()> {
        self.write_endpoints(caller, inputs, Mode::Add).await
    }

    pub async fn update_endpoints(&self, caller: &Caller, inputs: &[EndpointInput]) -> Result<()> {
        self.write_endpoints(caller, inputs, Mode::Update).await
    }

    async fn write_endpoints(
        &self,
        caller: &Caller,
        inputs: &[EndpointInput],
        mode: Mode,
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        if inputs.is_empty() {
            return Err(ServiceError::Invalid(
                "the list of endpoints is empty".into(),
            ));
        }
        if inputs.len() > MAX_ENDPOINTS {
            return Err(ServiceError::Invalid(format!(
                "at most {MAX_ENDPOINTS} endpoints per request"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        let mut tx = self.store().begin().await?;
        let mut touched: HashMap<i64, Domain> = HashMap::new();
        for (i, input) in inputs.iter().enumerate() {
            let domain = self.domain(&mut tx, caller, &input.domain).await?;
            let mut endpoint = self.checked_endpoint(i, input, domain.id)?;
            if !seen.insert((domain.id, endpoint.value.clone())) {
                return Err(ServiceError::Invalid(format!(
                    "[{i}].endpoint: \"{}\" appears twice",
                    endpoint.value
                )));
            }
            let existing = endpoints::get(&mut tx, domain.id, &endpoint.value).await?;
            match (mode, existing) {
                (Mode::Add, Some(_)) => {
                    return Err(ServiceError::Conflict(format!(
                        "[{i}].endpoint: domain \"{}\" already has endpoint \"{}\"",
                        domain.name, endpoint.value
                    )));
                }
                (Mode::Add, None) => {
                    endpoints::insert(&mut tx, &endpoint).await?;
                }
                (Mode::Update, None) => {
                    return Err(ServiceError::NotFound(format!(
                        "[{i}].endpoint: domain \"{}\" has no endpoint \"{}\"",
                        domain.name, endpoint.value
                    )));
                }
                (Mode::Update, Some(old)) => {
                    endpoint.id = old.id;
                    endpoints::update(&mut tx, &endpoint).await?;
                }
            }
            let action = if mode == Mode::Add {
                "endpoint.add"
            } else {
                "endpoint.update"
            };
            self.audit(
                &mut tx,
                caller,
                action,
                &format!("{}/{}", domain.name, endpoint.value),
                &endpoint.kind,
            )
            .await?;
            touched.insert(domain.id, domain);
        }
        // A strategy holds at most MAX_ENDPOINTS endpoints: a domain with more could not be
        // answered by any strategy.
        for domain in touched.values() {
            let count = endpoints::count(&mut tx, domain.id).await?;
            if count > MAX_ENDPOINTS as i64 {
                return Err(ServiceError::Invalid(format!(
                    "domain \"{}\": {count} endpoints, at most {MAX_ENDPOINTS} (the strategy limit)",
                    domain.name
                )));
            }
        }
        self.commit_endpoint_change(tx, touched).await
    }

    /// Validates one input (fields named `[i].field`) into the record to store.
    fn checked_endpoint(
        &self,
        i: usize,
        input: &EndpointInput,
        domain_id: i64,
    ) -> Result<Endpoint> {
        let invalid = |field: &str, message: String| {
            ServiceError::Invalid(format!("[{i}].{field}: {message}"))
        };
        let value = input.endpoint.trim().to_owned();
        if value.is_empty() {
            return Err(invalid("endpoint", "the endpoint is empty".into()));
        }
        let kind = if input.kind.is_empty() {
            implied_kind(&value)
        } else {
            EndpointKind::parse(&input.kind).ok_or_else(|| {
                invalid(
                    "type",
                    format!("unknown endpoint type \"{}\" (A, AAAA, CNAME)", input.kind),
                )
            })?
        };
        if let Some(expected) = value_error(kind, &value) {
            return Err(invalid(
                "endpoint",
                format!("\"{value}\" is not {expected} (type {})", kind.code()),
            ));
        }
        // Endpoints are probed: one on the server's loopback or a private network would let a
        // tenant aim the prober there.
        if let Some(why) = self.inner.config.probe_reach.refusal_of_name(&value) {
            return Err(invalid("endpoint", why));
        }
        let (detected_area, detected_isp) = self.locate(&value);
        let area = match &input.area {
            Some(code) => Area::from_code(code)
                .ok_or_else(|| invalid("area", format!("unknown area \"{code}\"")))?,
            None => detected_area,
        };
        let isp = match &input.isp {
            Some(code) => Isp::from_code(code).ok_or_else(|| {
                invalid(
                    "isp",
                    format!("unknown ISP \"{code}\" (ct, cu, cm, cernet, other)"),
                )
            })?,
            None => detected_isp,
        };
        validate_tag(&input.tag).map_err(|e| invalid("tag", e))?;
        Ok(Endpoint {
            id: 0,
            domain_id,
            value,
            kind: kind.code().to_owned(),
            area: area.code().to_owned(),
            isp: isp.code().to_owned(),
            tag: input.tag.clone(),
        })
    }

    /// The area and ISP of an endpoint's address, from the IP database (seed: 输入IP后，会自动
    /// 识别出该IP的地区及运营商). A host name, or an address no database places, is (none.CN, other).
    fn locate(&self, value: &str) -> (Area, Isp) {
        self.place(value).unwrap_or((Area::NONE_CN, Isp::Other))
    }

    /// Where the IP database places an endpoint value; `None` for host names and addresses no
    /// database covers (stored as `none.CN`/`other` when the request leaves them out).
    pub fn place(&self, value: &str) -> Option<(Area, Isp)> {
        let ip = value.trim().parse::<std::net::IpAddr>().ok()?;
        let placement = self.locator().place(ip);
        placement
            .prefix_len
            .map(|_| (placement.group.area, placement.group.isp))
    }

    /// Checks every touched domain's endpoint set, then commits and announces the change.
    async fn commit_endpoint_change(
        &self,
        mut tx: crate::store::Tx,
        touched: HashMap<i64, Domain>,
    ) -> Result<()> {
        for domain in touched.values() {
            self.check_endpoint_set(&mut tx, domain).await?;
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish(touched.into_keys());
        Ok(())
    }

    /// The seed's rule: a domain with endpoints keeps at least one A (IPv4) endpoint; and the
    /// enabled strategy must stay valid with the endpoints as they now are.
    async fn check_endpoint_set(&self, conn: &mut Conn, domain: &Domain) -> Result<()> {
        let list = endpoints::list(conn, domain.id).await?;
        if !list.is_empty() && !list.iter().any(|e| e.kind == "A") {
            return Err(ServiceError::Invalid(format!(
                "domain \"{}\" must keep at least one A (IPv4) endpoint",
                domain.name
            )));
        }
        if let Some(doc) = self.enabled_document(conn, domain).await? {
            self.compile_for(domain, &doc, &list).map_err(|e| match e {
                ServiceError::Invalid(m) => ServiceError::Conflict(format!(
                    "the change would break the enabled strategy of \"{}\": {m}",
                    domain.name
                )),
                other => other,
            })?;
        }
        Ok(())
    }

    pub async fn delete_endpoints(&self, caller: &Caller, refs: &[EndpointRef]) -> Result<()> {
        caller.require(Permission::Write)?;
        if refs.is_empty() {
            return Err(ServiceError::Invalid(
                "the list of endpoints is empty".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let mut touched: HashMap<i64, Domain> = HashMap::new();
        for (i, r) in refs.iter().enumerate() {
            let domain = self.domain(&mut tx, caller, &r.domain).await?;
            let endpoint = self
                .existing_endpoint(&mut tx, i, &domain, &r.endpoint)
                .await?;
            if let Some(doc) = self.enabled_document(&mut tx, &domain).await?
                && let Some(rule) = doc
                    .strategy
                    .rules
                    .iter()
                    .find(|rule| rule.items.iter().any(|it| it.reference == endpoint.value))
            {
                return Err(ServiceError::Conflict(format!(
                    "[{i}].endpoint: \"{}\" is used by rule \"{}\" of the strategy of \"{}\"; remove it from the strategy \
                     first, or use DELETE /v1/endpoints/del-with-regen-strategy",
                    endpoint.value, rule.name, domain.name
                )));
            }
            endpoints::delete(&mut tx, endpoint.id).await?;
            self.audit(
                &mut tx,
                caller,
                "endpoint.delete",
                &format!("{}/{}", domain.name, endpoint.value),
                "",
            )
            .await?;
            touched.insert(domain.id, domain);
        }
        self.commit_endpoint_change(tx, touched).await
    }

    /// Deletes endpoints of one domain. When the enabled strategy uses one of them, it is
    /// removed from it: the recommended strategy is regenerated from the endpoints that remain
    /// and enabled (none left: the domain has no strategy). Endpoints the strategy does not use
    /// leave it as it is.
    pub async fn delete_endpoints_regenerating(
        &self,
        caller: &Caller,
        refs: &[EndpointRef],
    ) -> Result<()> {
        caller.require(Permission::Write)?;
        let Some(first) = refs.first() else {
            return Err(ServiceError::Invalid(
                "the list of endpoints is empty".into(),
            ));
        };
        let mut tx = self.store().begin().await?;
        let domain = self.domain(&mut tx, caller, &first.domain).await?;
        let enabled = self.enabled_document(&mut tx, &domain).await?;
        let mut used = false;
        for (i, r) in refs.iter().enumerate() {
            if self.domain(&mut tx, caller, &r.domain).await?.id != domain.id {
                return Err(ServiceError::Invalid(format!(
                    "[{i}].domain: all endpoints must belong to one domain (\"{}\")",
                    domain.name
                )));
            }
            let endpoint = self
                .existing_endpoint(&mut tx, i, &domain, &r.endpoint)
                .await?;
            used |= enabled
                .as_ref()
                .is_some_and(|doc| uses(doc, &endpoint.value));
            endpoints::delete(&mut tx, endpoint.id).await?;
            self.audit(
                &mut tx,
                caller,
                "endpoint.delete",
                &format!("{}/{}", domain.name, endpoint.value),
                if used { "regenerate" } else { "" },
            )
            .await?;
        }
        let remaining = endpoints::list(&mut tx, domain.id).await?;
        if !remaining.is_empty() && !remaining.iter().any(|e| e.kind == "A") {
            return Err(ServiceError::Invalid(format!(
                "domain \"{}\" must keep at least one A (IPv4) endpoint",
                domain.name
            )));
        }
        // The seed: an endpoint the strategy uses is removed from it by regenerating the
        // recommended strategy; endpoints it does not use leave a hand-made strategy alone.
        if used {
            self.enable_recommended(
                &mut tx,
                caller,
                &domain,
                &remaining,
                super::VersionSource::Regenerate,
                "",
            )
            .await?;
        } else {
            self.check_endpoint_set(&mut tx, &domain).await?;
        }
        bump_config_version(&mut tx).await?;
        tx.commit().await?;
        self.changes().publish([domain.id]);
        Ok(())
    }

    async fn existing_endpoint(
        &self,
        conn: &mut Conn,
        i: usize,
        domain: &Domain,
        value: &str,
    ) -> Result<Endpoint> {
        endpoints::get(conn, domain.id, value.trim())
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "[{i}].endpoint: domain \"{}\" has no endpoint \"{value}\"",
                    domain.name
                ))
            })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Add,
    Update,
}

/// Whether any rule of `doc` references the endpoint `value`.
fn uses(doc: &app::strategy::StrategyDocument, value: &str) -> bool {
    doc.strategy
        .rules
        .iter()
        .any(|rule| rule.items.iter().any(|item| item.reference == value))
}
