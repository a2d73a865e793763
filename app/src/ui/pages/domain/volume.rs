//! DNS query volume, like Azure's Traffic View: how many queries the domain's name got over the
//! last hour, day or week (every node's count), as bars over time and per user group, the
//! busiest first. Read again when the window changes, on "refresh" and every half minute. The
//! results map's province detail shows the same window's queries per ISP ([`VolumeData`]).

use leptos::prelude::*;

use crate::model::{QueryVolume, VOLUME_DEFAULT_HOURS};
use crate::strategy::{Area, Isp, UserGroup};
use crate::ui::error::ConsoleError;
use crate::ui::i18n::{area_name, isp_name, lang, t};
use crate::ui::server_fns::scheduling::domain_query_volume;
use crate::ui::widgets::{alert_error, loading, time_text};

/// The windows offered, in hours, with their labels.
const WINDOWS: [(u32, &str, &str); 3] = [
    (1, "最近 1 小时", "Last hour"),
    (24, "最近 24 小时", "Last 24 hours"),
    (168, "最近 7 天", "Last 7 days"),
];
/// The groups listed (the rest are summed in "others").
const LISTED_GROUPS: usize = 10;

/// A domain's query volume as the results tab reads it: the panel and the map's province detail
/// share one window and one answer.
#[derive(Clone, Copy)]
pub struct VolumeData {
    hours: RwSignal<u32>,
    refresh: RwSignal<u32>,
    data: Resource<Result<QueryVolume, ConsoleError>>,
}

impl VolumeData {
    pub fn new(domain: String) -> VolumeData {
        let hours = RwSignal::new(VOLUME_DEFAULT_HOURS);
        let refresh = RwSignal::new(0u32);
        // The nodes add their counts every few seconds: read again every half minute while shown.
        Effect::new(move || {
            if let Ok(timer) = set_interval_with_handle(
                move || refresh.update(|n| *n += 1),
                std::time::Duration::from_secs(30),
            ) {
                on_cleanup(move || timer.clear());
            }
        });
        let data = Resource::new(
            move || (domain.clone(), hours.get(), refresh.get()),
            |(domain, hours, ..)| domain_query_volume(domain, hours),
        );
        VolumeData {
            hours,
            refresh,
            data,
        }
    }

    /// The queries from `group` since [`groups_since`](Self::groups_since), once the answer is
    /// in (None before, or on an error).
    pub fn of_group(&self, group: UserGroup) -> Option<u64> {
        let (area, isp) = (group.area.code(), group.isp.code());
        self.data.with(|answer| {
            let volume = answer.as_ref()?.as_ref().ok()?;
            Some(
                volume
                    .groups
                    .iter()
                    .find(|g| g.area == area && g.isp == isp)
                    .map_or(0, |g| g.count),
            )
        })
    }

    /// Where the group counts begin (the whole hour the window starts in).
    pub fn groups_since(&self) -> Option<i64> {
        self.data.with(|answer| {
            answer
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|v| v.groups_from)
        })
    }
}

