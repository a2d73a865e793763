//! A domain's monitor settings: protocol and the fields it needs, expected HTTP status codes
//! (chips for the common codes and ranges, or typed), timeout, interval, threshold, window,
//! minimum errors and monitor points — checked field by field with the server's own rules as you
//! type, with live readouts of the detection time and the monitor-task count. Below: the probe
//! results with their HTTP status codes, latency and failure kind, and charts of both over time
//! (SVG drawn on the server by plotters).

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::{FieldError, MonitorPointInfo, MonitorSettings, ProbeRecord, Protocol};
use crate::ui::i18n::{lang, t};
use crate::ui::live::{Shows, version_for};
use crate::ui::server_fns::domain_admin::domain_info;
use crate::ui::server_fns::monitor_admin::{
    load_monitor_settings, monitor_points, probes, set_monitor_settings,
};
use crate::ui::widgets::{Writable, alert_error, current_user, error_text, loading, time_text};

/// Chips: common codes and ranges the operator can toggle into `expectedCodes`.
const CODE_CHIPS: [&str; 10] = [
    "200-299", "200-399", "200", "204", "301", "302", "304", "401", "403", "404",
];

#[component]
pub fn MonitorTab(domain: String) -> impl IntoView {
    let saved = RwSignal::new(0_u32);
    // Outside the form, which is rebuilt with the saved values.
    let done = RwSignal::new(false);
    let loaded = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), saved.get())
        },
        |(domain, _)| async move {
            let settings = load_monitor_settings(domain.clone()).await?;
            let points = monitor_points().await?;
            let details = domain_info(domain).await?;
            Ok::<_, ConsoleError>((settings, points, details.endpoint_count))
        },
    );
    let probes_domain = domain.clone();
    view! {
        <section class="monitor card">
            <h2>{t("监控设置", "Monitor settings")}</h2>
            <Transition fallback=loading>
                {
                    let domain = domain.clone();
                    move || {
                        loaded
                            .get()
                            .map(|r| match r {
                                Err(e) => alert_error(&e),
                                Ok((settings, points, endpoints)) => {
                                    view! { <MonitorForm domain=domain.clone() settings points endpoints saved done /> }.into_any()
                                }
                            })
                    }
                }
            </Transition>
        </section>
        <ProbeResults domain=probes_domain />
    }
}

