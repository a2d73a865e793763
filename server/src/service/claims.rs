//! Who may answer a name. DNS answers every domain under the one name it is served at, and no
//! account may ever answer for another's: the served name (ITM domains `<name>.<zone>`, delegated
//! ones their own name) is unique in the store, a delegated name may not lie at or under ITM's
//! zone or another account's delegated domain, and a new delegated name is `pending` until the
//! account proves it controls it — a TXT record `_itm-challenge.<name>` carrying the token we
//! gave, looked up through the verify resolver (Route 53 and Cloudflare custom hostnames work
//! the same way). An installation with one account may trust delegated names instead.

use app::model::{CHALLENGE_LABEL, NameClaim, Permission, Verification};

use super::{Caller, Result, Service, ServiceError};
use crate::resolver::Resolver;
use crate::store::audit::{self, Actor};
use crate::store::{Conn, bump_config_version, domains};

/// How a new delegated name becomes served.
#[derive(Clone, Debug)]
pub struct Delegation {
    /// Where TXT proofs are looked up (`--verify-resolver`).
    pub resolver: Resolver,
    /// Serve new delegated names at once, first come first served, instead of waiting for their
    /// proof (`--trust-delegated-names`: for installations with one account).
    pub trusted: bool,
}

/// Pending names looked at per background round.
const PENDING_PER_ROUND: i64 = 500;

impl Service {
    pub(super) fn new_delegated_claim(&self) -> NameClaim {
        if self.inner.config.delegation.trusted {
            NameClaim::Active
        } else {
            NameClaim::Pending
        }
    }

    /// Whether `name` is ITM's zone or a name under it (only ITM domains live there).
    pub(super) fn under_own_zone(&self, name: &str) -> bool {
        is_at_or_under(name, self.zone())
    }

    /// The TXT record that proves `account_id` controls `name`.
    pub(super) fn verification(
        &self,
        account_id: i64,
        name: &str,
        status: NameClaim,
    ) -> Verification {
        Verification {
            status,
            txt_name: format!("{CHALLENGE_LABEL}.{name}"),
            txt_value: format!(
                "itm-verify={}",
                self.inner
                    .sealer
                    .token("challenge", &format!("{account_id}|{name}"))
            ),
        }
    }

    /// Whether the proof for (`account_id`, `name`) is published now. A failed lookup is "not
    /// yet" (logged): the name stays pending.
    pub(super) async fn proof_published(&self, account_id: i64, name: &str) -> Result<bool> {
        match self.look_for_proof(account_id, name).await {
            Ok(found) => Ok(found),
            Err(e) => {
                tracing::info!("proof of control of {name}: {e}");
                Ok(false)
            }
        }
    }

    async fn look_for_proof(
        &self,
        account_id: i64,
        name: &str,
    ) -> std::result::Result<bool, String> {
        let expected = self.verification(account_id, name, NameClaim::Pending);
        let texts = self
            .inner
            .config
            .delegation
            .resolver
            .txt(&expected.txt_name)
            .await
            .map_err(|e| format!("looking up TXT {}: {e}", expected.txt_name))?;
        Ok(texts.iter().any(|t| t.trim() == expected.txt_value))
    }

    /// Refuses a delegated `name` the caller may not have: at or under another account's
    /// delegated domain, or held by another account (unless `proved` and only pending there,
    /// in which case that claim is dropped here, in the caller's transaction).
    pub(super) async fn check_delegated_name(
        &self,
        tx: &mut Conn,
        caller: &Caller,
        name: &str,
        proved: bool,
    ) -> Result<()> {
        let parents = parents(name);
        if let Some(apex) = domains::delegated_of_others(tx, caller.account_id(), &parents)
            .await?
            .into_iter()
            .next()
        {
            return Err(ServiceError::Conflict(format!(
                "\"{name}\" is under \"{apex}\", a delegated domain of another account"
            )));
        }
        let Some((id, owner, claim)) = domains::by_served_name(tx, name).await? else {
            return Ok(());
        };
        if owner == caller.account_id() {
            return Err(ServiceError::Conflict(format!(
                "domain \"{name}\" already exists"
            )));
        }
        if claim == NameClaim::Active {
            return Err(ServiceError::Conflict(format!(
                "\"{name}\" is served for another account"
            )));
        }
        if !proved {
            let proof = self.verification(caller.account_id(), name, NameClaim::Pending);
            return Err(ServiceError::Conflict(format!(
                "\"{name}\" is claimed by another account that has not proved control of it; to \
                 take it over, publish TXT {} \"{}\" and create it again",
                proof.txt_name, proof.txt_value
            )));
        }
        domains::delete(tx, id).await?;
        let system = Actor {
            account_id: owner,
            user_id: 0,
            username: "itm",
            source: "proof of control",
        };
        audit::record(
            tx,
            &system,
            "domain.released",
            name,
            &format!(
                "another account proved control of the name (account {})",
                caller.account_id()
            ),
        )
        .await?;
        Ok(())
    }

