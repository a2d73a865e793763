//! Reader for ip2region `xdb` IP databases. What their region strings mean for ITM (area and
//! ISP) is `region`'s business.
//!
//! # The file format in brief
//!
//! An xdb file is `header | vector index | region data | segment index`, all integers
//! little-endian, all pointers 32-bit absolute file offsets:
//!
//! * **Header** (256 bytes): `u16 structure` (2 = IPv4-only generation, 3 = current, IPv4 or
//!   IPv6), `u16 index_policy` (1 = vector index), `u32 created_at`, `u32 start_index_ptr`
//!   (first segment entry), `u32 end_index_ptr` (last segment entry, inclusive), and for
//!   structure 3 `u16 ip_version` (4 or 6) and `u16 runtime_ptr_bytes` (4).
//! * **Vector index**: 256 × 256 cells of `u32 first_ptr, u32 end_ptr` (end exclusive), one per
//!   value of the address's first two bytes. A zero pointer means "no data for this prefix".
//! * **Region data**: the distinct region strings (`中国|0|江苏省|南京市|电信` …), concatenated
//!   without separators and referenced by `(ptr, len)`.
//! * **Segment index**: fixed-size entries sorted by start address — 14 bytes for IPv4
//!   (`u32 start, u32 end` stored little-endian, `u16 len, u32 ptr`), 38 bytes for IPv6
//!   (16-byte start and end in network order, then `u16 len, u32 ptr`). The maker splits
//!   segments at first-two-byte boundaries, so every entry belongs to exactly one vector cell.
//!
//! # Why the reader is shaped this way
//!
//! The vector index turns a lookup into one direct jump (first two bytes) followed by a
//! binary search over at most a few thousand entries, i.e. at most ~17 probes, so the whole
//! file is kept in memory and searched in place: no parsing into structures, no locks, no
//! allocation per lookup. [`IpDb`] is immutable and `Send + Sync`; share it behind an `Arc`.
//!
//! Validation is split by cost. Everything global is checked once in [`IpDb::from_bytes`] and
//! reported as an [`IpDbError`]: header fields, segment-index bounds, every vector cell, and
//! the region-data block as a whole, which must be UTF-8. Because the strings are stored back
//! to back, a `(ptr, len)` slice of a valid UTF-8 block is itself valid exactly when both ends
//! fall on character boundaries, so a lookup turns an entry into `&str` with an O(1) checked
//! slice of the pre-validated block instead of re-validating bytes every time. Per-entry
//! fields are checked when the entry is used: a corrupt entry makes that lookup return `None`
//! instead of failing the whole file. Nothing read from the file can cause a panic.
//!
//! Because entries never cross a boundary of the first two bytes (a /16 in either family), the
//! matched entry is the widest range the lookup *knows* shares the answer;
//! [`Located::prefix_len`] is the shortest CIDR prefix whose block around the address fits
//! inside it, which is what an EDNS Client Subnet scope prefix must be.

use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

// File offsets are u32 in the format and are used as slice indices here.
const _: () = assert!(usize::BITS >= 32);

const HEADER_LEN: usize = 256;
const VECTOR_CELLS: usize = 256 * 256;
const VECTOR_CELL_LEN: usize = 8;
const VECTOR_INDEX_LEN: usize = VECTOR_CELLS * VECTOR_CELL_LEN;
/// Smallest possible file: header plus the full vector index.
pub const MIN_FILE_LEN: usize = HEADER_LEN + VECTOR_INDEX_LEN;
/// Pointers are 32-bit, so no valid file reaches 4 GiB.
const MAX_FILE_LEN: usize = 1 << 32;

const V4_ENTRY_LEN: usize = 14;
const V6_ENTRY_LEN: usize = 38;
const VECTOR_INDEX_POLICY: u16 = 1;
const RUNTIME_PTR_BYTES: u16 = 4;

