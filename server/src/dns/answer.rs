//! Resolution: what a query for (name, type) from a user group gets, read from the snapshot.
//! Pure: no I/O and no allocation; the handler turns the outcome into a DNS message.
//!
//! - names under ITM's zone: the apex answers SOA/NS; `<domain>.<account>.<zone>` answers its
//!   strategy; any other name is NXDOMAIN;
//! - a non-ITM (delegated) domain is the apex of its own zone: its strategy, SOA and NS;
//!   names below it are NXDOMAIN;
//! - names outside every zone we serve are REFUSED (never an open resolver);
//! - stopped or unscheduled domains, and types without an answer, are NODATA;
//! - a quarantined domain (its stored strategy could not be loaded) without a last good build
//!   is SERVFAIL: resolvers try again later instead of caching an empty answer.

use app::strategy::{Family, UserGroup};
use hickory_proto::rr::{LowerName, RecordType};

use super::snapshot::{DomainEntry, Snapshot, Target};

/// The zone a name falls in.
#[derive(Clone, Copy, Debug)]
pub enum ZoneOf<'s> {
    /// ITM's own zone.
    Itm,
    /// A delegated (non-ITM) domain's zone.
    Delegated(&'s DomainEntry),
}

#[derive(Clone, Copy, Debug)]
pub enum Outcome<'s> {
    /// The strategy's pick: an A/AAAA record, or a CNAME for a CNAME endpoint.
    Answer {
        domain: &'s DomainEntry,
        target: &'s Target,
    },
    /// The zone apex's SOA or NS records.
    Apex {
        zone: ZoneOf<'s>,
        kind: ApexRecords,
    },
    NoData {
        zone: ZoneOf<'s>,
    },
    NxDomain {
        zone: ZoneOf<'s>,
    },
    ServFail,
    Refused,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApexRecords {
    Soa,
    Ns,
}

pub fn resolve<'s>(
    snapshot: &'s Snapshot,
    zone_apex: &LowerName,
    qname: &LowerName,
    qtype: RecordType,
    group: UserGroup,
    random: u64,
) -> Outcome<'s> {
    if let Some(domain) = snapshot.domain(qname) {
        // Every query for a served name counts in its query volume, whatever the answer.
        domain.tally.count(group);
        let zone = if domain.delegated {
            ZoneOf::Delegated(domain)
        } else {
            ZoneOf::Itm
        };
        return match (domain.delegated, qtype) {
            (true, RecordType::SOA) => Outcome::Apex {
                zone,
                kind: ApexRecords::Soa,
            },
            (true, RecordType::NS) => Outcome::Apex {
                zone,
                kind: ApexRecords::Ns,
            },
            _ => strategy_answer(domain, zone, qtype, group, random),
        };
    }
    if qname == zone_apex {
        return match qtype {
            RecordType::SOA => Outcome::Apex {
                zone: ZoneOf::Itm,
                kind: ApexRecords::Soa,
            },
            RecordType::NS => Outcome::Apex {
                zone: ZoneOf::Itm,
                kind: ApexRecords::Ns,
            },
            _ => Outcome::NoData { zone: ZoneOf::Itm },
        };
    }
    if zone_apex.zone_of(qname) {
        return Outcome::NxDomain { zone: ZoneOf::Itm };
    }
    // Below a delegated domain? Walk up the parents (only for names that are not domains).
    let mut parent = qname.base_name();
    while !parent.is_root() {
        if let Some(domain) = snapshot.domain(&parent).filter(|d| d.delegated) {
            return Outcome::NxDomain {
                zone: ZoneOf::Delegated(domain),
            };
        }
        parent = parent.base_name();
    }
    Outcome::Refused
}

/// The strategy's answer for a domain's own name.
pub fn strategy_answer<'s>(
    domain: &'s DomainEntry,
    zone: ZoneOf<'s>,
    qtype: RecordType,
    group: UserGroup,
    random: u64,
) -> Outcome<'s> {
    let family = match qtype {
        RecordType::A | RecordType::CNAME | RecordType::ANY => Family::A,
        RecordType::AAAA => Family::Aaaa,
        _ => return Outcome::NoData { zone },
    };
    let Some(serving) = &domain.serving else {
        if domain.quarantined {
            return Outcome::ServFail;
        }
        return Outcome::NoData { zone };
    };
    let Some(sampler) = serving.samplers.sampler(group, family) else {
        return Outcome::NoData { zone };
    };
    let Some(target) = serving.targets.get(sampler.pick(random).index()) else {
        return Outcome::NoData { zone };
    };
    // A CNAME query is answered only by a CNAME endpoint.
    if qtype == RecordType::CNAME && !matches!(target, Target::Cname(_)) {
        return Outcome::NoData { zone };
    }
    Outcome::Answer { domain, target }
}
