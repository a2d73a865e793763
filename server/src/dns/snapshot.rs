//! The DNS answers' in-memory snapshot: every domain's compiled samplers, keyed by the name DNS is
//! asked for, held in an atomically swapped `Arc`. Queries only load the current snapshot (no
//! lock, no database); changes build a new one beside it and swap it in.
//!
//! The map is sharded (`sharded`): replacing one domain copies one shard of pointers, not the
//! 100,000 other entries, so a change is visible within milliseconds whatever the size.
//! `pause` keeps the health the domain was answering with when it was paused.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use app::model::DomainStatus;
use app::strategy::{EndpointKind, Health, SamplerSet, Strategy, StrategyDocument};
use arc_swap::ArcSwap;
use hickory_proto::rr::{LowerName, Name};

use super::sharded::ShardedMap;
use super::volume::Tally;
use crate::health::HealthBook;
use crate::quarantine::Quarantine;
use crate::store::domains::{self, DnsDomain};
use crate::store::endpoints::compose;
use crate::store::endpoints::{self, Endpoint};
use crate::store::{Store, StoreError, config_version};

/// One domain's answers.
#[derive(Debug)]
pub struct DomainEntry {
    pub id: i64,
    /// The name answers are given for (its snapshot key).
    pub key: NameKey,
    /// A non-ITM domain, delegated to us: its name is a zone apex of its own.
    pub delegated: bool,
    pub ttl: u32,
    pub status: DomainStatus,
    /// `None` answers NODATA (stopped, not scheduled, no strategy), or SERVFAIL when quarantined.
    pub serving: Option<Arc<Serving>>,
    /// The stored strategy could not be loaded: `serving` is the last good build, if any.
    pub quarantined: bool,
    /// The health the samplers were built with (kept as it is while the domain is paused).
    pub health: HashMap<String, Health>,
    /// Queries since the last flush of query volume (handed on from entry to entry).
    pub tally: Arc<Tally>,
}

#[derive(Debug)]
pub struct Serving {
    pub samplers: SamplerSet,
    /// Per endpoint id of the compiled strategy: what to answer.
    pub targets: Box<[Target]>,
}

/// Boxed CNAME targets keep the common A/AAAA targets small (the snapshot holds 100,000s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(Box<Name>),
}

impl DomainEntry {
    /// The fully qualified name answers are given for.
    pub fn owner(&self) -> Name {
        self.key.name()
    }
}

/// A name as map key: its lower-case labels in wire format (length, bytes, …). Comparing two is
/// one memcmp, where comparing `LowerName`s walks labels case-insensitively. Shared between the
/// two maps and the entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NameKey(Arc<[u8]>);

/// The longest DNS name in wire format.
const MAX_NAME: usize = 255;

/// Writes `name`'s lower-case wire labels into `buffer` (no allocation); `None` if too long.
fn key_bytes<'b>(name: &LowerName, buffer: &'b mut [u8; MAX_NAME]) -> Option<&'b [u8]> {
    let mut len = 0;
    for label in name.iter() {
        let end = len + 1 + label.len();
        if end > MAX_NAME {
            return None;
        }
        buffer[len] = label.len() as u8;
        buffer[len + 1..end].copy_from_slice(label);
        len = end;
    }
    Some(&buffer[..len])
}

impl NameKey {
    pub fn of(name: &LowerName) -> NameKey {
        let mut buffer = [0u8; MAX_NAME];
        NameKey(key_bytes(name, &mut buffer).unwrap_or_default().into())
    }

    /// The fully qualified name (allocates; for answers off the fast path).
    pub fn name(&self) -> Name {
        let mut labels = Vec::new();
        let mut rest = &self.0[..];
        while let Some((&len, tail)) = rest.split_first() {
            let (label, tail) = tail.split_at(usize::from(len).min(tail.len()));
            labels.push(label);
            rest = tail;
        }
        let mut name = Name::from_labels(labels).unwrap_or_else(|_| Name::root());
        name.set_fqdn(true);
        name
    }
}

