//! A domain's history: health events and strategy versions on one timeline, and the results at
//! two chosen times compared side by side, with the evidence of every health change between
//! them.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{DomainSchedule, Evidence, HealthEventRecord, VersionInfo};
use crate::strategy::{Family, UserGroup};
use crate::ui::i18n::{lang, t, version_source_name};
use crate::ui::server_fns::monitor_admin::health_events;
use crate::ui::server_fns::scheduling::{schedule_at, strategy_versions};
use crate::ui::widgets::{alert_error, time_text};

/// "Now", as a time to compare.
const NOW: i64 = i64::MAX;

/// One entry of the timeline: a health event or a stored strategy version.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
enum Entry {
    Health(HealthEventRecord),
    Version(VersionInfo),
}

impl Entry {
    fn time(&self) -> i64 {
        match self {
            Entry::Health(e) => e.time,
            Entry::Version(v) => v.created_at,
        }
    }
}

/// The timeline of health events and strategy versions, and the comparison of the results at
/// two chosen times (A: just before an entry; B: just after one, or now) with the evidence of
/// every health change between them.
#[component]
pub fn History(
    domain: String,
    /// Changes when a new version is enabled, to read the timeline again.
    #[prop(into)]
    refresh: Signal<usize>,
) -> impl IntoView {
    let timeline = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), refresh.get())
        },
        |(domain, _)| async move {
            let events = health_events(domain.clone()).await?;
            let versions = strategy_versions(domain).await?;
            let mut entries: Vec<Entry> = events
                .into_iter()
                .filter(|e| !e.endpoint.is_empty())
                .map(Entry::Health)
                .chain(versions.into_iter().map(Entry::Version))
                .collect();
            entries.sort_by_key(|e| std::cmp::Reverse(e.time()));
            Ok::<_, ConsoleError>(entries)
        },
    );
    let left = RwSignal::new(None::<i64>);
    let right = RwSignal::new(NOW);
    let lang = lang();
    let time_label = move |at: i64| {
        if at == NOW {
            lang.get().pick("现在", "now").to_owned()
        } else {
            time_text(at)
        }
    };
    view! {
        <section class="history card">
            <h2>{t("历史：健康事件与策略版本", "History: health events and strategy versions")}</h2>
            <Transition fallback=|| ()>
                {move || timeline.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">{t("还没有历史。", "No history yet.")}</p>
                    }.into_any(),
                    Ok(list) => view! { <Timeline list left right /> }.into_any(),
                })}
            </Transition>
            {
                let domain = domain.clone();
                move || left.get().map(|a| {
                    let b = right.get();
                    let events = timeline.get().and_then(Result::ok).unwrap_or_default();
                    view! {
                        <h3 class="compare-title">
                            {move || format!("A = {} · B = {}", time_label(a), time_label(b))}
                        </h3>
                        <Compare domain=domain.clone() a b events />
                    }
                })
            }
        </section>
    }
}