    /// Looks for the proof of the caller's pending delegated domain `name` now and, when it is
    /// there, serves the name. Answers the domain's verification; a missing proof is a conflict
    /// saying what was found.
    pub async fn verify_domain(&self, caller: &Caller, name: &str) -> Result<Verification> {
        caller.require(Permission::Write)?;
        let domain = {
            let mut conn = self.store().conn().await?;
            self.domain(&mut conn, caller, name).await?
        };
        if domain.is_itm {
            return Err(ServiceError::Invalid(format!(
                "\"{}\" is an ITM domain: it is served under ITM's zone and needs no proof",
                domain.name
            )));
        }
        if domain.claim != NameClaim::Pending {
            return Ok(self.verification(caller.account_id(), &domain.name, domain.claim));
        }
        let expected = self.verification(caller.account_id(), &domain.name, NameClaim::Pending);
        let found = self
            .look_for_proof(caller.account_id(), &domain.name)
            .await
            .map_err(ServiceError::Conflict)?;
        if !found {
            return Err(ServiceError::Conflict(format!(
                "no TXT record {} \"{}\" found yet (it may take the resolver a while to see it)",
                expected.txt_name, expected.txt_value
            )));
        }
        let mut tx = self.store().begin().await?;
        let activated = self
            .activate(&mut tx, caller, domain.id, &domain.name)
            .await?;
        tx.commit().await?;
        if activated {
            self.changes().publish([domain.id]);
        }
        Ok(Verification {
            status: NameClaim::Active,
            ..expected
        })
    }

    /// Serves a pending delegated domain whose proof was found, if it still may be: nobody else
    /// took a zone above it meanwhile. False when it was no longer pending.
    async fn activate(&self, tx: &mut Conn, caller: &Caller, id: i64, name: &str) -> Result<bool> {
        let Some((_, _, NameClaim::Pending)) = domains::by_served_name(tx, name).await? else {
            return Ok(false);
        };
        if let Some(apex) = domains::delegated_of_others(tx, caller.account_id(), &parents(name))
            .await?
            .into_iter()
            .next()
        {
            return Err(ServiceError::Conflict(format!(
                "\"{name}\" is under \"{apex}\", a delegated domain of another account"
            )));
        }
        domains::set_claim(tx, id, NameClaim::Active).await?;
        self.audit(tx, caller, "domain.verify", name, "").await?;
        bump_config_version(tx).await?;
        Ok(true)
    }

    /// Looks for the proofs of pending delegated names (the oldest first, a bounded number per
    /// call) and serves those that have one. Returns how many became served.
    pub async fn verify_pending(&self) -> Result<usize> {
        if self.inner.config.delegation.trusted {
            return Ok(0);
        }
        let pending = {
            let mut conn = self.store().conn().await?;
            domains::pending(&mut conn, PENDING_PER_ROUND).await?
        };
        let mut served = Vec::new();
        for (id, account_id, name) in pending {
            if !self.proof_published(account_id, &name).await? {
                continue;
            }
            let system = Caller::system(account_id, "proof of control");
            let mut tx = self.store().begin().await?;
            match self.activate(&mut tx, &system, id, &name).await {
                Ok(true) => {
                    tx.commit().await?;
                    tracing::info!("{name}: proof of control found; now served");
                    served.push(id);
                }
                Ok(false) => {}
                Err(e) => tracing::info!("{name}: proof found but not served: {e}"),
            }
        }
        let count = served.len();
        if count > 0 {
            self.changes().publish(served);
        }
        Ok(count)
    }

    /// At start: every ITM domain gets its served name under today's zone, and a delegated name
    /// that overlaps a zone served for someone else (ITM's zone, another account's delegated
    /// domain above it: possible in stores written before these rules) is marked `conflict` and
    /// no longer served. Returns the names so marked, for the log.
    pub async fn check_served_names(&self) -> Result<Vec<String>> {
        let mut tx = self.store().begin().await?;
        let delegated = domains::delegated(&mut tx).await?;
        let active: std::collections::HashMap<&str, i64> = delegated
            .iter()
            .filter(|(_, _, _, claim)| *claim == NameClaim::Active)
            .map(|(_, account, name, _)| (name.as_str(), *account))
            .collect();
        let mut marked = Vec::new();
        for (id, account, name, claim) in &delegated {
            if *claim == NameClaim::Conflict {
                continue;
            }
            let under_another = parents(name)
                .iter()
                .any(|p| active.get(p.as_str()).is_some_and(|owner| owner != account));
            if self.under_own_zone(name) || under_another {
                domains::mark_conflict(&mut tx, *id).await?;
                marked.push(name.clone());
            }
        }
        domains::set_itm_served_names(&mut tx, self.zone()).await?;
        if !marked.is_empty() {
            bump_config_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(marked)
    }
}

/// `name`'s parents, nearest first, down to (not including) the top-level label.
fn parents(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = name;
    while let Some((_, parent)) = rest.split_once('.') {
        if !parent.contains('.') {
            break;
        }
        out.push(parent.to_owned());
        rest = parent;
    }
    out
}

/// Whether `name` is `zone` or lies under it (both lower-case, no trailing dot).
fn is_at_or_under(name: &str, zone: &str) -> bool {
    name == zone
        || name
            .strip_suffix(zone)
            .is_some_and(|head| head.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_stop_above_the_top_level() {
        assert_eq!(
            parents("a.www.example.com"),
            ["www.example.com", "example.com"]
        );
        assert!(parents("example.com").is_empty());
    }

    #[test]
    fn names_at_or_under_a_zone_are_recognised_by_labels() {
        assert!(is_at_or_under("itm.localhost", "itm.localhost"));
        assert!(is_at_or_under("1.itm.localhost", "itm.localhost"));
        assert!(is_at_or_under("www.a.com.1.itm.localhost", "itm.localhost"));
        assert!(!is_at_or_under("xitm.localhost", "itm.localhost"));
        assert!(!is_at_or_under("localhost", "itm.localhost"));
    }
}
