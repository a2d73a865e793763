//! Scheduling results: the answer of every user group for the enabled strategy and the live
//! health, computed by the evaluator the DNS server runs (here on the server for the first
//! render, then in the browser) — as a map of China (colour = the answering endpoint; hover a
//! province for its per-ISP answers and shares) and as a table; the recommended strategy, after
//! its diff against the enabled version is shown and confirmed; the queries per user group
//! (`volume.rs`); and the history (`history.rs`).

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use super::history::History;
use super::volume::{QueryVolumePanel, VolumeData};
use crate::model::{DomainSchedule, EndpointStatus};
use crate::strategy::{Area, Family, Isp, Preview, UserGroup};
use crate::ui::i18n::{area_name, isp_name, lang, t};
use crate::ui::live::{Shows, version_for};
use crate::ui::map::{ChinaMap, colour};
use crate::ui::preview_table::{ChangesTable, PreviewHead, PreviewRows};
use crate::ui::server_fns::scheduling::{RecommendStrategy, schedule};
use crate::ui::widgets::{Writable, alert_error, loading};

#[component]
pub fn ResultsTab(domain: String) -> impl IntoView {
    let recommend = ServerAction::<RecommendStrategy>::new();
    // Health flips and others' edits change the answers: read them again as they happen.
    let live = {
        let domain = domain.clone();
        version_for(move || domain.clone(), &[Shows::Config, Shows::Health])
    };
    let data = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), recommend.version().get(), live.get())
        },
        |(domain, ..)| schedule(domain),
    );
    super::refresh_facts_on(move || recommend.version().get());
    let family = RwSignal::new(Family::A);
    let selected = RwSignal::new(None::<Area>);
    let recommend_domain = domain.clone();
    let history_domain = domain.clone();
    let volume = VolumeData::new(domain.clone());
    view! {
        <section class="results card">
            <h2>{t("调度结果", "Scheduling results")}</h2>
            <Writable>
                {
                    let domain = recommend_domain.clone();
                    view! { <RecommendConfirm domain data recommend /> }
                }
            </Writable>
            {move || {
                recommend
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| alert_error(&e))
            }}
            <div class="controls">
                <label>
                    {t("记录类型", "Record type")}
                    <select
                        id="family"
                        on:change=move |ev| family.set(Family::parse(&event_target_value(&ev)).unwrap_or(Family::A))
                    >
                        <option value="A">"A"</option>
                        <option value="AAAA">"AAAA"</option>
                    </select>
                </label>
            </div>
            <Transition fallback=loading>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Err(e) => alert_error(&e),
                            Ok(s) => match s.preview(family.get()) {
                                Err(_) => view! {
                                    <p class="empty">
                                        {t(
                                            "还没有启用的策略：先添加端点，再使用推荐策略（或在策略编辑器中编写）。",
                                            "No strategy is enabled: add endpoints, then use the recommended strategy (or write one in the editor).",
                                        )}
                                    </p>
                                }.into_any(),
                                Ok(preview) => {
                                    let endpoints: Vec<String> =
                                        s.document.endpoints_conf.iter().map(|e| e.value.clone()).collect();
                                    view! { <ResultsView preview endpoints schedule=s selected volume /> }.into_any()
                                }
                            },
                        })
                }}
            </Transition>
        </section>
        <QueryVolumePanel volume />
        <History domain=history_domain refresh=Signal::derive(move || recommend.version().get() + live.get() as usize) />
    }
}

