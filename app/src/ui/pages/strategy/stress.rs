//! The draft under stress, computed in the browser: the preview (map, table, the path of one
//! group through the tree) with what-if failures, the N-1 sweep, and the diff against the
//! enabled version. The timings shown are measured around the evaluator calls.

use leptos::prelude::*;

use super::ctx;
use crate::editor::stress::{Impact, diff, endpoints_under, health_down, n1_sweep, previews};
use crate::strategy::{AREAS, Area, Family, Isp, Preview, Reason, Strategy, UserGroup};
use crate::ui::i18n::{isp_name, lang, t};
use crate::ui::map::ChinaMap;
use crate::ui::preview_table::{ChangesTable, PreviewHead, PreviewRows};
use crate::ui::widgets::now_ms;

#[component]
pub(super) fn StressView() -> impl IntoView {
    let ctx = ctx();
    let elapsed = RwSignal::new(0.0_f64);
    let analysis = Memo::new(move |_| {
        let down = ctx.down.get();
        if down.is_empty() {
            elapsed.set(0.0);
            return ctx.base.get();
        }
        ctx.checked.with(|c| {
            let c = c.as_ref().ok()?;
            let start = now_ms();
            let result = previews(&c.strategy, &health_down(&c.strategy, &down));
            elapsed.set(now_ms() - start);
            Some(result)
        })
    });
    let area = RwSignal::new(None::<Area>);
    view! {
        <section class="card stress" data-testid="stress">
            <h2>{t("预览（在浏览器中计算）", "Preview (computed in your browser)")}</h2>
            <div class="controls">
                <label>
                    {t("记录类型 ", "Record type ")}
                    <select
                        id="family"
                        on:change=move |ev| ctx.family.set(Family::parse(&event_target_value(&ev)).unwrap_or(Family::A))
                    >
                        <option value="A">"A"</option>
                        <option value="AAAA">"AAAA"</option>
                    </select>
                </label>
                <span class="timing" id="timing" data-ms=move || elapsed.get().to_string()>
                    {move || format!("{:.2} ms", elapsed.get())}
                </span>
            </div>
            <WhatIf />
            {move || match analysis.get() {
                None => view! {
                    <p class="notice" id="no-preview">
                        {t("草稿有错误：修正后即可预览。", "The draft has errors: fix them to see the preview.")}
                    </p>
                }
                    .into_any(),
                Some(both) => {
                    let preview = both[ctx.family.get().index()].clone();
                    let endpoints: Vec<String> = ctx.editor.with_untracked(|e| {
                        e.doc().endpoints_conf.iter().map(|c| c.value.clone()).collect()
                    });
                    view! {
                        <div class="map-panel">
                            <ChinaMap preview=preview.clone() endpoints=endpoints.clone() selected=area />
                            <Path />
                        </div>
                        <table class="preview" id="preview">
                            <PreviewHead />
                            <tbody>
                                <PreviewRows preview endpoints />
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
            <Sweep />
            <Diff analysis />
        </section>
    }
}

/// Taking endpoints down: one by one, all under a rule, an area or an ISP, or the ones the
/// monitor has down now.
#[component]
fn WhatIf() -> impl IntoView {
    let ctx = ctx();
    let endpoints = Memo::new(move |_| {
        ctx.editor.with(|e| {
            e.doc()
                .endpoints_conf
                .iter()
                .map(|c| (c.value.clone(), c.area.clone(), c.isp.clone()))
                .collect::<Vec<_>>()
        })
    });
    let take_down = move |values: Vec<String>| {
        ctx.down.update(|d| {
            for v in values {
                if !d.contains(&v) {
                    d.push(v);
                }
            }
        })
    };
    let rule = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let isp = RwSignal::new(String::new());
    let rules = ctx.rule_names;
    view! {
        <fieldset class="what-if" id="what-if">
            <legend>{t("假设故障", "What if down")}</legend>
            <div class="down-list">
                {move || {
                    endpoints
                        .get()
                        .into_iter()
                        .map(|(value, ..)| {
                            let v = value.clone();
                            let w = value.clone();
                            view! {
                                <label class="down-toggle check">
                                    <input
                                        type="checkbox"
                                        data-endpoint=value.clone()
                                        prop:checked=move || ctx.down.with(|d| d.contains(&v))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            ctx.down.update(|d| {
                                                d.retain(|x| *x != w);
                                                if on {
                                                    d.push(w.clone());
                                                }
                                            })
                                        }
                                    />
                                    {value.clone()}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <div class="down-groups">
                <select id="down-rule" aria-label=t("规则", "Rule") on:change=move |ev| rule.set(event_target_value(&ev))>
                    <option value="">{t("规则…", "Rule…")}</option>
                    {move || rules.get().into_iter().map(|n| view! { <option value=n.clone() translate="no">{n.clone()}</option> }).collect_view()}
                </select>
                <button type="button" id="down-rule-button" on:click=move |_| {
                    let r = rule.get_untracked();
                    take_down(ctx.editor.with_untracked(|e| endpoints_under(e.doc(), &r)));
                }>{t("该规则下全部故障", "All under the rule down")}</button>
                <select id="down-area" aria-label=t("地区", "Area") on:change=move |ev| area.set(event_target_value(&ev))>
                    <option value="">{t("地区…", "Area…")}</option>
                    {AREAS.iter().map(|a| view! { <option value=a.code>{move || lang().get().pick(a.name_zh, a.name_en)}</option> }).collect_view()}
                </select>
                <button type="button" id="down-area-button" on:click=move |_| {
                    let a = area.get_untracked();
                    take_down(endpoints.get_untracked().into_iter().filter(|(_, x, _)| *x == a).map(|(v, ..)| v).collect());
                }>{t("该地区全部故障", "All in the area down")}</button>
                <select id="down-isp" aria-label=t("运营商", "ISP") on:change=move |ev| isp.set(event_target_value(&ev))>
                    <option value="">{t("运营商…", "ISP…")}</option>
                    {Isp::ALL.into_iter().map(|i| view! { <option value=i.code()>{move || isp_name(i)}</option> }).collect_view()}
                </select>
                <button type="button" id="down-isp-button" on:click=move |_| {
                    let i = isp.get_untracked();
                    take_down(endpoints.get_untracked().into_iter().filter(|(.., x)| *x == i).map(|(v, ..)| v).collect());
                }>{t("该运营商全部故障", "All of the ISP down")}</button>
                <button type="button" id="down-live" on:click=move |_| take_down(ctx.live_down.get_value())>
                    {t("按当前监控状态", "As the monitor sees them now")}
                </button>
                <button type="button" id="down-clear" on:click=move |_| ctx.down.set(Vec::new())>
                    {t("全部恢复", "All up")}
                </button>
            </div>
        </fieldset>
    }
}

/// The chosen group's way through the tree: each deciding rule, why, and the shares.
#[component]
fn Path() -> impl IntoView {
    let ctx = ctx();
    let steps = move || {
        let group = ctx.group.get()?;
        let family = ctx.family.get();
        let down = ctx.down.get();
        ctx.checked.with(|c| {
            let s = &c.as_ref().ok()?.strategy;
            let evaluation = s.evaluate(&health_down(s, &down), group, family);
            Some(
                evaluation
                    .trace
                    .iter()
                    .map(|step| {
                        let rule = s.rule(step.rule);
                        let chosen = step
                            .chosen
                            .iter()
                            .map(|&(i, share)| {
                                let name =
                                    rule.items.get(i).map_or("?", |it| s.target_name(it.target));
                                format!("{name} {:.1}%", share * 100.0)
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        (rule.name.clone(), reason_text(&step.reason), chosen)
                    })
                    .collect::<Vec<_>>(),
            )
        })
    };
    view! {
        <div class="path" data-testid="path">
            <label>
                {t("用户组的路径", "Path of a user group")}
                <select
                    id="path-group"
                    on:change=move |ev| ctx.group.set(UserGroup::parse(&event_target_value(&ev)))
                >
                    <option value="">"—"</option>
                    {UserGroup::all().map(|g| view! { <option value=g.to_string()>{g.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <ol>
                {move || steps().unwrap_or_default().into_iter().map(|(rule, reason, chosen)| view! {
                    <li><b>{rule}</b> " · " {reason} " → " {chosen}</li>
                }).collect_view()}
            </ol>
        </div>
    }
}

fn reason_text(reason: &Reason) -> String {
    let lang = lang().get_untracked();
    match reason {
        Reason::Weighted => lang.pick("按权重", "by weight").to_owned(),
        Reason::Level(p) => lang.pick(format!("优先级 {p}"), format!("priority {p}")),
        Reason::Nearest { km } => lang.pick(
            format!("最近，{km:.0} 公里"),
            format!("nearest, {km:.0} km"),
        ),
        Reason::NoDistance => lang.pick("无距离可比", "no distance to compare").to_owned(),
        Reason::Mapped(s) => lang.pick(format!("映射（{s}）"), format!("mapped ({s})")),
        Reason::Unmapped => lang
            .pick("未映射且无默认", "unmapped, no default")
            .to_owned(),
        Reason::FailOpen => lang
            .pick("全部故障：照常应答", "all down: fail-open")
            .to_owned(),
        Reason::NoAnswer => lang.pick("无应答", "no answer").to_owned(),
    }
}

/// The N-1 sweep, computed while open and again on every change.
#[component]
fn Sweep() -> impl IntoView {
    let ctx = ctx();
    let open = RwSignal::new(false);
    let elapsed = RwSignal::new(0.0_f64);
    let sweep = Memo::new(move |_| {
        if !open.get() {
            return None;
        }
        let down = ctx.down.get();
        ctx.checked.with(|c| {
            let s: &Strategy = &c.as_ref().ok()?.strategy;
            let start = now_ms();
            let result = n1_sweep(s, &down);
            elapsed.set(now_ms() - start);
            Some(result)
        })
    });
    view! {
        <div class="sweep" id="n1">
            <button type="button" id="n1-toggle" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {t("N-1 扫描：任一端点故障的影响", "N-1 sweep: what each single endpoint failure does")}
            </button>
            <p class="timing" id="n1-timing" data-ms=move || elapsed.get().to_string()>
                {move || format!("{:.0} ms", elapsed.get())}
            </p>
            <table class="n1">
                <thead>
                    <tr>
                        <th>{t("故障端点", "Endpoint down")}</th>
                        <th>{t("失去服务", "Lose service")}</th>
                        <th>{t("改由其他省份服务", "Served from another province")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || sweep.get().unwrap_or_default().into_iter().map(|i| view! { <ImpactRow impact=i /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ImpactRow(impact: Impact) -> impl IntoView {
    let text = |list: &[(Family, UserGroup)]| -> Vec<String> {
        list.iter().map(|(f, g)| format!("{f} {g}")).collect()
    };
    let (lost, moved) = (text(&impact.lost), text(&impact.moved));
    let json = serde_json::json!({"lost": lost, "moved": moved}).to_string();
    let sample = |list: &[String]| {
        let mut s = list.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
        if list.len() > 6 {
            s.push_str(" …");
        }
        s
    };
    view! {
        <tr data-endpoint=impact.endpoint.clone() data-impact=json class:bad=!lost.is_empty() || impact.unmonitored>
            <th>
                {impact.endpoint.clone()}
                {impact.unmonitored.then(|| view! {
                    <small class="unmonitored">
                        {t(" 未参考健康检查：故障时仍会被解析", " health not checked: DNS keeps answering with it when it fails")}
                    </small>
                })}
            </th>
            <td>{lost.len()} " " <small>{sample(&lost)}</small></td>
            <td>{moved.len()} " " <small>{sample(&moved)}</small></td>
        </tr>
    }
}

/// Draft against the enabled version, under the same what-if failures.
#[component]
fn Diff(analysis: Memo<Option<[Preview; 2]>>) -> impl IntoView {
    let ctx = ctx();
    let enabled = Memo::new(move |_| {
        let down = ctx.down.get();
        ctx.enabled.with(|doc| {
            if doc.strategy.rules.is_empty() {
                return None;
            }
            let s = Strategy::compile(doc).ok()?.strategy;
            Some(previews(&s, &health_down(&s, &down)))
        })
    });
    // None: nothing to compare (an invalid draft); Some(None): no version is enabled yet.
    let changes = move || {
        let after = analysis.get()?;
        Some(enabled.get().map(|before| diff(&before, &after)))
    };
    view! {
        <div class="diff" id="diff">
            <h3>{t("与已启用版本的差异", "Against the enabled version")}</h3>
            {move || match changes() {
                None => ().into_any(),
                Some(None) => view! {
                    <p class="empty" id="diff-count" data-count="all">
                        {t("还没有启用的版本：启用后每个用户组按预览应答。", "No version is enabled yet: once enabled, every group is answered as previewed.")}
                    </p>
                }
                    .into_any(),
                Some(Some(list)) if list.is_empty() => view! {
                    <p class="empty" id="diff-count" data-count="0">
                        {t("启用后所有用户组的应答不变。", "Enabling changes no group's answer.")}
                    </p>
                }
                    .into_any(),
                Some(Some(list)) => {
                    let count = list.len();
                    view! {
                    <p id="diff-count" data-count=count>
                        {move || lang().get().pick(
                            format!("启用后 {count} 个（用户组，记录类型）的应答会改变："),
                            format!("Enabling changes the answer of {count} (group, record type) pairs:"),
                        )}
                    </p>
                    <ChangesTable changes=list before=("已启用", "Enabled") after=("草稿", "Draft") />
                }
                    .into_any()
                }
            }}
        </div>
    }
}
