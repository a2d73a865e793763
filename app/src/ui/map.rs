//! The scheduling map: China's provinces coloured by the endpoint answering there. The geometry
//! is `public/map/china-provinces.svg` (Apache-2.0, derived from ECharts 4.9.0; licence notes
//! beside it), referenced by `<use>` so neither the HTML nor the wasm carries the 200 KB of paths.

use leptos::prelude::*;

use crate::strategy::{Area, Isp, Preview, UserGroup};
use crate::ui::i18n::t;

const MAP: &str = "/map/china-provinces.svg";

/// Each shape of the map: its id in the SVG, the ITM area it stands for (Taiwan, Hong Kong and
/// Macao are placed in `none.CN` by the user-group rules), and its label point.
const SHAPES: [(&str, &str, f32, f32); 34] = [
    ("taiwan", "none.CN", 890.6, 680.3),
    ("hebei", "hebei.CN", 712.6, 374.3),
    ("shanxi", "shanxi.CN", 667.3, 406.1),
    ("neimenggu", "neimenggu.CN", 656.3, 290.1),
    ("liaoning", "liaoning.CN", 854.0, 265.5),
    ("jilin", "jilin.CN", 875.5, 211.5),
    ("heilongjiang", "heilongjiang.CN", 913.1, 134.8),
    ("jiangsu", "jiangsu.CN", 823.2, 479.1),
    ("zhejiang", "zhejiang.CN", 843.8, 564.8),
    ("anhui", "anhui.CN", 781.5, 526.9),
    ("fujian", "fujian.CN", 817.4, 644.0),
    ("jiangxi", "jiangxi.CN", 757.8, 613.8),
    ("shandong", "shandong.CN", 780.0, 408.5),
    ("henan", "henan.CN", 706.5, 476.0),
    ("hubei", "hubei.CN", 705.6, 548.4),
    ("hunan", "hunan.CN", 680.1, 610.9),
    ("guangdong", "guangdong.CN", 719.9, 723.0),
    ("guangxi", "guangxi.CN", 614.4, 736.1),
    ("hainan", "hainan.CN", 650.9, 820.9),
    ("sichuan", "sichuan.CN", 525.0, 555.6),
    ("guizhou", "guizhou.CN", 578.5, 650.4),
    ("yunnan", "yunnan.CN", 470.2, 691.9),
    ("xizang", "xizang.CN", 234.7, 526.3),
    ("shaanxi", "shaanxi.CN", 617.3, 469.8),
    ("gansu", "gansu.CN", 521.8, 429.0),
    ("qinghai", "qinghai.CN", 392.2, 433.1),
    ("ningxia", "ningxia.CN", 566.4, 400.6),
    ("xinjiang", "xinjiang.CN", 212.3, 285.5),
    ("beijing", "beijing.CN", 741.3, 327.4),
    ("tianjin", "tianjin.CN", 757.1, 343.9),
    ("shanghai", "shanghai.CN", 862.2, 515.8),
    ("chongqing", "chongqing.CN", 589.1, 581.5),
    ("xianggang", "none.CN", 740.5, 739.7),
    ("aomen", "none.CN", 727.4, 743.6),
];

/// Distinct colours for endpoints, in `endpointsConf` order (then repeating).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];
const NO_ANSWER: &str = "#d9e2ec";

/// The colour of an endpoint (by its position among the strategy's endpoints).
pub fn colour(endpoints: &[String], value: &str) -> &'static str {
    endpoints
        .iter()
        .position(|e| e == value)
        .map_or(NO_ANSWER, |i| PALETTE[i % PALETTE.len()])
}

/// The endpoint with the largest share over an area's five ISP groups; `None`: no answer.
pub fn dominant(preview: &Preview, area: Area) -> Option<String> {
    let mut totals: Vec<(String, f64)> = Vec::new();
    for isp in Isp::ALL {
        for (value, p) in &preview.group(UserGroup::new(area, isp)).dist {
            match totals.iter_mut().find(|(v, _)| v == value) {
                Some((_, total)) => *total += p,
                None => totals.push((value.clone(), *p)),
            }
        }
    }
    totals
        .into_iter()
        .fold(None::<(String, f64)>, |best, (v, p)| match best {
            Some((_, bp)) if bp >= p => best,
            _ => Some((v, p)),
        })
        .map(|(v, _)| v)
}

/// The map of `preview`; hovering (or focusing) a province selects its area for `selected`.
#[component]
pub fn ChinaMap(
    preview: Preview,
    endpoints: Vec<String>,
    selected: RwSignal<Option<Area>>,
) -> impl IntoView {
    let shapes = SHAPES
        .iter()
        .filter_map(|&(id, code, x, y)| {
            let area = Area::from_code(code)?;
            let answer = dominant(&preview, area);
            let fill = answer
                .as_deref()
                .map_or(NO_ANSWER, |v| colour(&endpoints, v));
            let title = {
                let answer = answer.clone().unwrap_or_else(|| "—".to_owned());
                move || format!("{} {answer}", crate::ui::i18n::area_name(area))
            };
            let label = (code != "none.CN").then(|| {
                view! {
                    <text x=x y=y class="map-label">
                        {move || crate::ui::i18n::area_name(area)}
                    </text>
                }
            });
            Some(view! {
                <g
                    class="province"
                    data-area=code
                    data-shape=id
                    data-answer=answer.clone().unwrap_or_default()
                    tabindex="0"
                    on:mouseenter=move |_| selected.set(Some(area))
                    on:focus=move |_| selected.set(Some(area))
                >
                    <title>{title}</title>
                    <use href=format!("{MAP}#{id}") fill=fill stroke="#fff" stroke-width="0.8" />
                    {label}
                </g>
            })
        })
        .collect_view();
    view! {
        <svg class="china-map" viewBox="0 0 1000 841" role="img" aria-label=t("中国地图", "Map of China")>
            {shapes}
            <use href=format!("{MAP}#nanhai") fill="none" stroke="#829ab1" />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_is_drawn_once() {
        let mut areas: Vec<&str> = SHAPES
            .iter()
            .map(|s| s.1)
            .filter(|a| *a != "none.CN")
            .collect();
        areas.sort_unstable();
        areas.dedup();
        assert_eq!(areas.len(), 31);
        assert!(areas.iter().all(|a| Area::from_code(a).is_some()));
    }
}
