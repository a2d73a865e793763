//! The ip2region reader against the committed fixtures (server/tests/fixtures/ip2region) and the
//! real 2024-02-28 IPv4 database that `.ci/setup` fetches into data/ip2region/. Without that file
//! the real-file tests are skipped, unless ITM_REQUIRE_IP_DB=1 (as in CI) makes them mandatory.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use app::strategy::UserGroup;
use itm_server::ipdb::region::{self, HkMoTwArea};
use itm_server::ipdb::xdb::{IpDb, IpDbError, IpVersion, MIN_FILE_LEN};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ip2region");

// ---------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------

fn path(name: &str) -> String {
    if name == REAL_FILE {
        return real_path();
    }
    format!("{DATA}/{name}")
}

const REAL_FILE: &str = "ip2region_v4_20240228.xdb";

fn real_path() -> String {
    std::env::var("ITM_IP_DB_REAL").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/ip2region/ip2region_v4_20240228.xdb"
        )
        .into()
    })
}

/// Whether the real database is there; when it is not, real-file tests skip (or fail in CI).
fn have_real_file() -> bool {
    let present = std::path::Path::new(&real_path()).exists();
    if !present {
        assert!(
            std::env::var("ITM_REQUIRE_IP_DB").is_err(),
            "the real ip2region file is missing: run .ci/setup"
        );
        eprintln!("skipped: {} not found (run .ci/setup)", real_path());
    }
    present
}

fn cached(cell: &'static OnceLock<IpDb>, name: &str) -> &'static IpDb {
    cell.get_or_init(|| IpDb::open(path(name)).expect(name))
}

fn real_2024() -> &'static IpDb {
    static DB: OnceLock<IpDb> = OnceLock::new();
    cached(&DB, "ip2region_v4_20240228.xdb")
}

fn sample_v4() -> &'static IpDb {
    static DB: OnceLock<IpDb> = OnceLock::new();
    cached(&DB, "ipv4_sample.v3.xdb")
}

fn synthetic_v6() -> &'static IpDb {
    static DB: OnceLock<IpDb> = OnceLock::new();
    cached(&DB, "ipv6_synthetic.v3.xdb")
}

fn file_bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).expect(name)
}

/// `start|end|region` lines of a `*_source.txt` file.
fn source_lines(name: &str) -> Vec<(IpAddr, IpAddr, String)> {
    std::fs::read_to_string(path(name))
        .expect(name)
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(3, '|');
            let mut ip = || parts.next().and_then(|p| p.parse().ok()).expect(line);
            let (start, end) = (ip(), ip());
            (start, end, parts.next().expect(line).to_string())
        })
        .collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect(s)
}

fn num(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4).into(),
        IpAddr::V6(v6) => v6.into(),
    }
}

fn addr(n: u128, like: IpAddr) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::try_from(n).expect("IPv4 value"))),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

fn bits(ip: IpAddr) -> u32 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn low_mask(host_bits: u32) -> u128 {
    if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    }
}

/// Small deterministic PRNG (SplitMix64) so the tests need no dependencies.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish value in `[lo, hi]`.
    fn between(&mut self, lo: u128, hi: u128) -> u128 {
        let r = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        match (hi - lo).checked_add(1) {
            Some(span) => lo + r % span,
            None => r,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).expect("fits")
    }

    fn ipv4(&mut self) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(self.next_u64() as u32))
    }
}

/// Region and range of `ip`, for compact comparisons.
fn found(db: &IpDb, ip: IpAddr) -> Option<(String, IpAddr, IpAddr)> {
    db.lookup(ip)
        .map(|l| (l.region.to_string(), l.range.0, l.range.1))
}

// ---------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------

#[test]
fn headers_of_the_three_files() {
    if !have_real_file() {
        return;
    }
    let cases = [
        (real_2024(), 2, IpVersion::V4, 720_464),
        (sample_v4(), 3, IpVersion::V4, 1_300),
        (synthetic_v6(), 3, IpVersion::V6, 267),
    ];
    for (db, structure, version, entries) in cases {
        assert_eq!(db.structure(), structure);
        assert_eq!(db.ip_version(), version);
        assert_eq!(db.entry_count(), entries);
        assert_eq!(db.segments().count(), entries, "no entry should be skipped");
    }
    assert_eq!(real_2024().created_at(), 1_709_087_558); // 2024-02-28T02:32:38Z
}

// ---------------------------------------------------------------------------------------
// Real 2024 file (segments taken with xdb_tool.py)
// ---------------------------------------------------------------------------------------