#[component]
pub fn QueryVolumePanel(volume: VolumeData) -> impl IntoView {
    let VolumeData {
        hours,
        refresh,
        data,
    } = volume;
    view! {
        <section class="volume card" id="query-volume">
            <h2>{t("DNS 查询量", "DNS query volume")}</h2>
            <div class="controls">
                <label>
                    {t("时间范围", "Window")}
                    <select
                        id="volume-hours"
                        on:change=move |ev| {
                            if let Ok(h) = event_target_value(&ev).parse() {
                                hours.set(h);
                            }
                        }
                    >
                        {WINDOWS
                            .into_iter()
                            .map(|(h, zh, en)| {
                                view! {
                                    <option value=h selected=h == VOLUME_DEFAULT_HOURS>{t(zh, en)}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="button" id="volume-refresh" on:click=move |_| refresh.update(|n| *n += 1)>
                    {t("刷新", "Refresh")}
                </button>
            </div>
            <Transition fallback=loading>
                {move || data.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(v) => view! { <VolumeView volume=v /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn VolumeView(volume: QueryVolume) -> impl IntoView {
    let lang = lang();
    let total = volume.total;
    let step_ms = i64::from(volume.step_seconds) * 1000;
    let until = volume.from + step_ms * volume.series.len() as i64;
    let summary = {
        let (from, to) = (time_text(volume.from), time_text(until));
        move || {
            lang.get().pick(
                format!(
                    "{from} 至 {to}（UTC）共 {total} 次查询，每柱 {} 分钟",
                    step_ms / 60_000
                ),
                format!(
                    "{total} queries from {from} to {to} (UTC), {} min per bar",
                    step_ms / 60_000
                ),
            )
        }
    };
    if total == 0 {
        return view! {
            <p class="volume-total" data-total="0">{summary}</p>
            <p class="empty">{t("这段时间没有收到查询。", "No queries in this window.")}</p>
        }
        .into_any();
    }
    view! {
        <p class="volume-total" data-total=total>{summary}</p>
        <Bars series=volume.series.clone() from=volume.from step_ms total />
        <GroupTable volume />
    }
    .into_any()
}

/// One bar per slot, scaled to the busiest; each says its time and count on hover.
#[component]
fn Bars(series: Vec<u64>, from: i64, step_ms: i64, total: u64) -> impl IntoView {
    let lang = lang();
    let peak = series.iter().copied().max().unwrap_or(0).max(1);
    let width = series.len().max(1);
    let bars = series
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| {
            let height = (*n as f64 / peak as f64 * 100.0).max(1.0);
            let title = format!("{} · {n}", time_text(from + step_ms * i as i64));
            view! {
                <rect x=i y=format!("{:.2}", 100.0 - height) width="0.9" height=format!("{height:.2}")>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg
            class="volume-bars"
            viewBox=format!("0 0 {width} 100")
            preserveAspectRatio="none"
            role="img"
            aria-label=move || lang.get().pick(
                format!("查询量柱状图：共 {total} 次，峰值 {peak} 次"),
                format!("Query volume bars: {total} in all, peak {peak}"),
            )
        >
            {bars}
        </svg>
    }
}

/// The busiest user groups and their share of the window's queries.
/// The busiest groups since the whole hour the window starts in; shares are of what the table
/// counts (its span may be up to an hour longer than the bars').
#[component]
fn GroupTable(volume: QueryVolume) -> impl IntoView {
    let lang = lang();
    let total = volume.groups.iter().map(|g| g.count).sum::<u64>().max(1);
    let since = time_text(volume.groups_from);
    let share = move |n: u64| format!("{:.1}%", n as f64 * 100.0 / total as f64);
    let others: u64 = volume
        .groups
        .iter()
        .skip(LISTED_GROUPS)
        .map(|g| g.count)
        .sum();
    let rows = volume
        .groups
        .iter()
        .take(LISTED_GROUPS)
        .map(|g| {
            let area = Area::from_code(&g.area);
            let isp = Isp::from_code(&g.isp);
            let code = format!("{}/{}", g.area, g.isp);
            view! {
                <tr data-group=code.clone()>
                    <th>
                        {move || area.map_or("", area_name)} " " {move || isp.map_or("", isp_name)}
                        " " <code>{code.clone()}</code>
                    </th>
                    <td class="count">{g.count}</td>
                    <td>{share(g.count)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint volume-groups-since">
            {move || lang.get().pick(
                format!("用户组按整点统计：自 {since}（UTC）起"),
                format!("User groups are counted by whole hours: since {since} (UTC)"),
            )}
        </p>
        <table class="volume-groups">
            <thead>
                <tr>
                    <th>{t("用户组", "User group")}</th>
                    <th>{t("查询数", "Queries")}</th>
                    <th>{t("占比", "Share")}</th>
                </tr>
            </thead>
            <tbody>
                {rows}
                {(others > 0).then(|| view! {
                    <tr class="others">
                        <th>{t("其他用户组", "Other groups")}</th>
                        <td class="count">{others}</td>
                        <td>{share(others)}</td>
                    </tr>
                })}
            </tbody>
        </table>
    }
}