#[component]
fn Timeline(list: Vec<Entry>, left: RwSignal<Option<i64>>, right: RwSignal<i64>) -> impl IntoView {
    view! {
        <ol class="events">
            {list
                .into_iter()
                .map(|entry| {
                    let at = entry.time();
                    let (class, what, evidence) = match &entry {
                        Entry::Health(e) => (
                            format!("event to-{}", e.to),
                            format!(
                                "{} {} → {}",
                                e.endpoint,
                                if e.from.is_empty() { "?" } else { &e.from },
                                e.to
                            ),
                            Some(e.evidence.clone()),
                        ),
                        Entry::Version(v) => (
                            "event version".to_owned(),
                            lang().get_untracked().pick(
                                format!("策略版本 {}（{}，{}）", v.version, v.created_by, version_source_name(v.source)),
                                format!("strategy version {} ({}, {})", v.version, v.created_by, version_source_name(v.source)),
                            ),
                            None,
                        ),
                    };
                    view! {
                        <li class=class data-time=at>
                            <time>{time_text(at)}</time>
                            " "
                            <strong>{what}</strong>
                            " "
                            <button type="button" class="pick" on:click=move |_| left.set(Some(at - 1))>
                                {t("之前作为 A", "before → A")}
                            </button>
                            <button type="button" class="pick" on:click=move |_| right.set(at)>
                                {t("之后作为 B", "after → B")}
                            </button>
                            {evidence.map(|evidence| view! {
                                <details>
                                    <summary>{t("证据", "Evidence")}</summary>
                                    <EvidenceView evidence />
                                </details>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The groups whose answer differs between times `a` and `b`, side by side, and the health
/// changes between them with their evidence.
#[component]
fn Compare(domain: String, a: i64, b: i64, events: Vec<Entry>) -> impl IntoView {
    let both = Resource::new(
        move || (domain.clone(), a, b),
        |(domain, a, b)| async move {
            let before = schedule_at(domain.clone(), a).await?;
            let after = schedule_at(domain, b).await?;
            Ok::<_, ConsoleError>((before, after))
        },
    );
    let (low, high) = (a.min(b), a.max(b));
    let between: Vec<HealthEventRecord> = events
        .into_iter()
        .filter_map(|e| match e {
            Entry::Health(h) if h.time > low && h.time <= high => Some(h),
            _ => None,
        })
        .collect();
    view! {
        <Transition fallback=|| view! { <p class="loading">{t("计算中…", "Computing…")}</p> }>
            {
                let between = between.clone();
                move || both.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok((before, after)) => {
                        let changed = changed_groups(&before, &after);
                        view! {
                            <div class="compare" data-testid="compare">
                                <p>
                                    {format!(
                                        "A: v{} · B: v{}",
                                        before.enabled_version.map_or("—".into(), |v| v.to_string()),
                                        after.enabled_version.map_or("—".into(), |v| v.to_string()),
                                    )}
                                </p>
                                {if changed.is_empty() {
                                    view! { <p class="empty">{t("两个时刻的调度结果相同。", "The results are the same at both times.")}</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="preview compare-table">
                                            <thead>
                                                <tr>
                                                    <th>{t("用户组", "User group")}</th>
                                                    <th>"A"</th>
                                                    <th>"B"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {changed.into_iter().map(|(group, x, y)| view! {
                                                    <tr data-group=group.clone()>
                                                        <th>{group.clone()}</th>
                                                        <td>{x}</td>
                                                        <td>{y}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                                <h4>{t("其间的健康变化与证据", "Health changes in between, with their evidence")}</h4>
                                <ul class="evidence">
                                    {between.clone().into_iter().map(|e| view! {
                                        <li>
                                            <time>{time_text(e.time)}</time>
                                            {format!(" {} {} → {} ", e.endpoint, e.from, e.to)}
                                            <EvidenceView evidence=e.evidence.clone() />
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </div>
                        }.into_any()
                    }
                })
            }
        </Transition>
    }
}

/// `(group, answer at A, answer at B)` for every A-record group whose answer differs.
fn changed_groups(
    before: &DomainSchedule,
    after: &DomainSchedule,
) -> Vec<(String, String, String)> {
    let answers = |s: &DomainSchedule| {
        s.preview(Family::A).ok().map(|p| {
            p.groups
                .iter()
                .map(|g| {
                    g.dist
                        .iter()
                        .map(|(v, p)| format!("{v} {:.1}%", p * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
        })
    };
    let (x, y) = (answers(before), answers(after));
    UserGroup::all()
        .filter_map(|g| {
            let a = x
                .as_ref()
                .map_or_else(String::new, |x| x[g.index()].clone());
            let b = y
                .as_ref()
                .map_or_else(String::new, |y| y[g.index()].clone());
            (a != b).then(|| {
                let shown = |s: String| if s.is_empty() { "—".to_owned() } else { s };
                (g.to_string(), shown(a), shown(b))
            })
        })
        .collect()
}

/// A state change's evidence: the window's failed rounds against `minErrors`, the deciding
/// round's failing points against the threshold, and each point's result — or, for evidence of
/// another shape, the document as it is.
#[component]
fn EvidenceView(evidence: serde_json::Value) -> impl IntoView {
    let Some(e) = Evidence::read(&evidence) else {
        return view! { <code class="evidence-raw">{evidence.to_string()}</code> }.into_any();
    };
    let lang = lang();
    let rounds = {
        let (failures, seen, size, min) = (e.failures, e.window.len(), e.window_size, e.min_errors);
        move || {
            lang.get().pick(
                format!("最近 {seen} 轮（窗口 {size} 轮）中 {failures} 轮失败；失败 {min} 轮即判为异常"),
                format!("{failures} of the last {seen} rounds failed (window {size}); {min} make it down"),
            )
        }
    };
    let v = e.verdict;
    let round = move || {
        lang.get().pick(
            format!(
                "这一轮 {} / {} 个监控点失败（{}%，阈值 {}%）",
                v.failing, v.reporting, v.failing_percent, v.fault_threshold
            ),
            format!(
                "this round {} of {} points failed ({} %, threshold {} %)",
                v.failing, v.reporting, v.failing_percent, v.fault_threshold
            ),
        )
    };
    let rows = e
        .points
        .into_iter()
        .map(|p| {
            view! {
                <tr class=if p.ok { "ok" } else { "failed" }>
                    <td><code>{p.point}</code></td>
                    <td>{if p.ok { t("正常", "ok").into_any() } else { t("失败", "failed").into_any() }}</td>
                    <td>{p.http_status.map_or("—".to_owned(), |s| s.to_string())}</td>
                    <td>{p.latency_ms.map_or("—".to_owned(), |ms| format!("{ms} ms"))}</td>
                    <td><code>{p.failure.unwrap_or_default()}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="evidence-detail">
            <p>{rounds}</p>
            <p>{round}</p>
            <table class="evidence-points">
                <thead>
                    <tr>
                        <th>{t("监控点", "Point")}</th>
                        <th>{t("结果", "Result")}</th>
                        <th>"HTTP"</th>
                        <th>{t("耗时", "Latency")}</th>
                        <th>{t("失败原因", "Failure")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