/// (first, last, region) of real segments; each neighbour listed here is a different segment.
const REAL_SEGMENTS: &[(&str, &str, &str)] = &[
    ("0.0.0.0", "0.0.255.255", "0|0|0|内网IP|内网IP"),
    ("1.0.0.0", "1.0.0.255", "澳大利亚|0|0|0|0"),
    ("1.0.1.0", "1.0.3.255", "中国|0|福建省|福州市|电信"),
    ("1.0.4.0", "1.0.7.255", "澳大利亚|0|维多利亚|墨尔本|0"),
    ("1.2.3.0", "1.2.3.255", "美国|0|华盛顿|0|谷歌"),
    ("8.8.8.0", "8.8.8.255", "美国|0|0|0|Level3"),
    ("36.192.0.0", "36.192.8.255", "中国|0|北京|北京市|铁通"),
    (
        "42.247.2.128",
        "42.247.2.135",
        "中国|0|四川省|绵阳市|西安交通大学",
    ),
    ("61.135.0.0", "61.135.255.255", "中国|0|北京|北京市|联通"),
    ("114.114.0.0", "114.114.255.255", "中国|0|江苏省|南京市|0"),
    ("127.0.0.0", "127.0.255.255", "0|0|0|内网IP|内网IP"),
    ("202.112.0.0", "202.112.10.255", "中国|0|北京|北京市|教育网"),
    (
        "202.112.11.0",
        "202.112.13.255",
        "中国|0|陕西省|西安市|教育网",
    ),
    ("203.198.0.0", "203.198.255.255", "中国|0|香港|0|电讯盈科"),
    (
        "211.136.192.0",
        "211.136.207.19",
        "中国|0|广东省|广州市|移动",
    ),
    (
        "211.136.207.20",
        "211.136.207.23",
        "中国|0|广东省|阳江市|移动",
    ),
    ("218.30.92.0", "218.30.127.255", "中国|0|北京|北京市|电信"),
    ("223.5.0.0", "223.5.255.255", "中国|0|浙江省|杭州市|阿里云"),
    ("255.255.0.0", "255.255.255.255", "0|0|0|内网IP|内网IP"),
];

#[test]
fn real_2024_segments_and_their_edges() {
    if !have_real_file() {
        return;
    }
    let db = real_2024();
    for &(first, last, region) in REAL_SEGMENTS {
        let (first, last) = (ip(first), ip(last));
        let want = Some((region.to_string(), first, last));
        for probe in [first, last, addr((num(first) + num(last)) / 2, first)] {
            assert_eq!(found(db, probe), want, "{probe}");
        }
        // Just outside: a different segment (the file covers the whole IPv4 space).
        if let Some(before) = num(first).checked_sub(1) {
            let outside = found(db, addr(before, first)).expect("full coverage");
            assert_eq!(
                outside.2,
                addr(before, first),
                "segment before {first} must end there"
            );
        }
        if num(last) < u128::from(u32::MAX) {
            let after = addr(num(last) + 1, first);
            let outside = found(db, after).expect("full coverage");
            assert_eq!(outside.1, after, "segment after {last} must start there");
        }
    }
    // Neighbours named explicitly.
    assert_eq!(
        db.lookup(ip("1.0.0.255")).map(|l| l.region),
        Some("澳大利亚|0|0|0|0")
    );
    assert_eq!(
        db.lookup(ip("1.0.4.0")).map(|l| l.region),
        Some("澳大利亚|0|维多利亚|墨尔本|0")
    );
    assert_eq!(
        db.lookup(ip("211.136.207.20")).map(|l| l.region),
        Some("中国|0|广东省|阳江市|移动")
    );
    assert_eq!(
        db.lookup(ip("202.111.255.255")).map(|l| l.region),
        Some("中国|0|安徽省|0|电信")
    );
}

#[test]
fn real_2024_prefix_lens_by_hand() {
    if !have_real_file() {
        return;
    }
    let cases = [
        ("8.8.8.8", 24),         // 8.8.8.0–8.8.8.255
        ("114.114.114.114", 16), // whole /16
        ("211.136.192.0", 21),   // 192.0–207.19: /20 would reach 207.255
        ("211.136.207.19", 30),  // 207.16–207.19 fits, /29 (16–23) does not
        ("211.136.207.15", 28),  // 207.0–207.15; /27 would reach 207.31
        ("211.136.207.20", 30),  // segment 207.20–207.23 is exactly a /30
        ("42.247.2.130", 29),    // 2.128–2.135 is exactly a /29
        ("0.0.0.0", 16),
        ("255.255.255.255", 16),
    ];
    for (addr, want) in cases {
        assert_eq!(
            real_2024().lookup(ip(addr)).map(|l| l.prefix_len),
            Some(want),
            "{addr}"
        );
    }
}