/// Why an xdb file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum IpDbError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("file is {len} bytes, shorter than the {MIN_FILE_LEN}-byte header and vector index")]
    TooShort { len: usize },
    #[error("file is {len} bytes; xdb uses 32-bit offsets, so it must be under 4 GiB")]
    TooLarge { len: usize },
    #[error("unsupported xdb structure {0} (expected 2 or 3)")]
    UnsupportedStructure(u16),
    #[error("unsupported index policy {0} (expected 1, vector index)")]
    UnsupportedIndexPolicy(u16),
    #[error("unsupported IP version {0} in a structure-3 header (expected 4 or 6)")]
    UnsupportedIpVersion(u16),
    #[error("unsupported runtime pointer size {0} bytes (expected 4)")]
    UnsupportedPointerBytes(u16),
    #[error(
        "segment index [{start_ptr}, {end_ptr}] (+{entry_len}-byte last entry) lies outside \
         the data area [{MIN_FILE_LEN}, {file_len})"
    )]
    SegmentIndexOutOfBounds {
        start_ptr: u32,
        end_ptr: u32,
        entry_len: usize,
        file_len: usize,
    },
    #[error(
        "segment index span {start_ptr}..{end_ptr} is not a whole number of {entry_len}-byte entries"
    )]
    SegmentIndexMisaligned {
        start_ptr: u32,
        end_ptr: u32,
        entry_len: usize,
    },
    #[error("region data is not valid UTF-8 (first bad byte at file offset {offset})")]
    RegionDataNotUtf8 { offset: usize },
    #[error(
        "vector index cell {prefix0}.{prefix1} points to [{first_ptr}, {end_ptr}), which is not a \
         run of whole entries inside the segment index"
    )]
    BadVectorCell {
        prefix0: u8,
        prefix1: u8,
        first_ptr: u32,
        end_ptr: u32,
    },
}

/// Address family a database holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpVersion {
    V4,
    V6,
}

impl IpVersion {
    fn entry_len(self) -> usize {
        match self {
            IpVersion::V4 => V4_ENTRY_LEN,
            IpVersion::V6 => V6_ENTRY_LEN,
        }
    }

    fn bits(self) -> u32 {
        match self {
            IpVersion::V4 => 32,
            IpVersion::V6 => 128,
        }
    }

    fn addr(self, bits: u128) -> Option<IpAddr> {
        match self {
            IpVersion::V4 => u32::try_from(bits)
                .ok()
                .map(|v| IpAddr::V4(Ipv4Addr::from(v))),
            IpVersion::V6 => Some(IpAddr::V6(Ipv6Addr::from(bits))),
        }
    }

    fn decode(self, entry: &[u8]) -> RawEntry {
        match self {
            IpVersion::V4 => decode_v4(entry),
            IpVersion::V6 => decode_v6(entry),
        }
    }
}

/// Result of a successful [`IpDb::lookup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// The raw region string, e.g. `中国|0|江苏省|南京市|电信`; feed it to [`super::region::classify`].
    pub region: &'a str,
    /// First and last address (inclusive) of the matched segment.
    pub range: (IpAddr, IpAddr),
    /// Shortest prefix length whose CIDR block containing the address lies entirely inside
    /// `range` — every address in that block has the same answer (ECS scope prefix).
    pub prefix_len: u8,
}

/// One entry of the segment index, as yielded by [`IpDb::segments`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub range: (IpAddr, IpAddr),
    pub region: &'a str,
}

/// A segment-index entry with the addresses widened to `u128`.
#[derive(Clone, Copy)]
struct RawEntry {
    start: u128,
    end: u128,
    data_len: u16,
    data_ptr: u32,
}

/// Vector-index cell: byte range `[first, end)` of its entries in the file (empty if equal).
#[derive(Clone, Copy, Default)]
struct Cell {
    first: u32,
    end: u32,
}

/// An ip2region xdb database held in memory.
pub struct IpDb {
    bytes: Vec<u8>,
    header: Header,
    cells: Box<[Cell]>,
    /// The region-data block (file offsets `MIN_FILE_LEN..start_index_ptr`), validated once.
    regions: Box<str>,
}

