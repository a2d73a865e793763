//! The home page: the account's domains — name, CNAME, scheduling and monitor status — with
//! start / pause / stop / delete (delete asks for confirmation) and "add a domain" (ITM or
//! non-ITM) with the seed's CNAME instructions. Rendered on the server with its data; the forms
//! work before the wasm has loaded.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::model::{DomainStatus, DomainSummary, MonitorStatus};
use crate::ui::domains::{CreateDomain, DeleteDomain, SetDomainStatus, list_domains};

#[component]
pub fn DomainsPage() -> impl IntoView {
    let create = ServerAction::<CreateDomain>::new();
    let status = ServerAction::<SetDomainStatus>::new();
    let delete = ServerAction::<DeleteDomain>::new();
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                status.version().get(),
                delete.version().get(),
            )
        },
        |_| list_domains(),
    );
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let failure = move || {
        [
            create.value().get().and_then(Result::err),
            status.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| message(&e))
    };
    view! {
        <Title text="域名 Domains · ITM" />
        <section class="domains card" data-ready=move || ready.get().to_string()>
            <h1>"域名 Domains"</h1>
            <ActionForm action=create attr:class="add-domain">
                <label>
                    "新域名 New domain" <input type="text" name="domain" placeholder="www.example.com" required />
                </label>
                <label class="check">
                    <input type="checkbox" name="itm" value="on" checked />
                    "ITM 域名（生成 CNAME）· ITM domain (gets a CNAME)"
                </label>
                <button type="submit">"添加 Add"</button>
            </ActionForm>
            <p class="hint">
                "ITM 域名：在您的 DNS 服务商处把您的域名 CNAME 到下表的 CNAME 值。非 ITM 域名：把该域名的 NS 委派给 ITM 的名称服务器。"
                <br />
                "ITM domain: at your DNS provider, point your name (CNAME) at the value in the CNAME column. Non-ITM domain: delegate the name (NS) to ITM's name servers."
            </p>
            {move || failure().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"加载中… Loading…"</p> }>
                {move || {
                    list.get()
                        .map(|result| match result {
                            Err(e) => {
                                view! {
                                    <p class="error" role="alert">
                                        {message(&e)} " " <a href="/login">"登录 Log in"</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(domains) if domains.is_empty() => {
                                view! {
                                    <p class="empty">
                                        "还没有域名：在上面添加第一个。· No domains yet: add the first one above."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(domains) => view! { <DomainTable domains status delete /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn DomainTable(
    domains: Vec<DomainSummary>,
    status: ServerAction<SetDomainStatus>,
    delete: ServerAction<DeleteDomain>,
) -> impl IntoView {
    view! {
        <table class="domain-list">
            <thead>
                <tr>
                    <th>"域名 Domain"</th>
                    <th>"CNAME"</th>
                    <th>"调度 Scheduling"</th>
                    <th>"监控 Monitor"</th>
                    <th>"操作 Actions"</th>
                </tr>
            </thead>
            <tbody>
                {domains
                    .into_iter()
                    .map(|d| {
                        let name = d.domain.clone();
                        let actions = [
                            (DomainStatus::Start, "启动 Start"),
                            (DomainStatus::Pause, "暂停 Pause"),
                            (DomainStatus::Stop, "停止 Stop"),
                        ]
                            .into_iter()
                            .filter(|(s, _)| *s != d.status)
                            .map(|(s, label)| {
                                let name = name.clone();
                                view! {
                                    <ActionForm action=status attr:class="inline">
                                        <input type="hidden" name="domain" value=name />
                                        <input type="hidden" name="status" value=s.code() />
                                        <button type="submit">{label}</button>
                                    </ActionForm>
                                }
                            })
                            .collect_view();
                        view! {
                            <tr data-domain=d.domain.clone()>
                                <td class="name">{d.domain.clone()}</td>
                                <td class="cname">{d.cname.clone()}</td>
                                <td class="status">{status_label(d.status)}</td>
                                <td class="monitor">{monitor_label(d.monitor_status)}</td>
                                <td class="actions">
                                    {actions}
                                    <details class="confirm">
                                        <summary>"删除 Delete"</summary>
                                        <ActionForm action=delete attr:class="inline">
                                            <input type="hidden" name="domain" value=name.clone() />
                                            <button type="submit" class="danger">
                                                "确认删除 Confirm delete"
                                            </button>
                                        </ActionForm>
                                    </details>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn status_label(status: DomainStatus) -> &'static str {
    match status {
        DomainStatus::Unscheduled => "未调度 Not scheduled",
        DomainStatus::Start => "运行 Started",
        DomainStatus::Pause => "暂停 Paused",
        DomainStatus::Stop => "停止 Stopped",
    }
}

fn monitor_label(status: MonitorStatus) -> &'static str {
    match status {
        MonitorStatus::Ok => "正常 OK",
        MonitorStatus::Fail => "异常 Failing",
        MonitorStatus::Unknown => "—",
    }
}

/// A server function's error as the message to show (without the framework's prefix).
fn message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}
