//! The user-group vocabulary of the product documents' appendix: 33 areas × 5 ISPs = 165 user
//! groups, and the province capitals that geo-proximity measures distance between.
//!
//! Codes are the wire strings (`beijing.CN`, `ct`); past the wire boundary they are the small
//! `Area`/`Isp` values below, so lookups are array indexing. Distances use the `libm` crate, not
//! the platform's libm, so the server and the wasm preview compute bit-identical numbers.

use std::fmt;
use std::sync::OnceLock;

/// One of the 33 area codes. The value is an index into [`AREAS`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Area(u8);

/// Facts about an area: its wire code, names and the capital's (latitude, longitude).
#[derive(Debug)]
pub struct AreaInfo {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// `None` for `none.CN` and `none.abroad`: their distance to anything is +∞.
    pub capital: Option<(f64, f64)>,
}

const fn area(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    capital: Option<(f64, f64)>,
) -> AreaInfo {
    AreaInfo {
        code,
        name_zh,
        name_en,
        capital,
    }
}

/// Every area, in display order: the 31 provinces by administrative code, then the two
/// catch-alls. The capitals are `data/province-capitals.csv` (CC0), checked by a test.
pub const AREAS: [AreaInfo; 33] = [
    area("beijing.CN", "北京", "Beijing", Some((39.90, 116.41))),
    area("tianjin.CN", "天津", "Tianjin", Some((39.09, 117.20))),
    area("hebei.CN", "河北", "Hebei", Some((38.04, 114.51))),
    area("shanxi.CN", "山西", "Shanxi", Some((37.87, 112.55))),
    area(
        "neimenggu.CN",
        "内蒙古",
        "Inner Mongolia",
        Some((40.84, 111.75)),
    ),
    area("liaoning.CN", "辽宁", "Liaoning", Some((41.81, 123.43))),
    area("jilin.CN", "吉林", "Jilin", Some((43.82, 125.32))),
    area(
        "heilongjiang.CN",
        "黑龙江",
        "Heilongjiang",
        Some((45.80, 126.53)),
    ),
    area("shanghai.CN", "上海", "Shanghai", Some((31.23, 121.47))),
    area("jiangsu.CN", "江苏", "Jiangsu", Some((32.06, 118.80))),
    area("zhejiang.CN", "浙江", "Zhejiang", Some((30.27, 120.16))),
    area("anhui.CN", "安徽", "Anhui", Some((31.82, 117.23))),
    area("fujian.CN", "福建", "Fujian", Some((26.07, 119.30))),
    area("jiangxi.CN", "江西", "Jiangxi", Some((28.68, 115.86))),
    area("shandong.CN", "山东", "Shandong", Some((36.65, 117.12))),
    area("henan.CN", "河南", "Henan", Some((34.75, 113.63))),
    area("hubei.CN", "湖北", "Hubei", Some((30.59, 114.31))),
    area("hunan.CN", "湖南", "Hunan", Some((28.23, 112.94))),
    area("guangdong.CN", "广东", "Guangdong", Some((23.13, 113.26))),
    area("guangxi.CN", "广西", "Guangxi", Some((22.82, 108.37))),
    area("hainan.CN", "海南", "Hainan", Some((20.04, 110.20))),
    area("chongqing.CN", "重庆", "Chongqing", Some((29.56, 106.55))),
    area("sichuan.CN", "四川", "Sichuan", Some((30.57, 104.07))),
    area("guizhou.CN", "贵州", "Guizhou", Some((26.65, 106.63))),
    area("yunnan.CN", "云南", "Yunnan", Some((25.04, 102.71))),
    area("xizang.CN", "西藏", "Tibet (Xizang)", Some((29.65, 91.17))),
    area("shaanxi.CN", "陕西", "Shaanxi", Some((34.34, 108.94))),
    area("gansu.CN", "甘肃", "Gansu", Some((36.06, 103.83))),
    area("qinghai.CN", "青海", "Qinghai", Some((36.62, 101.78))),
    area("ningxia.CN", "宁夏", "Ningxia", Some((38.49, 106.23))),
    area("xinjiang.CN", "新疆", "Xinjiang", Some((43.83, 87.62))),
    area("none.CN", "中国其他", "China, other", None),
    area("none.abroad", "海外", "Abroad", None),
];

