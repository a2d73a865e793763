//! The nodes serving this store (`GET /v1/nodes`): version, addresses, monitor location, the
//! configuration version their DNS answers from and how far behind the store it is, the age of
//! their snapshot, the domains they monitor, and whether they are heard from.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::i18n::t;
use crate::ui::server_fns::account_overview::list_nodes;
use crate::ui::widgets::{alert_error, loading, time_text};

#[component]
pub fn NodesPage() -> impl IntoView {
    let nodes = Resource::new(|| (), |_| list_nodes());
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    view! {
        <Title text="节点 Nodes · ITM" />
        <section class="nodes card" data-ready=move || ready.get().to_string()>
            <h1>{t("节点", "Nodes")}</h1>
            <p class="hint">
                {t(
                    "共用同一数据库的 ITM 节点。每个节点每 2 秒上报一次；10 秒未上报视为不健康。落后版本数为该节点 DNS 所用配置版本与数据库的差。",
                    "The ITM nodes sharing this database. Each reports every 2 s; one silent for 10 s is unhealthy. Behind: configuration versions its DNS lags the database by.",
                )}
            </p>
            <Transition fallback=loading>
                {move || nodes.get().map(|r| match r {
                    Err(e) => alert_error(&e),
                    Ok(list) => view! {
                        <table class="user-list node-list">
                            <thead>
                                <tr>
                                    <th>{t("节点", "Node")}</th>
                                    <th>{t("状态", "Status")}</th>
                                    <th>{t("版本", "Version")}</th>
                                    <th>"HTTP / DNS"</th>
                                    <th>{t("监控点位置", "Point location")}</th>
                                    <th>{t("配置版本（落后）", "Config version (behind)")}</th>
                                    <th>{t("快照年龄", "Snapshot age")}</th>
                                    <th>{t("监控的域名", "Domains monitored")}</th>
                                    <th>{t("最近上报", "Last seen")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|n| view! {
                                    <tr data-node=n.name.clone() class:failed=!n.healthy>
                                        <th>{n.name.clone()}</th>
                                        <td class="health">{if n.healthy { t("健康", "healthy")() } else { t("失联", "unreachable")() }}</td>
                                        <td>{n.version.clone()}</td>
                                        <td>{format!("{} / {}", n.http, n.dns)}</td>
                                        <td>{format!("{} {}", n.area, n.isp)}</td>
                                        <td class="behind">{format!("{} ({})", n.config_version, n.behind)}</td>
                                        <td>{format!("{:.1} s", n.snapshot_age_ms as f64 / 1000.0)}</td>
                                        <td class="monitored">{if n.monitoring { n.monitored_domains.to_string() } else { t("不监控", "monitoring off")().to_owned() }}</td>
                                        <td>{time_text(n.last_seen)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
