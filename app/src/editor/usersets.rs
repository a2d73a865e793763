//! The user-group picker's model: which of the 165 groups an item's `usersets` selects, and
//! the most compact `usersets` for a picked set — `*/*` for all, `*/isp` for a whole ISP column,
//! `area/*` for a whole province row, `area/isp` for the rest.

use crate::strategy::{AREAS, Area, Isp, Specificity, UserGroup, Usersets};

/// One flag per group, in [`UserGroup::index`] order.
pub type Picked = Vec<bool>;

/// The groups `usersets` selects (none for the default item or unparsable text).
pub fn picked(usersets: &str) -> Picked {
    let parsed = Usersets::parse(usersets).unwrap_or_default();
    UserGroup::all()
        .map(|g| !parsed.is_default() && parsed.claim(g).is_some())
        .collect()
}

/// The `usersets` text selecting exactly `picked`, as broad as it can be without changing who
/// wins a group: a broad selector claims its groups less specifically, so `*/isp` or `area/*` is
/// used only where no sibling item (`siblings`) claims one of those groups as or more
/// specifically; elsewhere the picked groups are named one by one (`area/isp`).
pub fn compact(picked: &[bool], siblings: &[Usersets]) -> String {
    let on = |g: UserGroup| picked.get(g.index()).copied().unwrap_or(false);
    let unclaimed = |mut groups: Box<dyn Iterator<Item = UserGroup>>, level: Specificity| {
        groups.all(|g| {
            siblings
                .iter()
                .all(|s| s.claim(g).is_none_or(|c| c < level))
        })
    };
    if UserGroup::all().all(on) && unclaimed(Box::new(UserGroup::all()), Specificity::AnyGroup) {
        return "*/*".to_owned();
    }
    let whole_isps: Vec<Isp> = Isp::ALL
        .into_iter()
        .filter(|&isp| {
            isp_groups(isp).all(on) && unclaimed(Box::new(isp_groups(isp)), Specificity::IspOnly)
        })
        .collect();
    let mut parts: Vec<String> = whole_isps
        .iter()
        .map(|i| format!("*/{}", i.code()))
        .collect();
    for area in Area::all() {
        let row: Vec<Isp> = Isp::ALL
            .into_iter()
            .filter(|&isp| on(UserGroup::new(area, isp)))
            .collect();
        if row.len() == Isp::COUNT && unclaimed(Box::new(area_groups(area)), Specificity::AreaOnly)
        {
            parts.push(format!("{}/*", area.code()));
            continue;
        }
        for isp in row.into_iter().filter(|i| !whole_isps.contains(i)) {
            parts.push(format!("{}/{}", area.code(), isp.code()));
        }
    }
    parts.join(";")
}

/// Turns a whole row (area) or column (ISP) on, or off when it is all on already.
pub fn toggle_all(picked: &mut [bool], groups: impl Iterator<Item = UserGroup> + Clone) {
    let all_on = groups
        .clone()
        .all(|g| picked.get(g.index()).copied().unwrap_or(false));
    for g in groups {
        if let Some(cell) = picked.get_mut(g.index()) {
            *cell = !all_on;
        }
    }
}

pub fn area_groups(area: Area) -> impl Iterator<Item = UserGroup> + Clone {
    Isp::ALL
        .into_iter()
        .map(move |isp| UserGroup::new(area, isp))
}

pub fn isp_groups(isp: Isp) -> impl Iterator<Item = UserGroup> + Clone {
    (0..AREAS.len()).filter_map(move |a| UserGroup::from_index(a * Isp::COUNT + isp.index()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(text: &str) -> UserGroup {
        UserGroup::parse(text).expect("group")
    }

    #[test]
    fn compact_round_trips_through_picked() {
        for text in [
            "beijing.CN/ct",
            "beijing.CN/*",
            "*/cm",
            "*/cm;beijing.CN/*;shanghai.CN/ct;shanghai.CN/cu",
            "*/*",
            "",
        ] {
            let p = picked(text);
            assert_eq!(picked(&compact(&p, &[])), p, "{text}");
        }
        assert_eq!(
            compact(
                &picked(
                    "beijing.CN/ct;beijing.CN/cu;beijing.CN/cm;beijing.CN/cernet;beijing.CN/other"
                ),
                &[]
            ),
            "beijing.CN/*"
        );
    }

    #[test]
    fn never_broader_than_a_sibling_allows() {
        let sibling = |t: &str| Usersets::parse(t).expect("parses");
        let beijing_row = picked("beijing.CN/*");
        // A sibling's beijing.CN/* would tie with ours: name the five groups instead.
        let exact = compact(&beijing_row, &[sibling("beijing.CN/*")]);
        assert_eq!(exact.split(';').count(), 5, "{exact}");
        assert_eq!(picked(&exact), beijing_row);
        // A sibling's shanghai.CN/* outranks */cm on shanghai/cm: the column is spelt out.
        let column = picked("*/cm");
        let spelt = compact(&column, &[sibling("shanghai.CN/*")]);
        assert!(
            !spelt.contains("*/cm") && spelt.contains("shanghai.CN/cm"),
            "{spelt}"
        );
        assert_eq!(picked(&spelt), column);
        // A default sibling claims nothing specifically.
        assert_eq!(compact(&column, &[sibling("")]), "*/cm");
    }

    #[test]
    fn whole_rows_and_columns_toggle() {
        let mut p = picked("");
        toggle_all(&mut p, isp_groups(Isp::Cm));
        assert_eq!(compact(&p, &[]), "*/cm");
        let beijing = group("beijing.CN/ct").area;
        toggle_all(&mut p, area_groups(beijing));
        assert_eq!(compact(&p, &[]), "*/cm;beijing.CN/*");
        toggle_all(&mut p, area_groups(beijing));
        assert!(!p[group("beijing.CN/cm").index()] && !p[group("beijing.CN/ct").index()]);
        assert_eq!(p.iter().filter(|x| **x).count(), 32);
    }
}