#[component]
fn ResultsView(
    preview: Preview,
    endpoints: Vec<String>,
    schedule: DomainSchedule,
    selected: RwSignal<Option<Area>>,
    volume: VolumeData,
) -> impl IntoView {
    let lang = lang();
    let legend = endpoints
        .iter()
        .map(|e| {
            let status = schedule
                .health
                .iter()
                .find(|(v, _)| v == e)
                .map_or(EndpointStatus::Unknown, |(_, s)| *s);
            let mark = match status {
                EndpointStatus::Ok => "✓",
                EndpointStatus::Fail => "✗",
                EndpointStatus::Unknown => "?",
            };
            view! {
                <li>
                    <span class="swatch" style=format!("background:{}", colour(&endpoints, e))></span>
                    {format!("{e} {mark}")}
                </li>
            }
        })
        .collect_view();
    let detail_preview = preview.clone();
    let detail = move || {
        selected.get().map(|area| {
            let rows = Isp::ALL
                .into_iter()
                .map(|isp| {
                    let g = detail_preview.group(UserGroup::new(area, isp));
                    let shares = g
                        .dist
                        .iter()
                        .map(|(v, p)| format!("{v} {:.1}%", p * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let queries = volume.of_group(UserGroup::new(area, isp));
                    view! {
                        <tr data-isp=isp.code()>
                            <th>{move || isp_name(isp)} " " {isp.code()}</th>
                            <td>{if shares.is_empty() { "—".to_owned() } else { shares }}</td>
                            <td class="queries">{queries.map_or("—".to_owned(), |n| n.to_string())}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="area-detail" data-testid="area-detail">
                    <h3>{move || area_name(area)} " " {area.code()}</h3>
                    <table>
                        <thead>
                            <tr>
                                <th>{t("运营商", "ISP")}</th>
                                <th>{t("调度结果", "Answers")}</th>
                                <th>{move || {
                                    let since = volume.groups_since().map(crate::ui::widgets::time_text).unwrap_or_default();
                                    lang.get().pick(format!("查询数（自 {since} 起，UTC）"), format!("Queries (since {since} UTC)"))
                                }}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };
    view! {
        <p class="version">
            {move || lang.get().pick(
                format!("启用的策略版本：{}", schedule.enabled_version.map_or("—".into(), |v| v.to_string())),
                format!("Enabled strategy version: {}", schedule.enabled_version.map_or("—".into(), |v| v.to_string())),
            )}
        </p>
        <div class="map-panel">
            <ChinaMap preview=preview.clone() endpoints=endpoints.clone() selected />
            <div class="map-side">
                <ul class="legend">{legend}</ul>
                {detail}
            </div>
        </div>
        <ResultTable preview endpoints />
    }
}

#[component]
fn ResultTable(preview: Preview, endpoints: Vec<String>) -> impl IntoView {
    view! {
        <table class="preview results-table">
            <PreviewHead />
            <tbody>
                <PreviewRows preview endpoints />
            </tbody>
        </table>
    }
}

/// "Use the recommended strategy": a disclosure that shows what enabling the recommendation
/// would change under the live health (the editor's diff) and asks; the form posts the version
/// it was compared with, so a version enabled meanwhile makes the server refuse.
#[component]
fn RecommendConfirm(
    domain: String,
    data: Resource<Result<DomainSchedule, ConsoleError>>,
    recommend: ServerAction<RecommendStrategy>,
) -> impl IntoView {
    let lang = lang();
    let body = move || {
        let schedule = data.get()?.ok()?;
        let base = schedule.enabled_version.unwrap_or(0);
        let (_, changes) = schedule.recommendation_changes();
        let summary = match &changes {
            None => view! {
                <p id="recommend-diff" data-count="all">
                    {t(
                        "尚无启用的版本：启用后每个用户组按推荐策略应答。",
                        "No strategy is enabled yet: once enabled, every group is answered as recommended.",
                    )}
                </p>
            }
            .into_any(),
            Some(list) if list.is_empty() => view! {
                <p id="recommend-diff" data-count="0">
                    {t("启用推荐策略后所有用户组的应答不变。", "The recommendation changes no group's answer.")}
                </p>
            }
            .into_any(),
            Some(list) => {
                let count = list.len();
                view! {
                    <p id="recommend-diff" data-count=count class="warning">
                        {move || lang.get().pick(
                            format!("启用推荐策略会替换版本 {base}，{count} 个（用户组，记录类型）的应答会改变："),
                            format!("Enabling the recommendation replaces version {base} and changes the answer of {count} (group, record type) pairs:"),
                        )}
                    </p>
                    <ChangesTable changes=list.clone() before=("已启用", "Enabled") after=("推荐", "Recommended") />
                }
                .into_any()
            }
        };
        let domain = domain.clone();
        Some(view! {
            {summary}
            <ActionForm action=recommend attr:class="recommend">
                <input type="hidden" name="domain" value=domain />
                <input type="hidden" name="base" value=base />
                <label>
                    {t("版本备注（可选）", "Version note (optional)")}
                    <input type="text" name="note" id="recommend-note" maxlength="500" />
                </label>
                <button type="submit" id="recommend-confirm" class="danger">
                    {t("启用推荐策略", "Enable the recommended strategy")}
                </button>
            </ActionForm>
        })
    };
    view! {
        <details class="confirm recommend-confirm" id="recommend">
            <summary>{t("使用推荐策略…", "Use the recommended strategy…")}</summary>
            <p class="hint">
                {t(
                    "按端点的地区和运营商生成策略。启用前先看它与已启用版本的差异。",
                    "Generates a strategy from the endpoints' areas and ISPs. See how it differs from the enabled version before you enable it.",
                )}
            </p>
            <Transition fallback=loading>{body}</Transition>
        </details>
    }
}
