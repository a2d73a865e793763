//! The console's live view: which of the caller's account's domains changed since a position in
//! the node's feeds — configuration, endpoint health, probe results — so its pages read again
//! within a second instead of on reload. Another account's changes are never named nor counted,
//! and the session is checked again before every answer (a logout or a deleted sub-user ends the
//! watch).
//!
//! A position is `instance.config.health.probes`: the sequences of this process's three feeds.
//! A position from another process (a restart, another node behind the same name) cannot be
//! resumed, and resumes as "everything changed".

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use app::model::Permission;
use tokio::sync::watch;

use super::{Caller, Result, Service, ServiceError};
use crate::node::{ChangeFeed, Changes};
use crate::store::domains;

/// Live views open at once on this node, and per user (each console tab that is visible holds
/// one).
pub const MAX_WATCHES: usize = 512;
pub const MAX_WATCHES_PER_USER: usize = 8;
/// Other accounts' domain ids a watch remembers as not its own before it forgets them all.
const MAX_FOREIGN: usize = 100_000;
/// A position longer than this is not one of ours.
const MAX_POSITION: usize = 128;

/// The live views open now: counts, so no one user (or everyone) holds the node's connections.
#[derive(Debug, Default)]
pub(super) struct Watches {
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_user: HashMap<i64, usize>,
}

/// What changed for the caller since the last answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveChanges {
    /// More changed than can be told (a resumed position from another process, a feed that
    /// forgot): every page reads again.
    pub everything: bool,
    /// Domains whose configuration changed (endpoints, strategy, status, monitor settings, the
    /// domain itself created or deleted).
    pub config: Vec<String>,
    /// Domains where monitoring changed an endpoint's health.
    pub health: Vec<String>,
    /// Domains whose probe results this node stored.
    pub probes: Vec<String>,
}

impl LiveChanges {
    pub fn is_empty(&self) -> bool {
        !self.everything
            && self.config.is_empty()
            && self.health.is_empty()
            && self.probes.is_empty()
    }
}

/// Where a watch is in the three feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Position {
    instance: String,
    config: u64,
    health: u64,
    probes: u64,
}

impl Position {
    fn parse(text: &str) -> Option<Position> {
        if text.len() > MAX_POSITION {
            return None;
        }
        let mut parts = text.split('.');
        let instance = parts.next()?.to_owned();
        let mut number = || parts.next()?.parse::<u64>().ok();
        let (config, health, probes) = (number()?, number()?, number()?);
        parts.next().is_none().then_some(Position {
            instance,
            config,
            health,
            probes,
        })
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Position {
            instance,
            config,
            health,
            probes,
        } = self;
        write!(f, "{instance}.{config}.{health}.{probes}")
    }
}

/// One open live view. Dropping it frees its place.
pub struct LiveWatch {
    service: Service,
    token: String,
    caller: Caller,
    position: Position,
    /// The first answer must say "everything": the position asked for could not be resumed.
    lost: bool,
    wake: [watch::Receiver<u64>; 3],
    /// The account's domains seen so far (ids are never reused, so a name stays right).
    own: HashMap<i64, String>,
    /// Ids known to be other accounts'.
    foreign: HashSet<i64>,
}

impl Service {
    /// Opens a live view for the console session `token`, from `since` (a position an earlier
    /// view gave) or from now.
    pub async fn watch_live(&self, token: &str, since: Option<&str>) -> Result<LiveWatch> {
        let caller = self.session_caller(token).await?;
        caller.require(Permission::Read)?;
        self.inner.watches.admit(caller.user.id)?;
        let node = self.node();
        let feeds = [
            node.changes(),
            node.health_changes(),
            node.probes_recorded(),
        ];
        let now = self.position_now();
        let resumed = since.map(|s| Position::parse(s).filter(|p| p.instance == now.instance));
        let (position, lost) = match resumed {
            None => (now, false),
            // A position past now was not given by this process: start from now.
            Some(Some(p)) => (
                Position {
                    config: p.config.min(now.config),
                    health: p.health.min(now.health),
                    probes: p.probes.min(now.probes),
                    ..now
                },
                false,
            ),
            Some(None) => (now, true),
        };
        Ok(LiveWatch {
            service: self.clone(),
            token: token.to_owned(),
            caller,
            position,
            lost,
            wake: feeds.map(ChangeFeed::subscribe),
            own: HashMap::new(),
            foreign: HashSet::new(),
        })
    }

    /// Where the feeds are now, as a position a live view can resume from (a page rendered now
    /// passes it to its first stream). It names no domain and no account.
    pub fn live_position(&self) -> String {
        self.position_now().to_string()
    }

    fn position_now(&self) -> Position {
        let node = self.node();
        Position {
            instance: node.instance().to_owned(),
            config: node.changes().sequence(),
            health: node.health_changes().sequence(),
            probes: node.probes_recorded().sequence(),
        }
    }