impl std::fmt::Debug for IpDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpDb")
            .field("structure", &self.header.structure)
            .field("ip_version", &self.header.version)
            .field("created_at", &self.header.created_at)
            .field("entries", &self.entry_count())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl IpDb {
    /// Reads and validates the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<IpDb, IpDbError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| IpDbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        IpDb::from_bytes(bytes)
    }

    /// Validates the header, segment-index bounds, every vector-index cell and the encoding of
    /// the region data of `bytes`.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<IpDb, IpDbError> {
        let header = Header::parse(&bytes)?;
        let cells = read_cells(&bytes, &header)?;
        let regions = read_regions(&bytes, &header)?;
        Ok(IpDb {
            bytes,
            header,
            cells,
            regions,
        })
    }

    /// 2 or 3.
    pub fn structure(&self) -> u16 {
        self.header.structure
    }

    pub fn ip_version(&self) -> IpVersion {
        self.header.version
    }

    /// Build time, unix seconds.
    pub fn created_at(&self) -> u32 {
        self.header.created_at
    }

    /// Number of segment-index entries.
    pub fn entry_count(&self) -> usize {
        self.header.index_len() / self.header.version.entry_len()
    }

    /// Finds the segment containing `ip`. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are
    /// looked up as IPv4; an address of the other family than the database gives `None`, as
    /// does an address with no data or a corrupt entry.
    pub fn lookup(&self, ip: IpAddr) -> Option<Located<'_>> {
        match (unmap(ip), self.header.version) {
            (IpAddr::V4(v4), IpVersion::V4) => {
                let [b0, b1, _, _] = v4.octets();
                let ip = u128::from(u32::from(v4));
                let entry = self.search::<V4_ENTRY_LEN>(b0, b1, ip, decode_v4)?;
                self.located(entry, ip)
            }
            (IpAddr::V6(v6), IpVersion::V6) => {
                let [b0, b1, ..] = v6.octets();
                let ip = u128::from(v6);
                let entry = self.search::<V6_ENTRY_LEN>(b0, b1, ip, decode_v6)?;
                self.located(entry, ip)
            }
            _ => None,
        }
    }

    /// Where `region` (a string returned by [`IpDb::lookup`]) starts in the region block: a
    /// dense key for per-region tables built at load.
    pub fn region_offset(&self, region: &str) -> Option<usize> {
        let offset = (region.as_ptr() as usize).checked_sub(self.regions.as_ptr() as usize)?;
        (offset + region.len() <= self.regions.len()).then_some(offset)
    }

    /// The size of the region block (the bound of [`IpDb::region_offset`]).
    pub fn region_block_len(&self) -> usize {
        self.regions.len()
    }

    /// All segment-index entries in file order; corrupt entries (bad region reference, start
    /// above end) are skipped.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> + '_ {
        let version = self.header.version;
        let index = self
            .bytes
            .get(self.header.index_range())
            .unwrap_or_default();
        index
            .chunks_exact(version.entry_len())
            .filter_map(move |chunk| {
                let entry = version.decode(chunk);
                if entry.start > entry.end {
                    return None;
                }
                Some(Segment {
                    range: (version.addr(entry.start)?, version.addr(entry.end)?),
                    region: self.region(entry)?,
                })
            })
    }

    /// Binary search of the cell for prefix `b0.b1`; `E` is the entry length.
    fn search<const E: usize>(
        &self,
        b0: u8,
        b1: u8,
        ip: u128,
        decode: impl Fn(&[u8]) -> RawEntry,
    ) -> Option<RawEntry> {
        let cell = self.cells.get(usize::from(b0) << 8 | usize::from(b1))?;
        let bytes = self.bytes.get(cell.first as usize..cell.end as usize)?;
        let (entries, _) = bytes.as_chunks::<E>();
        let found = entries
            .binary_search_by(|entry| {
                let entry = decode(entry);
                if entry.end < ip {
                    Ordering::Less
                } else if entry.start > ip {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            })
            .ok()?;
        entries.get(found).map(|entry| decode(entry))
    }

    fn located(&self, entry: RawEntry, ip: u128) -> Option<Located<'_>> {
        let version = self.header.version;
        Some(Located {
            region: self.region(entry)?,
            range: (version.addr(entry.start)?, version.addr(entry.end)?),
            prefix_len: widest_prefix_len(ip, entry.start, entry.end, version.bits()),
        })
    }

    /// The entry's string; `None` unless it lies inside the region block on char boundaries.
    fn region(&self, entry: RawEntry) -> Option<&str> {
        let start = (entry.data_ptr as usize).checked_sub(MIN_FILE_LEN)?;
        let end = start.checked_add(usize::from(entry.data_len))?;
        self.regions.get(start..end)
    }
}

/// `::ffff:a.b.c.d` → `a.b.c.d`; everything else unchanged.
fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Validated header fields.
#[derive(Clone, Copy, Debug)]
struct Header {
    structure: u16,
    version: IpVersion,
    created_at: u32,
    start_ptr: u32,
    end_ptr: u32,
}

