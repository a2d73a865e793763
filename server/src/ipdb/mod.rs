//! Client placement: which user group an address belongs to, through ip2region databases
//! (`xdb` reads the files, `region` says what their region strings mean).
//!
//! Every region string of a database is classified once, at load, into a user group (or "no
//! match"); a lookup is then one search in the file plus one array index — no string work and
//! no allocation per query. Several files may be loaded (one IPv4, one IPv6): an address goes to
//! the first of its family.

pub mod region;
pub mod xdb;

use std::net::IpAddr;
use std::path::Path;

use app::strategy::{Area, Isp, UserGroup};

use self::region::{HkMoTwArea, classify_with};
use self::xdb::{IpDb, IpDbError, IpVersion};

/// The group of an address the databases do not place: not a known Chinese address.
pub const UNPLACED: UserGroup = UserGroup {
    area: Area::NONE_ABROAD,
    isp: Isp::Other,
};

const NO_MATCH: u8 = u8::MAX;

/// Where an address was placed, and how far the answer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub group: UserGroup,
    /// The prefix length of the widest block around the address that the database places the
    /// same way (the ECS scope); `None` when no database covers the address.
    pub prefix_len: Option<u8>,
}

#[derive(Debug)]
struct Loaded {
    db: IpDb,
    /// Group index per region-block offset (only region starts are filled).
    groups: Box<[u8]>,
}

/// The loaded databases. Immutable after load; share behind an `Arc`.
#[derive(Debug, Default)]
pub struct Locator {
    loaded: Vec<Loaded>,
}

impl Locator {
    /// No database: every address is [`UNPLACED`].
    pub fn empty() -> Locator {
        Locator::default()
    }

    pub fn open(paths: &[impl AsRef<Path>]) -> Result<Locator, IpDbError> {
        let mut locator = Locator::empty();
        for path in paths {
            locator.add(IpDb::open(path)?);
        }
        Ok(locator)
    }

    pub fn add(&mut self, db: IpDb) {
        let mut groups = vec![NO_MATCH; db.region_block_len()].into_boxed_slice();
        for segment in db.segments() {
            let Some(offset) = db.region_offset(segment.region) else {
                continue;
            };
            if groups[offset] == NO_MATCH {
                groups[offset] = group_of(segment.region).map_or(NO_MATCH, |g| g.index() as u8);
            }
        }
        self.loaded.push(Loaded { db, groups });
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty()
    }

    /// The user group of `ip` (IPv4-mapped IPv6 counts as IPv4).
    pub fn place(&self, ip: IpAddr) -> Placement {
        let family = match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => IpVersion::V6,
            _ => IpVersion::V4,
        };
        for loaded in self.loaded.iter().filter(|l| l.db.ip_version() == family) {
            if let Some(located) = loaded.db.lookup(ip) {
                let group = loaded
                    .db
                    .region_offset(located.region)
                    .and_then(|o| loaded.groups.get(o).copied())
                    .filter(|&g| g != NO_MATCH)
                    .and_then(|g| UserGroup::from_index(usize::from(g)))
                    .unwrap_or(UNPLACED);
                return Placement {
                    group,
                    prefix_len: Some(located.prefix_len),
                };
            }
        }
        Placement {
            group: UNPLACED,
            prefix_len: None,
        }
    }
}

/// A region string's user group, per the mapping of the data notes; `None`: no match.
pub fn group_of(region: &str) -> Option<UserGroup> {
    classify_with(region, HkMoTwArea::NoneCn)
}