#[test]
fn real_2024_every_segment_edge() {
    if !have_real_file() {
        return;
    }
    // Same check the Python reader passed: both ends of every entry.
    let db = real_2024();
    let mut checked = 0;
    for segment in db.segments() {
        for probe in [segment.range.0, segment.range.1] {
            let got = db.lookup(probe).expect("covered");
            assert_eq!(
                (got.region, got.range),
                (segment.region, segment.range),
                "{probe}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * 720_464);
}

// ---------------------------------------------------------------------------------------
// Structure-3 fixtures against their sources
// ---------------------------------------------------------------------------------------

/// Every source line: both ends and the middle find it (clipped to the address's first-two-byte
/// block, since entries are split there), and the address just outside finds the neighbouring
/// line when adjacent, or nothing.
fn check_against_source(db: &IpDb, source: &str) {
    let lines = source_lines(source);
    assert!(!lines.is_empty());
    for (i, (start, end, region)) in lines.iter().enumerate() {
        let (s, e) = (num(*start), num(*end));
        let shift = bits(*start) - 16;
        for probe in [s, e, s + (e - s) / 2] {
            let block = probe >> shift << shift;
            let want_start = s.max(block);
            let want_end = e.min(block | low_mask(shift));
            let got = found(db, addr(probe, *start));
            let want = (
                region.clone(),
                addr(want_start, *start),
                addr(want_end, *start),
            );
            assert_eq!(got, Some(want), "{}", addr(probe, *start));
        }
        let next = lines.get(i + 1).filter(|n| num(n.0) == e + 1);
        if let Some(after) = e.checked_add(1).filter(|&a| a <= low_mask(bits(*start))) {
            let got = db.lookup(addr(after, *start)).map(|l| l.region);
            assert_eq!(got, next.map(|n| n.2.as_str()), "just after {end}");
        }
        let prev = i
            .checked_sub(1)
            .and_then(|p| lines.get(p))
            .filter(|p| num(p.1) + 1 == s);
        if let Some(before) = s.checked_sub(1) {
            let got = db.lookup(addr(before, *start)).map(|l| l.region);
            assert_eq!(got, prev.map(|p| p.2.as_str()), "just before {start}");
        }
    }
}

#[test]
fn sample_v4_matches_its_source() {
    check_against_source(sample_v4(), "ipv4_sample_source.txt");
}

#[test]
fn synthetic_v6_matches_its_source() {
    check_against_source(synthetic_v6(), "ipv6_synthetic_source.txt");
}

#[test]
fn sample_v4_edges_and_prefixes() {
    let db = sample_v4();
    let l = db.lookup(ip("1.1.179.254")).expect("in sample");
    assert_eq!(l.region, "泰国|0|巴吞他尼府|0|TOT");
    assert_eq!(l.range, (ip("1.1.176.0"), ip("1.1.179.254")));
    assert_eq!(l.prefix_len, 32);
    assert_eq!(db.lookup(ip("1.1.179.253")).map(|l| l.prefix_len), Some(31));
    assert_eq!(db.lookup(ip("1.1.176.0")).map(|l| l.prefix_len), Some(23));
    assert_eq!(
        db.lookup(ip("1.1.1.1")).map(|l| l.region),
        Some("澳大利亚|0|0|0|0")
    );
    assert_eq!(db.lookup(ip("1.1.1.1")).map(|l| l.prefix_len), Some(24));
    // A /16 the sample does not contain: empty vector cell.
    assert_eq!(db.lookup(ip("9.9.9.9")), None);
}

#[test]
fn ipv6_lookups() {
    let db = synthetic_v6();
    let cernet = db.lookup(ip("2001:da8:8000::1")).expect("CERNET");
    assert_eq!(cernet.region, "中国|北京市|北京市|教育网|CN");
    assert_eq!(
        cernet.range,
        (
            ip("2001:da8::"),
            ip("2001:da8:ffff:ffff:ffff:ffff:ffff:ffff")
        )
    );
    assert_eq!(cernet.prefix_len, 32);

    // 2408:8000::/24 lies inside one first-two-bytes block (2408::/16).
    let unicom = db.lookup(ip("2408:80ab::1")).expect("unicom");
    assert_eq!(unicom.region, "中国|北京市|北京市|联通|CN");
    assert_eq!(unicom.prefix_len, 24);
    assert_eq!(
        db.lookup(ip("2408:8100::")).map(|l| l.region),
        Some("中国|广东省|广州市|中国联通|CN")
    );
    assert_eq!(
        db.lookup(ip("2408:81ff:ffff:ffff:ffff:ffff:ffff:ffff"))
            .map(|l| l.prefix_len),
        Some(24)
    );
    assert_eq!(db.lookup(ip("2408:8200::")), None);

    // The first source line spans 256 /16 blocks, so each lookup sees only its own block.
    let low = db.lookup(ip("12:3456::1")).expect("low block");
    assert_eq!(low.region, "0|0|0|0|0");
    assert_eq!(
        low.range,
        (ip("12::"), ip("12:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
    );
    assert_eq!(low.prefix_len, 16);
    assert_eq!(db.lookup(ip("::")).map(|l| l.range.0), Some(ip("::")));
    assert_eq!(db.lookup(ip("100::")), None);

    let last = db
        .lookup(ip("2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        .expect("last");
    assert_eq!(last.region, "Mauritius|Plaines Wilhems|Curepipe|0|MU");
    // The segment starts at 2c0f:fff1::, so the widest block around the top is 2c0f:fff8::/29.
    assert_eq!(last.prefix_len, 29);
    assert_eq!(db.lookup(ip("2c0f:fff0::ffff")), None);
    assert_eq!(db.lookup(ip("2c0f:fff1::")).map(|l| l.prefix_len), Some(32));
}

// ---------------------------------------------------------------------------------------
// Address families
// ---------------------------------------------------------------------------------------

#[test]
fn mapped_ipv4_is_looked_up_as_ipv4() {
    if !have_real_file() {
        return;
    }
    let db = real_2024();
    let plain = db.lookup(ip("8.8.8.8")).expect("v4");
    let mapped = db.lookup(ip("::ffff:8.8.8.8")).expect("mapped");
    assert_eq!(plain, mapped);
    assert_eq!(mapped.range, (ip("8.8.8.0"), ip("8.8.8.255")));
    assert_eq!(mapped.prefix_len, 24);
    assert_eq!(
        sample_v4().lookup(ip("::ffff:1.1.1.1")).map(|l| l.region),
        Some("澳大利亚|0|0|0|0")
    );
    // IPv4-compatible (::a.b.c.d) and NAT64 addresses are IPv6, not mapped.
    assert_eq!(db.lookup(ip("::8.8.8.8")), None);
    assert_eq!(db.lookup(ip("64:ff9b::8.8.8.8")), None);
    // An IPv6 db treats a mapped address as IPv4, which it does not hold, even though the
    // raw value ::ffff:0:0/96 falls inside its ::/8 range.
    assert_eq!(synthetic_v6().lookup(ip("::ffff:8.8.8.8")), None);
    assert!(synthetic_v6().lookup(ip("::fffe:808:808")).is_some());
}

#[test]
fn wrong_family_gives_none() {
    if !have_real_file() {
        return;
    }
    assert_eq!(real_2024().lookup(ip("2001:da8::1")), None);
    assert_eq!(sample_v4().lookup(ip("2001:da8::1")), None);
    assert_eq!(synthetic_v6().lookup(ip("1.1.1.1")), None);
    assert_eq!(synthetic_v6().lookup(ip("0.0.0.0")), None);
}

// ---------------------------------------------------------------------------------------
// prefix_len, property style
// ---------------------------------------------------------------------------------------

/// The block `ip/prefix_len` lies inside the matched segment, its first, last and some random
/// addresses find the same segment, and the block one bit wider does not fit.
fn check_prefix(db: &IpDb, probe: IpAddr, rng: &mut Rng) {
    let got = db.lookup(probe).expect("probe must be covered");
    let (start, end) = (num(got.range.0), num(got.range.1));
    let width = bits(got.range.0);
    let host = width - u32::from(got.prefix_len);
    let low = low_mask(host);
    let first = num_unmapped(probe) & !low;
    let last = first | low;
    assert!(
        start <= first && last <= end,
        "{probe}/{} escapes its segment",
        got.prefix_len
    );
    let mut samples = vec![first, last];
    samples.extend((0..3).map(|_| rng.between(first, last)));
    for sample in samples {
        let other = db
            .lookup(addr(sample, got.range.0))
            .expect("inside the block");
        assert_eq!(
            (other.region, other.range),
            (got.region, got.range),
            "{probe} vs {sample:#x}"
        );
    }
    if host < width {
        let wider = (low << 1) | 1;
        let wider_first = first & !wider;
        assert!(
            wider_first < start || (wider_first | wider) > end,
            "{probe}: /{} also fits",
            got.prefix_len - 1
        );
    }
}

/// `probe` as a number in the database's family (mapped IPv4 → IPv4).
fn num_unmapped(probe: IpAddr) -> u128 {
    match probe {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.into(), |v4| u32::from(v4).into()),
        IpAddr::V4(v4) => u32::from(v4).into(),
    }
}

#[test]
fn prefix_len_property_real_2024() {
    if !have_real_file() {
        return;
    }
    let mut rng = Rng(2024);
    for _ in 0..20_000 {
        let probe = rng.ipv4();
        check_prefix(real_2024(), probe, &mut rng);
    }
    // Edges of every hand-picked segment, and mapped forms.
    for &(first, last, _) in REAL_SEGMENTS {
        for probe in [ip(first), ip(last)] {
            check_prefix(real_2024(), probe, &mut rng);
            if let IpAddr::V4(v4) = probe {
                check_prefix(real_2024(), IpAddr::V6(v4.to_ipv6_mapped()), &mut rng);
            }
        }
    }
}

#[test]
fn prefix_len_property_structure_3_files() {
    let mut rng = Rng(3);
    for (db, source) in [
        (sample_v4(), "ipv4_sample_source.txt"),
        (synthetic_v6(), "ipv6_synthetic_source.txt"),
    ] {
        let lines = source_lines(source);
        for _ in 0..5_000 {
            let (start, end, _) = &lines[rng.below(lines.len())];
            let value = match rng.below(4) {
                0 => num(*start),
                1 => num(*end),
                _ => rng.between(num(*start), num(*end)),
            };
            check_prefix(db, addr(value, *start), &mut rng);
        }
    }
}

// ---------------------------------------------------------------------------------------
// classify()
// ---------------------------------------------------------------------------------------

/// A group as its two wire codes, the form the cases below are written in.
fn codes(group: Option<UserGroup>) -> Option<(&'static str, &'static str)> {
    group.map(|g| (g.area.code(), g.isp.code()))
}

fn classify(region: &str) -> Option<(&'static str, &'static str)> {
    codes(region::classify(region))
}

fn classify_with(region: &str, hk_mo_tw: HkMoTwArea) -> Option<(&'static str, &'static str)> {
    codes(region::classify_with(region, hk_mo_tw))
}

fn cls(region: &str) -> Option<(&'static str, &'static str)> {
    classify(region)
}

#[test]
fn classify_structure_2_layout() {
    assert_eq!(cls("中国|0|江苏省|南京市|电信"), Some(("jiangsu.CN", "ct")));
    assert_eq!(cls("中国|0|北京|北京市|联通"), Some(("beijing.CN", "cu")));
    assert_eq!(cls("中国|0|广西|南宁市|移动"), Some(("guangxi.CN", "cm")));
    assert_eq!(cls("中国|0|辽宁|朝阳|移动"), Some(("liaoning.CN", "cm"))); // stray name without 省
    assert_eq!(cls("中国|0|新疆|和田|电信"), Some(("xinjiang.CN", "ct")));
    assert_eq!(
        cls("中国|0|浙江省|杭州市|阿里云"),
        Some(("zhejiang.CN", "other"))
    );
    assert_eq!(cls("中国|0|0|0|0"), Some(("none.CN", "other")));
    assert_eq!(
        cls("澳大利亚|0|维多利亚|墨尔本|0"),
        Some(("none.abroad", "other"))
    );
    assert_eq!(cls("泰国|0|0|0|TOT"), Some(("none.abroad", "other")));
}

#[test]
fn classify_interim_4_field_layout() {
    assert_eq!(cls("中国|福建省|福州市|电信"), Some(("fujian.CN", "ct")));
    assert_eq!(
        cls("中国|广西壮族自治区|南宁市|中国联通"),
        Some(("guangxi.CN", "cu"))
    );
    assert_eq!(cls("中国|0|0|0"), Some(("none.CN", "other")));
    assert_eq!(
        cls("美国|加利福尼亚|0|谷歌"),
        Some(("none.abroad", "other"))
    );
    assert_eq!(cls("0|0|0|0"), None);
}

#[test]
fn classify_newest_iso_layout() {
    assert_eq!(
        cls("中国|广东省|深圳市|电信|CN"),
        Some(("guangdong.CN", "ct"))
    );
    assert_eq!(
        cls("中国|广东省|广州市|中国电信|CN"),
        Some(("guangdong.CN", "ct"))
    );
    assert_eq!(
        cls("中国|北京市|北京市|教育网|CN"),
        Some(("beijing.CN", "cernet"))
    );
    assert_eq!(
        cls("中国|新疆|乌鲁木齐市|中国移动|CN"),
        Some(("xinjiang.CN", "cm"))
    );
    assert_eq!(
        cls("Australia|Queensland|Brisbane|0|AU"),
        Some(("none.abroad", "other"))
    );
    assert_eq!(
        cls("United States|California|0|Google|US"),
        Some(("none.abroad", "other"))
    );
    // ISO CN is enough even if the country name is not 中国.
    assert_eq!(
        cls("China|浙江省|杭州市|电信|CN"),
        Some(("zhejiang.CN", "ct"))
    );
    // 5 fields whose last is not two capitals is the structure-2 layout, not the ISO one.
    assert_eq!(cls("中国|0|福建省|福州市|Cn"), Some(("fujian.CN", "other")));
    assert_eq!(
        cls("中国|0|福建省|福州市|CNX"),
        Some(("fujian.CN", "other"))
    );
}

#[test]
fn classify_ambiguous_five_field_case_agrees_across_layouts() {
    // `X|0|0|0|AB` reads as either layout; the answer must not depend on which.
    assert_eq!(cls("中国|0|0|0|CN"), Some(("none.CN", "other")));
    assert_eq!(cls("日本|0|0|0|JP"), Some(("none.abroad", "other")));
    assert_eq!(cls("0|0|0|0|CN"), None);
}

#[test]
fn classify_every_province_suffix() {
    let cases = [
        ("香港特别行政区", "none.CN"),
        ("澳门特别行政区", "none.CN"),
        ("新疆维吾尔自治区", "xinjiang.CN"),
        ("广西壮族自治区", "guangxi.CN"),
        ("宁夏回族自治区", "ningxia.CN"),
        ("内蒙古自治区", "neimenggu.CN"),
        ("西藏自治区", "xizang.CN"),
        ("黑龙江省", "heilongjiang.CN"),
        ("重庆市", "chongqing.CN"),
        ("上海市", "shanghai.CN"),
        ("天津", "tianjin.CN"),
        (" 河南省 ", "henan.CN"),
        ("山西省", "shanxi.CN"),
        ("陕西省", "shaanxi.CN"),
        ("山西", "shanxi.CN"),
        ("陕西", "shaanxi.CN"),
    ];
    for (province, area) in cases {
        assert_eq!(
            cls(&format!("中国|{province}|0|电信")).map(|c| c.0),
            Some(area),
            "{province}"
        );
    }
    // Only one suffix is stripped.
    assert_eq!(cls("中国|北京市市|0|电信"), Some(("none.CN", "ct")));
}

#[test]
fn classify_hk_mo_tw_and_unknown_provinces() {
    let special = [
        "中国|0|香港|0|电讯盈科",
        "中国|0|澳门|0|澳门电讯",
        "中国|0|台湾省|0|中华电信",
        "中国|香港特别行政区|0|中国电信|CN",
    ];
    let default_isps = ["other", "other", "other", "ct"];
    for (region, isp) in special.iter().zip(default_isps) {
        assert_eq!(classify(region), Some(("none.CN", isp)), "{region}");
        assert_eq!(
            classify_with(region, HkMoTwArea::NoneCn),
            Some(("none.CN", isp))
        );
        assert_eq!(
            classify_with(region, HkMoTwArea::NoneAbroad),
            Some(("none.abroad", "other")),
            "{region}"
        );
    }
    // Unknown or unrecognised mainland province stays none.CN under either setting.
    for region in [
        "中国|0|0|0|电信",
        "中国||0|电信",
        "中国|火星省|0|电信",
        "中国|Guangdong|0|电信|CN",
    ] {
        assert_eq!(
            classify_with(region, HkMoTwArea::NoneCn),
            Some(("none.CN", "ct")),
            "{region}"
        );
        assert_eq!(
            classify_with(region, HkMoTwArea::NoneAbroad),
            Some(("none.CN", "ct")),
            "{region}"
        );
    }
}

#[test]
fn classify_no_match_cases() {
    for region in [
        "0|0|0|内网IP|内网IP",
        "0|0|0|0|0",
        "|0|江苏省|南京市|电信",
        "0|江苏省|南京市|电信",
        "",
        "中国",
        "中国|江苏省|南京市",
        "中国|0|江苏省|南京市|电信|CN",
    ] {
        assert_eq!(cls(region), None, "{region:?}");
    }
}

#[test]
fn classify_isp_table_and_special_names() {
    let cases = [
        ("电信", "ct"),
        ("中国电信", "ct"),
        ("联通", "cu"),
        ("中国联通", "cu"),
        ("网通", "cu"),
        ("移动", "cm"),
        ("中国移动", "cm"),
        ("铁通", "cm"),
        ("中国铁通", "cm"),
        ("教育网", "cernet"),
        ("中国教育网", "cernet"),
        ("上海教委", "cernet"),
        ("西安交通大学", "cernet"),
        ("大连理工大学", "cernet"),
        ("北京电子科技学院", "cernet"),
        (" 电信 ", "ct"),
        // Not China Telecom despite containing 电信; not CERNET despite being academic.
        ("中华电信", "other"),
        ("远传电信", "other"),
        ("亚太电信", "other"),
        ("澳门电讯", "other"),
        ("澳大利亚电信", "other"),
        ("新加坡电信", "other"),
        ("电信通", "other"),
        ("科技网", "other"),
        ("大学城宽带", "other"),
        ("陕西广电", "other"),
        ("鹏博士", "other"),
        ("0", "other"),
        ("", "other"),
    ];
    for (isp, code) in cases {
        assert_eq!(
            cls(&format!("中国|0|上海|上海市|{isp}")).map(|c| c.1),
            Some(code),
            "{isp}"
        );
    }
    // Abroad always gets `other`, even for a Chinese carrier name.
    assert_eq!(cls("美国|0|0|0|电信"), Some(("none.abroad", "other")));
    assert_eq!(
        cls("United Kingdom|England|London|China Mobile|GB"),
        Some(("none.abroad", "other"))
    );
}

/// The embedded tables agree with the CSV files shipped beside the data (read only here).
#[test]
fn tables_match_the_csv_files() {
    let provinces = std::fs::read_to_string(path("ip2region-province-names.csv")).expect("csv");
    let mut rows = 0;
    for line in provinces
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("short,"))
    {
        let mut cols = line.splitn(3, ',');
        let (short, area, variants) = (cols.next(), cols.next(), cols.next().unwrap_or(""));
        let (short, area) = (short.expect(line), area.expect(line));
        let spellings = variants
            .split('/')
            .filter_map(|v| v.split([' ', '(']).find(|w| !w.is_empty()));
        for name in std::iter::once(short).chain(spellings) {
            assert_eq!(
                cls(&format!("中国|{name}|0|0")),
                Some((area, "other")),
                "{name}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 34);

    let isps = std::fs::read_to_string(path("ip2region-isp-names.csv")).expect("csv");
    let mut rows = 0;
    for line in isps
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("name,"))
    {
        let mut cols = line.splitn(3, ',');
        let (name, code) = (cols.next().expect(line), cols.next().expect(line));
        assert_eq!(
            cls(&format!("中国|0|北京|北京市|{name}")),
            Some(("beijing.CN", code)),
            "{name}"
        );
        rows += 1;
    }
    assert_eq!(rows, 20);
}

/// Over the whole 2024 file: no mainland province string is left unmapped, and only records
/// whose country is `0` give no match.
#[test]
fn every_region_in_the_2024_file_classifies() {
    if !have_real_file() {
        return;
    }
    let mut regions: Vec<&str> = real_2024().segments().map(|s| s.region).collect();
    regions.sort_unstable();
    regions.dedup();
    for region in regions {
        let fields: Vec<&str> = region.split('|').collect();
        let got = classify(region);
        match fields[0] {
            "0" => assert_eq!(got, None, "{region}"),
            "中国" if !matches!(fields[2], "0" | "香港" | "澳门" | "台湾省") => {
                assert_ne!(got.map(|c| c.0), Some("none.CN"), "{region}");
                assert!(got.is_some_and(|c| c.0.ends_with(".CN")), "{region}");
            }
            "中国" => assert_eq!(got.map(|c| c.0), Some("none.CN"), "{region}"),
            _ => assert_eq!(got, Some(("none.abroad", "other")), "{region}"),
        }
    }
}

#[test]
fn classify_real_lookups() {
    if !have_real_file() {
        return;
    }
    let area_isp = |s: &str| real_2024().lookup(ip(s)).and_then(|l| classify(l.region));
    assert_eq!(area_isp("61.135.169.121"), Some(("beijing.CN", "cu")));
    assert_eq!(area_isp("36.192.0.1"), Some(("beijing.CN", "cm"))); // 铁通
    assert_eq!(area_isp("42.247.2.130"), Some(("sichuan.CN", "cernet"))); // 西安交通大学
    assert_eq!(area_isp("202.112.26.1"), Some(("shanghai.CN", "cernet"))); // 上海教委
    assert_eq!(area_isp("1.34.0.1"), Some(("none.CN", "other"))); // 台湾省 中华电信
    assert_eq!(area_isp("8.8.8.8"), Some(("none.abroad", "other")));
    assert_eq!(area_isp("10.1.2.3"), None);
    let v6 = |s: &str| {
        synthetic_v6()
            .lookup(ip(s))
            .and_then(|l| classify(l.region))
    };
    assert_eq!(v6("2409:8100::1"), Some(("xinjiang.CN", "cm")));
    assert_eq!(v6("240e:100::1"), Some(("shanghai.CN", "ct")));
    assert_eq!(v6("2001:4860::8888"), Some(("none.abroad", "other")));
    assert_eq!(v6("::1"), None);
}

// ---------------------------------------------------------------------------------------
// Bad files: errors, never panics
// ---------------------------------------------------------------------------------------

fn put_u16(bytes: &mut [u8], at: usize, v: u16) {
    bytes[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(bytes: &[u8], at: usize) -> usize {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize
}

fn cell_at(b0: u8, b1: u8) -> usize {
    256 + (usize::from(b0) * 256 + usize::from(b1)) * 8
}

/// Runs every public operation on a database that loaded; none may panic.
fn exercise(db: &IpDb, rng: &mut Rng, probes: &[IpAddr]) {
    for &probe in probes {
        if let Some(l) = db.lookup(probe) {
            let _ = classify(l.region);
            assert!(l.prefix_len <= 128);
        }
    }
    for _ in 0..200 {
        let _ = db.lookup(rng.ipv4());
        let v6 = Ipv6Addr::from(rng.between(0, u128::MAX));
        let _ = db.lookup(IpAddr::V6(v6));
    }
    for segment in db.segments().take(5_000) {
        let _ = db.lookup(segment.range.0);
        let _ = classify(segment.region);
    }
}

fn source_probes(source: &str) -> Vec<IpAddr> {
    source_lines(source)
        .into_iter()
        .flat_map(|(s, e, _)| [s, e])
        .collect()
}

#[test]
fn header_errors_name_the_problem() {
    let good = file_bytes("ipv4_sample.v3.xdb");
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.clone();
        edit(&mut bytes);
        IpDb::from_bytes(bytes).expect_err("must be rejected")
    };
    assert!(matches!(
        with(&|b| put_u16(b, 0, 1)),
        IpDbError::UnsupportedStructure(1)
    ));
    assert!(matches!(
        with(&|b| put_u16(b, 0, 4)),
        IpDbError::UnsupportedStructure(4)
    ));
    assert!(matches!(
        with(&|b| put_u16(b, 2, 2)),
        IpDbError::UnsupportedIndexPolicy(2)
    ));
    assert!(matches!(
        with(&|b| put_u16(b, 16, 5)),
        IpDbError::UnsupportedIpVersion(5)
    ));
    assert!(matches!(
        with(&|b| put_u16(b, 16, 0)),
        IpDbError::UnsupportedIpVersion(0)
    ));
    assert!(matches!(
        with(&|b| put_u16(b, 18, 8)),
        IpDbError::UnsupportedPointerBytes(8)
    ));
    assert!(matches!(
        with(&|b| put_u32(b, 8, 1000)),
        IpDbError::SegmentIndexOutOfBounds { .. }
    ));
    assert!(matches!(
        with(&|b| put_u32(b, 12, u32::MAX)),
        IpDbError::SegmentIndexOutOfBounds { .. }
    ));
    assert!(matches!(
        with(&|b| put_u32(b, 12, 0)),
        IpDbError::SegmentIndexOutOfBounds { .. }
    ));
    let start = get_u32(&good, 8) as u32;
    assert!(matches!(
        with(&|b| put_u32(b, 12, start + 13)),
        IpDbError::SegmentIndexMisaligned { entry_len: 14, .. }
    ));
    let cell = cell_at(1, 1);
    assert!(matches!(
        with(&|b| put_u32(b, cell + 4, u32::MAX)),
        IpDbError::BadVectorCell {
            prefix0: 1,
            prefix1: 1,
            ..
        }
    ));
    assert!(matches!(
        with(&|b| put_u32(b, cell, 300)),
        IpDbError::BadVectorCell {
            prefix0: 1,
            prefix1: 1,
            ..
        }
    ));
    let first = get_u32(&good, cell) as u32;
    assert!(matches!(
        with(&|b| put_u32(b, cell, first + 1)),
        IpDbError::BadVectorCell { .. }
    ));
    let message = with(&|b| put_u16(b, 0, 7)).to_string();
    assert!(message.contains("structure 7"), "{message}");

    // IPv6 is only for structure 3: a v6 file relabelled structure 2 is read as IPv4 (where its
    // 38-byte entries don't fit) or rejected, never as IPv6.
    let mut v6 = file_bytes("ipv6_synthetic.v3.xdb");
    put_u16(&mut v6, 0, 2);
    if let Ok(db) = IpDb::from_bytes(v6) {
        assert_eq!(db.ip_version(), IpVersion::V4);
    }

    assert!(matches!(
        IpDb::open("/nonexistent/x.xdb"),
        Err(IpDbError::Io { .. })
    ));
}

#[test]
fn truncated_files_never_panic() {
    let mut rng = Rng(11);
    for (name, source) in [
        ("ipv4_sample.v3.xdb", "ipv4_sample_source.txt"),
        ("ipv6_synthetic.v3.xdb", "ipv6_synthetic_source.txt"),
    ] {
        let good = file_bytes(name);
        let probes = source_probes(source);
        let start = get_u32(&good, 8);
        let mut lengths = vec![
            0,
            1,
            2,
            16,
            255,
            256,
            MIN_FILE_LEN - 1,
            MIN_FILE_LEN,
            start,
            start + 7,
        ];
        lengths.extend([good.len() - 1, good.len() - 14]);
        lengths.extend((0..40).map(|_| rng.below(good.len())));
        for len in lengths {
            match IpDb::from_bytes(good[..len].to_vec()) {
                Ok(db) => exercise(&db, &mut rng, &probes),
                Err(IpDbError::TooShort { .. }) => assert!(len < MIN_FILE_LEN),
                Err(IpDbError::SegmentIndexOutOfBounds { .. }) => assert!(len >= MIN_FILE_LEN),
                Err(other) => panic!("{name} cut to {len}: unexpected {other}"),
            }
        }
    }
}

#[test]
fn garbled_files_never_panic() {
    let mut rng = Rng(99);
    let mut loaded = 0;
    for (name, source) in [
        ("ipv4_sample.v3.xdb", "ipv4_sample_source.txt"),
        ("ipv6_synthetic.v3.xdb", "ipv6_synthetic_source.txt"),
    ] {
        let good = file_bytes(name);
        let probes = source_probes(source);
        let index_start = get_u32(&good, 8);
        for round in 0..150 {
            let mut bytes = good.clone();
            for _ in 0..1 + rng.below(40) {
                // Aim at the parts that matter: header, vector cells in use, segment index.
                let at = match round % 3 {
                    0 => rng.below(20),
                    1 => index_start + rng.below(good.len() - index_start),
                    _ => rng.below(good.len()),
                };
                bytes[at] = match rng.below(3) {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.next_u64() as u8,
                };
            }
            if let Ok(db) = IpDb::from_bytes(bytes) {
                exercise(&db, &mut rng, &probes);
                loaded += 1;
            }
        }
    }
    assert!(
        loaded > 100,
        "most garbling should hit data, not the header ({loaded} loaded)"
    );
}

/// Writes `value` at `field` (byte offset within the entry) of every 14-byte entry in
/// `entries`.
fn set_in_entries(bytes: &mut [u8], entries: std::ops::Range<usize>, field: usize, value: u32) {
    for entry in entries.step_by(14) {
        put_u32(bytes, entry + field, value);
    }
}

#[test]
fn corrupt_entries_give_none() {
    let good = file_bytes("ipv4_sample.v3.xdb");
    let cell = cell_at(1, 1);
    let entries = get_u32(&good, cell)..get_u32(&good, cell + 4);
    let region_ptr = get_u32(&good, entries.start + 10) as u32;
    let index_start = get_u32(&good, 8) as u32;
    assert!(good[region_ptr as usize..].starts_with("中国".as_bytes()));
    let cases = [
        ("data_ptr past the end of the file", 10, u32::MAX - 3),
        ("region runs into the segment index", 10, index_start - 2),
        ("data_ptr inside the vector index", 10, 300),
        ("data_ptr splits a character", 10, region_ptr + 1),
        ("start above every address", 0, u32::MAX),
    ];
    for (what, field, value) in cases {
        let mut bytes = good.clone();
        set_in_entries(&mut bytes, entries.clone(), field, value);
        let db = IpDb::from_bytes(bytes).expect("header, cells and region block are intact");
        assert_eq!(db.lookup(ip("1.1.1.1")), None, "{what}");
        assert_eq!(db.lookup(ip("1.1.0.0")), None, "{what}");
        assert!(
            db.lookup(ip("1.2.3.4")).is_some(),
            "{what}: other prefixes unaffected"
        );
        assert_eq!(db.segments().count(), 1_300 - entries.len() / 14, "{what}");
    }
}

#[test]
fn a_zero_pointer_means_an_empty_cell() {
    let good = file_bytes("ipv4_sample.v3.xdb");
    let cell = cell_at(1, 1);
    for zeroed in [cell, cell + 4] {
        let mut bytes = good.clone();
        put_u32(&mut bytes, zeroed, 0);
        let db = IpDb::from_bytes(bytes).expect("a half-zero cell is just empty");
        assert_eq!(db.lookup(ip("1.1.1.1")), None);
        assert!(db.lookup(ip("1.2.3.4")).is_some());
    }
}

#[test]
fn region_data_must_be_utf8() {
    let mut bytes = file_bytes("ipv4_sample.v3.xdb");
    let region_ptr = get_u32(&bytes, get_u32(&bytes, cell_at(1, 1)) + 10);
    bytes[region_ptr + 1] = 0xff;
    match IpDb::from_bytes(bytes) {
        Err(IpDbError::RegionDataNotUtf8 { offset }) => assert_eq!(offset, region_ptr),
        other => panic!("expected RegionDataNotUtf8, got {other:?}"),
    }
}

#[test]
fn real_file_garbled_never_panics() {
    if !have_real_file() {
        return;
    }
    let good = file_bytes("ip2region_v4_20240228.xdb");
    let mut rng = Rng(5);
    let probes: Vec<IpAddr> = REAL_SEGMENTS
        .iter()
        .flat_map(|s| [ip(s.0), ip(s.1)])
        .collect();
    for _ in 0..6 {
        let mut bytes = good.clone();
        for _ in 0..5_000 {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next_u64() as u8;
        }
        if let Ok(db) = IpDb::from_bytes(bytes) {
            exercise(&db, &mut rng, &probes);
        }
    }
}