impl Header {
    fn parse(bytes: &[u8]) -> Result<Header, IpDbError> {
        let len = bytes.len();
        if len < MIN_FILE_LEN {
            return Err(IpDbError::TooShort { len });
        }
        if len >= MAX_FILE_LEN {
            return Err(IpDbError::TooLarge { len });
        }
        let structure = le_u16(bytes, 0);
        let policy = le_u16(bytes, 2);
        if !matches!(structure, 2 | 3) {
            return Err(IpDbError::UnsupportedStructure(structure));
        }
        if policy != VECTOR_INDEX_POLICY {
            return Err(IpDbError::UnsupportedIndexPolicy(policy));
        }
        let header = Header {
            structure,
            version: ip_version(structure, le_u16(bytes, 16), le_u16(bytes, 18))?,
            created_at: le_u32(bytes, 4),
            start_ptr: le_u32(bytes, 8),
            end_ptr: le_u32(bytes, 12),
        };
        header.check_index(len)?;
        Ok(header)
    }

    /// The segment index must sit after the vector index, hold at least one entry, end
    /// inside the file and be a whole number of entries.
    fn check_index(&self, file_len: usize) -> Result<(), IpDbError> {
        let entry_len = self.version.entry_len();
        let (start, end) = (self.start_ptr as usize, self.end_ptr as usize);
        if start < MIN_FILE_LEN || end < start || end + entry_len > file_len {
            return Err(IpDbError::SegmentIndexOutOfBounds {
                start_ptr: self.start_ptr,
                end_ptr: self.end_ptr,
                entry_len,
                file_len,
            });
        }
        if !(end - start).is_multiple_of(entry_len) {
            return Err(IpDbError::SegmentIndexMisaligned {
                start_ptr: self.start_ptr,
                end_ptr: self.end_ptr,
                entry_len,
            });
        }
        Ok(())
    }

    /// Byte range of the whole segment index (end exclusive).
    fn index_range(&self) -> std::ops::Range<usize> {
        self.start_ptr as usize..self.end_ptr as usize + self.version.entry_len()
    }

    fn index_len(&self) -> usize {
        self.index_range().len()
    }
}

/// Structure 2 is IPv4 by definition (bytes 16..20 are not part of its header); structure 3
/// states the version and pointer size.
fn ip_version(structure: u16, ip_version: u16, ptr_bytes: u16) -> Result<IpVersion, IpDbError> {
    if structure == 2 {
        return Ok(IpVersion::V4);
    }
    if ptr_bytes != RUNTIME_PTR_BYTES {
        return Err(IpDbError::UnsupportedPointerBytes(ptr_bytes));
    }
    match ip_version {
        4 => Ok(IpVersion::V4),
        6 => Ok(IpVersion::V6),
        other => Err(IpDbError::UnsupportedIpVersion(other)),
    }
}

/// Reads all 65,536 vector-index cells, checking that each non-empty one covers whole
/// entries inside the segment index. A cell with either pointer zero is empty.
fn read_cells(bytes: &[u8], header: &Header) -> Result<Box<[Cell]>, IpDbError> {
    let index = header.index_range();
    let entry_len = header.version.entry_len();
    (0..VECTOR_CELLS)
        .map(|i| {
            let at = HEADER_LEN + i * VECTOR_CELL_LEN;
            let (first_ptr, end_ptr) = (le_u32(bytes, at), le_u32(bytes, at + 4));
            if first_ptr == 0 || end_ptr == 0 {
                return Ok(Cell::default());
            }
            let (first, end) = (first_ptr as usize, end_ptr as usize);
            let whole_entries_inside = index.start <= first
                && first <= end
                && end <= index.end
                && (first - index.start).is_multiple_of(entry_len)
                && (end - first).is_multiple_of(entry_len);
            if whole_entries_inside {
                Ok(Cell {
                    first: first_ptr,
                    end: end_ptr,
                })
            } else {
                let [prefix0, prefix1] = u16::try_from(i).unwrap_or(u16::MAX).to_be_bytes();
                Err(IpDbError::BadVectorCell {
                    prefix0,
                    prefix1,
                    first_ptr,
                    end_ptr,
                })
            }
        })
        .collect()
}

/// Copies out the region-data block, which sits between the vector index and the segment
/// index, after checking that it is UTF-8.
fn read_regions(bytes: &[u8], header: &Header) -> Result<Box<str>, IpDbError> {
    let block = bytes
        .get(MIN_FILE_LEN..header.start_ptr as usize)
        .unwrap_or_default();
    std::str::from_utf8(block)
        .map(Box::from)
        .map_err(|e| IpDbError::RegionDataNotUtf8 {
            offset: MIN_FILE_LEN + e.valid_up_to(),
        })
}

fn decode_v4(entry: &[u8]) -> RawEntry {
    RawEntry {
        start: u32::from_le_bytes(array_at(entry, 0)).into(),
        end: u32::from_le_bytes(array_at(entry, 4)).into(),
        data_len: le_u16(entry, 8),
        data_ptr: le_u32(entry, 10),
    }
}