impl Area {
    pub const COUNT: usize = AREAS.len();
    pub const NONE_CN: Area = Area(31);
    pub const NONE_ABROAD: Area = Area(32);

    pub fn all() -> impl Iterator<Item = Area> {
        (0..Self::COUNT as u8).map(Area)
    }

    pub fn from_code(code: &str) -> Option<Area> {
        AREAS
            .iter()
            .position(|a| a.code == code)
            .map(|i| Area(i as u8))
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub fn info(self) -> &'static AreaInfo {
        &AREAS[self.index()]
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// Great-circle distance in km between the two areas' capitals; +∞ when either has none.
    pub fn distance_km(self, other: Area) -> f64 {
        distance_table()[self.index()][other.index()]
    }
}

/// The area code of a mainland province by its short Chinese name (`安徽` → `anhui.CN`), the
/// form IP databases give once a suffix (省, 自治区 …) is stripped. `None` for anything else,
/// the catch-alls' names (中国其他, 海外) included: they name no province a database could report,
/// so a region string must not land in them by name.
pub fn province_by_chinese_name(name: &str) -> Option<&'static str> {
    AREAS
        .iter()
        .find(|a| a.capital.is_some() && a.name_zh == name)
        .map(|a| a.code)
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn distance_table() -> &'static [[f64; Area::COUNT]; Area::COUNT] {
    static TABLE: OnceLock<[[f64; Area::COUNT]; Area::COUNT]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [[f64::INFINITY; Area::COUNT]; Area::COUNT];
        for (i, a) in AREAS.iter().enumerate() {
            for (j, b) in AREAS.iter().enumerate() {
                if let (Some(p), Some(q)) = (a.capital, b.capital) {
                    table[i][j] = haversine_km(p, q);
                }
            }
        }
        table
    })
}

fn haversine_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h =
        libm::sin(dp / 2.0).powi(2) + libm::cos(p1) * libm::cos(p2) * libm::sin(dl / 2.0).powi(2);
    2.0 * EARTH_RADIUS_KM * libm::asin(libm::sqrt(h).min(1.0))
}

/// The five ISP codes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Isp {
    Ct,
    Cu,
    Cm,
    Cernet,
    Other,
}

impl Isp {
    pub const COUNT: usize = 5;
    pub const ALL: [Isp; Isp::COUNT] = [Isp::Ct, Isp::Cu, Isp::Cm, Isp::Cernet, Isp::Other];