impl std::borrow::Borrow<[u8]> for NameKey {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

/// What DNS answers at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The SOA serial: the store's configuration version this snapshot reflects.
    pub serial: u32,
    /// When it was built (ms since the Unix epoch; 0: never), for its age in status and metrics.
    pub built_at: i64,
    names: ShardedMap<NameKey, Arc<DomainEntry>>,
    ids: ShardedMap<i64, NameKey>,
}

impl Snapshot {
    /// The domain answered under `name` (a lookup without allocation).
    pub fn domain(&self, name: &LowerName) -> Option<&Arc<DomainEntry>> {
        let mut buffer = [0u8; MAX_NAME];
        self.names.get(key_bytes(name, &mut buffer)?)
    }

    /// The domain answered under a name given as its lower-case wire labels (no root label).
    #[inline]
    pub fn domain_by_key(&self, labels: &[u8]) -> Option<&Arc<DomainEntry>> {
        self.names.get(labels)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Every domain served.
    pub fn entries(&self) -> impl Iterator<Item = &Arc<DomainEntry>> {
        self.names.values()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Takes domain `id` out; the name stays with whoever else holds it.
    fn remove(&mut self, id: i64) -> Option<Arc<DomainEntry>> {
        let name = self.ids.remove(&id)?;
        if self.names.get(&name).is_some_and(|held| held.id == id) {
            self.names.remove(&name)
        } else {
            None
        }
    }

    /// Puts `entry` in under its name. Two domains never share a name (the store's served-name
    /// index and the service's zone rules see to it); should two ever meet here, the older
    /// domain keeps the name and the collision is logged and counted, never silent.
    fn insert(&mut self, entry: DomainEntry) {
        if let Some(held) = self.names.get(&entry.key)
            && held.id != entry.id
        {
            crate::metrics::name_collision();
            let (older, younger) = (held.id.min(entry.id), held.id.max(entry.id));
            tracing::error!(
                "domains {older} and {younger} are both served as {}; domain {older} (the older) keeps the name",
                entry.key.name()
            );
            if held.id < entry.id {
                return;
            }
            let replaced = held.id;
            self.ids.remove(&replaced);
        }
        self.ids.insert(entry.id, entry.key.clone());
        self.names.insert(entry.key.clone(), Arc::new(entry));
    }
}

/// The shared, swappable snapshot and what building one needs.
#[derive(Debug)]
pub struct Answers {
    current: ArcSwap<Snapshot>,
    /// ITM's own zone (without the trailing dot); ITM domains live under it.
    zone: String,
    health: Arc<HealthBook>,
    /// The domains whose stored strategy could not be loaded (shared with the service).
    quarantine: Arc<Quarantine>,
}

impl Answers {
    pub fn new(zone: &str, health: Arc<HealthBook>) -> Answers {
        Answers {
            current: ArcSwap::from_pointee(Snapshot::default()),
            zone: zone.to_owned(),
            health,
            quarantine: Arc::default(),
        }
    }

    /// Records quarantined domains in `quarantine` (the service's, so the API can say why).
    pub fn with_quarantine(self, quarantine: Arc<Quarantine>) -> Answers {
        Answers { quarantine, ..self }
    }

    pub fn quarantine(&self) -> &Quarantine {
        &self.quarantine
    }

    /// The snapshot queries answer from (a lock-free atomic load).
    #[inline]
    pub fn load(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.current.load()
    }

    pub fn health(&self) -> &HealthBook {
        &self.health
    }

    /// Builds every domain from the store.
    pub async fn load_all(self: &Arc<Self>, store: &Store) -> Result<(), StoreError> {
        let mut conn = store.conn().await?;
        let serial = config_version(&mut conn).await?;
        let list = domains::for_dns(&mut conn, None).await?;
        let all_endpoints = endpoints::for_dns(&mut conn, None).await?;
        drop(conn);
        // Compiling strategies is CPU work: off the async workers, so queries keep flowing.
        let this = Arc::clone(self);
        run_blocking(move || {
            let mut by_domain: HashMap<i64, Vec<Endpoint>> = HashMap::new();
            for e in all_endpoints {
                by_domain.entry(e.domain_id).or_default().push(e);
            }
            let previous = this.load_full();
            let work: Vec<(DnsDomain, Vec<Endpoint>)> = list
                .into_iter()
                .map(|d| {
                    let endpoints = by_domain.remove(&d.id).unwrap_or_default();
                    (d, endpoints)
                })
                .collect();
            // Compiling is most of a full load (about 90 µs a domain): spread it over the CPUs.
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let chunk = work.len().div_ceil(threads).max(1);
            let built: Vec<Vec<DomainEntry>> = std::thread::scope(|scope| {
                let workers: Vec<_> = work
                    .chunks(chunk)
                    .map(|part| scope.spawn(|| this.build_all(part, &previous)))
                    .collect();
                workers
                    .into_iter()
                    .map(|w| {
                        w.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            });
            let mut next = Snapshot {
                serial: serial as u32,
                built_at: crate::clock::now_ms(),
                ..Snapshot::default()
            };
            for entry in built.into_iter().flatten() {
                next.insert(entry);
            }
            this.current.store(Arc::new(next));
        })
        .await
    }

    fn build_all(
        &self,
        part: &[(DnsDomain, Vec<Endpoint>)],
        previous: &Snapshot,
    ) -> Vec<DomainEntry> {
        part.iter()
            .filter_map(|(d, endpoints)| {
                let before = previous.ids.get(&d.id).and_then(|n| previous.names.get(n));
                self.build(d, endpoints, before.map(Arc::as_ref))
            })
            .collect()
    }

    /// Rebuilds the given domains (a deleted one is removed) and swaps the result in.
    pub async fn reload(self: &Arc<Self>, store: &Store, ids: &[i64]) -> Result<(), StoreError> {
        let mut conn = store.conn().await?;
        let serial = config_version(&mut conn).await?;
        let mut fresh = Vec::with_capacity(ids.len());
        for &id in ids {
            let found = domains::for_dns(&mut conn, Some(id)).await?;
            let endpoints = endpoints::for_dns(&mut conn, Some(id)).await?;
            fresh.push((id, found.into_iter().next(), endpoints));
        }
        drop(conn);
        let this = Arc::clone(self);
        run_blocking(move || {
            let mut next = Snapshot::clone(&this.load_full());
            for (id, domain, endpoints) in fresh {
                let before = next.remove(id);
                if domain.is_none() {
                    this.quarantine.release(id);
                }
                if let Some(entry) =
                    domain.and_then(|d| this.build(&d, &endpoints, before.as_deref()))
                {
                    next.insert(entry);
                }
            }
            next.serial = serial as u32;
            next.built_at = crate::clock::now_ms();
            this.current.store(Arc::new(next));
        })
        .await
    }

    fn load_full(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// One domain's entry; `None` when its name cannot be a DNS name (logged).
    fn build(
        &self,
        d: &DnsDomain,
        endpoints: &[Endpoint],
        before: Option<&DomainEntry>,
    ) -> Option<DomainEntry> {
        let fqdn = if d.is_itm {
            format!("{}.{}.", d.name, self.zone)
        } else {
            format!("{}.", d.name)
        };
        let owner = match Name::from_ascii(&fqdn) {
            Ok(name) => name,
            Err(e) => {
                tracing::warn!(
                    "domain {} is not a valid DNS name ({e}); not served",
                    d.name
                );
                return None;
            }
        };
        let health = match (d.status, before) {
            // Paused: keep answering with the health in force when the pause began.
            (DomainStatus::Pause, Some(before)) => before.health.clone(),
            _ => self.health.domain(d.id),
        };
        let mut quarantined = false;
        let serving = match (d.status, &d.document) {
            (DomainStatus::Start | DomainStatus::Pause, Some(document)) => {
                match load_strategy(document, endpoints, &health) {
                    Ok(serving) => {
                        self.quarantine.release(d.id);
                        Some(Arc::new(serving))
                    }
                    Err(reason) => {
                        quarantined = true;
                        let kept = before.and_then(|b| b.serving.clone());
                        tracing::error!(
                            "domain {} (id {}) quarantined: its stored strategy cannot be loaded ({reason}); {}",
                            d.name,
                            d.id,
                            if kept.is_some() {
                                "answering from its last good build"
                            } else {
                                "answering SERVFAIL"
                            }
                        );
                        self.quarantine.hold(d.id, reason);
                        kept
                    }
                }
            }
            _ => {
                self.quarantine.release(d.id);
                None
            }
        };
        Some(DomainEntry {
            id: d.id,
            key: NameKey::of(&LowerName::from(&owner)),
            delegated: !d.is_itm,
            ttl: u32::try_from(d.ttl).unwrap_or(60).clamp(1, 86_400),
            status: d.status,
            serving,
            quarantined,
            health,
            tally: before.map_or_else(Arc::default, |b| Arc::clone(&b.tally)),
        })
    }
}

/// Compiles a stored strategy over the domain's endpoints, or says why it cannot be. A panic
/// in the compiler (a bug) is caught here: it quarantines one domain instead of stopping DNS.
fn load_strategy(
    document: &str,
    endpoints: &[Endpoint],
    health: &HashMap<String, Health>,
) -> Result<Serving, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        serving(document, endpoints, health)
    }))
    .unwrap_or_else(|_| Err("the strategy compiler failed on it".to_owned()))
}

fn serving(
    document: &str,
    endpoints: &[Endpoint],
    health: &HashMap<String, Health>,
) -> Result<Serving, String> {
    let doc =
        StrategyDocument::from_json(document).map_err(|e| format!("it does not parse: {e}"))?;
    let composed = StrategyDocument {
        endpoints_conf: compose(endpoints, &doc.endpoints_conf),
        ..doc
    };
    let strategy = Strategy::compile(&composed)
        .map_err(|p| match p.errors.first() {
            Some(first) => format!("it is no longer valid: {first}"),
            None => "it is no longer valid".to_owned(),
        })?
        .strategy;
    let health_vec: Vec<Health> = strategy
        .endpoints
        .iter()
        .map(|e| health.get(&e.value).copied().unwrap_or_default())
        .collect();
    let targets = strategy
        .endpoints
        .iter()
        .map(|e| {
            target(e.kind, &e.value).ok_or_else(|| format!("endpoint {} is not usable", e.value))
        })
        .collect::<Result<Box<[Target]>, String>>()?;
    Ok(Serving {
        samplers: SamplerSet::compile(&strategy, &health_vec),
        targets,
    })
}

fn target(kind: EndpointKind, value: &str) -> Option<Target> {
    match kind {
        EndpointKind::A => value.parse().ok().map(Target::A),
        EndpointKind::Aaaa => value.parse().ok().map(Target::Aaaa),
        EndpointKind::Cname => Name::from_ascii(format!("{}.", value.trim_end_matches('.')))
            .ok()
            .map(|name| Target::Cname(Box::new(name))),
    }
}

/// Runs CPU-bound snapshot work on the blocking pool.
async fn run_blocking(work: impl FnOnce() + Send + 'static) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Corrupt(format!("snapshot build panicked: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gives_back_its_lower_case_name() {
        let name = Name::from_ascii("Shop.Example.COM.").expect("name");
        let key = NameKey::of(&LowerName::from(&name));
        assert_eq!(&key.0[..], b"\x04shop\x07example\x03com");
        assert_eq!(key.name().to_string(), "shop.example.com.");
        let root = NameKey::of(&LowerName::from(&Name::root()));
        assert!(root.name().is_root());
    }
}