#[component]
fn MonitorForm(
    domain: String,
    settings: MonitorSettings,
    points: Vec<MonitorPointInfo>,
    endpoints: u32,
    saved: RwSignal<u32>,
    done: RwSignal<bool>,
) -> impl IntoView {
    // What the server holds: leaving with the form changed from it asks first (a tab, a link,
    // a reload), and the form says it holds unsaved changes.
    let stored = settings.clone();
    let form = RwSignal::new(settings);
    let unsaved = Memo::new(move |_| form.with(|f| *f != stored));
    crate::ui::track_unsaved(move || unsaved.get());
    let point_names: Vec<String> = points.iter().map(|p| p.name.clone()).collect();
    let known = point_names.clone();
    let errors = Memo::new(move |_| form.with(|f| f.validate(&known).err().unwrap_or_default()));
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let lang = lang();
    let save = {
        let domain = domain.clone();
        move || {
            if !errors.get_untracked().is_empty() {
                return;
            }
            let (domain, settings) = (domain.clone(), form.get_untracked());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = set_monitor_settings(domain, settings).await;
                busy.set(false);
                done.set(result.is_ok());
                server_error.set(result.err().map(|e| error_text(&e)));
                if done.get_untracked() {
                    saved.update(|n| *n += 1);
                }
            });
        }
    };
    let number = move |field: &'static str,
                       get: fn(&MonitorSettings) -> u32,
                       set: fn(&mut MonitorSettings, u32)| {
        view! {
            <input
                type="number"
                name=field
                min="0"
                value=form.with_untracked(get).to_string()
                prop:value=move || form.with(get).to_string()
                on:input=move |ev| {
                    let value = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                    form.update(|f| set(f, value));
                    done.set(false);
                }
            />
            <FieldMessage field errors />
        }
    };
    let text = move |field: &'static str,
                     get: fn(&MonitorSettings) -> String,
                     set: fn(&mut MonitorSettings, String)| {
        view! {
            <input
                type="text"
                name=field
                value=form.with_untracked(get)
                prop:value=move || form.with(get)
                on:input=move |ev| {
                    form.update(|f| set(f, event_target_value(&ev)));
                    done.set(false);
                }
            />
            <FieldMessage field errors />
        }
    };
    let can_write = move || current_user().is_some_and(|m| m.can_write);
    let is_http = move || form.with(|f| f.protocol.is_http());
    let chosen_points = move || {
        form.with(|f| {
            if f.points.is_empty() {
                points.len()
            } else {
                f.points.len()
            }
        })
    };
    let detection = move || {
        form.with(|f| {
            let (interval, timeout, min) = (f.interval_sec, f.timeout_sec, f.min_errors);
            (
                min.saturating_sub(1).saturating_mul(interval),
                min.saturating_mul(interval).saturating_add(timeout),
            )
        })
    };
    view! {
        <form class="monitor-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
            // A read-only user reads the settings; a disabled fieldset makes every control say so.
            <fieldset class="monitor-fields" disabled=move || !can_write()>
            {move || (!can_write()).then(|| view! {
                <p class="hint" data-testid="read-only">{t("只读：你的权限策略不允许修改监控设置。", "Read only: your policy does not allow changing the monitor settings.")}</p>
            })}
            <div class="fields">
                <label>
                    {t("协议", "Protocol")}
                    <select
                        name="protocol"
                        on:change=move |ev| {
                            let protocol = match event_target_value(&ev).as_str() {
                                "HTTPS" => Protocol::Https,
                                "TCP" => Protocol::Tcp,
                                "PING" => Protocol::Ping,
                                _ => Protocol::Http,
                            };
                            form.update(|f| {
                                if f.port == u32::from(f.protocol.default_port()) {
                                    f.port = u32::from(protocol.default_port());
                                }
                                f.protocol = protocol;
                            });
                        }
                    >
                        {[Protocol::Http, Protocol::Https, Protocol::Tcp, Protocol::Ping]
                            .into_iter()
                            .map(|p| {
                                let code = serde_json::to_string(&p).unwrap_or_default().trim_matches('"').to_owned();
                                view! { <option value=code.clone() selected=move || form.with(|f| f.protocol == p)>{code.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <Show when=move || form.with(|f| f.protocol != Protocol::Ping)>
                    <label>{t("端口", "Port")} {number("port", |f| f.port, |f, v| f.port = v)}</label>
                </Show>
                <Show when=is_http>
                    <label>{t("路径", "Path")} {text("path", |f| f.path.clone(), |f, v| f.path = v)}</label>
                    <label>{t("Host（空 = 域名本身）", "Host (empty = the domain's own name)")} {text("host", |f| f.host.clone(), |f, v| f.host = v)}</label>
                    <label class="wide">
                        {t("正常的 HTTP 状态码", "Healthy HTTP status codes")}
                        {text("expectedCodes", |f| f.expected_codes.clone(), |f, v| f.expected_codes = v)}
                        <span class="chips">
                            {CODE_CHIPS
                                .into_iter()
                                .map(|chip| {
                                    let on = move || form.with(|f| f.expected_codes.split(',').any(|c| c.trim() == chip));
                                    view! {
                                        <button
                                            type="button"
                                            class="chip"
                                            class:on=on
                                            aria-pressed=move || on().to_string()
                                            on:click=move |_| form.update(|f| f.expected_codes = toggle_code(&f.expected_codes, chip))
                                        >
                                            {chip}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </span>
                    </label>
                </Show>
                <label>{t("超时（秒）", "Timeout (s)")} {number("timeoutSec", |f| f.timeout_sec, |f, v| f.timeout_sec = v)}</label>
                <label>{t("探测间隔（秒）", "Interval (s)")} {number("intervalSec", |f| f.interval_sec, |f, v| f.interval_sec = v)}</label>
                <label>{t("故障阈值（%监控点）", "Fault threshold (% of points)")} {number("faultThreshold", |f| f.fault_threshold, |f, v| f.fault_threshold = v)}</label>
                <label>{t("判定窗口（轮）", "Window (rounds)")} {number("window", |f| f.window, |f, v| f.window = v)}</label>
                <label>{t("最少失败轮数", "Min failed rounds")} {number("minErrors", |f| f.min_errors, |f, v| f.min_errors = v)}</label>
            </div>
            <fieldset class="points">
                <legend>{t("监控点（都不选 = 全部）", "Monitor points (none ticked = all)")}</legend>
                {point_names
                    .into_iter()
                    .map(|name| {
                        let n = name.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-point=name.clone()
                                    prop:checked=move || form.with(|f| f.points.contains(&n))
                                    on:change={
                                        let name = name.clone();
                                        move |ev| {
                                            let on = event_target_checked(&ev);
                                            form.update(|f| {
                                                f.points.retain(|p| *p != name);
                                                if on {
                                                    f.points.push(name.clone());
                                                }
                                            })
                                        }
                                    }
                                />
                                {name.clone()}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldMessage field="points" errors />
            </fieldset>
            </fieldset>
            <p class="readout" data-testid="detection">
                {move || {
                    let (low, high) = detection();
                    lang.get().pick(
                        format!("端点故障后约 {low}–{high} 秒判定为异常，流量随即切走。"),
                        format!("An endpoint failing is declared Down after about {low}–{high} s, and traffic moves at once."),
                    )
                }}
            </p>
            <p class="readout" data-testid="tasks">
                {move || {
                    let points = chosen_points();
                    let tasks = points as u64 * u64::from(endpoints);
                    lang.get().pick(
                        format!("监控任务：{points} 个监控点 × {endpoints} 个端点 = {tasks}"),
                        format!("Monitor tasks: {points} points × {endpoints} endpoints = {tasks}"),
                    )
                }}
            </p>
            <Writable>
                <button type="submit" class="primary" disabled=move || busy.get() || !errors.get().is_empty()>
                    {t("保存监控设置", "Save monitor settings")}
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        form.set(MonitorSettings::default());
                        done.set(false);
                    }
                >
                    {t("恢复推荐值", "Use the recommended values")}
                </button>
            </Writable>
            <Show when=move || done.get()>
                <span class="ok" role="status">{t("已保存", "Saved")}</span>
            </Show>
            <Show when=move || unsaved.get() && !done.get()>
                <span class="unsaved" data-testid="monitor-unsaved">{t("有未保存的修改", "Unsaved changes")}</span>
            </Show>
            {move || server_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </form>
    }
}

/// Adds `chip` to a comma-separated code list, or removes it when present.
fn toggle_code(codes: &str, chip: &str) -> String {
    let mut list: Vec<&str> = codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if list.contains(&chip) {
        list.retain(|c| *c != chip);
    } else {
        list.push(chip);
    }
    list.join(",")
}

/// The validation message of one field (points: any `points[i]`), next to it.
#[component]
fn FieldMessage(field: &'static str, errors: Memo<Vec<FieldError>>) -> impl IntoView {
    let message = move || {
        errors.with(|list| {
            list.iter()
                .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
                .map(|e| e.message.clone())
        })
    };
    view! {
        {move || message().map(|m| view! { <span class="field-error" data-field=field role="alert">{m}</span> })}
    }
}

#[component]
fn ProbeResults(domain: String) -> impl IntoView {
    let refresh = RwSignal::new(0_u32);
    let live = {
        let domain = domain.clone();
        version_for(move || domain.clone(), &[Shows::Probes])
    };
    let list = Resource::new(
        {
            let domain = domain.clone();
            move || (domain.clone(), refresh.get(), live.get())
        },
        |(domain, ..)| probes(domain, 60),
    );
    let chart = move |kind: &str| {
        format!(
            "/console/charts/{kind}.svg?domain={}&minutes=60&v={}.{}",
            domain,
            refresh.get(),
            live.get()
        )
    };
    let (latency, status) = (chart.clone(), chart);
    view! {
        <section class="probes card">
            <h2>{t("探测结果（最近 60 分钟）", "Probe results (last 60 minutes)")}</h2>
            <button type="button" on:click=move |_| refresh.update(|n| *n += 1)>{t("刷新", "Refresh")}</button>
            <div class="charts">
                <figure>
                    <img src=move || latency("latency") alt=t("延迟", "Latency") width="640" height="240" />
                    <figcaption>{t("延迟（毫秒）", "Latency (ms)")}</figcaption>
                </figure>
                <figure>
                    <img src=move || status("status") alt=t("状态码", "Status codes") width="640" height="240" />
                    <figcaption>{t("HTTP 状态码与失败", "HTTP status codes and failures")}</figcaption>
                </figure>
            </div>
            <Transition fallback=loading>
                {move || {
                    list.get().map(|r| match r {
                        Err(e) => alert_error(&e),
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="empty">{t("还没有探测结果：启动域名的调度后，监控点按间隔探测每个端点。", "No probe results yet: once the domain is started, the monitor points probe every endpoint each interval.")}</p>
                        }.into_any(),
                        Ok(rows) => view! { <ProbeTable rows /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn ProbeTable(rows: Vec<ProbeRecord>) -> impl IntoView {
    view! {
        <table class="probe-list">
            <thead>
                <tr>
                    <th>{t("时间 (UTC)", "Time (UTC)")}</th>
                    <th>{t("端点", "Endpoint")}</th>
                    <th>{t("监控点", "Point")}</th>
                    <th>{t("结果", "Result")}</th>
                    <th>{t("HTTP 状态码", "HTTP status")}</th>
                    <th>{t("延迟", "Latency")}</th>
                    <th>{t("失败类型", "Failure")}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .take(100)
                    .map(|p| view! {
                        <tr class=if p.ok { "ok" } else { "failed" }>
                            <td>{time_text(p.time)}</td>
                            <td>{p.endpoint}</td>
                            <td>{p.point}</td>
                            <td>{if p.ok { "OK" } else { "FAIL" }}</td>
                            <td class="code">{p.http_status.map(|c| c.to_string()).unwrap_or_default()}</td>
                            <td>{p.latency_ms.map(|l| format!("{l} ms")).unwrap_or_default()}</td>
                            <td>{p.failure.unwrap_or_default()}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::toggle_code;

    #[test]
    fn chips_toggle_codes_in_the_list() {
        assert_eq!(toggle_code("200-399", "404"), "200-399,404");
        assert_eq!(toggle_code("200-399, 404", "404"), "200-399");
        assert_eq!(toggle_code("", "200"), "200");
    }
}