    pub fn from_code(code: &str) -> Option<Isp> {
        Self::ALL.into_iter().find(|isp| isp.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Isp::Ct => "ct",
            Isp::Cu => "cu",
            Isp::Cm => "cm",
            Isp::Cernet => "cernet",
            Isp::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Isp::Ct => "电信",
            Isp::Cu => "联通",
            Isp::Cm => "移动",
            Isp::Cernet => "教育网",
            Isp::Other => "其他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Isp::Ct => "China Telecom",
            Isp::Cu => "China Unicom",
            Isp::Cm => "China Mobile",
            Isp::Cernet => "CERNET",
            Isp::Other => "Other",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Isp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A user group: the (area, ISP) a DNS client is placed in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct UserGroup {
    pub area: Area,
    pub isp: Isp,
}

impl UserGroup {
    pub const COUNT: usize = Area::COUNT * Isp::COUNT;

    pub fn new(area: Area, isp: Isp) -> Self {
        UserGroup { area, isp }
    }

    /// All 165 groups, area-major in display order.
    pub fn all() -> impl Iterator<Item = UserGroup> {
        Area::all().flat_map(|area| Isp::ALL.into_iter().map(move |isp| UserGroup { area, isp }))
    }

    /// Dense index in 0..165, area-major (the order of [`UserGroup::all`]).
    pub fn index(self) -> usize {
        self.area.index() * Isp::COUNT + self.isp.index()
    }

    pub fn from_index(index: usize) -> Option<UserGroup> {
        let area = Area(u8::try_from(index / Isp::COUNT).ok()?);
        (area.index() < Area::COUNT).then(|| UserGroup {
            area,
            isp: Isp::ALL[index % Isp::COUNT],
        })
    }

    /// Parses `area/isp`, e.g. `beijing.CN/cm`.
    pub fn parse(text: &str) -> Option<UserGroup> {
        let (area, isp) = text.split_once('/')?;
        Some(UserGroup {
            area: Area::from_code(area)?,
            isp: Isp::from_code(isp)?,
        })
    }
}

impl fmt::Display for UserGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.area, self.isp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_table_matches_the_committed_capitals_file() {
        let csv = include_str!("../../data/province-capitals.csv");
        let mut rows = 0;
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let area = Area::from_code(cols[0]).expect("area in table");
            let info = area.info();
            assert_eq!(info.name_zh, cols[1]);
            let (lat, lon) = info.capital.expect("province has a capital");
            assert_eq!(lat, cols[6].parse::<f64>().expect("lat"));
            assert_eq!(lon, cols[7].parse::<f64>().expect("lon"));
            rows += 1;
        }
        assert_eq!(rows, 31);
        assert_eq!(Area::COUNT, 33);
    }

    #[test]
    fn provinces_are_found_by_their_short_chinese_name_only() {
        assert_eq!(province_by_chinese_name("安徽"), Some("anhui.CN"));
        assert_eq!(province_by_chinese_name("北京"), Some("beijing.CN"));
        assert_eq!(province_by_chinese_name("内蒙古"), Some("neimenggu.CN"));
        // The two that romanise alike.
        assert_eq!(province_by_chinese_name("山西"), Some("shanxi.CN"));
        assert_eq!(province_by_chinese_name("陕西"), Some("shaanxi.CN"));
        for not_a_province in [
            "中国其他",
            "海外",
            "安徽省",
            "香港",
            "Anhui",
            "anhui.CN",
            "",
        ] {
            assert_eq!(
                province_by_chinese_name(not_a_province),
                None,
                "{not_a_province}"
            );
        }
        let found: Vec<&str> = AREAS
            .iter()
            .filter_map(|a| province_by_chinese_name(a.name_zh))
            .collect();
        assert_eq!(found.len(), 31);
        assert!(
            found
                .iter()
                .all(|code| code.ends_with(".CN") && !code.starts_with("none"))
        );
    }

    #[test]
    fn groups_index_densely_and_round_trip() {
        let groups: Vec<UserGroup> = UserGroup::all().collect();
        assert_eq!(groups.len(), 165);
        for (i, g) in groups.iter().enumerate() {
            assert_eq!(g.index(), i);
            assert_eq!(UserGroup::from_index(i), Some(*g));
            assert_eq!(UserGroup::parse(&g.to_string()), Some(*g));
        }
        assert_eq!(UserGroup::from_index(165), None);
    }

    #[test]
    fn distances_are_plausible_and_infinite_without_capital() {
        let bj = Area::from_code("beijing.CN").expect("bj");
        let sh = Area::from_code("shanghai.CN").expect("sh");
        let tj = Area::from_code("tianjin.CN").expect("tj");
        let d = bj.distance_km(sh);
        assert!((1000.0..1150.0).contains(&d), "Beijing–Shanghai {d} km");
        assert!(bj.distance_km(tj) < 150.0);
        assert_eq!(bj.distance_km(bj), 0.0);
        assert_eq!(bj.distance_km(sh), sh.distance_km(bj));
        assert!(Area::NONE_CN.distance_km(bj).is_infinite());
        assert!(bj.distance_km(Area::NONE_ABROAD).is_infinite());
    }
}