fn decode_v6(entry: &[u8]) -> RawEntry {
    RawEntry {
        start: u128::from_be_bytes(array_at(entry, 0)),
        end: u128::from_be_bytes(array_at(entry, 16)),
        data_len: le_u16(entry, 32),
        data_ptr: le_u32(entry, 34),
    }
}

/// `N` bytes of `bytes` starting at `at`, zero-filled past the end. Callers pass constant
/// offsets into slices already known to be long enough, so the fill never happens in
/// practice and the bounds checks compile away; it just keeps the reader total.
#[inline(always)]
fn array_at<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    match bytes.get(at..).and_then(|rest| rest.first_chunk::<N>()) {
        Some(chunk) => *chunk,
        None => [0; N],
    }
}

fn le_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(array_at(bytes, at))
}

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array_at(bytes, at))
}

/// Shortest prefix length `p` (of a `bits`-wide address) such that the aligned block of
/// `2^(bits-p)` addresses containing `ip` lies inside `[start, end]`. Requires
/// `start <= ip <= end < 2^bits`.
fn widest_prefix_len(ip: u128, start: u128, end: u128, bits: u32) -> u8 {
    let mask = u128::MAX >> (128 - bits);
    let room_below = host_bits_above(ip, start, bits);
    // Mirror the upper bound: `ip | m <= end` ⇔ `!ip & !m >= !end` within `bits`.
    let room_above = host_bits_above(!ip & mask, !end & mask, bits);
    let host_bits = room_below.min(room_above).min(bits);
    u8::try_from(bits - host_bits).unwrap_or(u8::MAX)
}

/// Largest `k <= bits` such that `x` with its low `k` bits cleared is still `>= floor`
/// (given `x >= floor`). Clearing up to the highest bit where they differ keeps `x` above
/// `floor`; beyond that the result equals `floor`'s high bits, which is fine exactly while
/// the cleared bits of `floor` are zero.
fn host_bits_above(x: u128, floor: u128, bits: u32) -> u32 {
    let floor_zeros = floor.trailing_zeros().min(bits);
    match x ^ floor {
        0 => floor_zeros,
        diff => (127 - diff.leading_zeros()).max(floor_zeros),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: try every prefix length from the widest down.
    fn brute_prefix_len(ip: u128, start: u128, end: u128, bits: u32) -> u8 {
        (0..=bits)
            .find(|&p| {
                let host = bits - p;
                let low = if host == 128 {
                    u128::MAX
                } else {
                    (1u128 << host) - 1
                };
                let first = ip & !low;
                first >= start && (first | low) <= end
            })
            .and_then(|p| u8::try_from(p).ok())
            .unwrap_or(u8::MAX)
    }

    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u128) -> u128 {
            let r = (u128::from(self.next()) << 64) | u128::from(self.next());
            if n == 0 { 0 } else { r % n }
        }
    }

    #[test]
    fn prefix_len_matches_brute_force() {
        let mut rng = SplitMix(7);
        for bits in [32u32, 128] {
            let max = u128::MAX >> (128 - bits);
            for round in 0..20_000 {
                // Mix small, aligned-ish and arbitrary ranges.
                let span = match round % 3 {
                    0 => rng.below(64),
                    1 => (1u128 << rng.below(u128::from(bits))) - 1,
                    _ => rng.below(max),
                };
                let start = rng.below((max - span).saturating_add(1));
                let end = start + span;
                let ip = start + rng.below(span + 1);
                assert_eq!(
                    widest_prefix_len(ip, start, end, bits),
                    brute_prefix_len(ip, start, end, bits),
                    "bits={bits} ip={ip:#x} start={start:#x} end={end:#x}"
                );
            }
        }
    }

    #[test]
    fn prefix_len_extremes() {
        assert_eq!(widest_prefix_len(5, 0, u32::MAX.into(), 32), 0);
        assert_eq!(widest_prefix_len(5, 0, u128::MAX, 128), 0);
        assert_eq!(widest_prefix_len(7, 7, 7, 32), 32);
        assert_eq!(widest_prefix_len(u128::MAX, u128::MAX, u128::MAX, 128), 128);
        assert_eq!(widest_prefix_len(3, 2, 3, 32), 31);
        assert_eq!(widest_prefix_len(3, 1, 4, 32), 31);
        assert_eq!(widest_prefix_len(3, 3, 4, 32), 32);
    }
}
