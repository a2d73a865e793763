//! Usage in the seed's billing units (domains, endpoints, monitor tasks, the average number of
//! monitor points) and the monitor points: the built-in one and registered agents (the agent's
//! token is shown once), with their health as the server sees it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::model::{MonitorPointInfo, PointIssue};
use crate::strategy::{AREAS, Isp};
use crate::ui::i18n::{isp_name, lang, t};
use crate::ui::server_fns::account_overview::account_usage;
use crate::ui::server_fns::monitor_admin::{CreatePoint, DeletePoint, monitor_points};
use crate::ui::widgets::{
    CopyButton, Writable, alert_error, confirm_delete, first_error, loading, time_text,
};

#[component]
pub fn UsagePage() -> impl IntoView {
    let create = ServerAction::<CreatePoint>::new();
    let delete = ServerAction::<DeletePoint>::new();
    let numbers = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| account_usage(),
    );
    let points = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| monitor_points(),
    );
    let lang = lang();
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    view! {
        <Title text="用量 Usage · ITM" />
        <section class="usage card" data-ready=move || ready.get().to_string()>
            <h1>{t("用量", "Usage")}</h1>
            <Transition fallback=loading>
                {move || numbers.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(u) => view! {
                        <dl class="facts usage-numbers">
                            <dt>{t("域名", "Domains")}</dt><dd data-testid="usage-domains">{u.domains}</dd>
                            <dt>{t("端点", "Endpoints")}</dt><dd data-testid="usage-endpoints">{u.endpoints}</dd>
                            <dt>{t("监控点", "Monitor points")}</dt><dd data-testid="usage-points">{u.monitor_points}</dd>
                            <dt>{t("监控任务", "Monitor tasks")}</dt><dd data-testid="usage-tasks">{u.monitor_tasks}</dd>
                            <dt>{t("平均监控点个数", "Average monitor points")}</dt><dd data-testid="usage-average">{u.average_points}</dd>
                        </dl>
                        <p class="hint">
                            {t(
                                "监控任务 = 监控点 × 端点；平均监控点个数 = 各端点的监控点个数之和 / 端点个数，向上取整。",
                                "Monitor tasks = points × endpoints; average monitor points = the sum of each endpoint's points / endpoints, rounded up.",
                            )}
                        </p>
                    }.into_any(),
                })}
            </Transition>
        </section>
        <section class="points card">
            <h2>{t("监控点", "Monitor points")}</h2>
            <p class="hint">
                {t("在其他机器上运行 ", "Run ")}
                <code>
                    "itm probe-agent --server " {t("<本控制台地址>", "<this console's address>")}
                    " --token " {t("<令牌>", "<token>")}
                </code>
                {t("，即成为一个监控点。", " on another machine to add a monitor point.")}
            </p>
            <Writable>
                <ActionForm action=create attr:class="add-point">
                    <label>{t("名称", "Name")} <input type="text" name="name" required placeholder="bj-ct-1" /></label>
                    <label>
                        {t("地区", "Area")}
                        <select name="area">
                            <option value="">"—"</option>
                            {AREAS.iter().map(|a| view! { <option value=a.code>{move || lang.get().pick(a.name_zh, a.name_en)} " (" {a.code} ")"</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {t("运营商", "ISP")}
                        <select name="isp">
                            <option value="">"—"</option>
                            {Isp::ALL.into_iter().map(|i| view! { <option value=i.code()>{move || isp_name(i)} " (" {i.code()} ")"</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">{t("注册监控点", "Register point")}</button>
                </ActionForm>
            </Writable>
            {move || create.value().get().and_then(Result::ok).map(|p| view! {
                <div class="notice shown-once" role="status">
                    <strong>{format!("{}: ", p.point.name)}</strong>
                    <code data-testid="secret">{p.token.clone()}</code>
                    <CopyButton text=p.token />
                    <p>{t("令牌只显示这一次：请现在保存。", "The token is shown this once: keep it now.")}</p>
                </div>
            })}
            {move || first_error(&[create.value().get().map(|r| r.map(drop)), delete.value().get()]).map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <Transition fallback=|| ()>
                {move || points.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(list) => view! { <PointTable list delete /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PointTable(list: Vec<MonitorPointInfo>, delete: ServerAction<DeletePoint>) -> impl IntoView {
    view! {
        <table class="point-list">
            <thead>
                <tr>
                    <th>{t("名称", "Name")}</th>
                    <th>{t("地区", "Area")}</th>
                    <th>{t("运营商", "ISP")}</th>
                    <th>{t("最近上报 (UTC)", "Last seen (UTC)")}</th>
                    <th>{t("报告 / 失败", "Reporting / failing")}</th>
                    <th>{t("问题", "Issue")}</th>
                    <th>{t("操作", "Actions")}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let name = p.name.clone();
                    let issue = match (p.issue_kind.clone(), p.issue.clone(), p.probe_side_problem) {
                        (Some(kind), ..) => view! { <IssueText kind /> }.into_any(),
                        // From a server that sent the English text only.
                        (None, Some(text), _) => view! { <code>{text}</code> }.into_any(),
                        (None, None, true) => t(
                            "监控点侧问题：对所有端点都失败",
                            "probe-side problem: fails against every endpoint",
                        ).into_any(),
                        _ => ().into_any(),
                    };
                    view! {
                        <tr data-point=p.name.clone()>
                            <td>{p.name.clone()} {p.built_in.then(|| view! { " " {t("（内置）", "(built-in)")} })}</td>
                            <td>{p.area.clone()}</td>
                            <td>{p.isp.clone()}</td>
                            <td>{p.last_seen.map(time_text).unwrap_or_else(|| "—".into())}</td>
                            <td>{format!("{} / {}", p.reporting, p.failing)}</td>
                            <td class="issue">{issue}</td>
                            <td>
                                {(!p.built_in).then(|| view! {
                                    <Writable>
                                        {confirm_delete!(delete, name = name)}
                                    </Writable>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Why a point could not probe, in the user's language; addresses, flags and system errors are
/// shown as they are.
#[component]
fn IssueText(kind: PointIssue) -> impl IntoView {
    match kind {
        PointIssue::Blocked {
            address,
            flag,
            networks,
        } => view! {
            {t("被策略阻止：", "blocked by policy: ")}
            <code>{address}</code>
            {t(" 不在允许探测的网络内（", " is outside the networks probes may reach (")}
            <code>{format!("{flag} {networks}")}</code>
            {t("）", ")")}
        }
        .into_any(),
        PointIssue::NoIcmp {
            icmp_error,
            raw_error,
        } => view! {
            {t("本进程无法发出 PING 探测：没有 ICMP 套接字（", "PING probes are not possible from this process: no ICMP socket (")}
            <code>{icmp_error}</code>
            {t("），也没有原始套接字（", ") and no raw socket (")}
            <code>{raw_error}</code>
            {t("）；可用 ", "); allow them with ")}
            <code>"sysctl net.ipv4.ping_group_range=\"0 2147483647\""</code>
            {t(" 或 CAP_NET_RAW 允许。", " or CAP_NET_RAW.")}
        }
        .into_any(),
    }
}
