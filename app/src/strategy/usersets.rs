//! The `usersets` selector syntax of mapping items: `;`-separated `AREA/ISP` selectors where
//! either side may be `*` (`beijing.CN/cm;shanghai.CN/*`). An empty list marks the default item.
//! Specificity orders competing matches: `area/isp` > `area/*` > `*/isp` > `*/*` > default.

use std::fmt;

use super::area::{Area, Isp, UserGroup};

/// How precisely a selector names a group; higher wins.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum Specificity {
    Default,
    AnyGroup,
    IspOnly,
    AreaOnly,
    Exact,
}

impl fmt::Display for Specificity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Specificity::Default => "default item",
            Specificity::AnyGroup => "*/*",
            Specificity::IspOnly => "*/isp",
            Specificity::AreaOnly => "area/*",
            Specificity::Exact => "area/isp",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Selector {
    pub area: Option<Area>,
    pub isp: Option<Isp>,
}

impl Selector {
    pub fn matches(self, group: UserGroup) -> bool {
        self.area.is_none_or(|a| a == group.area) && self.isp.is_none_or(|i| i == group.isp)
    }

    pub fn specificity(self) -> Specificity {
        match (self.area, self.isp) {
            (Some(_), Some(_)) => Specificity::Exact,
            (Some(_), None) => Specificity::AreaOnly,
            (None, Some(_)) => Specificity::IspOnly,
            (None, None) => Specificity::AnyGroup,
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let area = self.area.map_or("*", Area::code);
        let isp = self.isp.map_or("*", Isp::code);
        write!(f, "{area}/{isp}")
    }
}

/// A parsed `usersets` string. No selectors = the default item.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Usersets(Vec<Selector>);

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum UsersetsError {
    #[error("selector \"{0}\" is not AREA/ISP (e.g. beijing.CN/cm, shanghai.CN/*)")]
    NotAreaIsp(String),
    #[error("selector \"{selector}\": unknown area \"{area}\"")]
    UnknownArea { selector: String, area: String },
    #[error("selector \"{selector}\": unknown ISP \"{isp}\" (ct, cu, cm, cernet, other)")]
    UnknownIsp { selector: String, isp: String },
}

impl Usersets {
    pub fn parse(text: &str) -> Result<Usersets, UsersetsError> {
        let mut selectors = Vec::new();
        for piece in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (area, isp) = piece
                .split_once('/')
                .ok_or_else(|| UsersetsError::NotAreaIsp(piece.to_owned()))?;
            let (area, isp) = (area.trim(), isp.trim());
            let area = match area {
                "*" => None,
                code => Some(
                    Area::from_code(code).ok_or_else(|| UsersetsError::UnknownArea {
                        selector: piece.to_owned(),
                        area: code.to_owned(),
                    })?,
                ),
            };
            let isp = match isp {
                "*" => None,
                code => Some(
                    Isp::from_code(code).ok_or_else(|| UsersetsError::UnknownIsp {
                        selector: piece.to_owned(),
                        isp: code.to_owned(),
                    })?,
                ),
            };
            selectors.push(Selector { area, isp });
        }
        Ok(Usersets(selectors))
    }

    pub fn is_default(&self) -> bool {
        self.0.is_empty()
    }

    pub fn selectors(&self) -> &[Selector] {
        &self.0
    }

    /// The best specificity with which this item claims `group`: `Some(Default)` for the
    /// default item, `None` when it does not claim the group at all.
    pub fn claim(&self, group: UserGroup) -> Option<Specificity> {
        if self.is_default() {
            return Some(Specificity::Default);
        }
        self.0
            .iter()
            .filter(|s| s.matches(group))
            .map(|s| s.specificity())
            .max()
    }
}

impl fmt::Display for Usersets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(text: &str) -> UserGroup {
        UserGroup::parse(text).expect("group")
    }

    #[test]
    fn parses_and_prints_canonically() {
        let u = Usersets::parse(" beijing.CN/cm ; shanghai.CN/*;*/ct;*/*;").expect("parses");
        assert_eq!(u.to_string(), "beijing.CN/cm;shanghai.CN/*;*/ct;*/*");
        assert!(Usersets::parse("").expect("empty").is_default());
        assert!(Usersets::parse(" ; ").expect("blank").is_default());
    }

    #[test]
    fn claim_takes_the_most_specific_matching_selector() {
        let u = Usersets::parse("*/*;beijing.CN/*;beijing.CN/cm;*/cm").expect("parses");
        assert_eq!(u.claim(group("beijing.CN/cm")), Some(Specificity::Exact));
        assert_eq!(u.claim(group("beijing.CN/ct")), Some(Specificity::AreaOnly));
        assert_eq!(u.claim(group("hebei.CN/cm")), Some(Specificity::IspOnly));
        assert_eq!(u.claim(group("hebei.CN/ct")), Some(Specificity::AnyGroup));
        let narrow = Usersets::parse("beijing.CN/cm").expect("parses");
        assert_eq!(narrow.claim(group("hebei.CN/cm")), None);
        assert_eq!(
            Usersets::default().claim(group("hebei.CN/cm")),
            Some(Specificity::Default)
        );
    }

    #[test]
    fn errors_name_the_bad_part() {
        let e = Usersets::parse("beijing.CN").expect_err("no slash");
        assert!(e.to_string().contains("\"beijing.CN\""), "{e}");
        let e = Usersets::parse("peking.CN/cm").expect_err("area");
        assert!(e.to_string().contains("peking.CN"), "{e}");
        let e = Usersets::parse("beijing.CN/telecom").expect_err("isp");
        assert!(e.to_string().contains("telecom"), "{e}");
    }
}
