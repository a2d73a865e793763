//! Scheduling results: the answer of every user group for the enabled strategy and the live
//! health, computed by the evaluator the DNS server runs (here on the server for the first
//! render, then in the browser) — as a map of China (colour = the answering endpoint; hover a
//! province for its per-ISP answers and shares) and as a table; the recommended strategy in one
//! click; and the history (`history.rs`).

use leptos::prelude::*;

use super::history::History;
use crate::model::{DomainSchedule, EndpointStatus};
use crate::strategy::{Area, Family, Isp, Preview, UserGroup};
use crate::ui::i18n::{area_name, isp_name, lang, t};
use crate::ui::map::{ChinaMap, colour};
use crate::ui::preview_table::{PreviewHead, PreviewRows};
use crate::ui::server_fns::scheduling::{RecommendStrategy, schedule};
use crate::ui::widgets::{Writable, alert_error, loading};

#[component]
pub fn ResultsTab(domain: String) -> impl IntoView {
    let recommend = ServerAction::<RecommendStrategy>::new();
    let data = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), recommend.version().get())
        },
        |(domain, _)| schedule(domain),
    );
    super::refresh_facts_on(move || recommend.version().get());
    let family = RwSignal::new(Family::A);
    let selected = RwSignal::new(None::<Area>);
    let recommend_domain = domain.clone();
    let history_domain = domain.clone();
    view! {
        <section class="results card">
            <h2>{t("调度结果", "Scheduling results")}</h2>
            <Writable>
                {
                    let domain = recommend_domain.clone();
                    view! {
                <ActionForm action=recommend attr:class="recommend">
                    <input type="hidden" name="domain" value=domain />
                    <button type="submit">{t("使用推荐策略", "Use the recommended strategy")}</button>
                    <span class="hint">
                        {t(
                            "按端点的地区和运营商生成策略并立即启用（之后可在策略编辑器中修改）。",
                            "Generates a strategy from the endpoints' areas and ISPs and enables it at once.",
                        )}
                    </span>
                </ActionForm>
                    }
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
                                    view! { <ResultsView preview endpoints schedule=s selected /> }.into_any()
                                }
                            },
                        })
                }}
            </Transition>
        </section>
        <History domain=history_domain refresh=recommend.version() />
    }
}

#[component]
fn ResultsView(
    preview: Preview,
    endpoints: Vec<String>,
    schedule: DomainSchedule,
    selected: RwSignal<Option<Area>>,
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
                    view! {
                        <tr>
                            <th>{move || isp_name(isp)} " " {isp.code()}</th>
                            <td>{if shares.is_empty() { "—".to_owned() } else { shares }}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="area-detail" data-testid="area-detail">
                    <h3>{move || area_name(area)} " " {area.code()}</h3>
                    <table>{rows}</table>
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