    async fn session_caller(&self, token: &str) -> Result<Caller> {
        let (user, _) = self.session_user(token, None).await?.ok_or_else(|| {
            ServiceError::Unauthenticated("the session has expired; log in again".into())
        })?;
        Ok(Caller {
            user,
            source: "live view".into(),
        })
    }
}

impl LiveWatch {
    /// The position to resume from after what was answered so far.
    pub fn position(&self) -> String {
        self.position.to_string()
    }

    /// Waits until one of the feeds moves (or at once when the first answer is "everything").
    /// False: the node is shutting down.
    pub async fn changed(&mut self) -> bool {
        let node = self.service.node();
        let behind = self.position.config < node.changes().sequence()
            || self.position.health < node.health_changes().sequence()
            || self.position.probes < node.probes_recorded().sequence();
        if self.lost || behind {
            return true;
        }
        let stopping = self.service.node().stopping().clone();
        let [config, health, probes] = &mut self.wake;
        tokio::select! {
            () = stopping.cancelled() => false,
            r = config.changed() => r.is_ok(),
            r = health.changed() => r.is_ok(),
            r = probes.changed() => r.is_ok(),
        }
    }

    /// What changed for the caller since the last answer. The session is checked first: an
    /// ended session is an error, and the watch should end.
    pub async fn take(&mut self) -> Result<LiveChanges> {
        self.caller = self.service.session_caller(&self.token).await?;
        self.caller.require(Permission::Read)?;
        let node = self.service.node().clone();
        let (config, c) = node.changes().since(self.position.config);
        let (health, h) = node.health_changes().since(self.position.health);
        let (probes, p) = node.probes_recorded().since(self.position.probes);
        let everything = std::mem::take(&mut self.lost);
        let mut changes = LiveChanges {
            everything,
            ..LiveChanges::default()
        };
        for (feed, into) in [
            (config, &mut changes.config),
            (health, &mut changes.health),
            (probes, &mut changes.probes),
        ] {
            match feed {
                Changes::Everything => changes.everything = true,
                Changes::Domains(ids) => *into = self.own_names(&ids).await?,
            }
        }
        (
            self.position.config,
            self.position.health,
            self.position.probes,
        ) = (c, h, p);
        if changes.everything {
            changes.config.clear();
            changes.health.clear();
            changes.probes.clear();
        }
        Ok(changes)
    }

    /// The names of those of `ids` that are the account's domains, asking the store only about
    /// ids not seen before.
    async fn own_names(&mut self, ids: &[i64]) -> Result<Vec<String>> {
        let unknown: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.own.contains_key(id) && !self.foreign.contains(id))
            .collect();
        if !unknown.is_empty() {
            let mut conn = self.service.store().conn().await?;
            let found =
                domains::names_in_account(&mut conn, self.caller.account_id(), &unknown).await?;
            if self.foreign.len() + unknown.len() > MAX_FOREIGN {
                self.foreign.clear();
            }
            self.foreign.extend(unknown);
            for (id, name) in found {
                self.foreign.remove(&id);
                self.own.insert(id, name);
            }
        }
        let mut names: Vec<String> = ids
            .iter()
            .filter_map(|id| self.own.get(id).cloned())
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(names)
    }
}

impl Drop for LiveWatch {
    fn drop(&mut self) {
        self.service.inner.watches.release(self.caller.user.id);
    }
}

impl Watches {
    fn admit(&self, user: i64) -> Result<()> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mine = open.per_user.get(&user).copied().unwrap_or(0);
        if open.total >= MAX_WATCHES || mine >= MAX_WATCHES_PER_USER {
            return Err(ServiceError::Throttled(format!(
                "too many live views open (at most {MAX_WATCHES_PER_USER} per user): close \
                 other console tabs"
            )));
        }
        open.total += 1;
        *open.per_user.entry(user).or_default() += 1;
        Ok(())
    }

    fn release(&self, user: i64) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_user.get_mut(&user) {
            *n -= 1;
            if *n == 0 {
                open.per_user.remove(&user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_back_what_they_wrote_and_nothing_else() {
        let p = Position {
            instance: "abc123".into(),
            config: 7,
            health: 0,
            probes: 42,
        };
        assert_eq!(Position::parse(&p.to_string()), Some(p));
        for bad in [
            "",
            "abc",
            "abc.1.2",
            "abc.1.2.3.4",
            "abc.1.x.3",
            "abc.-1.2.3",
        ] {
            assert_eq!(Position::parse(bad), None, "{bad}");
        }
        assert_eq!(Position::parse(&format!("{}.1.2.3", "a".repeat(200))), None);
    }

    #[test]
    fn places_are_counted_per_user_and_in_all() {
        let watches = Watches::default();
        for _ in 0..MAX_WATCHES_PER_USER {
            assert!(watches.admit(1).is_ok());
        }
        assert!(matches!(watches.admit(1), Err(ServiceError::Throttled(_))));
        assert!(watches.admit(2).is_ok());
        watches.release(1);
        assert!(watches.admit(1).is_ok());
    }
}
