//! What an ip2region region string means for ITM: the user group (area and ISP) of the addresses
//! it covers.
//!
//! [`classify`] accepts the three region layouts ip2region has used (5-field structure-2
//! `国家|区域|省份|城市|ISP`, 4-field `Country|Province|City|ISP`, and 5-field
//! `Country|Province|City|ISP|ISO` with an ISO-3166 alpha-2 last field); the rules are documented
//! on [`classify_with`]. Province names come from the areas table the evaluator uses
//! (`app::strategy::AREAS`), so the two cannot disagree.

use app::strategy::{Area, Isp, UserGroup, province_by_chinese_name};

/// Province suffixes, stripped at most once, longest first (the order matters: `广西壮族自治区`
/// must lose `壮族自治区`, not just `自治区`).
pub const PROVINCE_SUFFIXES: [&str; 7] = [
    "维吾尔自治区",
    "特别行政区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
];

/// Short names filed under country 中国 that have no ITM area of their own.
pub const HK_MO_TW: [&str; 3] = ["香港", "澳门", "台湾"];

/// ISP names (exact match after trimming). 铁通 counts as China Mobile. Anything else is
/// [`Isp::Other`] unless it is a campus network (see [`CAMPUS_SUFFIXES`]); in particular 中华电信,
/// 澳门电讯, 澳大利亚电信 … are *not* China Telecom, and 科技网 is not CERNET.
pub const ISP_NAMES: [(&str, Isp); 12] = [
    ("电信", Isp::Ct),
    ("中国电信", Isp::Ct),
    ("联通", Isp::Cu),
    ("中国联通", Isp::Cu),
    ("网通", Isp::Cu),
    ("移动", Isp::Cm),
    ("中国移动", Isp::Cm),
    ("铁通", Isp::Cm),
    ("中国铁通", Isp::Cm),
    ("教育网", Isp::Cernet),
    ("中国教育网", Isp::Cernet),
    ("上海教委", Isp::Cernet),
];

/// ISP names ending in one of these are campus blocks (西安交通大学 …) → CERNET.
pub const CAMPUS_SUFFIXES: [&str; 2] = ["大学", "学院"];

/// Where 香港, 澳门 and 台湾 go: with China (`none.CN`, the default, ISP still mapped) or with
/// foreign countries (`none.abroad`, ISP `other`), as many Chinese DNS products do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HkMoTwArea {
    #[default]
    NoneCn,
    NoneAbroad,
}

const ABROAD: UserGroup = UserGroup {
    area: Area::NONE_ABROAD,
    isp: Isp::Other,
};

/// [`classify_with`] using the default [`HkMoTwArea::NoneCn`].
pub fn classify(region: &str) -> Option<UserGroup> {
    classify_with(region, HkMoTwArea::default())
}

/// Maps a region string to its user group; `None` means "no match" (use the default group).
///
/// * Layout: 5 fields whose last is two ASCII capitals → `Country|Province|City|ISP|ISO`;
///   other 5 fields → `国家|区域|省份|城市|ISP`; 4 fields → `Country|Province|City|ISP`;
///   any other shape → `None`. Fields are trimmed.
/// * Country `0`/empty (private, reserved, unknown) → `None`. Country `中国` or ISO `CN` →
///   China; any other country → `none.abroad/other`.
/// * Province: strip one of [`PROVINCE_SUFFIXES`], look the rest up among the provinces'
///   Chinese names. 香港/澳门/台湾 follow `hk_mo_tw`; `0`, empty or unrecognised → `none.CN`.
/// * ISP (China only): exact match in [`ISP_NAMES`], else campus suffix → `cernet`, else
///   `other`.
pub fn classify_with(region: &str, hk_mo_tw: HkMoTwArea) -> Option<UserGroup> {
    let record = Record::parse(region)?;
    if is_unknown(record.country) {
        return None;
    }
    if record.country != "中国" && record.iso != Some("CN") {
        return Some(ABROAD);
    }
    let area = match province_short_name(record.province) {
        short if HK_MO_TW.contains(&short) => match hk_mo_tw {
            HkMoTwArea::NoneCn => Area::NONE_CN,
            HkMoTwArea::NoneAbroad => return Some(ABROAD),
        },
        short => province_by_chinese_name(short)
            .and_then(Area::from_code)
            .unwrap_or(Area::NONE_CN),
    };
    Some(UserGroup::new(area, isp_of(record.isp)))
}

/// The fields of a region string that classification needs.
struct Record<'a> {
    country: &'a str,
    province: &'a str,
    isp: &'a str,
    iso: Option<&'a str>,
}

impl<'a> Record<'a> {
    fn parse(region: &'a str) -> Option<Record<'a>> {
        let mut fields = [""; 5];
        let mut count = 0;
        for field in region.split('|') {
            *fields.get_mut(count)? = field.trim();
            count += 1;
        }
        let [f0, f1, f2, f3, f4] = fields;
        match count {
            4 => Some(Record::new(f0, f1, f3, None)),
            5 if is_iso_alpha2(f4) => Some(Record::new(f0, f1, f3, Some(f4))),
            5 => Some(Record::new(f0, f2, f4, None)),
            _ => None,
        }
    }

    fn new(country: &'a str, province: &'a str, isp: &'a str, iso: Option<&'a str>) -> Self {
        Record {
            country,
            province,
            isp,
            iso,
        }
    }
}

fn is_iso_alpha2(field: &str) -> bool {
    field.len() == 2 && field.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_unknown(field: &str) -> bool {
    field.is_empty() || field == "0"
}

fn province_short_name(province: &str) -> &str {
    PROVINCE_SUFFIXES
        .iter()
        .find_map(|suffix| province.strip_suffix(suffix))
        .unwrap_or(province)
}

fn isp_of(name: &str) -> Isp {
    ISP_NAMES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, isp)| isp)
        .unwrap_or_else(|| {
            if CAMPUS_SUFFIXES.iter().any(|suffix| name.ends_with(suffix)) {
                Isp::Cernet
            } else {
                Isp::Other
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_longest_first() {
        let lens: Vec<usize> = PROVINCE_SUFFIXES
            .iter()
            .map(|s| s.chars().count())
            .collect();
        assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{lens:?}");
    }

    #[test]
    fn every_province_is_found_by_its_chinese_name_with_any_suffix() {
        for area in Area::all().filter(|a| a.info().capital.is_some()) {
            let name = area.info().name_zh;
            for suffix in ["", "省", "市", "自治区"] {
                let region = format!("中国|{name}{suffix}|0|电信");
                assert_eq!(
                    classify(&region),
                    Some(UserGroup::new(area, Isp::Ct)),
                    "{region}"
                );
            }
        }
    }
}
